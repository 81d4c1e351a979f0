"""Months as the first day of the month (dues are owed and paid month by month)."""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add(month: dt.date, n: int) -> dt.date:
    k = month.year * 12 + month.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def last_day(month: dt.date) -> dt.date:
    return add(month, 1) - dt.timedelta(days=1)


def span(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from ``start`` to ``end`` (both first days, inclusive)."""
    out = []
    m = first(start)
    while m <= end:
        out.append(m)
        m = add(m, 1)
    return out


def parse(value: object) -> dt.date:
    """``2026-03``, ``2026/3``, ``2026年3月`` or a date → the month's first day; ``ValueError``
    (Chinese) otherwise."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    m = MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError(f"月份“{text[:20]}”无效，应写作 2026-03 这样的年-月")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"
