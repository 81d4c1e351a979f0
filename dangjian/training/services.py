"""The one write path of training courses: enter a course once with its participants, add
participants one by one, by branch or from a file (all or nothing), remove one, delete a course.

Every write checks the scope (``Perm.TRAINING_MANAGE`` over the organizer), collects every
problem into one Chinese refusal (:class:`FieldErrors`) and writes nothing then, and writes its
audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .figures import on_roll, subtree_ids
from .models import Course, Participant

TITLE_MAX = 200
NOTE_MAX = 500
#: the most class hours one course may count (a year of full days is about 1,500)
HOURS_MAX = Decimal("999.9")
#: the most participants one request may add
BATCH_MAX = 5000


@dataclass(frozen=True)
class CourseInput:
    """What the organizer enters about a course."""

    organizer: Organization
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    hours: Any
    note: str = ""


def _subject(course: Course) -> AuditSubject:
    return AuditSubject("training_course", course, course.organizer.path)


def _snapshot(course: Course) -> dict[str, Any]:
    return {
        "organizer": course.organizer.code,
        "title": course.title,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "hours": str(course.hours),
        "note": course.note,
    }


def parse_hours(errors: FieldErrors, value: Any) -> Decimal | None:
    """Class hours: a number greater than 0, at most one decimal place, at most 999.9."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add("hours", "请填写学时")
        return None
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add("hours", f"学时“{str(value)[:20]}”不是数字")
        return None
    if not hours.is_finite():
        errors.add("hours", "学时应为数字")
        return None
    if hours <= 0:
        errors.add("hours", "学时应大于 0（不能为负数或 0）")
        return None
    if hours > HOURS_MAX:
        errors.add("hours", f"学时不能超过 {HOURS_MAX}")
        return None
    if hours != hours.quantize(Decimal("0.1")):
        errors.add("hours", "学时最多保留 1 位小数（如 3.5）")
        return None
    return hours.quantize(Decimal("0.1"))


def course_validate(data: CourseInput) -> tuple[FieldErrors, Decimal | None, str, str]:
    """Every problem of ``data`` (Chinese), with the clean hours, title and note."""
    errors = FieldErrors()
    title = (data.title or "").strip()
    if not title:
        errors.add("title", "请填写培训班名称")
    elif len(title) > TITLE_MAX:
        errors.add("title", f"培训班名称不能超过 {TITLE_MAX} 个字")
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", f"备注不能超过 {NOTE_MAX} 个字")
    if data.starts_on is None:
        errors.add("starts_on", "请填写开始日期")
    if data.ends_on is None:
        errors.add("ends_on", "请填写结束日期")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", f"结束日期 {data.ends_on} 早于开始日期 {data.starts_on}，请检查日期")
    hours = parse_hours(errors, data.hours)
    return errors, hours, title, note


def _participant_problems(
    course_org: Organization, members: Sequence[Member], existing: set[int]
) -> list[str]:
    """Why some of ``members`` cannot take part: outside the organizer's subtree, named twice,
    already a participant."""
    problems: list[str] = []
    seen: set[int] = set()
    for m in members:
        who = f"{m.name}（{m.id_number_masked}）"
        if not m.org.path.startswith(course_org.path):
            problems.append(f"{who}不属于{course_org.name}及其下级组织，不能参加本培训班")
        elif m.pk in seen:
            problems.append(f"{who}重复添加")
        elif m.pk in existing:
            problems.append(f"{who}已是本培训班学员")
        seen.add(m.pk)
    return problems


def _existing(course: Course | None) -> set[int]:
    if course is None:
        return set()
    return set(course.participants.values_list("member_id", flat=True))


def _members(pks: Iterable[int]) -> list[Member]:
    """The members of ``pks`` in the given order (unknown ids are refused by the caller)."""
    pks = list(pks)
    found = {m.pk: m for m in Member.objects.select_related("org").filter(pk__in=set(pks))}
    return [found[pk] for pk in pks if pk in found]


def _check_ids(errors: FieldErrors, pks: Sequence[int], found: Sequence[Member]) -> None:
    known = {m.pk for m in found}
    missing = [str(pk) for pk in pks if pk not in known]
    if missing:
        errors.add("members", f"没有编号为 {'、'.join(missing[:10])} 的党员")


@transaction.atomic
def course_create(*, actor: Actor, data: CourseInput, member_ids: Sequence[int] = ()) -> Course:
    """Enter a course held by ``data.organizer`` with its participants (members of the
    organizer's subtree); every problem refuses the whole course."""
    require(actor, Perm.TRAINING_MANAGE, data.organizer.path)
    errors, hours, title, note = course_validate(data)
    if len(member_ids) > BATCH_MAX:
        errors.add("members", f"一次最多添加 {BATCH_MAX} 名学员")
    members = _members(member_ids)
    _check_ids(errors, member_ids, members)
    for problem in _participant_problems(data.organizer, members, set()):
        errors.add("members", problem)
    errors.raise_if_any()
    assert hours is not None and data.starts_on and data.ends_on
    course = Course.objects.create(
        organizer=data.organizer,
        title=title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        hours=hours,
        note=note,
        created_by=user_of(actor),
    )
    Participant.objects.bulk_create([Participant(course=course, member=m) for m in members])
    audit_about(
        actor,
        AuditAction.TRAINING_COURSE_CREATE,
        _subject(course),
        after={**_snapshot(course), "participants": len(members)},
    )
    return course


def _locked(course: Course) -> Course:
    return Course.objects.select_for_update().select_related("organizer").get(pk=course.pk)


#: how participants were added → its Chinese name in the audit trail
HOW = {"members": "逐个选择", "branch": "按组织整体添加", "import": "从文件导入"}


def _add(actor: Actor, course: Course, members: list[Member], how: str) -> int:
    Participant.objects.bulk_create([Participant(course=course, member=m) for m in members])
    audit_about(
        actor,
        AuditAction.TRAINING_PARTICIPANTS_ADD
        if how != "import"
        else AuditAction.TRAINING_PARTICIPANTS_IMPORT,
        _subject(course),
        after={"added": len(members), "how": HOW[how]},
    )
    return len(members)


@transaction.atomic
def participants_add(*, actor: Actor, course: Course, member_ids: Sequence[int]) -> int:
    """Add the members ``member_ids``; one outside the subtree, named twice or already there
    refuses them all. Returns how many were added."""
    course = _locked(course)
    require(actor, Perm.TRAINING_MANAGE, course.organizer.path)
    errors = FieldErrors()
    if not member_ids:
        errors.add("members", "请选择要添加的党员")
    if len(member_ids) > BATCH_MAX:
        errors.add("members", f"一次最多添加 {BATCH_MAX} 名学员")
    members = _members(member_ids)
    _check_ids(errors, member_ids, members)
    for problem in _participant_problems(course.organizer, members, _existing(course)):
        errors.add("members", problem)
    errors.raise_if_any()
    return _add(actor, course, members, "members")


@transaction.atomic
def participants_add_branch(*, actor: Actor, course: Course, branch: Organization) -> int:
    """Add every member on the roll of ``branch`` (and of the organizations under it) on the
    course's first day (the dated roll) and still under it, who is not a participant yet.
    Returns how many were added."""
    course = _locked(course)
    require(actor, Perm.TRAINING_MANAGE, course.organizer.path)
    if not branch.path.startswith(course.organizer.path):
        raise ValidationError(
            {"branch": [f"{branch.name}不是{course.organizer.name}的下级组织，不能整体添加"]}
        )
    # the dated roll of the course's first day, of those still in the subtree (a participant
    # is a member of the organizer's subtree: _participant_problems)
    roll = on_roll(subtree_ids(branch), course.starts_on).filter(org__path__startswith=branch.path)
    members = list(
        roll.exclude(pk__in=list(_existing(course))).select_related("org").order_by("pk")
    )
    if not members:
        raise ValidationError({"branch": [f"{branch.name}没有尚未添加的党员"]})
    if len(members) > BATCH_MAX:
        raise ValidationError({"branch": [f"一次最多添加 {BATCH_MAX} 名学员，请按支部分批添加"]})
    return _add(actor, course, members, "branch")


@transaction.atomic
def participant_remove(*, actor: Actor, course: Course, member_id: int) -> None:
    """Take one participant off the course."""
    course = _locked(course)
    require(actor, Perm.TRAINING_MANAGE, course.organizer.path)
    found = Participant.objects.filter(course=course, member_id=member_id).select_related("member")
    gone = found.first()
    if gone is None:
        raise ValidationError({"member": ["该党员不是本培训班学员"]})
    gone.delete()
    audit_about(
        actor,
        AuditAction.TRAINING_PARTICIPANT_REMOVE,
        _subject(course),
        before={"participant": str(gone.member)},
    )


@transaction.atomic
def course_delete(*, actor: Actor, course: Course) -> None:
    """Delete a course entered by mistake, with its participants."""
    course = _locked(course)
    require(actor, Perm.TRAINING_MANAGE, course.organizer.path)
    before = {**_snapshot(course), "participants": course.participants.count()}
    subject = AuditSubject(
        "training_course", course, course.organizer.path, str(course), str(course.pk)
    )
    course.delete()
    audit_about(actor, AuditAction.TRAINING_COURSE_DELETE, subject, before=before)
