"""Official Chinese working days (法定工作日, with the adjusted working weekends 调休).

Backed by the maintained ``chinese-calendar`` package, which knows the State Council's holiday
arrangements year by year. A date outside the years it knows raises :class:`CalendarRangeError`
with a Chinese message instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


class CalendarRangeError(ValueError):
    """A date for which the official holiday arrangement is not known."""


def _known_years() -> tuple[int, int]:
    years = sorted({day.year for day in chinese_calendar.holidays})
    return years[0], years[-1]


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is an official working day (weekdays, minus holidays, plus 调休 weekends).

    Cached: the checker asks about the same few hundred days for thousands of cases."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = _known_years()
        raise CalendarRangeError(
            f"日期 {day.isoformat()} 超出法定节假日日历已知的年份（{first}–{last} 年），"
            "无法计算工作日；请升级 chinese-calendar 或核对日期"
        ) from None


def workdays_between(first: dt.date, last: dt.date) -> int:
    """Number of official working days from ``first`` to ``last``, both included."""
    count = 0
    day = first
    while day <= last:
        if is_workday(day):
            count += 1
        day += dt.timedelta(days=1)
    return count
