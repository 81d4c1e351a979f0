"""LIFE-ABSENT-6-MONTHS over the dated roll: each branch judges a member only over the whole
months he was on its roll (transferred in on the 1st, on the last day of a month, across the
year's end; one who came back), and a member who left its roll (transferred out, died,
relation out of the platform) or is under 停止党籍 by the day of the check is not flagged for
it; one who left later is still flagged as of a day he was on it."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.members.services import StatusInput, member_move, member_status_record
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org
from tests.life.helpers import attend, meet

pytestmark = pytest.mark.django_db
D = dt.date
RULE = "LIFE-ABSENT-6-MONTHS"


def flags(at: dt.date, org: str = "D0001", since: dt.date | None = None):
    """(branch code, member name, first month, last month) of every flag under ``org``."""
    found = findings_for(SYSTEM, rules="LIFE", rule_ids=[RULE], org_code=org, at=at, since=since)
    return [
        (f.subject, f.evidence["name"], f.evidence["months"][0], f.evidence["months"][-1])
        for f in found
    ]


def absent(branch, member, *days: dt.date, reason: str = "因事") -> None:
    """The member marked absent without good reason at a 主题党日 of ``branch`` on each day."""
    for day in days:
        attend(meet(branch, "主题党日", day), member, False, reason)


def monthly(year: int, months, day: int = 10) -> list[dt.date]:
    return [D(year, m, day) for m in months]


def move(member, org, on: dt.date) -> None:
    member_move(actor=SYSTEM, member=member, org=org, on=on, reason="工作调动")
    member.refresh_from_db()


def status(member, kind: str, started: dt.date, ends: dt.date | None = None) -> None:
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind=kind, started_on=started, ends_on=ends, decided_by="甲镇党委"),
    )


@pytest.fixture
def branch_c(tree):
    return make_org(
        tree["town_a"], org_type="党支部", sector="农村", code="BC001", name="丙村党支部"
    )


def test_transferred_in_mid_month_is_judged_from_the_next_month(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, [1, 2, 3], day=5))
    move(member, branch_c, D(2026, 3, 15))
    absent(branch_c, member, D(2026, 3, 20), *monthly(2026, range(4, 9)))
    # March is whole on neither roll: April–August are 5 months
    assert flags(D(2026, 8, 31)) == []
    absent(branch_c, member, D(2026, 9, 10))
    assert flags(D(2026, 9, 30)) == [("BC001", member.name, "2026-04", "2026-09")]


def test_transfer_on_the_first_gives_the_month_to_the_new_branch(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, [1, 2]))
    move(member, branch_c, D(2026, 3, 1))
    absent(branch_c, member, D(2026, 3, 1), *monthly(2026, range(4, 9)))
    assert flags(D(2026, 8, 31)) == [("BC001", member.name, "2026-03", "2026-08")]
    # the day before the month ends nothing yet; the absences at the old branch never count
    assert flags(D(2026, 8, 30)) == []


def test_transfer_on_the_last_day_of_a_month(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, [1, 2, 3]))
    move(member, branch_c, D(2026, 3, 31))
    absent(branch_c, member, D(2026, 3, 31), *monthly(2026, range(4, 9)))
    # on 31 March he is on the new roll only, so March is whole on neither: April–August
    assert flags(D(2026, 8, 31)) == []
    absent(branch_c, member, D(2026, 9, 30))
    assert flags(D(2026, 9, 30)) == [("BC001", member.name, "2026-04", "2026-09")]


def test_transfer_on_the_first_of_january_across_the_year_end(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2025, range(7, 13), day=28))
    move(member, branch_c, D(2026, 1, 1))
    absent(branch_c, member, *monthly(2026, range(1, 6)))
    # 2025's absences at the old branch do not make 2026's five months at the new one six
    assert flags(D(2026, 5, 31)) == []
    # and the old branch is no longer told about its six months of 2025
    assert flags(D(2026, 1, 31), since=D(2025, 12, 1)) == []
    # as of 31 December 2025 it was (he was on its roll that day)
    assert flags(D(2025, 12, 31), since=D(2025, 12, 1)) == [
        ("BA001", member.name, "2025-07", "2025-12")
    ]
    absent(branch_c, member, D(2026, 6, 10))
    assert flags(D(2026, 6, 30)) == [("BC001", member.name, "2026-01", "2026-06")]


def test_member_who_transferred_out_is_not_flagged_for_the_old_branch(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, range(1, 7)))
    move(member, branch_c, D(2026, 7, 15))
    # as of 30 June he was on the old roll: the flag stands there, not at the new branch
    assert flags(D(2026, 6, 30)) == [("BA001", member.name, "2026-01", "2026-06")]
    assert flags(D(2026, 7, 31)) == []
    # checked from the old branch only: nothing either
    assert flags(D(2026, 7, 31), org="BA001") == []
    assert flags(D(2026, 6, 30), org="BA001") == [("BA001", member.name, "2026-01", "2026-06")]


def test_member_who_came_back_is_judged_from_his_return(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, [1, 2]))
    move(member, branch_c, D(2026, 3, 1))
    absent(branch_c, member, *monthly(2026, [3, 4]))
    move(member, tree["branch_a"], D(2026, 5, 1))
    absent(tree["branch_a"], member, *monthly(2026, range(5, 10)))
    # January–September absent everywhere, but the branch counts May–September only
    assert flags(D(2026, 9, 30)) == []
    absent(tree["branch_a"], member, D(2026, 10, 10))
    assert flags(D(2026, 10, 31)) == [("BA001", member.name, "2026-05", "2026-10")]


@pytest.mark.parametrize("kind", ["死亡", "转出系统外", "自行脱党"])
def test_member_who_left_the_rolls_is_flagged_only_as_of_before(tree, kind):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, range(1, 7)))
    status(member, kind, D(2026, 7, 10))
    assert flags(D(2026, 7, 31)) == []
    # a check as of June still sees him on that day's roll (today's roll does not hold him)
    assert flags(D(2026, 6, 30)) == [("BA001", member.name, "2026-01", "2026-06")]


def test_suspension_months_are_not_judged_and_a_suspended_member_is_not_flagged(tree):
    member, other = tree["members_a"][:2]
    status(member, "停止党籍", D(2026, 3, 1), D(2026, 6, 1))
    absent(tree["branch_a"], member, *monthly(2026, range(1, 10)))
    # March–May suspended: January–February and June–September are runs of 2 and 4 months
    assert flags(D(2026, 9, 30)) == []
    absent(tree["branch_a"], member, *monthly(2026, [10, 11]))
    assert flags(D(2026, 11, 30)) == [("BA001", member.name, "2026-06", "2026-11")]
    # suspended (停止党籍) at the day of the check: the branch has decided already
    absent(tree["branch_a"], other, *monthly(2026, range(1, 7)))
    status(other, "停止党籍", D(2026, 7, 1))
    assert ("BA001", other.name, "2026-01", "2026-06") in flags(D(2026, 6, 30))
    assert [f for f in flags(D(2026, 7, 31)) if f[1] == other.name] == []


def test_probation_watch_months_are_judged(tree):
    member = tree["members_a"][0]
    status(member, "留党察看", D(2026, 2, 15), D(2027, 2, 15))
    absent(tree["branch_a"], member, *monthly(2026, range(1, 7)))
    assert flags(D(2026, 6, 30)) == [("BA001", member.name, "2026-01", "2026-06")]


def test_presence_at_another_branch_in_a_judged_month_breaks_the_run(tree, branch_c):
    member = tree["members_a"][0]
    absent(tree["branch_a"], member, *monthly(2026, range(1, 7)))
    # invited to the neighbouring branch's 党课 in April and took part
    attend(meet(branch_c, "党课", D(2026, 4, 20)), member, True)
    assert flags(D(2026, 6, 30)) == []


def test_member_admitted_mid_month_is_judged_from_the_next_month(tree):
    new = make_member(tree["branch_a"], member_type="预备党员", joined_on=D(2026, 1, 15))
    absent(tree["branch_a"], new, D(2026, 1, 20), *monthly(2026, range(2, 7)))
    assert flags(D(2026, 6, 30)) == []
    absent(tree["branch_a"], new, D(2026, 7, 10))
    assert flags(D(2026, 7, 31)) == [("BA001", new.name, "2026-02", "2026-07")]
