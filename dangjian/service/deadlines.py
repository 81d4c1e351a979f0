"""When an order must be responded to and resolved (SERVICE-DEADLINE), and whether it is late.

The response limit is in clock hours from submission (an emergency cannot wait for Monday). The
resolution limit is in days: the end (24:00, Asia/Shanghai) of the D-th day after the day of
submission, counting only official working days when the category says so (holidays and 调休
weekends from the shared calendar :mod:`dangjian.core.workdays`). A reopened order gets a new
resolution limit counted from the reopening. Late actions are allowed and marked, never refused.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core.workdays import add_workdays


def response_due(submitted_at: dt.datetime, hours: int) -> dt.datetime:
    return submitted_at + dt.timedelta(hours=hours)


def resolution_due(start: dt.datetime, days: int, *, workdays: bool) -> dt.datetime:
    """The end of the ``days``-th (working) day after the local day of ``start``."""
    local = timezone.localtime(start).date()
    last = add_workdays(local, days) if workdays else local + dt.timedelta(days=days)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end) - dt.timedelta(microseconds=1)
