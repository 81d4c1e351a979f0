"""LIFE rules judge with the roll and the committee of the meeting's date, not today's: a member
transferred in mid-year does not count at the assemblies held before he came; a committee that
lost a member in spring is not held to a monthly 支委会 until its new secretary takes office."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.members.history import committee_on, secretary_on
from dangjian.members.models import Member, PostTerm
from dangjian.members.services import PostTermInput, member_move, post_term_end, post_term_start
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org
from tests.life.helpers import attend, meet

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)


def life(rule: str, *, at: dt.date, org: str = "BB001"):
    return findings_for(SYSTEM, rules="LIFE", rule_ids=[rule], org_code=org, at=at)


def test_a_member_transferred_in_mid_year_does_not_count_before_he_came(tree):
    b1, b2 = tree["members_b"]
    march = meet(tree["branch_b"], "支部党员大会", D(2026, 3, 10))
    for m in (b1, b2):
        attend(march, m, True)
    for m in tree["members_a"][:3]:
        member_move(actor=SYSTEM, member=m, org=tree["branch_b"], on=D(2026, 5, 1), reason="")
    # today's roll has 5 members: 2 present would be below quorum; on 10 March it had 2 of 2
    assert life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30)) == []
    june = meet(tree["branch_b"], "支部党员大会", D(2026, 6, 10))
    for m in (b1, b2):
        attend(june, m, True)
    for m in tree["members_a"][:3]:
        attend(june, m, False, "因事")
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert [(f.evidence["expected"], f.evidence["present"]) for f in found] == [(5, 2)]


def test_a_member_transferred_out_still_counts_where_he_was_that_day(tree):
    a = tree["members_a"]
    march = meet(tree["branch_a"], "支部党员大会", D(2026, 3, 10))
    attend(march, a[0], True)
    for m in a[1:]:
        attend(march, m, False, "因事")
    member_move(actor=SYSTEM, member=a[1], org=tree["branch_b"], on=D(2026, 4, 1), reason="")
    member_move(actor=SYSTEM, member=a[2], org=tree["branch_b"], on=D(2026, 4, 1), reason="")
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30), org="BA001")
    assert [(f.evidence["expected"], f.evidence["present"]) for f in found] == [(4, 1)]


def _terms(branch):
    return [
        (t.member.name, t.post) for t in committee_on(branch, D(2026, 5, 1)) if t.post != "党小组长"
    ]


def test_the_committee_of_the_month_not_today(tree):
    branch = make_org(tree["town_a"], org_type="党支部", code="BC001")
    old = make_member(branch, post="书记", joined_on=D(2010, 7, 1), name="老书记")
    make_member(branch, post="组织委员", joined_on=D(2010, 7, 1))
    make_member(branch, post="宣传委员", joined_on=D(2010, 7, 1))
    new = make_member(branch, joined_on=D(2012, 7, 1), name="新书记")
    term = PostTerm.objects.get(member=old)
    post_term_end(actor=SYSTEM, term=term, ended_on=D(2026, 4, 1), today=TODAY)
    post_term_start(
        actor=SYSTEM,
        data=PostTermInput(org=branch, member=new, post="书记", started_on=D(2026, 7, 1)),
        today=TODAY,
    )
    assert Member.objects.get(pk=old.pk).post == "" and Member.objects.get(pk=new.pk).post == "书记"
    assert secretary_on(branch, D(2026, 3, 31)).member == old
    assert secretary_on(branch, D(2026, 4, 1)) is None  # the day of leaving office
    assert secretary_on(branch, D(2026, 7, 1)).member == new
    assert len(_terms(branch)) == 2
    found = life("LIFE-COMMITTEE-MONTHLY", at=D(2026, 8, 31), org="BC001")
    # three posts in January–March and from July; two in April–June: not held to it then
    assert [f.period for f in found] == ["2026-01", "2026-02", "2026-03", "2026-07", "2026-08"]


def test_a_committee_secretary_from_another_branch(tree):
    """A 党委's secretary is recorded there, his roll stays in his branch."""
    holder = tree["members_a"][0]
    term = post_term_start(
        actor=SYSTEM,
        data=PostTermInput(
            org=tree["town_a"], member=holder, post="书记", started_on=D(2025, 1, 1),
            decided_by="甲镇党委第一次全体会议",
        ),
        today=TODAY,
    )  # fmt: skip
    assert secretary_on(tree["town_a"], D(2025, 1, 1)).member == holder
    assert secretary_on(tree["town_a"], D(2024, 12, 31)) is None
    assert Member.objects.get(pk=holder.pk).post == ""  # not a post of his own branch
    member_move(actor=SYSTEM, member=holder, org=tree["branch_b"], on=D(2026, 2, 1), reason="")
    term.refresh_from_db()
    assert term.ended_on is None  # moving branch does not end a 党委 post


def test_voters_of_a_day_are_those_on_that_days_roll(tree):
    from dangjian.members.selectors import voters_on

    moved = tree["members_a"][0]
    member_move(actor=SYSTEM, member=moved, org=tree["branch_b"], on=D(2026, 3, 1), reason="")
    assert moved.pk in {m.pk for m in voters_on(tree["branch_a"], D(2026, 2, 28))}
    assert moved.pk not in {m.pk for m in voters_on(tree["branch_a"], D(2026, 3, 1))}
    assert moved.pk in {m.pk for m in voters_on(tree["branch_b"], D(2026, 3, 1))}
    assert moved.pk not in {m.pk for m in voters_on(tree["branch_b"], D(2026, 2, 28))}
