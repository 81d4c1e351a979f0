"""A 临时党支部 keeps no roll: its meetings record the members of the organizations it serves
who took part, within the recording user's scope, and the rules that count a roll do not judge
it from one (LIFE-COMMITTEE-MONTHLY, LIFE-ASSEMBLY-QUORUM, LIFE-ABSENT-6-MONTHS)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.life.models import Attendance, Meeting
from dangjian.life.services import AttendanceInput, MeetingInput, meeting_record, roll
from dangjian.rules.runner import findings_for
from tests.factories import make_org, make_user
from tests.life.helpers import attend, meet

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def temp(tree):
    """A 临时党支部 set up by 甲镇党委 for a training course, with its own secretary account."""
    branch = make_org(
        tree["town_a"],
        org_type="临时党支部",
        sector="农村",
        code="LS001",
        name="甲镇乡村振兴培训班临时党支部",
    )
    return {
        "branch": branch,
        "secretary": make_user(branch, "branch_secretary", username="temp_secretary"),
    }


def data(org, attendance, **extra) -> MeetingInput:
    return MeetingInput(
        org=org,
        meeting_type=extra.pop("meeting_type", "主题党日"),
        held_on=extra.pop("held_on", D(2026, 11, 10)),
        topic=extra.pop("topic", "学习乡村振兴政策"),
        attendance=attendance,
        **extra,
    )


def test_attendance_of_members_of_the_served_branches(tree, temp):
    a, b = tree["members_a"][:2]
    # the town's administrator sees the served branches' members: may tick them
    assert {m.pk for m in roll(temp["branch"], D(2026, 11, 10), actor=tree["admin_a"])} == {
        m.pk for m in tree["members_a"]
    }
    meeting = meeting_record(
        actor=tree["admin_a"],
        data=data(temp["branch"], [AttendanceInput(a.pk, True), AttendanceInput(b.pk, True)]),
    )
    assert (meeting.expected, meeting.present) == (2, 2)
    # a member of another town's branch is outside what the temporary branch serves
    outsider = tree["members_b"][0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            actor=tree["admin"],
            data=data(temp["branch"], [AttendanceInput(outsider.pk, True)], topic="另一次"),
        )
    assert exc.value.message_dict["attendance"] == [
        f"{outsider.name}（乙社区党支部）不是甲镇乡村振兴培训班临时党支部所服务组织的党员，"
        "不能登记出席"
    ]


def test_temporary_secretary_sees_no_roll_and_records_figures(tree, temp):
    """Its own secretary may not see the members of other branches: head counts only, and
    naming a member by id reveals nothing."""
    secretary = temp["secretary"]
    assert roll(temp["branch"], D(2026, 11, 10), actor=secretary) == []
    a = tree["members_a"][0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=secretary, data=data(temp["branch"], [AttendanceInput(a.pk, True)]))
    assert exc.value.message_dict["attendance"] == [
        "出席登记第 1 项的党员不存在或不在您的管辖范围内"
    ]
    assert a.name not in str(exc.value)
    meeting = meeting_record(
        actor=secretary, data=data(temp["branch"], None, expected=30, present=28)
    )
    assert (meeting.expected, meeting.present, meeting.attendance_taken) == (30, 28, False)
    client = Client()
    client.force_login(secretary)
    page = client.get("/life/orgs/LS001/record/").content.decode()
    assert "应到人数" in page and "出席情况" not in page


def test_form_ticks_participants_not_the_whole_pool(tree, temp):
    a = tree["members_a"][0]
    client = Client()
    client.force_login(tree["admin_a"])
    page = client.get("/life/orgs/LS001/record/").content.decode()
    assert "参加人员" in page and "甲村党支部" in page
    response = client.post(
        "/life/orgs/LS001/record/",
        {
            "meeting_type": "主题党日",
            "held_on": "2026-11-10",
            "topic": "学习乡村振兴政策",
            "take_attendance": "on",
            f"present_{a.pk}": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert list(meeting.attendance.values_list("member_id", "present")) == [(a.pk, True)]


def test_rules_that_count_the_roll_do_not_judge_it(tree, temp):
    branch = temp["branch"]
    a = tree["members_a"][0]
    # an assembly with one participant ticked and figures far below half: no quorum finding
    m = meet(branch, "支部党员大会", D(2026, 3, 5), expected=20, present=3)
    meet(branch, "支部党员大会", D(2026, 4, 5))
    attend(m, a, True)
    # a member absent from the branch's own meetings for 6 months, present at the temporary
    # branch's meeting in one of them: that month is not a month without organizational life
    for month in range(1, 7):
        own = meet(tree["branch_a"], "主题党日", D(2026, month, 10))
        attend(own, a, False, "因事")
    found = findings_for(SYSTEM, rules="LIFE", org_code="LS001", at=D(2026, 6, 30))
    rules = {f.rule for f in found if f.subject == "LS001"}
    assert not rules & {"LIFE-ASSEMBLY-QUORUM", "LIFE-ABSENT-6-MONTHS", "LIFE-COMMITTEE-MONTHLY"}
    # the frequency rules that count meetings still apply
    assert "LIFE-THEME-DAY-MONTHLY" in rules
    absent = findings_for(
        SYSTEM, rules="LIFE", rule_ids=["LIFE-ABSENT-6-MONTHS"], at=D(2026, 6, 30)
    )
    assert absent == []
    Attendance.objects.filter(meeting=m).delete()
    absent = findings_for(
        SYSTEM, rules="LIFE", rule_ids=["LIFE-ABSENT-6-MONTHS"], at=D(2026, 6, 30)
    )
    assert [(f.subject, f.evidence["name"]) for f in absent] == [("BA001", a.name)]


def test_an_absence_at_the_temporary_branch_is_not_counted(tree, temp):
    a = tree["members_a"][0]
    for month in range(1, 7):
        attend(meet(temp["branch"], "主题党日", D(2026, month, 10)), a, False, "其他")
    assert (
        findings_for(SYSTEM, rules="LIFE", rule_ids=["LIFE-ABSENT-6-MONTHS"], at=D(2026, 6, 30))
        == []
    )


def test_todo_page_says_what_is_not_judged(tree, temp):
    client = Client()
    client.force_login(temp["secretary"])
    html = client.get("/life/orgs/LS001/todo/").content.decode()
    assert "临时党支部不按名册检查的要求" in html
    for title in (
        "支委会每月至少召开 1 次（设支委会的支部）",
        "党员大会表决须有半数以上有表决权的党员到会",
        "党员连续 6 个月无正当理由不参加党的组织生活，提请支部了解情况",
    ):
        assert title in html
    plain = Client()
    plain.force_login(tree["secretary_a"])
    assert "不按名册检查" not in plain.get("/life/orgs/BA001/todo/").content.decode()


def test_recorded_participants_are_the_ones_offered(tree, temp):
    from dangjian.members.services import ParticipationInput, participation_add

    a, b = tree["members_a"][:2]
    participation_add(
        actor=tree["admin_a"],
        data=ParticipationInput(org=temp["branch"], member=a, started_on=D(2026, 11, 1)),
    )
    # once participants are recorded, the meeting of that day offers them, not everyone served
    assert [m.pk for m in roll(temp["branch"], D(2026, 11, 10), actor=tree["admin_a"])] == [a.pk]
    # before the participation began, the members served are offered as before
    assert {m.pk for m in roll(temp["branch"], D(2026, 10, 20), actor=tree["admin_a"])} == {
        m.pk for m in tree["members_a"]
    }
    with pytest.raises(ValidationError):
        meeting_record(
            actor=tree["admin_a"],
            data=data(temp["branch"], [AttendanceInput(b.pk, True)]),
        )
