"""Facts from the database "as of at": joins, confirmations, foundings, subtree totals."""

from __future__ import annotations

import datetime as dt

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.rules import findings_for_org
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org

AT = dt.date(2026, 6, 30)
#: member services refuse dates after today, so "joins after at" needs an earlier at
EARLY = dt.date(2024, 6, 30)


def by_rule(findings, subject, rule):
    hits = [f for f in findings if f.subject == subject and f.rule == rule]
    assert len(hits) <= 1
    return hits[0] if hits else None


def test_exactly_three_full_members_pass_probationary_do_not_count(db):
    root = make_org(None, org_type="党委", sector="机关", code="R1")
    ok = make_org(root, code="OK1")
    short = make_org(root, code="SH1")
    for _ in range(3):
        make_member(ok)
    for _ in range(2):
        make_member(short)
    make_member(short, member_type="预备党员", joined_on=dt.date(2026, 1, 10))
    findings = findings_for(SYSTEM, at=AT)
    assert by_rule(findings, "OK1", "SETUP-BRANCH-MIN-FULL") is None
    f = by_rule(findings, "SH1", "SETUP-BRANCH-MIN-FULL")
    assert f is not None
    assert f.evidence == {"full_members": 2, "probationary_members": 1}


def test_member_joining_after_at_is_not_counted(db):
    branch = make_org(make_org(None, org_type="党委", code="R2"), code="LJ1")
    for _ in range(2):
        make_member(branch)
    make_member(branch, joined_on=EARLY + dt.timedelta(days=1))
    f = by_rule(findings_for(SYSTEM, at=EARLY), "LJ1", "SETUP-BRANCH-MIN-FULL")
    assert f is not None and f.evidence["full_members"] == 2
    assert f.evidence["probationary_members"] == 0
    later = findings_for(SYSTEM, at=AT)
    assert by_rule(later, "LJ1", "SETUP-BRANCH-MIN-FULL") is None


def test_member_confirmed_after_at_counts_as_probationary(db):
    branch = make_org(make_org(None, org_type="党委", code="R3"), code="CF1")
    for _ in range(2):
        make_member(branch)
    make_member(branch, joined_on=dt.date(2025, 9, 1), confirmed_on=dt.date(2026, 9, 1))
    f = by_rule(findings_for(SYSTEM, at=AT), "CF1", "SETUP-BRANCH-MIN-FULL")
    assert f is not None and f.evidence == {"full_members": 2, "probationary_members": 1}
    assert (
        by_rule(findings_for(SYSTEM, at=dt.date(2026, 9, 1)), "CF1", "SETUP-BRANCH-MIN-FULL")
        is None
    )


def test_secretary_appointed_after_at_leaves_post_vacant(db):
    branch = make_org(make_org(None, org_type="党委", code="R4"), code="SV1")
    make_member(branch, post="书记", joined_on=EARLY + dt.timedelta(days=1))
    f = by_rule(findings_for(SYSTEM, at=EARLY), "SV1", "SETUP-SECRETARY-VACANT")
    assert f is not None and f.severity == "warning"
    assert by_rule(findings_for(SYSTEM, at=AT), "SV1", "SETUP-SECRETARY-VACANT") is None


def test_secretary_party_age_from_confirmation(db):
    branch = make_org(make_org(None, org_type="党委", code="R5"), code="PA1")
    make_member(
        branch, post="书记", joined_on=dt.date(2024, 6, 30), confirmed_on=dt.date(2025, 6, 30)
    )
    assert by_rule(findings_for(SYSTEM, at=AT), "PA1", "SETUP-SECRETARY-PARTY-AGE") is None
    f = by_rule(
        findings_for(SYSTEM, at=AT - dt.timedelta(days=1)), "PA1", "SETUP-SECRETARY-PARTY-AGE"
    )
    assert f is not None and f.evidence["party_age_days"] == 364


def test_committee_posts_counted_from_roll(db):
    branch = make_org(make_org(None, org_type="党委", code="R6"), code="CM1")
    make_member(branch, post="书记")
    make_member(branch, post="组织委员")
    make_member(branch, post="党小组长")  # not a committee post
    for _ in range(4):
        make_member(branch)
    findings = findings_for(SYSTEM, at=AT)
    f = by_rule(findings, "CM1", "SETUP-COMMITTEE-REQUIRED")
    assert f is not None and f.severity == "error"
    assert f.evidence == {"full_members": 7, "committee_posts": 2}
    make_member(branch, post="宣传委员")
    assert by_rule(findings_for(SYSTEM, at=AT), "CM1", "SETUP-COMMITTEE-REQUIRED") is None


def test_general_branch_totals_its_subtree(db):
    root = make_org(None, org_type="党委", sector="机关", code="R7")
    general = make_org(root, org_type="党总支", sector="机关", code="GB1")
    for code in ("GB1A", "GB1B"):
        branch = make_org(general, code=code)
        for _ in range(3):
            make_member(branch)
    make_member(branch, member_type="预备党员", joined_on=AT + dt.timedelta(days=5))  # after AT
    findings = findings_for(SYSTEM, at=AT)
    f = by_rule(findings, "GB1", "SETUP-GENERAL-BRANCH-SIZE")
    assert f is not None and f.evidence == {"subtree_members": 6}
    root_f = by_rule(findings, "R7", "SETUP-GENERAL-BRANCH-SIZE")
    assert root_f is not None and root_f.evidence == {"subtree_members": 6}
    # the page of one organization computes the same total
    assert findings_for_org(SYSTEM, general, at=AT) == [f for f in findings if f.subject == "GB1"]
    # and so does a run limited to the subtree
    sub = findings_for(SYSTEM, org_code="GB1", at=AT)
    assert by_rule(sub, "GB1", "SETUP-GENERAL-BRANCH-SIZE") == f


def test_organization_founded_after_at_is_not_checked(db):
    root = make_org(None, org_type="党委", code="R8")
    make_org(root, code="NEW1", founded_on=AT + dt.timedelta(days=1))
    assert "NEW1" not in {f.subject for f in findings_for(SYSTEM, at=AT)}
    assert "NEW1" in {f.subject for f in findings_for(SYSTEM, at=AT + dt.timedelta(days=1))}


def test_term_expiry_from_database(db):
    root = make_org(
        None, org_type="党委", code="R9", sector="机关", term_started_on=dt.date(2021, 12, 1)
    )
    findings = findings_for(SYSTEM, at=AT)
    f = by_rule(findings, "R9", "SETUP-TERM-EXPIRING")
    assert f is not None and f.due_date == dt.date(2026, 12, 1)
    assert f.as_dict()["due_date"] == "2026-12-01"
    assert root.term_ends_on == f.due_date


def test_secretary_party_age_of_a_29_february_confirmation(db):
    """转正 on 29 February 2024: one year of party age on 28 February 2025 (the end of the
    month, as every anniversary here), not a day earlier."""
    branch = make_org(make_org(None, org_type="党委", code="R6"), code="PA2")
    make_member(
        branch, post="书记", joined_on=dt.date(2023, 2, 28), confirmed_on=dt.date(2024, 2, 29)
    )
    day_before = by_rule(findings_for(SYSTEM, at=dt.date(2025, 2, 27)), "PA2",
                         "SETUP-SECRETARY-PARTY-AGE")  # fmt: skip
    assert day_before is not None and "2025-02-28 满 1 年" in day_before.message
    assert "11 个月 29 天" in day_before.message
    assert by_rule(findings_for(SYSTEM, at=dt.date(2025, 2, 28)), "PA2",
                   "SETUP-SECRETARY-PARTY-AGE") is None  # fmt: skip
