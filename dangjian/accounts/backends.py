"""Password login with lockout after repeated failures (policy from :class:`SecurityPolicy`) and
the per-address limit on failed logins (:mod:`.ratelimit`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from . import ratelimit, services
from .models import User

#: the one answer to a failed login, whether the username is unknown, the password wrong or the
#: account locked or deactivated (web and API alike)
LOGIN_FAILED = "用户名或密码错误，或账号已被暂时锁定。如多次无法登录，请联系安全管理员。"


class LockoutModelBackend(ModelBackend):
    """Refuses a locked account even with the right password; counts failures per account and
    per client address. An unknown, a locked and a wrong-password login cost the same work and
    look the same to the caller (``None``)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        if request is not None and ratelimit.retry_after(request) is not None:
            return None
        user = self._check(username, password)
        if user is None and request is not None:
            ratelimit.record_failure(request)
        return user

    def _check(self, username: str, password: str) -> User | None:
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if services.is_locked(user):
            User().set_password(password)  # the same work again, whatever the password
            services.login_failed(user=user, locked=True)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            services.login_succeeded(user=user)
            return user
        services.login_failed(user=user, locked=False)
        return None
