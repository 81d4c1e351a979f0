"""Which periods a branch is judged for in the year it was founded.

Months and quarters: those that began on or after the founding day. Years: the founding year
when the branch was founded by 1 July (``founded_by``), otherwise from the next year. Boundaries:
1 January, 15 January, 1 July, 2 July, 31 December.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.rules.runner import findings_for
from tests.factories import make_org

pytestmark = pytest.mark.django_db
D = dt.date


def periods(code: str, rule: str, *, at: dt.date, since: dt.date | None = None) -> list[str]:
    found = findings_for(SYSTEM, rules="LIFE", rule_ids=[rule], org_code=code, at=at, since=since)
    return [f.period or "" for f in found]


@pytest.mark.parametrize(
    "founded,yearly,months,quarters",
    [
        # founded on New Year's Day: the whole year
        (D(2026, 1, 1), ["2026"], 12, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]),
        # founded in January: the year's yearly meetings, months from February, quarters from Q2
        (D(2026, 1, 15), ["2026"], 11, ["2026-Q2", "2026-Q3", "2026-Q4"]),
        # founded on 1 July: half the year left, still the year's yearly meetings
        (D(2026, 7, 1), ["2026"], 6, ["2026-Q3", "2026-Q4"]),
        # founded on 2 July: the yearly meetings from next year
        (D(2026, 7, 2), [], 5, ["2026-Q4"]),
        # founded on New Year's Eve: nothing in 2026
        (D(2026, 12, 31), [], 0, []),
    ],
)
@pytest.mark.today("2027-01-05T09:00")
def test_founding_year(tree, founded, yearly, months, quarters):
    make_org(tree["town_a"], org_type="党支部", code="BN001", founded_on=founded)
    at, since = D(2026, 12, 31), D(2026, 1, 1)
    for rule in (
        "LIFE-ORG-LIFE-MEETING-YEARLY",
        "LIFE-DEMOCRATIC-REVIEW-YEARLY",
        "LIFE-HEART-TALK-YEARLY",
    ):
        assert periods("BN001", rule, at=at, since=since) == yearly, rule
    assert len(periods("BN001", "LIFE-THEME-DAY-MONTHLY", at=at, since=since)) == months
    assert periods("BN001", "LIFE-ASSEMBLY-QUARTERLY", at=at, since=since) == quarters
    # every branch is held to everything in the next year
    assert periods("BN001", "LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2027, 12, 31)) == ["2027"]


@pytest.mark.today("2027-01-05T09:00")
def test_committee_founded_in_january_owes_its_secretarys_lecture(tree):
    make_org(tree["root"], org_type="党委", code="PN001", founded_on=D(2026, 1, 15))
    found = findings_for(
        SYSTEM,
        rules="LIFE",
        rule_ids=["LIFE-SECRETARY-LECTURE-YEARLY"],
        org_code="PN001",
        at=D(2026, 12, 31),
    )
    assert [(f.severity, f.period) for f in found] == [("due", "2026")]


@pytest.mark.today("2027-01-05T09:00")
def test_founded_by_is_a_local_parameter(tree, settings):
    make_org(tree["town_a"], org_type="党支部", code="BN002", founded_on=D(2026, 3, 2))
    rule = "LIFE-ORG-LIFE-MEETING-YEARLY"
    assert periods("BN002", rule, at=D(2026, 12, 31)) == ["2026"]
    settings.DANGJIAN_RULES = {rule: {"founded_by": "03-01"}}
    assert periods("BN002", rule, at=D(2026, 12, 31)) == []
    settings.DANGJIAN_RULES = {rule: {"founded_by": "02-29"}}
    with pytest.raises(ValueError, match="founded_by"):
        periods("BN002", rule, at=D(2026, 12, 31))
    settings.DANGJIAN_RULES = {rule: {"next_year_months": 9}}
    with pytest.raises(ValueError, match="next_year_months"):
        periods("BN002", rule, at=D(2026, 12, 31))
