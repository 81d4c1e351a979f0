"""Rate limit of the public survey pages, kept in Django's cache.

Fixed windows counted with ``cache.add`` + ``cache.incr``, which are atomic in Redis and in the
default local-memory cache (per process; with several processes, configure a shared cache).
Two budgets per submission attempt — successful or not, so guessing invite codes is limited too:

- per client address and survey (``addr``): a phone or a code guesser behind one address;
- per survey (``survey``): a flood from many addresses.

A branch meeting answering together behind one Wi-Fi shares one address, so the per-address
budget is generous. Both are configurable via ``DANGJIAN_SURVEY_RATE_LIMITS``:
``{"addr": [attempts, seconds], "survey": [attempts, seconds]}``. The address is only used
keyed-hashed, in a cache key that expires with its window; it is never written to the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from dangjian.core import crypto

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "addr": (60, 600),  # 60 attempts per address and survey in 10 minutes
    "survey": (1000, 600),  # 1000 attempts per survey in 10 minutes
}


def limits() -> dict[str, tuple[int, int]]:
    configured = getattr(settings, "DANGJIAN_SURVEY_RATE_LIMITS", None) or {}
    merged = dict(DEFAULT_LIMITS)
    for name, value in configured.items():
        attempts, seconds = value
        merged[name] = (int(attempts), int(seconds))
    return merged


def _hit(key: str, attempts: int, seconds: int) -> bool:
    """Count one attempt in the window of ``key``; ``True`` while still within ``attempts``."""
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        count = 1
    return count <= attempts


def allow(survey_id: int, client_addr: str) -> bool:
    """Count an attempt on ``survey_id`` from ``client_addr``; ``False`` when over a budget."""
    conf = limits()
    addr = crypto.digest(f"survey-rate:{survey_id}:{client_addr}")[:32]
    ok_addr = _hit(f"dj-survey:addr:{addr}", *conf["addr"])
    ok_survey = _hit(f"dj-survey:all:{survey_id}", *conf["survey"])
    return ok_addr and ok_survey
