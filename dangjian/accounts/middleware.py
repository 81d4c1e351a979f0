"""Idle session timeout from the security policy, and the steps a signed-in user must finish
before anything else: the second factor of an administrator, then a new password after a reset
or when the old one has expired."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import credentials, otp
from .models import SecurityPolicy

_KEY = "dangjian_last_seen"
#: the pages a user with an unfinished step may still open (URL names)
OPEN_PAGES = ("logout", "password_change", "otp_verify", "otp_setup")
#: the last-seen time is refreshed at most this often, so that a page view does not write the
#: session (a database write per request); a session may thus end up to this much early
_REFRESH_SECONDS = 60.0


class IdleTimeoutMiddleware:
    """Logs a session out after ``idle_timeout_minutes`` without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(_KEY)
            limit = SecurityPolicy.current().idle_timeout_minutes * 60
            if last is not None and now - float(last) > limit:
                logout(request)
                request.session["dangjian_timed_out"] = True
            elif last is None or now - float(last) >= min(_REFRESH_SECONDS, limit / 10):
                request.session[_KEY] = now
        return self.get_response(request)


class PendingStepMiddleware:
    """A signed-in administrator who has not given the TOTP code yet goes to that step; a user
    whose password is an initial one set by someone else, was reset or has expired goes to the
    change-password page. API requests over the session get 403 with the same reason. Place
    after ``OTPMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.open_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if self.open_paths is None:
            self.open_paths = frozenset(reverse(name) for name in OPEN_PAGES)
        if request.path in self.open_paths:
            return self.get_response(request)
        step = None
        if otp.totp_required(user) and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            has_device = otp.confirmed_device(user) is not None  # type: ignore[arg-type]
            step = ("otp_verify" if has_device else "otp_setup", "请先输入动态口令完成登录")
        elif credentials.must_change_password(user):  # type: ignore[arg-type]
            step = ("password_change", "请先修改密码：初始密码、重置或过期的密码须修改后才能使用")
        if step is None:
            return self.get_response(request)
        name, message = step
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
