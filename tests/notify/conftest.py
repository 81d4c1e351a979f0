"""The service fixture ``place`` (a town, two villages, grids, dispatchers and workers) and
helpers that act at a given moment through the real clock hook (no mock)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dangjian.core import clock as core_clock
from dangjian.service import services as s
from tests.service.conftest import place  # noqa: F401  (the fixture, shared)

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MINUTE = dt.timedelta(minutes=1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def submit(grid, when: dt.datetime, category: str = "environment"):
    with core_clock.frozen(when):
        return s.order_submit(
            grid=grid,
            category=category,
            description="楼道垃圾三天没人清运",
            phone="13812345678",
        )


def act(when: dt.datetime, fn, **kw):
    with core_clock.frozen(when):
        return fn(**kw)
