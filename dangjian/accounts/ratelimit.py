"""Per-address limit on failed logins, shared by the web login and the API token endpoint.

Failed attempts are counted per client address in a fixed window in Django's default cache
(Redis when the deployment sets ``REDIS_URL``, so every worker sees the same count). Once an
address has failed ``DANGJIAN_LOGIN_RATE_LIMIT`` times in ``DANGJIAN_LOGIN_RATE_WINDOW`` seconds,
every further attempt from it is refused with 429 until the window ends — before any password is
checked, whatever the username. Successful logins are not counted: an office behind one address
where everybody signs in at nine is not blocked.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from dangjian.core.middleware import client_addr

#: what a refused address is told (web page and API body)
MESSAGE = "登录尝试过于频繁，请{minutes}分钟后再试。"


def _limit() -> tuple[int, int]:
    limit = int(getattr(settings, "DANGJIAN_LOGIN_RATE_LIMIT", 20))
    window = int(getattr(settings, "DANGJIAN_LOGIN_RATE_WINDOW", 600))
    return limit, max(window, 1)


def _key(request: HttpRequest) -> tuple[str, int]:
    _limit_count, window = _limit()
    start = int(time.time()) // window * window
    return f"dangjian:login-fail:{client_addr(request)}:{start}", start


def retry_after(request: HttpRequest) -> int | None:
    """Seconds until ``request``'s address may try again, or ``None`` when it may try now."""
    limit, window = _limit()
    if limit <= 0:
        return None
    key, start = _key(request)
    count = caches["default"].get(key, 0)
    if count < limit:
        return None
    return max(1, start + window - int(time.time()))


def record_failure(request: HttpRequest) -> None:
    """Count a failed login from ``request``'s address."""
    _limit_count, window = _limit()
    key, _start = _key(request)
    cache = caches["default"]
    if not cache.add(key, 1, timeout=window + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)


def refusal_message(seconds: int) -> str:
    return MESSAGE.format(minutes=max(1, -(-seconds // 60)))
