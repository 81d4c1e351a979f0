"""Rate limit of the public survey pages (counters of :mod:`dangjian.core.ratelimit`).

Two budgets per submission attempt — successful or not, so guessing invite codes is limited too:

- per client address and survey (``addr``): a phone or a code guesser behind one address;
- per survey (``survey``): a flood from many addresses.

A branch meeting answering together behind one Wi-Fi shares one address, so the per-address
budget is generous. Both are configurable via ``DANGJIAN_SURVEY_RATE_LIMITS``:
``{"addr": [attempts, seconds], "survey": [attempts, seconds]}``.
"""

from __future__ import annotations

from dangjian.core import ratelimit

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "addr": (60, 600),  # 60 attempts per address and survey in 10 minutes
    "survey": (1000, 600),  # 1000 attempts per survey in 10 minutes
}


def limits() -> dict[str, tuple[int, int]]:
    return ratelimit.budgets("DANGJIAN_SURVEY_RATE_LIMITS", DEFAULT_LIMITS)


def allow(survey_id: int, client_addr: str) -> bool:
    """Count an attempt on ``survey_id`` from ``client_addr``; ``False`` when over a budget."""
    conf = limits()
    addr = ratelimit.addr_key(f"survey-rate:{survey_id}", client_addr)
    ok_addr = ratelimit.hit(f"dj-survey:addr:{addr}", *conf["addr"])
    ok_survey = ratelimit.hit(f"dj-survey:all:{survey_id}", *conf["survey"])
    return ok_addr and ok_survey
