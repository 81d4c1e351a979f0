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

from dangjian.accounts import credentials, otp, ratelimit
from dangjian.accounts.backends import LOGIN_FAILED
from dangjian.accounts.models import User
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


class LoginThrottled(exceptions.Throttled):
    """429 with the Chinese message of the web login and ``Retry-After``."""

    def __init__(self, wait: int) -> None:
        exceptions.APIException.__init__(self, ratelimit.refusal_message(wait))
        self.wait = wait


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


#: the revocation, on ``DELETE auth/token/`` and ``POST auth/token/revoke/`` alike
REVOKE_SCHEMA = extend_schema(
    request=TokenRevokeRequestSerializer,
    responses={200: TokenRevokeResponseSerializer},
    summary="撤销当前令牌（all=true 撤销本人全部令牌）",
)


class TokenView(GenericAPIView):
    """POST: username and password (and the TOTP code of an administrator when
    ``DANGJIAN_ADMIN_TOTP`` is on) → a new token; the lockout and the per-address limit apply.
    DELETE: revoke."""

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
        wait = ratelimit.retry_after(request._request)
        if wait is not None:
            raise LoginThrottled(wait)
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            # unknown, wrong password, locked or deactivated: one answer
            raise exceptions.ValidationError({"non_field_errors": [LOGIN_FAILED]})
        assert isinstance(user, User)
        if credentials.must_change_password(user):
            raise exceptions.PermissionDenied("密码已被重置或已过期：请先登录网页修改密码")
        if otp.totp_required(user):
            if otp.confirmed_device(user) is None:
                raise exceptions.PermissionDenied("管理员账号须先在网页登录并绑定动态口令")
            if otp.verify(user, serializer.validated_data.get("otp", "")) is None:
                raise exceptions.ValidationError({"otp": ["动态口令错误或缺失"]})
        token, raw = token_issue(user=user)
        return Response(
            {"token": raw, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED
        )

    @REVOKE_SCHEMA
    def delete(self, request: Request) -> Response:
        return _revoke(request)


class TokenRevokeView(GenericAPIView):
    """POST: revoke the token of this request (or all own tokens with ``all=true``)."""

    serializer_class = TokenRevokeRequestSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = PARSERS

    @REVOKE_SCHEMA
    def post(self, request: Request) -> Response:
        return _revoke(request)
