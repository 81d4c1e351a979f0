"""Token authentication against hashed tokens (:class:`dangjian.api.models.ApiToken`).

Clients send ``Authorization: Token <token>`` (``Bearer`` is accepted too). Sessions of the web UI
are accepted as well (with CSRF), see ``REST_FRAMEWORK`` in the settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from dangjian.accounts.credentials import must_change_password
from dangjian.accounts.models import User

from .models import ApiToken
from .services import token_digest

KEYWORDS = (b"token", b"bearer")
#: ``last_used_at`` is refreshed at most this often, so reads do not write on every request
TOUCH_INTERVAL = dt.timedelta(minutes=5)


class HashedTokenAuthentication(BaseAuthentication):
    """``request.user`` is the token's user, ``request.auth`` the :class:`ApiToken` row."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式错误：应为“Token <令牌>”")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌格式错误") from None
        token = (
            ApiToken.objects.select_related("user", "user__org")
            .filter(digest=token_digest(raw))
            .first()
        )
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已撤销")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用")
        if must_change_password(token.user):
            raise exceptions.AuthenticationFailed("密码已被重置或已过期：请先登录网页修改密码")
        if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """Describes :class:`HashedTokenAuthentication` in the OpenAPI schema."""

    target_class = "dangjian.api.auth.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "“Token <令牌>”，令牌由 POST /api/v1/auth/token/ 获取",
        }
