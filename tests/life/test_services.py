"""meeting_record / meeting_update / meeting_delete: validation, late marking, scope, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.life.models import Attendance, Meeting
from dangjian.life.services import (
    AttendanceInput,
    MeetingInput,
    meeting_delete,
    meeting_record,
    meeting_update,
)
from tests.factories import make_member, make_org


def today() -> dt.date:
    return timezone.localdate()


def data_for(org, *, meeting_type="支委会", held_on=None, **extra) -> MeetingInput:
    return MeetingInput(
        org=org,
        meeting_type=meeting_type,
        held_on=held_on or today() - dt.timedelta(days=2),
        topic=extra.pop("topic", "学习贯彻会议精神"),
        **extra,
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_secretary_records_with_attendance(tree):
    members = tree["members_a"]
    attendance = [AttendanceInput(m.pk, True) for m in members[:3]]
    attendance.append(AttendanceInput(members[3].pk, False, "因病"))
    meeting = meeting_record(
        actor=tree["secretary_a"],
        data=data_for(tree["branch_a"], attendance=attendance, minutes="会议记录"),
    )
    assert (meeting.expected, meeting.present) == (4, 3)
    assert meeting.attendance_taken and not meeting.late
    assert meeting.entered_on == today()
    assert meeting.created_by == tree["secretary_a"]
    absent = Attendance.objects.get(meeting=meeting, present=False)
    assert (absent.member_id, absent.reason) == (members[3].pk, "因病")
    entry = AuditEntry.objects.get(action="life.meeting.create", object_id=str(meeting.pk))
    assert entry.after["late"] is False
    assert entry.after["attendance"][str(members[3].pk)] == "缺席:因病"
    assert entry.scope_path == tree["branch_a"].path


@pytest.mark.parametrize("days,late", [(30, False), (31, True)])
def test_late_entry_boundary(tree, days, late):
    held = today() - dt.timedelta(days=days)
    meeting = meeting_record(
        actor=tree["secretary_a"], data=data_for(tree["branch_a"], held_on=held)
    )
    assert meeting.late is late
    entry = AuditEntry.objects.get(action="life.meeting.create", object_id=str(meeting.pk))
    assert entry.after["late"] is late
    if late:
        assert entry.after["late_days_limit"] == 30
        assert entry.after["days_after_meeting"] == 31


def test_late_days_is_configurable(tree, settings):
    settings.DANGJIAN_RULES = {"LIFE-LATE-ENTRY": {"late_days": 10}}
    held = today() - dt.timedelta(days=11)
    meeting = meeting_record(actor=SYSTEM, data=data_for(tree["branch_a"], held_on=held))
    assert meeting.late


def test_import_entry_date_decides_lateness(tree):
    held = today() - dt.timedelta(days=100)
    meeting = meeting_record(
        actor=SYSTEM,
        data=data_for(tree["branch_a"], held_on=held, entered_on=held + dt.timedelta(days=5)),
    )
    assert not meeting.late


def test_future_date_refused_nothing_written(tree):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            actor=tree["secretary_a"],
            data=data_for(tree["branch_a"], held_on=today() + dt.timedelta(days=1)),
        )
    assert "晚于今天" in errors_of(exc)["held_on"][0]
    assert Meeting.objects.count() == 0
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    "where,meeting_type,text",
    [
        ("branch_a", "党小组会", "党小组会应记在党小组下"),
        ("group", "支委会", "应由党支部"),
        ("town_a", "支部党员大会", "应由党支部"),
    ],
)
def test_meeting_type_and_organization(tree, where, meeting_type, text):
    tree["group"] = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=SYSTEM, data=data_for(tree[where], meeting_type=meeting_type))
    assert text in errors_of(exc)["org"][0]


def test_group_meeting_takes_attendance_from_the_branch_roll(tree):
    group = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    m = tree["members_a"][0]
    meeting = meeting_record(
        actor=tree["secretary_a"],
        data=data_for(group, meeting_type="党小组会", attendance=[AttendanceInput(m.pk, True)]),
    )
    assert meeting.present == 1


@pytest.mark.parametrize(
    "make_attendance,text",
    [
        # a member of another subtree is not named to this secretary
        (
            lambda t: [AttendanceInput(t["members_b"][0].pk, True)],
            "出席登记第 1 项的党员不存在或不在您的管辖范围内",
        ),
        (lambda t: [AttendanceInput(t["members_a"][0].pk, True, "因公")], "不应填写缺席原因"),
        (lambda t: [AttendanceInput(t["members_a"][0].pk, False, "出差")], "缺席原因“出差”无效"),
        (
            lambda t: [AttendanceInput(t["members_a"][0].pk, True)] * 2,
            "重复登记",
        ),
        (lambda t: [], "出席登记为空"),
    ],
)
def test_bad_attendance(tree, make_attendance, text):
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            actor=tree["secretary_a"],
            data=data_for(tree["branch_a"], attendance=make_attendance(tree)),
        )
    assert any(text in m for m in errors_of(exc)["attendance"])
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0


def test_member_who_joined_after_the_meeting_is_not_on_its_roll(tree):
    newcomer = make_member(tree["branch_a"], joined_on=today(), member_type="预备党员")
    with pytest.raises(ValidationError) as exc:
        meeting_record(
            actor=SYSTEM,
            data=data_for(tree["branch_a"], attendance=[AttendanceInput(newcomer.pk, True)]),
        )
    # named, with the dates that explain it (not "党员记录 123")
    assert errors_of(exc)["attendance"][0] == (
        f"{newcomer.name}于 {today()} 入党，{data_for(tree['branch_a']).held_on} 时还不在"
        "甲村党支部的党员名册中"
    )


@pytest.mark.parametrize(
    "extra,field,text",
    [
        ({"topic": "  "}, "topic", "主题不能为空"),
        ({"topic": "长" * 201}, "topic", "主题过长"),
        ({"meeting_type": "茶话会"}, "meeting_type", "会议类型“茶话会”无效"),
        ({"expected": 3, "present": 5}, "present", "不能多于应到人数"),
    ],
)
def test_bad_fields(tree, extra, field, text):
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=SYSTEM, data=data_for(tree["branch_a"], **extra))
    assert text in errors_of(exc)[field][0]


def test_lecturer_only_for_lectures(tree):
    lecturer = tree["members_a"][0]
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=SYSTEM, data=data_for(tree["branch_a"], lecturer=lecturer))
    assert "只有党课" in errors_of(exc)["lecturer"][0]
    meeting = meeting_record(
        actor=SYSTEM, data=data_for(tree["branch_a"], meeting_type="党课", lecturer=lecturer)
    )
    assert meeting.lecturer == lecturer


@pytest.mark.parametrize("user", ["inspector_a", "admin_b", "sysadmin", "auditor", "secadmin"])
def test_record_denied_outside_scope_or_role(tree, user):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        meeting_record(actor=tree[user], data=data_for(tree["branch_a"]))
    assert Meeting.objects.count() == 0
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("user", ["admin", "admin_a", "secretary_a"])
def test_record_allowed_for_data_roles_in_scope(tree, user):
    assert meeting_record(actor=tree[user], data=data_for(tree["branch_a"])).pk


def test_update_and_delete_are_audited(tree):
    meeting = meeting_record(actor=tree["secretary_a"], data=data_for(tree["branch_a"]))
    data = data_for(tree["branch_a"], held_on=today() - dt.timedelta(days=40), topic="改过的主题")
    meeting = meeting_update(actor=tree["secretary_a"], meeting=meeting, data=data)
    assert meeting.topic == "改过的主题"
    assert meeting.late  # entered today, 40 days after the corrected date
    assert meeting.entered_on == today()
    entry = AuditEntry.objects.get(action="life.meeting.update")
    assert entry.before["topic"] == "学习贯彻会议精神" and entry.after["late"] is True
    with pytest.raises(PermissionDenied):
        meeting_delete(actor=tree["admin_b"], meeting=meeting)
    meeting_delete(actor=tree["secretary_a"], meeting=meeting)
    assert not Meeting.objects.exists()
    assert AuditEntry.objects.get(action="life.meeting.delete").before["topic"] == "改过的主题"


def test_update_denied_changes_nothing(tree):
    meeting = meeting_record(actor=tree["secretary_a"], data=data_for(tree["branch_a"]))
    with pytest.raises(PermissionDenied):
        meeting_update(
            actor=tree["inspector_a"], meeting=meeting, data=data_for(tree["branch_a"], topic="x")
        )
    meeting.refresh_from_db()
    assert meeting.topic == "学习贯彻会议精神"


def test_the_same_meeting_is_recorded_once(tree):
    meeting = meeting_record(actor=tree["secretary_a"], data=data_for(tree["branch_a"]))
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=tree["secretary_a"], data=data_for(tree["branch_a"]))
    assert "已经记录过" in errors_of(exc)["topic"][0]
    assert Meeting.objects.count() == 1
    # another topic the same day is another meeting; editing a record keeps its own key
    other = meeting_record(
        actor=tree["secretary_a"], data=data_for(tree["branch_a"], topic="另一个议题")
    )
    meeting_update(
        actor=tree["secretary_a"],
        meeting=meeting,
        data=data_for(tree["branch_a"], minutes="补充记录"),
    )
    with pytest.raises(ValidationError):
        meeting_update(
            actor=tree["secretary_a"],
            meeting=other,
            data=data_for(tree["branch_a"]),
        )
