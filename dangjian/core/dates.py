"""Date helpers: calendar arithmetic and the date formats users type into Excel."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def parse_date(value: object) -> dt.date:
    """Parse ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日`` or a date object.

    Raises ``ValueError`` with a Chinese message for anything else, including impossible dates.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"日期“{text}”不存在") from None
    raise ValueError(f"日期“{text}”格式错误，应为 YYYY-MM-DD")


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; the end of the month when that day does not exist."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` counted by anniversary: an age (周岁) when ``start``
    is the birth date, a party age (党龄) when it is the day of 转正.

    The n-th anniversary is :func:`add_years` ``(start, n)``; ``end`` on that day counts the year
    as complete (年满). For 29 February the anniversary in a common year is 28 February, the end
    of the month (民法典 art. 203: a period without its corresponding day ends on the last day of
    the month) — the same convention as every deadline here (``add_months``). Negative spans
    (``end`` before ``start``) count down the same way.
    """
    if end < start:
        return -full_years(end, start)
    years = end.year - start.year
    if add_years(start, years) > end:
        years -= 1
    return years


def turns(born: dt.date, years: int) -> dt.date:
    """The day someone born on ``born`` becomes ``years`` old (年满), by :func:`full_years`."""
    return add_years(born, years)


def years_between(start: dt.date, end: dt.date) -> int:
    """Same as :func:`full_years` (kept for older callers; it once divided days by 365.2425)."""
    return full_years(start, end)


def span_text(start: dt.date, end: dt.date) -> str:
    """``end - start`` in words, to the day: ``2 年 3 个月 5 天`` (``0 天`` when equal).

    Whole years and months by anniversary (:func:`add_months`), then the remaining days."""
    if end < start:
        raise ValueError("span_text needs start <= end")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    days = (end - add_months(start, months)).days
    years, months = divmod(months, 12)
    parts = [f"{years} 年" if years else "", f"{months} 个月" if months else ""]
    parts.append(f"{days} 天" if days or not (years or months) else "")
    return " ".join(p for p in parts if p)


def quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
