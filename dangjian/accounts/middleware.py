"""Idle session timeout from the security policy."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .models import SecurityPolicy

_KEY = "dangjian_last_seen"


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
            else:
                request.session[_KEY] = now
        return self.get_response(request)
