"""Organizational life at the period boundaries (issue 9), as the to-do page sees them: the last
minute of a year or quarter (China time) and the first minute of the next. At 00:00 in Shanghai
it is still 16:00 of the day before in UTC, so a page that took the UTC date would show the
wrong period."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.rules.runner import findings_for
from tests.life.helpers import meet

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def todo(tree) -> str:
    client = Client()
    client.force_login(tree["secretary_a"])
    page = client.get("/life/orgs/BA001/todo/")
    assert page.status_code == 200
    return page.content.decode()


def due(html: str) -> dict[tuple[str, str], int]:
    """(rule, period) → days left, from the to-do's 还需完成 list."""
    items = re.findall(
        r'data-rule="([^"]+)" data-period="([^"]+)".*?还剩 <strong>(\d+)</strong> 天', html, re.S
    )
    return {(rule, period): int(days) for rule, period, days in items}


def missed(html: str) -> str:
    """The 已过期未完成 section."""
    return html.split('id="h-missed"', 1)[1].split("</section>", 1)[0]


def midnight(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=SHANGHAI)


@pytest.mark.django_db
@pytest.mark.today("2026-12-31T23:59")
def test_last_minute_of_the_year_everything_of_2026_is_due_today(tree, clock):
    html = todo(tree)
    assert "截至 2026-12-31" in html
    items = due(html)
    assert items[("LIFE-ASSEMBLY-QUARTERLY", "2026-Q4")] == 0
    assert items[("LIFE-THEME-DAY-MONTHLY", "2026-12")] == 0
    assert items[("LIFE-ORG-LIFE-MEETING-YEARLY", "2026")] == 0
    assert items[("LIFE-DEMOCRATIC-REVIEW-YEARLY", "2026")] == 0
    assert not any(period.startswith("2027") for _rule, period in items)

    clock.move_to(midnight("2027-01-01T00:00"))
    html = todo(tree)
    assert "截至 2027-01-01" in html
    items = due(html)
    assert items[("LIFE-ASSEMBLY-QUARTERLY", "2027-Q1")] == 89  # to 31 March
    assert items[("LIFE-THEME-DAY-MONTHLY", "2027-01")] == 30
    assert items[("LIFE-ORG-LIFE-MEETING-YEARLY", "2027")] == 364
    # the 2026 组织生活会 may still be held for 2026 until the end of February (所属年度) …
    assert items[("LIFE-ORG-LIFE-MEETING-YEARLY", "2026")] == 58
    # … while last quarter's and last month's meetings, due a minute ago, are now missed
    assert not any(p.startswith("2026-") for _rule, p in items)
    section = missed(html)
    assert "支部党员大会" in section and "2026年第4季度" in section and "2026年12月" in section


@pytest.mark.django_db
@pytest.mark.today("2026-12-31T23:59")
def test_a_meeting_on_new_years_eve_counts_for_2026_one_on_new_years_day_for_2027(tree, clock):
    meet(tree["branch_a"], "支部党员大会", D(2026, 12, 31))
    meet(tree["branch_a"], "组织生活会", D(2026, 12, 31))
    items = due(todo(tree))
    assert ("LIFE-ASSEMBLY-QUARTERLY", "2026-Q4") not in items
    assert ("LIFE-ORG-LIFE-MEETING-YEARLY", "2026") not in items

    clock.move_to(midnight("2027-01-01T00:00"))
    meet(tree["branch_a"], "主题党日", D(2027, 1, 1))
    items = due(todo(tree))
    assert ("LIFE-ASSEMBLY-QUARTERLY", "2027-Q1") in items  # 12-31 does not carry over
    assert ("LIFE-ORG-LIFE-MEETING-YEARLY", "2027") in items
    assert ("LIFE-THEME-DAY-MONTHLY", "2027-01") not in items  # held on 1 January


@pytest.mark.django_db
@pytest.mark.today("2026-03-31T23:59")
def test_quarter_rollover_the_missed_quarter_becomes_an_error_at_midnight(tree, clock):
    meet(tree["branch_a"], "支部党员大会", D(2026, 1, 15))  # Q1 met; no 党课 this quarter
    items = due(todo(tree))
    assert items[("LIFE-LECTURE-QUARTERLY", "2026-Q1")] == 0
    assert ("LIFE-ASSEMBLY-QUARTERLY", "2026-Q1") not in items
    assert "党课" not in missed(todo(tree))

    clock.move_to(midnight("2026-04-01T00:00"))
    html = todo(tree)
    items = due(html)
    assert items[("LIFE-LECTURE-QUARTERLY", "2026-Q2")] == 90  # to 30 June
    assert items[("LIFE-ASSEMBLY-QUARTERLY", "2026-Q2")] == 90
    assert ("LIFE-LECTURE-QUARTERLY", "2026-Q1") not in items
    section = missed(html)
    assert "党课" in section and "2026年第1季度" in section
    assert "支部党员大会" not in section  # Q1 assembly was held


@pytest.mark.django_db
def test_an_explicit_window_still_reports_last_years_misses_on_new_years_day(tree):
    found = findings_for(
        SYSTEM,
        rules="LIFE",
        rule_ids=["LIFE-ASSEMBLY-QUARTERLY"],
        org_code="BA001",
        at=D(2027, 1, 1),
        since=D(2026, 10, 1),
    )
    assert [(f.severity, f.period) for f in found] == [("error", "2026-Q4"), ("due", "2027-Q1")]


@pytest.mark.django_db
@pytest.mark.today("2027-01-01T00:00")
def test_on_new_years_day_the_todo_still_shows_last_quarters_miss(tree):
    section = missed(todo(tree))
    assert "支部党员大会" in section and "2026年第4季度" in section
