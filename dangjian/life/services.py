"""The write path for records of organizational life: validate, write, audit — in one transaction.

A record may be entered for any past date; one entered more than ``late_days`` (LIFE-LATE-ENTRY,
default 30) after the meeting is marked late, never refused, and the mark is in the audit entry.
Attendance can only name members on the roll of the branch (for a 党小组会: of the branch the
党小组 belongs to) on the meeting date: joined by then and not out of the party (standings). A
临时党支部 has no roll of its own: its meetings may record the attendance of members of the
organizations it serves (the branches under the organization that set it up) that the acting
user may see. The importer reuses :func:`meeting_validate`.

A record may also count for other types (``also_counts_as``) and for the year before its date
(``year``, 所属年度) when it is a yearly meeting held early in the next year; see
:func:`meeting_validate` for what is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core import attachments, uploads
from dangjian.core.attachments import AttachmentPolicy
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.members.models import Member
from dangjian.members.selectors import members_for, standings_on
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

from .choices import (
    COMBINABLE_TYPES,
    NOTE_REQUIRED,
    SECRETARY_LECTURE_ORG_TYPES,
    TYPE_SEPARATOR,
    AbsenceReason,
    LecturerRole,
    MeetingType,
    join_types,
)
from .models import Attendance, Meeting
from .rollups import counts_of, months_shift
from .rules import carry_months, late_days
from .signatures import sign

TOPIC_MAX = 200
MINUTES_MAX = 20000
NOTE_MAX = 100
#: a 临时党支部's form lists at most this many members to tick; above it, head counts only
POOL_FORM_MAX = 300


@dataclass
class AttendanceInput:
    member_id: int
    present: bool
    reason: str = ""
    #: 缺席说明 (required for 请假（已批准）: the reason of the leave)
    note: str = ""


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
    #: other types the meeting was also held as (每种类型各计 1 次)
    also_counts_as: list[str] = field(default_factory=list)
    #: 所属年度; ``None``: the year of ``held_on``
    year: int | None = None
    #: who records it: names the members of an attendance list only where the actor may see them
    actor: Actor | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def types(self) -> list[str]:
        return [self.meeting_type, *self.also_counts_as]


def roll_org(org: Organization) -> Organization | None:
    """The branch whose roll a meeting of ``org`` takes attendance from (a 党小组's parent)."""
    if org.org_type in BRANCH_TYPES:
        return org
    if org.org_type == OrgType.GROUP and org.depth > 1:
        parent_path = org.path[: -Organization.steplen]
        return Organization.objects.filter(path=parent_path).first()
    return None


def is_temporary(org: Organization | None) -> bool:
    return org is not None and org.org_type == OrgType.TEMP_BRANCH


def roll(org: Organization, on: dt.date, *, actor: Actor | None = None) -> list[Member]:
    """The members who could attend a meeting of ``org`` held on ``on``: those on the roll of
    its branch that day (joined, not out of the party). For a 临时党支部, which has no roll,
    the members of the organizations it serves that ``actor`` may see (:func:`attendance_pool`),
    when there are no more than :data:`POOL_FORM_MAX` of them."""
    branch = roll_org(org)
    if branch is None:
        return []
    if is_temporary(branch):
        pool = list(attendance_pool(branch, on, actor)[: POOL_FORM_MAX + 1])
        return [] if len(pool) > POOL_FORM_MAX else pool
    members = list(
        Member.objects.filter(org=branch, joined_on__lte=on).order_by("post", "name", "pk")
    )
    standings = standings_on(members, on)
    return [m for m in members if standings[m.pk].on_roll]


def served_root(branch: Organization) -> Organization | None:
    """The organization that set up a 临时党支部 (its parent): the branches below it are the
    organizations it serves."""
    if branch.depth <= 1:
        return None
    return Organization.objects.filter(path=branch.path[: -Organization.steplen]).first()


def attendance_pool(branch: Organization, on: dt.date, actor: Actor | None) -> Any:
    """Members who may attend a meeting of a 临时党支部 on ``on``: its participants recorded
    for that day (:func:`dangjian.members.selectors.participants_on`) when there are any, else
    the members of the organizations it serves (on the roll of a permanent branch under the
    organization that set it up); joined by then and visible to ``actor``
    (``Perm.MEMBER_VIEW``). Members out of the party are removed by the caller's standing check.
    Ordered by branch and name."""
    from dangjian.accounts.roles import Perm
    from dangjian.members.selectors import participants_on

    root = served_root(branch)
    if root is None or actor is None:
        return Member.objects.none()
    pool = members_for(actor, Perm.MEMBER_VIEW).filter(joined_on__lte=on)
    participants = participants_on([branch.pk], on).get(branch.pk, [])
    if participants:
        pool = pool.filter(pk__in=[p.member_id for p in participants])
    else:
        pool = pool.filter(org__path__startswith=root.path)
    return (
        pool.exclude(org__org_type=OrgType.TEMP_BRANCH)
        .select_related("org")
        .order_by("org__path", "name", "pk")
    )


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
            add("org", f"党小组会应记在党小组下，{data.org.name}是{data.org.org_type}")
    elif data.org.org_type not in BRANCH_TYPES:
        add(
            "org",
            f"{data.meeting_type}应由党支部（含联合党支部、临时党支部）记录，"
            f"{data.org.name}是{data.org.org_type}",
        )
    if data.meeting_type in MeetingType.values:
        _check_also(data, add)
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
    if data.lecturer is not None and MeetingType.LECTURE not in data.types:
        add("lecturer", "只有党课可以填写讲课人")
    _check_lecturer_role(data, add)
    _check_year(data, add)
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
    if MeetingType.LECTURE not in data.types:
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


def _check_also(data: MeetingInput, add: Any) -> None:
    """The other types a meeting was also held as: known, not its main type, each once, and
    only among the meetings of all members (:data:`COMBINABLE_TYPES`). Normalised to the
    order of :class:`MeetingType`."""
    also = [str(t).strip() for t in data.also_counts_as or [] if str(t).strip()]
    if not also:
        data.also_counts_as = []
        return
    unknown = [t for t in also if t not in MeetingType.values]
    if unknown:
        add(
            "also_counts_as",
            f"同时计为的类型“{'、'.join(unknown)}”无效，应为：{'、'.join(MeetingType.values)}",
        )
        return
    if data.meeting_type in also:
        add("also_counts_as", f"同时计为的类型不能再选会议类型本身（{data.meeting_type}）")
    twice = sorted({t for t in also if also.count(t) > 1})
    if twice:
        add("also_counts_as", f"同时计为的类型“{'、'.join(twice)}”重复了")
    if data.meeting_type not in COMBINABLE_TYPES:
        add(
            "also_counts_as",
            f"{data.meeting_type}只能单独记录，不能同时计为其他类型"
            f"（可合并记录的是{TYPE_SEPARATOR.join(_combinable())}）",
        )
        return
    alone = [t for t in also if t not in COMBINABLE_TYPES]
    if alone:
        add(
            "also_counts_as",
            f"{'、'.join(alone)}只能单独记录，不能作为其他会议的同时计为类型",
        )
    data.also_counts_as = [t for t in join_types(also).split(TYPE_SEPARATOR) if t]


def _combinable() -> list[str]:
    return [t for t in MeetingType.values if t in COMBINABLE_TYPES]


def _check_year(data: MeetingInput, add: Any) -> None:
    """所属年度: the year of the date, or the year before for a meeting that a yearly rule counts
    (组织生活会, 民主评议党员, 谈心谈话, an upper secretary's 党课) held in the first
    ``next_year_months`` months of the next year. Anything else is refused."""
    held = data.held_on.year
    if data.year is None or data.year == held:
        data.year = held
        return
    year = data.year
    if year > held:
        add("year", f"所属年度 {year} 晚于会议日期 {data.held_on}：会议只能计入当年或上一年度")
        return
    if year < held - 1:
        add(
            "year",
            f"所属年度 {year} 与会议日期 {data.held_on} 相差超过一年：只能计入 {held} 年度，"
            f"或（次年年初召开的年度会议）计入 {held - 1} 年度",
        )
        return
    upper = data.lecturer_role == LecturerRole.UPPER_SECRETARY
    months = carry_months(data.types, upper_secretary=upper)
    if not months:
        add(
            "year",
            f"{'、'.join(data.types)}按会议日期计入 {held} 年度，不能计入上一年度"
            "（只有组织生活会、民主评议党员、谈心谈话和上级党委书记讲的党课等年度要求可以）",
        )
    elif data.held_on.month > months:
        add(
            "year",
            f"会议日期 {data.held_on} 已过 {held} 年 {months} 月底，不能再计入 {year} 年度",
        )


def _visible_members(ids: set[int], actor: Actor | None) -> dict[int, Member]:
    """The members ``ids`` that the actor may see (others stay unnamed: a message must not
    reveal who is on another subtree's roll)."""
    from dangjian.accounts.roles import Perm

    if not ids or actor is None:
        return {}
    found = members_for(actor, Perm.MEMBER_VIEW).filter(pk__in=ids).select_related("org")
    return {m.pk: m for m in found}


def _not_on_roll(member: Member, branch: Organization | None, day: dt.date) -> str:
    """Why ``member`` cannot be on the attendance list of ``branch`` on ``day``, naming them."""
    if branch is None or member.org_id != branch.pk:
        place = getattr(branch, "name", "")
        if is_temporary(branch):
            place += "所服务组织"
        return f"{member.name}（{member.org.name}）不是{place}的党员，不能登记出席"
    if member.joined_on > day:
        return f"{member.name}于 {member.joined_on} 入党，{day} 时还不在{branch.name}的党员名册中"
    status = standings_on([member], day)[member.pk].status
    return f"{member.name}在 {day} 已不在{branch.name}的党员名册中（{status or '已出党'}）"


def _check_attendance(data: MeetingInput, add: Any) -> None:
    assert data.attendance is not None
    branch = roll_org(data.org)
    if is_temporary(branch):
        assert branch is not None
        ids = {a.member_id for a in data.attendance}
        pool = list(attendance_pool(branch, data.held_on, data.actor).filter(pk__in=ids))
        standings = standings_on(pool, data.held_on)
        allowed = {m.pk: m for m in pool if standings[m.pk].on_roll}
    else:
        allowed = {m.pk: m for m in roll(data.org, data.held_on)}
    others = _visible_members({a.member_id for a in data.attendance} - set(allowed), data.actor)
    seen: set[int] = set()
    for index, item in enumerate(data.attendance, start=1):
        member = allowed.get(item.member_id) or others.get(item.member_id)
        who = member.name if member is not None else f"出席登记第 {index} 项的党员"
        if item.member_id in seen:
            add("attendance", f"{who}重复登记")
            continue
        seen.add(item.member_id)
        if item.member_id not in allowed:
            if member is not None:
                add("attendance", _not_on_roll(member, branch, data.held_on))
            else:
                add("attendance", f"{who}不存在或不在您的管辖范围内")
        item.note = (item.note or "").strip()
        if item.present and (item.reason or item.note):
            add("attendance", f"{who}已出席，不应填写缺席原因")
        if item.reason and item.reason not in AbsenceReason.values:
            add(
                "attendance",
                f"{who}的缺席原因“{item.reason}”无效，应为：{'、'.join(AbsenceReason.values)}",
            )
        elif item.reason in NOTE_REQUIRED and not item.present and not item.note:
            add("attendance", f"{who}请假（已批准）：请填写请假事由")
        if len(item.note) > NOTE_MAX:
            add("attendance", f"{who}的缺席说明过长（最多 {NOTE_MAX} 字）")
    if data.attendance:
        data.expected = len(data.attendance)
        data.present = sum(1 for a in data.attendance if a.present)
    else:
        add("attendance", "出席登记为空：请勾选出席的党员，或不登记出席情况")


def meeting_facts(meeting: Meeting) -> dict[str, Any]:
    """What the audit trail keeps of every record, whoever writes it (the form or an import)."""
    return {
        "org": meeting.org.code,
        "meeting_type": meeting.meeting_type,
        "also_counts_as": meeting.also_counts_as,
        "held_on": meeting.held_on,
        "year": meeting.year,
        "topic": meeting.topic,
        "minutes_chars": len(meeting.minutes),
        "expected": meeting.expected,
        "present": meeting.present,
        "lecturer_role": meeting.lecturer_role,
        "lecturer_org": meeting.lecturer_org.code if meeting.lecturer_org else None,
        "entered_on": meeting.entered_on,
        "late": meeting.late,
    }


def meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    """The audited state of a record (attendance by member record id, no personal data)."""
    attendance = {
        str(a.member_id): (
            "出席"
            if a.present
            else f"缺席:{a.reason or '未说明'}" + (f"（{a.note}）" if a.note else "")
        )
        for a in meeting.attendance.all().order_by("member_id")
    }
    return meeting_facts(meeting) | {
        "attendance": attendance or None,
        "lecturer": meeting.lecturer_id,
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
                note="" if a.present else a.note,
            )
            for a in data.attendance
        ]
    )


#: the fields of a record that are those of its input as they are
_COPIED = (
    "org",
    "meeting_type",
    "held_on",
    "topic",
    "minutes",
    "expected",
    "present",
    "lecturer",
    "lecturer_role",
    "lecturer_org",
)


def _apply(meeting: Meeting, data: MeetingInput) -> None:
    for name in _COPIED:
        setattr(meeting, name, getattr(data, name))
    meeting.also_counts_as = join_types(data.also_counts_as)
    meeting.year = data.year or data.held_on.year
    if data.attendance is not None:
        meeting.attendance_taken = True


def meeting_new(data: MeetingInput, actor: Actor, days: int) -> Meeting:
    """The unsaved record of validated ``data`` entered by ``actor`` on ``data.entered_on``
    (default today): late when that is more than ``days`` after the meeting."""
    meeting = Meeting(entered_on=data.entered_on or timezone.localdate(), created_by=user_of(actor))
    _apply(meeting, data)
    meeting.late = is_late(meeting.held_on, meeting.entered_on, days)
    return meeting


def _check_duplicate(
    data: MeetingInput, meeting: Meeting | None, errors: dict[str, list[str]]
) -> None:
    """One record per organization, date, topic and type (a double tap on a phone records
    once; the importer matches on the same key). A record that shares a type with another
    record of the same organization, date and topic is the same meeting entered twice: it
    would count twice for that type."""
    if errors:
        return
    same = Meeting.objects.filter(org=data.org, held_on=data.held_on, topic=data.topic)
    if meeting is not None:
        same = same.exclude(pk=meeting.pk)
    wanted = set(data.types)
    for other in same:
        shared = [t for t in other.types if t in wanted]
        if shared:
            errors.setdefault("topic", []).append(
                f"{data.held_on} 的{other.type_label}“{data.topic}”已经记录过"
                f"（{'、'.join(shared)}），不能重复记录"
            )
            return


def _meeting_subject(meeting: Meeting) -> AuditSubject:
    return AuditSubject("meeting", meeting, meeting.org.path)


def _locked(actor: Actor, meeting: Meeting) -> Meeting:
    """``meeting`` read again and locked for a change, which the actor must have the right to
    record at its organization."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    return meeting


@transaction.atomic
def meeting_record(*, actor: Actor, data: MeetingInput) -> Meeting:
    """Record a meeting held by ``data.org``; late when entered more than ``late_days`` after it."""
    require(actor, Perm.LIFE_RECORD, data.org.path)
    data.actor = data.actor or actor
    errors = meeting_validate(data)
    _check_duplicate(data, None, errors)
    if errors:
        raise ValidationError(errors)
    days = late_days()
    meeting = meeting_new(data, actor, days)
    meeting.save()
    months_shift(added=counts_of(meeting))
    sign([meeting], new=True)
    _write_attendance(meeting, data)
    after = meeting_snapshot(meeting)
    if meeting.late:
        after["late_days_limit"] = days
        after["days_after_meeting"] = (meeting.entered_on - meeting.held_on).days
    audit_about(
        actor,
        AuditAction.LIFE_MEETING_CREATE,
        AuditSubject("meeting", meeting, data.org.path),
        after=after,
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, data: MeetingInput) -> Meeting:
    """Change a record. ``entered_on`` stays the first entry date; ``late`` follows the date."""
    meeting = _locked(actor, meeting)
    require(actor, Perm.LIFE_RECORD, data.org.path)
    data.entered_on = meeting.entered_on
    data.actor = data.actor or actor
    errors = meeting_validate(data)
    _check_duplicate(data, meeting, errors)
    if errors:
        raise ValidationError(errors)
    before = meeting_snapshot(meeting)
    old_path = meeting.org.path
    was = counts_of(meeting)
    _apply(meeting, data)
    meeting.late = is_late(meeting.held_on, meeting.entered_on)
    meeting.save()
    months_shift(was, counts_of(meeting))
    sign([meeting])
    _write_attendance(meeting, data)
    after = meeting_snapshot(meeting)
    if after != before:
        audit_about(
            actor,
            AuditAction.LIFE_MEETING_UPDATE,
            AuditSubject("meeting", meeting, old_path),
            before=before,
            after=after,
        )
    return meeting


@transaction.atomic
def meeting_delete(*, actor: Actor, meeting: Meeting) -> None:
    """Delete a record and its attendance; the audit entry keeps what was deleted."""
    meeting = _locked(actor, meeting)
    months_shift(removed=counts_of(meeting))  # before the audit (life.rollups)
    audit_about(
        actor,
        AuditAction.LIFE_MEETING_DELETE,
        _meeting_subject(meeting),
        before=meeting_snapshot(meeting),
    )
    meeting.delete()


# --- attachments -----------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = uploads.MAX_BYTES
ATTACHMENTS_PER_MEETING = 10
sniff = uploads.sniff


@transaction.atomic
def attachment_add(*, actor: Actor, meeting: Meeting, name: str, data: bytes) -> Any:
    """Attach a photo or PDF of the paper minutes to ``meeting`` (audited)."""
    from .models import MeetingAttachment

    meeting = _locked(actor, meeting)
    return attachments.attachment_add(
        MeetingAttachment,
        actor=actor,
        action=AuditAction.LIFE_ATTACHMENT_ADD,
        subject=_meeting_subject(meeting),
        policy=AttachmentPolicy("附件", ATTACHMENTS_PER_MEETING, "每条记录"),
        name=name,
        data=data,
    )


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: Any) -> None:
    """Remove an attachment (audited with its name and digest)."""
    meeting = attachment.meeting
    require(actor, Perm.LIFE_RECORD, meeting.org.path)
    attachments.attachment_remove(
        actor=actor,
        action=AuditAction.LIFE_ATTACHMENT_DELETE,
        subject=_meeting_subject(meeting),
        attachment=attachment,
    )
