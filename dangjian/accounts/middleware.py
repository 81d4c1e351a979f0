"""Idle session timeout from the security policy."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .models import SecurityPolicy

_KEY = "dangjian_last_seen"
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
