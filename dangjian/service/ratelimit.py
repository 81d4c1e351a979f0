"""Rate limits of the public order pages (counters of :mod:`dangjian.core.ratelimit`): per client
address and per scope (a grid's page, or an order's tracking page), so a flood from one address
cannot fill a village's queue. ``DANGJIAN_SERVICE_RATE_LIMITS`` overrides
``{"addr": [attempts, seconds], "grid": [attempts, seconds]}``."""

from __future__ import annotations

from dangjian.core import ratelimit

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {"addr": (10, 600), "grid": (300, 600)}


def allow(scope: str, client_addr: str) -> bool:
    """Count one write on ``scope`` (a grid, or a tracking code) from ``client_addr``."""
    conf = ratelimit.budgets("DANGJIAN_SERVICE_RATE_LIMITS", DEFAULT_LIMITS)
    addr = ratelimit.addr_key("service-rate", client_addr)
    ok_addr = ratelimit.hit(f"dj-service:addr:{addr}", *conf["addr"])
    ok_scope = ratelimit.hit(f"dj-service:scope:{scope}", *conf["grid"])
    return ok_addr and ok_scope
