"""Rate limits of the public order pages (per client address and per grid, in the cache), so a
flood from one address cannot fill a village's queue. ``DANGJIAN_SERVICE_RATE_LIMITS`` overrides
``{"addr": (attempts, seconds), "grid": (attempts, seconds)}``."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from dangjian.core import crypto

DEFAULT_LIMITS = {"addr": (10, 600), "grid": (300, 600)}


def _hit(key: str, attempts: int, seconds: int) -> bool:
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        count = 1
    return count <= attempts


def allow(scope: str, client_addr: str) -> bool:
    """Count one write on ``scope`` (a grid, or a tracking code) from ``client_addr``."""
    conf = {**DEFAULT_LIMITS, **(getattr(settings, "DANGJIAN_SERVICE_RATE_LIMITS", None) or {})}
    addr = crypto.digest(f"service-rate:{client_addr}")[:32]
    ok_addr = _hit(f"dj-service:addr:{addr}", *conf["addr"])
    ok_scope = _hit(f"dj-service:scope:{scope}", *conf["grid"])
    return ok_addr and ok_scope
