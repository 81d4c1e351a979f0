"""The yearly figures count the dated roll of the figures' day (31 December), not today's: a
member transferred on 31 December counts in the new branch that year, one transferred on
1 January in the old one; a past year's figures do not change when a member transfers or dies
afterwards; the hours follow the member across branches and subtrees; the leaders' 56 hours
follow the post held that day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.members.services import (
    StatusInput,
    member_move,
    member_status_record,
)
from dangjian.training.figures import branch_member_hours, subtree_figures
from tests.factories import make_member, make_org
from tests.life.helpers import attend, meet
from tests.training.helpers import course

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 23)


def move(member, org, on: dt.date) -> None:
    member_move(actor=SYSTEM, member=member, org=org, on=on, reason="工作调动")
    member.refresh_from_db()


def branches(org, year: int, today: dt.date = TODAY) -> dict[str, tuple[int, int]]:
    figures = subtree_figures(org, year, today)
    return {t.code: (t.members, t.met) for t in figures.branches}


def hours(branch, year: int, today: dt.date = TODAY) -> dict[int, Decimal]:
    return {h.member.pk: h.total for h in branch_member_hours(branch, year, today)}


@pytest.fixture
def branch_c(tree):
    return make_org(
        tree["town_a"], org_type="党支部", sector="农村", code="BC001", name="丙村党支部"
    )


def test_transfer_on_december_31_counts_in_the_new_branch(tree, branch_c):
    mover = tree["members_a"][0]
    course(tree["town_a"], [mover], hours="32", starts_on=D(2025, 6, 1))
    move(mover, branch_c, D(2025, 12, 31))
    assert branches(tree["town_a"], 2025) == {"BA001": (3, 0), "BC001": (1, 1)}
    assert mover.pk in hours(branch_c, 2025) and mover.pk not in hours(tree["branch_a"], 2025)
    # on 30 December (the figures of a day within the year) he was still in the old branch
    assert branches(tree["town_a"], 2025, D(2025, 12, 30)) == {"BA001": (4, 1)}


def test_transfer_on_january_1_leaves_the_past_year_in_the_old_branch(tree):
    mover = tree["members_a"][0]
    course(tree["town_a"], [mover], hours="32", starts_on=D(2025, 6, 1))
    attend(meet(tree["branch_b"], "党课", D(2026, 3, 1)), mover, True)
    move(mover, tree["branch_b"], D(2026, 1, 1))
    # 2025: still counted under 甲镇 (today's roll has him under 乙街道), with his hours
    assert branches(tree["town_a"], 2025) == {"BA001": (4, 1)}
    assert branches(tree["town_b"], 2025) == {"BB001": (2, 0)}
    assert hours(tree["branch_a"], 2025)[mover.pk] == Decimal("32")
    # 2026: in the new subtree, and his hours of the new year only
    assert branches(tree["town_a"], 2026) == {"BA001": (3, 0)}
    assert branches(tree["town_b"], 2026) == {"BB001": (3, 0)}
    assert hours(tree["branch_b"], 2026)[mover.pk] == Decimal("2")


def test_hours_follow_the_member_into_another_subtree(tree):
    mover = tree["members_a"][0]
    course(tree["town_a"], [mover], hours="24", starts_on=D(2026, 4, 1))
    attend(meet(tree["branch_a"], "党课", D(2026, 5, 1)), mover, True)
    move(mover, tree["branch_b"], D(2026, 7, 1))
    attend(meet(tree["branch_b"], "主题党日", D(2026, 9, 1)), mover, True)
    attend(meet(tree["branch_b"], "党课", D(2026, 10, 1)), mover, True)
    # counted once, in 乙社区, with 24 + 2 + 2 + 2 = 30 hours recorded on both sides
    assert hours(tree["branch_b"], 2026, D(2026, 12, 31))[mover.pk] == Decimal("30")
    root = subtree_figures(tree["root"], 2026, D(2026, 12, 31))
    assert root.total.members == 6
    assert branches(tree["town_a"], 2026, D(2026, 12, 31)) == {"BA001": (3, 0)}


def test_a_past_year_does_not_change_when_a_member_dies_or_leaves_later(tree):
    gone, out = tree["members_a"][:2]
    course(tree["town_a"], [gone, out], hours="32", starts_on=D(2025, 6, 1))
    for member, kind in ((gone, "死亡"), (out, "转出系统外")):
        member_status_record(
            actor=SYSTEM,
            member=member,
            data=StatusInput(kind=kind, started_on=D(2026, 3, 1), decided_by="甲村党支部"),
        )
    assert branches(tree["town_a"], 2025) == {"BA001": (4, 2)}
    assert set(hours(tree["branch_a"], 2025)) == {m.pk for m in tree["members_a"]}
    # the year they left: not on the roll of 31 December
    assert branches(tree["town_a"], 2026, D(2026, 12, 31)) == {"BA001": (2, 0)}


def test_leaders_hours_follow_the_post_held_on_the_figures_day(tree, branch_c):
    secretary = make_member(tree["branch_a"], post="书记", joined_on=D(2010, 7, 1))
    course(tree["town_a"], [secretary], hours="40", starts_on=D(2025, 6, 1))
    course(tree["town_a"], [secretary], hours="40", starts_on=D(2026, 6, 1))
    # transferred in 2026: the post in the old branch ends, none in the new one
    move(secretary, branch_c, D(2026, 8, 1))
    past = {h.member.pk: h for h in branch_member_hours(tree["branch_a"], 2025, TODAY)}
    assert past[secretary.pk].leader and past[secretary.pk].required == Decimal("56")
    assert not past[secretary.pk].met
    figures = subtree_figures(tree["town_a"], 2025, TODAY)
    assert (figures.total.leaders, figures.total.leaders_met) == (1, 0)
    now = {h.member.pk: h for h in branch_member_hours(branch_c, 2026, D(2026, 12, 31))}
    assert not now[secretary.pk].leader and now[secretary.pk].met


def test_a_member_who_came_back_counts_once(tree, branch_c):
    member = tree["members_a"][0]
    move(member, branch_c, D(2026, 3, 1))
    move(member, tree["branch_a"], D(2026, 9, 1))
    assert branches(tree["town_a"], 2026, D(2026, 12, 31)) == {"BA001": (4, 0)}
    assert branches(tree["town_a"], 2026, D(2026, 6, 30)) == {"BA001": (3, 0), "BC001": (1, 0)}


def test_adding_a_branch_takes_its_roll_of_the_course_first_day(tree, branch_c):
    from dangjian.training.services import participants_add_branch

    came, left, stayed = tree["members_a"][0], tree["members_a"][1], tree["members_a"][2]
    c = course(tree["town_a"], starts_on=D(2026, 5, 10), ends_on=D(2026, 5, 12))
    move(came, branch_c, D(2026, 1, 1))
    move(came, tree["branch_a"], D(2026, 5, 11))  # back the day after the course began
    move(left, branch_c, D(2026, 5, 11))  # still under 甲镇, in another branch now
    added = participants_add_branch(actor=SYSTEM, course=c, branch=tree["branch_a"])
    names = set(c.participants.values_list("member__name", flat=True))
    assert added == 2 and names == {stayed.name, tree["members_a"][3].name}
    # ``left`` was on the branch's roll that day but is under it no longer; ``came`` was not
    assert left.name not in names and came.name not in names
