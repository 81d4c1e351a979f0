"""SETUP term reminders across the year end (issue 9): a 3-year term elected on 2023-12-31 ends on
2026-12-31; the reminder, the expiry and the one-year delay limit are judged on the China date
(00:00 in Shanghai is 16:00 of the day before in UTC)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.rules import findings_for_org
from dangjian.orgs.services import OrgInput, org_update
from dangjian.rules.runner import findings_for
from tests.factories import make_org

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date
TERM_RULES = ["SETUP-TERM-EXPIRING", "SETUP-TERM-EXPIRED"]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=SHANGHAI)


def term_findings(org) -> list[tuple[str, str, str]]:
    """(rule, severity, message) of the term rules for ``org`` today, as pages compute them."""
    found = findings_for(SYSTEM, rules="SETUP", rule_ids=TERM_RULES, org_code=org.code)
    page = [f for f in findings_for_org(SYSTEM, org) if f.rule in TERM_RULES]
    assert [f.as_dict() for f in page] == [f.as_dict() for f in found]  # one rule, one answer
    return [(f.rule, f.severity, f.message) for f in found]


@pytest.fixture
def branch(tree):
    # a 机关 branch: 3-year term (社区/农村 organizations have 5)
    return make_org(
        tree["town_a"],
        org_type="党支部",
        sector="机关",
        code="BJ001",
        name="区机关第一党支部",
        term_started_on=D(2023, 12, 31),
    )


@pytest.mark.django_db
@pytest.mark.today("2026-06-30T23:59")
def test_the_reminder_starts_six_months_before_the_end(branch, clock):
    assert term_findings(branch) == []
    clock.move_to(at("2026-07-01T00:00"))
    [(rule, severity, message)] = term_findings(branch)
    assert (rule, severity) == ("SETUP-TERM-EXPIRING", "due")
    assert "将于 2026-12-31 届满（还有 183 天）" in message


@pytest.mark.django_db
@pytest.mark.today("2026-12-31T23:59")
def test_last_day_of_the_term_then_expired_at_midnight(branch, clock, tree):
    [(rule, severity, message)] = term_findings(branch)
    assert (rule, severity) == ("SETUP-TERM-EXPIRING", "due") and "还有 0 天" in message
    client = Client()
    client.force_login(tree["admin_a"])
    assert "还有 0 天" in client.get("/orgs/BJ001/").content.decode()

    clock.move_to(at("2027-01-01T00:00"))
    [(rule, severity, message)] = term_findings(branch)
    assert (rule, severity) == ("SETUP-TERM-EXPIRED", "error")
    assert "已于 2026-12-31 届满，逾期 1 天未换届" in message
    assert "超过经批准最多延期" not in message
    assert "逾期 1 天未换届" in client.get("/orgs/BJ001/").content.decode()


@pytest.mark.django_db
@pytest.mark.today("2027-12-31T23:59")
def test_the_one_year_delay_limit_passes_at_the_next_year_end(branch, clock):
    [(_rule, _severity, message)] = term_findings(branch)
    assert "逾期 365 天" in message and "超过经批准最多延期" not in message
    clock.move_to(at("2028-01-01T00:00"))
    [(_rule, _severity, message)] = term_findings(branch)
    assert "逾期 366 天" in message and "已超过经批准最多延期 1 年的期限" in message


@pytest.mark.django_db
def test_a_new_election_on_new_years_eve_ends_the_reminder(branch, clock):
    clock.move_to(at("2026-12-31T09:00"))
    assert term_findings(branch)[0][0] == "SETUP-TERM-EXPIRING"
    data = OrgInput(
        code=branch.code,
        name=branch.name,
        org_type=branch.org_type,
        sector=branch.sector,
        term_started_on=D(2026, 12, 31),
    )
    org_update(actor=SYSTEM, org=branch, data=data)
    branch.refresh_from_db()
    assert term_findings(branch) == []
    clock.move_to(at("2027-01-01T00:00"))
    assert term_findings(branch) == []


@pytest.mark.django_db
@pytest.mark.today("2027-01-01T00:30")
def test_an_election_recorded_half_an_hour_into_the_new_year_is_not_in_the_future(branch):
    # 00:30 in Shanghai is still 2026-12-31 in UTC: "today" must be the China date
    data = OrgInput(
        code=branch.code,
        name=branch.name,
        org_type=branch.org_type,
        sector=branch.sector,
        term_started_on=D(2027, 1, 1),
    )
    org_update(actor=SYSTEM, org=branch, data=data)
    branch.refresh_from_db()
    assert branch.term_started_on == D(2027, 1, 1)
    assert term_findings(branch) == []
