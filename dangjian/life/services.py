"""The write path for records of organizational life: validate, write, audit — in one transaction.

A record may be entered for any past date; one entered more than ``late_days`` (LIFE-LATE-ENTRY,
default 30) after the meeting is marked late, never refused, and the mark is in the audit entry.
Attendance can only name members on the roll of the branch (for a 党小组会: of the branch the
党小组 belongs to) who had joined by the meeting date. The importer reuses :func:`meeting_validate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import require
from dangjian.core import uploads
from dangjian.core.audit import audit_record
from dangjian.members.models import Member
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

from .choices import SECRETARY_LECTURE_ORG_TYPES, AbsenceReason, LecturerRole, MeetingType
from .config import late_days
from .models import Attendance, Meeting

TOPIC_MAX = 200
MINUTES_MAX = 20000


@dataclass
class AttendanceInput:
    member_id: int
    present: bool
    reason: str = ""


@dataclass
class MeetingInput:
    """The editable fields of a record. ``attendance`` ``None`` means not taken (numbers only)."""

    org: Organization
    meeting_type: str
    held_on: dt.date
    topic: str
    minutes: str = ""
    attendance: list[AttendanceInput] | None = None
    expected: int | None = None
    present: int | None = None
    lecturer: Member | None = None
    #: who gave a 党课 (LecturerRole); ``lecturer_org`` is the upper 党委 of its secretary
    lecturer_role: str = ""
    lecturer_org: Organization | None = None
    entered_on: dt.date | None = None  # default today; the importer passes 录入日期
    extra: dict[str, Any] = field(default_factory=dict)


def roll_org(org: Organization) -> Organization | None:
    """The branch whose roll a meeting of ``org`` takes attendance from (a 党小组's parent)."""
    if org.org_type in BRANCH_TYPES:
        return org
    if org.org_type == OrgType.GROUP and org.depth > 1:
        parent_path = org.path[: -Organization.steplen]
        return Organization.objects.filter(path=parent_path).first()
    return None


def roll(org: Organization, on: dt.date) -> list[Member]:
    """The members who could attend a meeting of ``org`` held on ``on`` (joined by then)."""
    branch = roll_org(org)
    if branch is None:
        return []
    return list(Member.objects.filter(org=branch, joined_on__lte=on).order_by("post", "name", "pk"))


def upper_committees(org: Organization) -> list[Organization]:
    """The 党委 / 党工委 above ``org``, nearest first: whose secretary may lecture there
    (LIFE-SECRETARY-LECTURE-YEARLY counts the lecture for that committee)."""
    step = Organization.steplen
    paths = [org.path[: step * depth] for depth in range(1, org.depth)]
    found = Organization.objects.filter(path__in=paths, org_type__in=SECRETARY_LECTURE_ORG_TYPES)
    return sorted(found, key=lambda o: -o.depth)


def is_late(held_on: dt.date, entered_on: dt.date, days: int | None = None) -> bool:
    """LIFE-LATE-ENTRY: entered more than ``days`` days after the meeting (30 → late from 31)."""
    days = late_days() if days is None else days
    return (entered_on - held_on).days > days


def meeting_validate(data: MeetingInput, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Every check of a record. Normalises ``topic``, ``minutes`` and the derived counts."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    data.topic = (data.topic or "").strip()
    data.minutes = (data.minutes or "").strip()
    if data.meeting_type not in MeetingType.values:
        add(
            "meeting_type",
            f"会议类型“{data.meeting_type}”无效，应为：{'、'.join(MeetingType.values)}",
        )
    elif data.meeting_type == MeetingType.GROUP:
        if data.org.org_type != OrgType.GROUP:
            add("org", f"党小组会应记在党小组下，{data.org.code} 是{data.org.org_type}")
    elif data.org.org_type not in BRANCH_TYPES:
        add(
            "org",
            f"{data.meeting_type}应由党支部（含联合党支部、临时党支部）记录，"
            f"{data.org.code} 是{data.org.org_type}",
        )
    if not data.topic:
        add("topic", "主题不能为空")
    elif len(data.topic) > TOPIC_MAX:
        add("topic", f"主题过长（最多 {TOPIC_MAX} 字）")
    if len(data.minutes) > MINUTES_MAX:
        add("minutes", f"记录过长（最多 {MINUTES_MAX} 字），详细内容请作为附件上传")
    if data.held_on > today:
        add("held_on", f"会议日期 {data.held_on} 晚于今天（{today}），请在会议召开后再记录")
    if data.org.founded_on and data.held_on < data.org.founded_on:
        add("held_on", f"会议日期 {data.held_on} 早于该组织成立日期 {data.org.founded_on}")
    entered = data.entered_on or today
    if entered > today:
        add("entered_on", f"录入日期 {entered} 不能晚于今天")
    elif entered < data.held_on:
        add("entered_on", f"录入日期 {entered} 不能早于会议日期 {data.held_on}")
    if data.lecturer is not None and data.meeting_type != MeetingType.LECTURE:
        add("lecturer", "只有党课可以填写讲课人")
    _check_lecturer_role(data, add)
    if data.attendance is not None:
        _check_attendance(data, add)
    else:
        for name in ("expected", "present"):
            value = getattr(data, name)
            if value is not None and value < 0:
                add(name, "人数不能为负数")
        if data.expected is not None and data.present is not None and data.present > data.expected:
            add("present", f"实到人数 {data.present} 不能多于应到人数 {data.expected}")
    return errors


def _check_lecturer_role(data: MeetingInput, add: Any) -> None:
    role, upper = data.lecturer_role or "", data.lecturer_org
    data.lecturer_role = role
    if not role and upper is None:
        return
    if data.meeting_type != MeetingType.LECTURE:
        add("lecturer_role", "只有党课可以填写讲课人")
        return
    if role not in LecturerRole.values:
        add("lecturer_role", f"讲课人“{role}”无效，应为：{'、'.join(LecturerRole.values)}")
        return
    if role != LecturerRole.UPPER_SECRETARY:
        if upper is not None:
            add("lecturer_org", "只有讲课人是上级党委书记时才选择党委")
        return
    if upper is None:
        add("lecturer_org", "讲课人是上级党委书记时，请选择是哪个党委的书记")
    elif upper.org_type not in SECRETARY_LECTURE_ORG_TYPES or not (
        data.org.path.startswith(upper.path) and upper.depth < data.org.depth
    ):
        add("lecturer_org", f"{upper.code}（{upper.name}）不是{data.org.name}的上级党委")


def _check_attendance(data: MeetingInput, add: Any) -> None:
    assert data.attendance is not None
    allowed = {m.pk: m for m in roll(data.org, data.held_on)}
    seen: set[int] = set()
    for item in data.attendance:
        if item.member_id in seen:
            add("attendance", f"党员记录 {item.member_id} 重复登记")
            continue
        seen.add(item.member_id)
        if item.member_id not in allowed:
            add("attendance", f"党员记录 {item.member_id} 不在本支部 {data.held_on} 的党员名册中")
        if item.present and item.reason:
            add("attendance", f"党员记录 {item.member_id} 已出席，不应填写缺席原因")
        if item.reason and item.reason not in AbsenceReason.values:
            add(
                "attendance",
                f"缺席原因“{item.reason}”无效，应为：{'、'.join(AbsenceReason.values)}",
            )
    if data.attendance:
        data.expected = len(data.attendance)
        data.present = sum(1 for a in data.attendance if a.present)
    else:
        add("attendance", "出席登记为空：请勾选出席的党员，或不登记出席情况")


def meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    """The audited state of a record (attendance by member record id, no personal data)."""
    attendance = {
        str(a.member_id): ("出席" if a.present else f"缺席:{a.reason or '未说明'}")
        for a in meeting.attendance.all().order_by("member_id")
    }
    return {
        "org": meeting.org.code,
        "meeting_type": meeting.meeting_type,
        "held_on": meeting.held_on,
        "topic": meeting.topic,
        "minutes_chars": len(meeting.minutes),
        "expected": meeting.expected,
        "present": meeting.present,
        "attendance": attendance or None,
        "lecturer": meeting.lecturer_id,
        "lecturer_role": meeting.lecturer_role,
        "lecturer_org": meeting.lecturer_org.code if meeting.lecturer_org else None,
        "entered_on": meeting.entered_on,
        "late": meeting.late,
    }


def _write_attendance(meeting: Meeting, data: MeetingInput) -> None:
    if data.attendance is None:
        return
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                member_id=a.member_id,
                present=a.present,
                reason="" if a.present else a.reason,
            )
            for a in data.attendance
        ]
    )


def _apply(meeting: Meeting, data: MeetingInput) -> None:
    meeting.org = data.org
    meeting.meeting_type = data.meeting_type
    meeting.held_on = data.held_on
    meeting.topic = data.topic
    meeting.minutes = data.minutes
    meeting.expected = data.expected
    meeting.present = data.present
    meeting.lecturer = data.lecturer
    meeting.lecturer_role = data.lecturer_role
    meeting.lecturer_org = data.lecturer_org
    if data.attendance is not None:
        meeting.attendance_taken = True


def _check_duplicate(
    data: MeetingInput, meeting: Meeting | None, errors: dict[str, list[str]]
) -> None:
    """One record per organization, type, date and topic (a double tap on a phone records once;
    the importer matches on the same key)."""
    if errors:
        return
    same = Meeting.objects.filter(
        org=data.org, meeting_type=data.meeting_type, held_on=data.held_on, topic=data.topic
    )
    if meeting is not None:
        same = same.exclude(pk=meeting.pk)
    if same.exists():
        errors.setdefault("topic", []).append(
            f"{data.held_on} 的{data.meeting_type}“{data.topic}”已经记录过，不能重复记录"
        )


@transaction.atomic
def meeting_record(*, actor: Any, data: MeetingInput) -> Meeting:
    """Record a meeting held by ``data.org``; late when entered more than ``late_days`` after it."""
    require(actor, Perm.LIFE_RECORD, data.org.path)
    errors = meeting_validate(data)
    _check_duplicate(data, None, errors)
    if errors:
        raise ValidationError(errors)
    days = late_days()
    meeting = Meeting(entered_on=data.entered_on or timezone.localdate())
    _apply(meeting, data)
    meeting.late = is_late(meeting.held_on, meeting.entered_on, days)
    meeting.created_by = actor if getattr(actor, "pk", None) else None
    meeting.save()
    _write_attendance(meeting, data)
    after = meeting_snapshot(meeting)
    if meeting.late:
        after["late_days_limit"] = days
        after["days_after_meeting"] = (meeting.entered_on - meeting.held_on).days
    audit_record(
        actor=actor,
        action="life.meeting.create",
        object_type="meeting",
        object_id=str(meeting.pk),
        object_repr=str(meeting),
        scope_path=data.org.path,
        after=after,
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, data: MeetingInput) -> Meeting:
    """Change a record. ``entered_on`` stays the first entry date; ``late`` follows the date."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    require(actor, Perm.LIFE_RECORD, data.org.path)
    data.entered_on = meeting.entered_on
    errors = meeting_validate(data)
    _check_duplicate(data, meeting, errors)
    if errors:
        raise ValidationError(errors)
    before = meeting_snapshot(meeting)
    old_path = meeting.org.path
    _apply(meeting, data)
    meeting.late = is_late(meeting.held_on, meeting.entered_on)
    meeting.save()
    _write_attendance(meeting, data)
    after = meeting_snapshot(meeting)
    if after != before:
        audit_record(
            actor=actor,
            action="life.meeting.update",
            object_type="meeting",
            object_id=str(meeting.pk),
            object_repr=str(meeting),
            scope_path=old_path,
            before=before,
            after=after,
        )
    return meeting


@transaction.atomic
def meeting_delete(*, actor: Any, meeting: Meeting) -> None:
    """Delete a record and its attendance; the audit entry keeps what was deleted."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    before = meeting_snapshot(meeting)
    pk, text, path = meeting.pk, str(meeting), meeting.org.path
    meeting.delete()
    audit_record(
        actor=actor,
        action="life.meeting.delete",
        object_type="meeting",
        object_id=str(pk),
        object_repr=text,
        scope_path=path,
        before=before,
    )


# --- attachments -----------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = uploads.MAX_BYTES
ATTACHMENTS_PER_MEETING = 10
sniff = uploads.sniff


@transaction.atomic
def attachment_add(*, actor: Any, meeting: Meeting, name: str, data: bytes) -> Any:
    """Attach a photo or PDF of the paper minutes to ``meeting`` (audited)."""
    from .models import MeetingAttachment

    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    upload, problems = uploads.check_upload(
        name,
        data,
        default_name="附件",
        existing=meeting.attachments.count(),
        max_count=ATTACHMENTS_PER_MEETING,
        per="每条记录",
    )
    if upload is None:
        raise ValidationError({"file": problems})
    name, digest = upload.name, upload.sha256
    item = MeetingAttachment.objects.create(
        meeting=meeting,
        name=name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=digest,
        data=data,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="life.attachment.add",
        object_type="meeting",
        object_id=str(meeting.pk),
        object_repr=str(meeting),
        scope_path=meeting.org.path,
        after={"attachment": item.pk, "name": name, "size": len(data), "sha256": digest},
    )
    return item


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: Any) -> None:
    """Remove an attachment (audited with its name and digest)."""
    meeting = attachment.meeting
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    before = {
        "attachment": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    attachment.delete()
    audit_record(
        actor=actor,
        action="life.attachment.delete",
        object_type="meeting",
        object_id=str(meeting.pk),
        object_repr=str(meeting),
        scope_path=meeting.org.path,
        before=before,
    )
