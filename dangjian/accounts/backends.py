"""Password login with lockout after repeated failures (policy from :class:`SecurityPolicy`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from . import services
from .models import User


class LockoutModelBackend(ModelBackend):
    """Refuses a locked account even with the right password; counts failures per account."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if services.is_locked(user):
            services.login_failed(user=user, locked=True)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            services.login_succeeded(user=user)
            return user
        services.login_failed(user=user, locked=False)
        return None
