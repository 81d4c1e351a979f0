"""``/api/v1/auth/token/``: issue a token for username and password, and revoke tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from dangjian.accounts.models import User
from dangjian.accounts.services import is_locked
from dangjian.api.models import ApiToken
from dangjian.api.serializers import (
    TokenRequestSerializer,
    TokenResponseSerializer,
    TokenRevokeRequestSerializer,
    TokenRevokeResponseSerializer,
)
from dangjian.api.services import token_issue, token_revoke
from dangjian.api.views.base import PARSERS


class TokenThrottle(ScopedRateThrottle):
    """Per client address; the rate is read at request time (``DEFAULT_THROTTLE_RATES``)."""

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES or {}
        rate = rates.get(str(self.scope))
        return str(rate) if rate else None


class LockedAccount(exceptions.PermissionDenied):
    default_code = "account_locked"


def _revoke(request: Request) -> Response:
    serializer = TokenRevokeRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    everything = bool(serializer.validated_data.get("all"))
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is None and not everything:
        raise exceptions.ValidationError(
            {"all": ["当前请求未使用令牌；要撤销本人全部令牌请传 all=true"]}
        )
    count = token_revoke(user=request.user, token=token, all_tokens=everything)  # type: ignore[arg-type]
    return Response({"revoked": count})


class TokenView(GenericAPIView):
    """POST: username and password → a new token (login lockout applies). DELETE: revoke."""

    serializer_class = TokenRequestSerializer
    throttle_scope = "api_token"
    parser_classes = PARSERS

    def get_authenticators(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list[BasePermission]:
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request is not None and self.request.method == "POST":
            return [TokenThrottle()]
        return []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenResponseSerializer},
        summary="用用户名和密码获取接口令牌",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        user = authenticate(
            request._request,
            username=username,
            password=serializer.validated_data["password"],
        )
        if user is None:
            known = User.objects.filter(username=username).first()
            if known is not None and is_locked(known):
                raise LockedAccount("账号因连续登录失败已被锁定，请稍后再试或联系安全管理员解锁")
            raise exceptions.ValidationError({"non_field_errors": ["用户名或密码错误"]})
        assert isinstance(user, User)
        token, raw = token_issue(user=user)
        return Response(
            {"token": raw, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=TokenRevokeRequestSerializer,
        responses={200: TokenRevokeResponseSerializer},
        summary="撤销当前令牌（all=true 撤销本人全部令牌）",
    )
    def delete(self, request: Request) -> Response:
        return _revoke(request)


class TokenRevokeView(GenericAPIView):
    """POST: revoke the token of this request (or all own tokens with ``all=true``)."""

    serializer_class = TokenRevokeRequestSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = PARSERS

    @extend_schema(
        request=TokenRevokeRequestSerializer,
        responses={200: TokenRevokeResponseSerializer},
        summary="撤销当前令牌（all=true 撤销本人全部令牌）",
    )
    def post(self, request: Request) -> Response:
        return _revoke(request)
