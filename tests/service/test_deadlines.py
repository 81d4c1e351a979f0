"""SERVICE-DEADLINE: clock hours to respond, (working) days to resolve, across 国庆 and 调休."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from dangjian.service import deadlines
from dangjian.service.categories import CategoryFileError, load, validate

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_response_is_in_clock_hours_even_over_a_holiday():
    assert deadlines.response_due(at(2026, 9, 30, 23, 0), 2) == at(2026, 10, 1, 1, 0)


def test_working_days_skip_national_day_and_count_the_tiaoxiu_saturday(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 2026: 10-01..10-07 holiday, 10-10 (Saturday) a working day (调休)
    due = deadlines.resolution_due(at(2026, 9, 30, 16, 0), 3, workdays=True)
    assert due.astimezone(SH).date() == dt.date(2026, 10, 10)
    assert due.astimezone(SH).time() == dt.time(23, 59, 59, 999999)


def test_the_tiaoxiu_sunday_before_counts():
    # 2026-09-20 is a Sunday worked (调休); submitted on Saturday the 19th
    due = deadlines.resolution_due(at(2026, 9, 19, 9, 0), 1, workdays=True)
    assert due.astimezone(SH).date() == dt.date(2026, 9, 20)


def test_calendar_days_cross_a_month_end():
    due = deadlines.resolution_due(at(2026, 1, 29, 8, 0), 7, workdays=False)
    assert due.astimezone(SH).date() == dt.date(2026, 2, 5)
    due = deadlines.resolution_due(at(2026, 11, 27, 8, 0), 3, workdays=True)  # Fri → Wed
    assert due.astimezone(SH).date() == dt.date(2026, 12, 2)


def test_the_shipped_categories_are_valid():
    cats = load(deadlines.__file__.replace("deadlines.py", "categories.yaml"))
    assert "safety" in cats and cats["safety"].response_hours == 2


def test_a_bad_category_file_reports_every_problem(tmp_path):
    found, problems = validate(
        {
            "categories": [
                {"code": "A b"},
                {
                    "code": "x",
                    "name": "甲",
                    "group": "乙",
                    "level": "moon",
                    "response_hours": 0,
                    "resolution_days": 3,
                },
            ]
        }
    )
    assert not found and len(problems) >= 5
    bad = tmp_path / "c.yaml"
    bad.write_text("categories: 3\n", encoding="utf-8")
    with pytest.raises(CategoryFileError):
        load(bad)
