"""Fixed-window counters in Django's cache, for the rate limits of the public pages (surveys,
service orders).

``cache.add`` + ``cache.incr`` are atomic in Redis and in the default local-memory cache (per
process; with several processes, configure a shared cache). A client address only ever appears
keyed-hashed (:func:`addr_key`), in a cache key that expires with its window; it is never written
to the database.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

from dangjian.core import crypto

Budget = tuple[int, int]  # (attempts, seconds)


def budgets(setting: str, defaults: Mapping[str, Budget]) -> dict[str, Budget]:
    """``defaults`` overridden, name by name, by the setting ``setting``
    (``{"name": [attempts, seconds], …}``)."""
    merged = dict(defaults)
    for name, value in (getattr(settings, setting, None) or {}).items():
        attempts, seconds = value
        merged[name] = (int(attempts), int(seconds))
    return merged


def hit(key: str, attempts: int, seconds: int) -> bool:
    """Count one attempt in the window of ``key``; ``True`` while still within ``attempts``."""
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        count = 1
    return count <= attempts


def addr_key(purpose: str, client_addr: str) -> str:
    """The client address keyed-hashed for ``purpose`` (never stored in the clear)."""
    return crypto.digest(f"{purpose}:{client_addr}")[:32]
