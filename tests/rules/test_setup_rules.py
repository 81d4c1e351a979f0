"""Every SETUP rule at its boundaries, as pure functions over facts (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.core.dates import add_months, add_years
from dangjian.orgs import rules as r
from dangjian.orgs.facts import OrgFacts, SecretaryFacts
from dangjian.rules.registry import Context, Finding, RuleFunc

AT = dt.date(2026, 6, 30)
DAY = dt.timedelta(days=1)


def facts(**kw: Any) -> OrgFacts:
    base: dict[str, Any] = {
        "pk": 1,
        "code": "B0001",
        "name": "测试党支部",
        "path": "00010001",
        "depth": 2,
        "org_type": "党支部",
        "sector": "机关",
        "region_code": "",
        "founded_on": None,
        "term_started_on": None,
        "term_years": None,
        "units_covered": None,
        "secretary_vacant_since": None,
    }
    extra = {
        k: kw.pop(k) for k in ("members", "full", "committee_posts", "subtree_members") if k in kw
    }
    secretaries = kw.pop("secretaries", [])
    assert len(secretaries) <= 1
    base.update(kw)
    item = OrgFacts(**base)
    for k, v in extra.items():
        setattr(item, k, v)
    if secretaries:
        item.secretaries = 1
        item.secretary_joined_on = secretaries[0].joined_on
        item.secretary_confirmed_on = secretaries[0].confirmed_on
    return item


def run(func: RuleFunc, item: OrgFacts, at: dt.date = AT) -> Finding | None:
    """The rule ``func`` over ``item`` on ``at`` (default ``AT``) with its default parameters."""
    result: Finding | None = func(item, Context.defaults(func.spec, at))  # type: ignore[attr-defined]
    return result


def secretary(confirmed_on: dt.date | None) -> SecretaryFacts:
    return SecretaryFacts(dt.date(2000, 1, 1), confirmed_on)


# --- SETUP-BRANCH-MIN-FULL ---------------------------------------------------------------


def test_min_full_three_is_enough():
    assert run(r.setup_branch_min_full, facts(members=3, full=3)) is None


def test_min_full_two_is_an_error_and_probationary_do_not_count():
    f = run(r.setup_branch_min_full, facts(members=5, full=2))
    assert f is not None
    assert (f.rule, f.severity, f.subject) == ("SETUP-BRANCH-MIN-FULL", "error", "B0001")
    assert f.evidence == {"full_members": 2, "probationary_members": 3}
    assert "正式党员 2 名，少于 3 名" in f.message
    assert f.source == "支部条例 art. 4–5"


def test_min_full_applies_to_joint_branches():
    assert run(r.setup_branch_min_full, facts(org_type="联合党支部", full=0)) is not None


@pytest.mark.parametrize("org_type", ["党委", "党工委", "党总支", "党小组"])
def test_min_full_not_for_non_branches(org_type):
    assert run(r.setup_branch_min_full, facts(org_type=org_type, full=0)) is None


# --- SETUP-BRANCH-MAX --------------------------------------------------------------------


def test_branch_max_50_ok_51_warning():
    assert run(r.setup_branch_max, facts(members=50, full=50)) is None
    f = run(r.setup_branch_max, facts(members=51, full=40))
    assert f is not None and f.severity == "warning"
    assert f.evidence["members"] == 51
    assert "党员 51 名，超过 50 名" in f.message


# --- SETUP-GENERAL-BRANCH-SIZE -----------------------------------------------------------


@pytest.mark.parametrize("n,flagged", [(49, True), (50, False), (100, False), (101, True)])
def test_general_branch_between_50_and_100(n, flagged):
    f = run(r.setup_general_branch_size, facts(org_type="党总支", subtree_members=n))
    assert (f is not None) == flagged
    if f:
        assert f.severity == "warning" and f.evidence == {"subtree_members": n}


@pytest.mark.parametrize("n,flagged", [(99, True), (100, False)])
def test_committee_needs_100(n, flagged):
    f = run(r.setup_general_branch_size, facts(org_type="党委", subtree_members=n))
    assert (f is not None) == flagged


def test_general_branch_size_ignores_branches_and_working_committees():
    assert run(r.setup_general_branch_size, facts(org_type="党工委", subtree_members=3)) is None
    assert run(r.setup_general_branch_size, facts(subtree_members=3)) is None


# --- SETUP-COMMITTEE-REQUIRED / SETUP-NO-COMMITTEE-SMALL ---------------------------------


def test_seven_full_without_committee_is_an_error():
    f = run(r.setup_committee_required, facts(members=7, full=7, committee_posts=2))
    assert f is not None and f.severity == "error"
    assert f.evidence == {"full_members": 7, "committee_posts": 2}


def test_seven_full_with_committee_of_three_ok():
    assert run(r.setup_committee_required, facts(members=7, full=7, committee_posts=3)) is None


def test_six_full_without_committee_ok():
    assert run(r.setup_committee_required, facts(members=9, full=6, committee_posts=0)) is None


def test_committee_of_eight_is_a_warning_seven_ok():
    f = run(r.setup_committee_required, facts(members=40, full=40, committee_posts=8))
    assert f is not None and f.severity == "warning"
    assert run(r.setup_committee_required, facts(members=40, full=40, committee_posts=7)) is None


def test_small_branch_with_committee_is_a_warning():
    f = run(r.setup_no_committee_small, facts(members=6, full=6, committee_posts=3))
    assert f is not None and f.severity == "warning"
    assert f.evidence == {"full_members": 6, "committee_posts": 3}
    assert run(r.setup_no_committee_small, facts(full=6, committee_posts=2)) is None
    assert run(r.setup_no_committee_small, facts(full=7, committee_posts=3)) is None


# --- SETUP-JOINT-BRANCH-UNITS ------------------------------------------------------------


def test_joint_branch_units():
    assert run(r.setup_joint_branch_units, facts(org_type="联合党支部", units_covered=5)) is None
    assert run(r.setup_joint_branch_units, facts(org_type="联合党支部", units_covered=None)) is None
    f = run(r.setup_joint_branch_units, facts(org_type="联合党支部", units_covered=6))
    assert f is not None and f.severity == "warning" and f.evidence == {"units_covered": 6}
    assert run(r.setup_joint_branch_units, facts(org_type="党支部", units_covered=9)) is None


# --- SETUP-SECRETARY-PARTY-AGE -----------------------------------------------------------


def test_secretary_confirmed_exactly_one_year_ago_ok():
    sec = secretary(add_years(AT, -1))
    assert run(r.setup_secretary_party_age, facts(secretaries=[sec])) is None


def test_secretary_one_day_short_of_one_year_warning():
    sec = secretary(add_years(AT, -1) + DAY)
    f = run(r.setup_secretary_party_age, facts(secretaries=[sec]))
    assert f is not None and f.severity == "warning"
    assert f.evidence["secretary_confirmed_on"] == (add_years(AT, -1) + DAY).isoformat()
    assert f.evidence["party_age_days"] == 364
    assert "书记党龄不足 1 年" in f.message


def test_probationary_secretary_warning():
    f = run(r.setup_secretary_party_age, facts(secretaries=[secretary(None)]))
    assert f is not None and f.evidence["secretary_probationary"] is True


def test_secretary_confirmed_after_at_was_probationary_then():
    f = run(r.setup_secretary_party_age, facts(secretaries=[secretary(AT + DAY)]))
    assert f is not None and f.evidence["secretary_probationary"] is True


# --- SETUP-SECRETARY-VACANT --------------------------------------------------------------


def test_no_secretary_no_date_is_a_warning():
    f = run(r.setup_secretary_vacant, facts())
    assert f is not None and f.severity == "warning"
    assert f.evidence["vacant_since"] is None and f.evidence["secretary_holders"] == 0


def test_secretary_present_no_finding():
    assert (
        run(r.setup_secretary_vacant, facts(secretaries=[secretary(dt.date(2010, 1, 1))])) is None
    )


def test_vacant_exactly_three_months_is_a_warning():
    since = add_months(AT, -3)
    f = run(r.setup_secretary_vacant, facts(secretary_vacant_since=since))
    assert f is not None and f.severity == "warning"
    assert f.evidence["weak_and_lax"] is False


def test_vacant_more_than_three_months_is_weak_and_lax():
    since = add_months(AT, -3) - DAY
    f = run(r.setup_secretary_vacant, facts(secretary_vacant_since=since))
    assert f is not None and f.severity == "error"
    assert f.evidence["weak_and_lax"] is True
    assert f.evidence["vacant_since"] == since.isoformat()
    assert "软弱涣散" in f.message


def test_recorded_vacancy_counts_even_with_a_secretary_on_the_roll():
    sec = secretary(dt.date(2010, 1, 1))
    f = run(r.setup_secretary_vacant, facts(secretaries=[sec], secretary_vacant_since=AT - DAY))
    assert f is not None and f.severity == "warning"


def test_vacancy_recorded_after_at_is_not_yet_a_vacancy():
    sec = secretary(dt.date(2010, 1, 1))
    assert (
        run(r.setup_secretary_vacant, facts(secretaries=[sec], secretary_vacant_since=AT + DAY))
        is None
    )


def test_committee_vacancy_only_by_recorded_date():
    assert run(r.setup_secretary_vacant, facts(org_type="党委")) is None
    f = run(
        r.setup_secretary_vacant, facts(org_type="党委", secretary_vacant_since=add_months(AT, -4))
    )
    assert f is not None and f.severity == "error"


# --- SETUP-TERM / -EXPIRING / -EXPIRED ---------------------------------------------------


def test_term_years_differing_from_rule():
    f = run(r.setup_term, facts(term_years=4))
    assert f is not None and f.evidence == {"term_years": 4, "expected_years": 3}
    assert run(r.setup_term, facts(term_years=3)) is None
    assert run(r.setup_term, facts(term_years=5, sector="农村")) is None
    assert run(r.setup_term, facts(term_years=None)) is None


def test_term_ending_exactly_six_months_after_at_is_due():
    ends = add_months(AT, 6)
    f = run(r.setup_term_expiring, facts(term_started_on=add_years(ends, -3)))
    assert f is not None and f.severity == "due" and f.due_date == ends
    assert f.evidence["ends_on"] == ends.isoformat()


def test_term_ending_six_months_and_a_day_after_at_not_due():
    ends = add_months(AT, 6) + DAY
    assert run(r.setup_term_expiring, facts(term_started_on=add_years(ends, -3))) is None


def test_term_ending_today_is_due_not_expired():
    started = add_years(AT, -3)
    assert run(r.setup_term_expiring, facts(term_started_on=started)) is not None
    assert run(r.setup_term_expired, facts(term_started_on=started)) is None


def test_term_ended_yesterday_is_expired():
    started = add_years(AT - DAY, -3)
    f = run(r.setup_term_expired, facts(term_started_on=started))
    assert f is not None and f.severity == "error"
    assert f.evidence["term_started_on"] == started.isoformat()
    assert f.evidence["term_years"] == 3
    assert f.evidence["ends_on"] == (AT - DAY).isoformat()
    assert f.evidence["overdue_days"] == 1
    assert run(r.setup_term_expiring, facts(term_started_on=started)) is None


def test_term_uses_default_years_by_sector_and_recorded_years():
    started = add_years(AT, -4)  # 4 years ago: a 3-year branch term has ended, a rural 5-year not
    assert run(r.setup_term_expired, facts(term_started_on=started)) is not None
    assert run(r.setup_term_expired, facts(term_started_on=started, sector="农村")) is None
    assert run(r.setup_term_expired, facts(term_started_on=started, term_years=5)) is None


def test_term_expired_more_than_a_year_beyond_approval_limit():
    f = run(r.setup_term_expired, facts(term_started_on=add_years(AT, -5)))
    assert f is not None and f.evidence["beyond_max_delay"] is True


def test_no_term_data_no_term_findings():
    for func in (r.setup_term, r.setup_term_expiring, r.setup_term_expired):
        assert run(func, facts()) is None
    group = facts(org_type="党小组", term_started_on=dt.date(2000, 1, 1))
    assert run(r.setup_term_expired, group) is None
