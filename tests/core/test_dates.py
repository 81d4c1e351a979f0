"""Ages and party ages by anniversary, to the day (周岁, 党龄), 29 February included."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.dates import full_years, span_text, turns, years_between

D = dt.date


@pytest.mark.parametrize(
    "start,end,years",
    [
        (D(1971, 2, 2), D(1989, 2, 1), 17),  # the day before the 18th birthday
        (D(1971, 2, 2), D(1989, 2, 2), 18),  # the birthday itself: 年满十八岁
        (D(1971, 2, 2), D(2026, 11, 23), 55),
        (D(2025, 11, 24), D(2026, 11, 23), 0),  # 转正 a year ago tomorrow: no party age yet
        (D(2025, 11, 23), D(2026, 11, 23), 1),
        (D(1999, 12, 31), D(2026, 12, 31), 27),  # the year end
        (D(1999, 12, 31), D(2027, 1, 1), 27),
        (D(2000, 3, 1), D(2001, 2, 28), 0),
        # born 29 February: in a common year the anniversary is 28 February (end of the month)
        (D(2000, 2, 29), D(2018, 2, 27), 17),
        (D(2000, 2, 29), D(2018, 2, 28), 18),
        (D(2000, 2, 29), D(2024, 2, 28), 23),  # a leap year: the 29th is the anniversary
        (D(2000, 2, 29), D(2024, 2, 29), 24),
    ],
)
def test_full_years_by_anniversary(start, end, years):
    assert full_years(start, end) == years
    assert years_between(start, end) == years


def test_a_day_count_divided_by_365_would_be_wrong():
    # born 1971-02-02, on his 17th birthday: 6209 days / 365.2425 = 16.9997 — yet he is 17
    assert (D(1988, 2, 2) - D(1971, 2, 2)).days / 365.2425 < 17
    assert full_years(D(1971, 2, 2), D(1988, 2, 2)) == 17


def test_turns_is_the_anniversary():
    assert turns(D(1971, 2, 2), 18) == D(1989, 2, 2)
    assert turns(D(2000, 2, 29), 18) == D(2018, 2, 28)
    assert turns(D(2000, 2, 29), 24) == D(2024, 2, 29)
    for born in (D(1971, 2, 2), D(2000, 2, 29), D(1980, 12, 31)):
        assert full_years(born, turns(born, 18)) == 18
        assert full_years(born, turns(born, 18) - dt.timedelta(days=1)) == 17


@pytest.mark.parametrize(
    "start,end,text",
    [
        (D(2026, 1, 1), D(2026, 1, 1), "0 天"),
        (D(2025, 12, 20), D(2026, 11, 23), "11 个月 3 天"),
        (D(2024, 1, 31), D(2024, 3, 1), "1 个月 1 天"),
        (D(2023, 11, 23), D(2026, 11, 23), "3 年"),
        (D(2023, 6, 30), D(2026, 11, 23), "3 年 4 个月 24 天"),
    ],
)
def test_span_text(start, end, text):
    assert span_text(start, end) == text
