"""Votes and rolls at the meeting's date, and what counts as a good reason for an absence.

LIFE-ASSEMBLY-QUORUM counts the members with voting rights on the meeting date (留党察看,
停止党籍 and 预备党员 have no vote). LIFE-ABSENT-6-MONTHS does not count approved leave (请假
with its reason), nor absences on days a member was not on the roll, and does not flag members
who left the party; its evidence lists the absences it counted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.life.models import Attendance, Meeting
from dangjian.life.services import AttendanceInput, MeetingInput, meeting_record, roll
from dangjian.members.models import MemberStatus
from dangjian.rules.runner import findings_for
from tests.factories import make_member
from tests.life.helpers import attend, meet

pytestmark = pytest.mark.django_db
D = dt.date


def life(rule: str, *, at: dt.date, org: str = "BA001", since: dt.date | None = None):
    return findings_for(SYSTEM, rules="LIFE", rule_ids=[rule], org_code=org, at=at, since=since)


def status(member, kind: str, started: dt.date, ends: dt.date | None = None) -> MemberStatus:
    return MemberStatus.objects.create(
        member=member, kind=kind, started_on=started, ends_on=ends, decided_by="甲镇党委"
    )


# --- quorum ------------------------------------------------------------------------------------


def _assembly(tree, day: dt.date, present: set[int]) -> Meeting:
    m = meet(tree["branch_a"], "支部党员大会", day)
    for member in tree["members_a"]:
        attend(m, member, member.pk in present, "" if member.pk in present else "因事")
    return m


def test_members_under_probation_watch_have_no_vote_on_that_day(tree):
    a, b, c, d = tree["members_a"]  # four full members
    # three of four present: a quorum
    _assembly(tree, D(2026, 3, 10), {a.pk, b.pk, c.pk})
    assert life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30)) == []
    # two of four present, but d (absent) is under 留党察看 and c (present) suspended: 1 of 2
    _assembly(tree, D(2026, 5, 10), {a.pk, c.pk})
    status(d, "留党察看", D(2026, 4, 1), D(2027, 4, 1))
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert found == []  # a and c of a, b, c: 2 of 3 voters present
    status(c, "停止党籍", D(2026, 5, 1))
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert [(f.period, f.evidence["expected"], f.evidence["present"]) for f in found] == [
        ("2026-05", 2, 1)
    ]
    assert found[0].evidence["without_vote"] == {"停止党籍": 1, "留党察看": 1}
    assert "有表决权的党员 2 人（没有表决权的不计：停止党籍 1 人、留党察看 1 人），到会 1 人" in (
        found[0].message
    )
    # the March assembly is judged on March's standings: still a quorum
    assert {f.period for f in found} == {"2026-05"}


def test_voters_missing_from_the_list_count_as_absent(tree):
    a, b = tree["members_a"][:2]
    m = meet(tree["branch_a"], "支部党员大会", D(2026, 3, 10))
    attend(m, a, True)
    attend(m, b, True)  # c and d were not ticked at all
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert [(f.evidence["expected"], f.evidence["present"]) for f in found] == [(4, 2)]
    # a member who joined after the meeting was no voter then
    make_member(tree["branch_a"], joined_on=D(2026, 4, 1), confirmed_on=D(2026, 4, 2))
    found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert [(f.evidence["expected"], f.evidence["present"]) for f in found] == [(4, 2)]


def test_member_who_left_the_party_is_off_the_roll(tree):
    a = tree["members_a"][0]
    status(a, "死亡", D(2026, 2, 1))
    assert a not in roll(tree["branch_a"], D(2026, 3, 1))
    assert a in roll(tree["branch_a"], D(2026, 1, 31))
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            actor=SYSTEM,
            data=MeetingInput(
                org=tree["branch_a"],
                meeting_type="主题党日",
                held_on=D(2026, 3, 1),
                topic="重温入党誓词",
                attendance=[AttendanceInput(a.pk, False, "其他")],
            ),
        )
    assert exc.value.message_dict["attendance"] == [
        f"{a.name}在 2026-03-01 已不在甲村党支部的党员名册中（死亡）"
    ]


# --- absences ----------------------------------------------------------------------------------


def _months(tree, member, months, reason="因事", note="", year=2026):
    for month in months:
        m = meet(tree["branch_a"], "主题党日", D(year, month, 10))
        Attendance.objects.create(meeting=m, member=member, present=False, reason=reason, note=note)
        m.attendance_taken = True
        m.save()


def test_approved_leave_is_a_good_reason(tree):
    member = tree["members_a"][0]
    _months(tree, member, range(1, 6))
    _months(tree, member, [6], reason="请假（已批准）", note="外出务工，已向书记请假")
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 7, 31)) == []
    # 因事 without approved leave is not
    _months(tree, member, [7])
    found = life("LIFE-ABSENT-6-MONTHS", at=D(2026, 12, 31))
    assert found == []  # June broke the run: January–May and July are 5 and 1 months


def test_evidence_lists_the_absences_counted(tree):
    member = tree["members_a"][0]
    _months(tree, member, range(1, 7))
    other = meet(tree["branch_a"], "支部党员大会", D(2026, 3, 20))
    attend(other, member, False, "")
    found = life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30))
    assert len(found) == 1
    evidence = found[0].evidence
    assert [(a["held_on"], a["meeting_type"], a["reason"]) for a in evidence["absences"]] == [
        ("2026-01-10", "主题党日", "因事"),
        ("2026-02-10", "主题党日", "因事"),
        ("2026-03-10", "主题党日", "因事"),
        ("2026-03-20", "支部党员大会", "未说明"),
        ("2026-04-10", "主题党日", "因事"),
        ("2026-05-10", "主题党日", "因事"),
        ("2026-06-10", "主题党日", "因事"),
    ]
    assert "缺席 7 次（因事 6 次、未说明 1 次）" in found[0].message
    # approved leave at the March assembly: March has a good reason, the run is broken
    other.attendance.filter(member=member).update(reason="请假（已批准）", note="住院陪护")
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30)) == []


def test_leave_needs_its_reason(tree):
    member = tree["members_a"][0]
    data = MeetingInput(
        org=tree["branch_a"],
        meeting_type="主题党日",
        held_on=D(2026, 11, 10),
        topic="重温入党誓词",
        attendance=[AttendanceInput(member.pk, False, "请假（已批准）")],
    )
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=SYSTEM, data=data)
    assert exc.value.message_dict["attendance"] == [f"{member.name}请假（已批准）：请填写请假事由"]
    data.attendance = [AttendanceInput(member.pk, False, "请假（已批准）", "外出务工")]
    meeting = meeting_record(actor=SYSTEM, data=data)
    row = meeting.attendance.get()
    assert (row.reason, row.note) == ("请假（已批准）", "外出务工")


def test_member_who_left_the_party_is_not_flagged(tree):
    member = tree["members_a"][0]
    _months(tree, member, range(1, 7))
    assert len(life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30))) == 1
    status(member, "自行脱党", D(2026, 7, 15))
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 7, 31)) == []
    # as of June (before the decision) the flag stood
    assert len(life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30))) == 1


def test_absences_while_off_the_roll_do_not_count(tree):
    member = tree["members_a"][0]
    # expelled in February, restored on appeal in April (the decision was revoked)
    status(member, "开除党籍", D(2026, 2, 1), D(2026, 4, 1))
    _months(tree, member, range(1, 7))
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30)) == []
    # a member under 留党察看 stays on the roll: absences count
    other = tree["members_a"][1]
    status(other, "留党察看", D(2026, 1, 1), D(2027, 1, 1))
    _months(tree, other, range(1, 7))
    found = life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30))
    assert [f.evidence["name"] for f in found] == [other.name]
