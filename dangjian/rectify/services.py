"""The write path for rectification (ASSESS-RECTIFY): validate, write, audit — one transaction.

Who does what (scope from :mod:`dangjian.accounts.scope`; a grant covers its subtree):

- the upper level (``Perm.ASSESS_MANAGE`` on a node strictly above the organization) opens a
  plan, adds and edits its tasks, and confirms or reopens a task reported done — an organization
  never closes its own tasks, and the person who reported a task done cannot confirm it;
- the organization itself (``Perm.ASSESS_SELF`` covering it, e.g. its secretary) reports
  progress and reports a task done.

Every refusal raises before anything is written; every change writes one audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, scope_prefix, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization

from .choices import ACTIVE_TASK, PlanReason, PlanStatus, TaskStatus, WeakCondition
from .models import RectificationPlan, RectificationTask, TaskProgress
from .rules import condition_label

WHAT_MAX = 200
OWNER_MAX = 50
TEXT_MAX = 2000
NOTE_MAX = 500

#: an 11-digit mobile number or an 18-character ID number: personal data that has no place in
#: a task (the owner is a post or a name; progress is about the work)
_PII = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?![\dXx])")


@dataclass
class TaskInput:
    """The editable fields of a task."""

    what: str
    owner: str
    deadline: dt.date | None
    how: str = ""


def require_upper(actor: Actor, org: Organization, perm: Perm = Perm.ASSESS_MANAGE) -> None:
    """``perm`` on a node strictly above ``org``: the upper level, not the organization itself."""
    require(actor, perm, org.path)
    prefix = scope_prefix(actor, perm)
    if prefix == org.path:
        raise PermissionDenied("只有上级组织可以进行此操作，本组织不能审核自己的整改")


def is_upper(actor: Actor, org: Organization, perm: Perm = Perm.ASSESS_MANAGE) -> bool:
    try:
        require_upper(actor, org, perm)
    except PermissionDenied:
        return False
    return True


def _check_text(errors: FieldErrors, name: str, label: str, value: str) -> None:
    if _PII.search(value or ""):
        errors.add(name, f"{label}中不要填写手机号或身份证号（责任人填岗位或姓名即可）")


def task_validate(
    data: TaskInput, *, today: dt.date, old_deadline: dt.date | None = None
) -> FieldErrors:
    """Every check of a task's fields; normalises the text fields."""
    errors = FieldErrors()
    data.what = (data.what or "").strip()
    data.owner = (data.owner or "").strip()
    data.how = (data.how or "").strip()
    if not data.what:
        errors.add("what", "请填写整改任务（干什么）")
    elif len(data.what) > WHAT_MAX:
        errors.add("what", f"整改任务过长（最多 {WHAT_MAX} 字）")
    if not data.owner:
        errors.add("owner", "请填写责任人或责任岗位（谁来干）")
    elif len(data.owner) > OWNER_MAX:
        errors.add("owner", f"责任人过长（最多 {OWNER_MAX} 字）")
    if len(data.how) > TEXT_MAX:
        errors.add("how", f"整改措施过长（最多 {TEXT_MAX} 字）")
    if data.deadline is None:
        errors.add("deadline", "请填写完成时限（何时完成）")
    elif data.deadline < today and data.deadline != old_deadline:
        errors.add("deadline", f"完成时限 {data.deadline} 早于今天（{today}），请填写今后的日期")
    _check_text(errors, "what", "整改任务", data.what)
    _check_text(errors, "owner", "责任人", data.owner)
    _check_text(errors, "how", "整改措施", data.how)
    return errors


def plan_snapshot(plan: RectificationPlan) -> dict[str, Any]:
    return {
        "org": plan.org.code,
        "reason": plan.reason,
        "conditions": [
            {"condition": c.get("condition"), "rule": c.get("rule")} for c in plan.conditions
        ],
        "summary_chars": len(plan.summary),
        "status": plan.status,
        "campaign": getattr(plan, "campaign_id", None),
    }


def task_snapshot(task: RectificationTask) -> dict[str, Any]:
    return {
        "plan": task.plan_id,
        "what": task.what,
        "how_chars": len(task.how),
        "owner": task.owner,
        "deadline": task.deadline,
        "status": task.status,
    }


def _clean_conditions(
    reason: str, conditions: list[dict[str, Any]] | None, errors: FieldErrors
) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    for item in conditions or []:
        code = str(item.get("condition", ""))
        if code not in WeakCondition.values:
            errors.add("conditions", f"未知的软弱涣散认定情形“{code[:30]}”")
            continue
        cleaned.append(
            {
                "condition": code,
                "label": condition_label(code),
                "rule": str(item.get("rule", ""))[:64],
                "message": str(item.get("message", ""))[:500],
                "evidence": item.get("evidence") or {},
            }
        )
    if reason == PlanReason.WEAK and not cleaned and not errors.get("conditions"):
        errors.add("conditions", "软弱涣散整改方案须写明符合哪一项认定情形")
    return cleaned


def _audit_task(actor: Actor, action: AuditAction, task: RectificationTask, **kwargs: Any) -> None:
    name = f"{task.plan.org.name}：{task.what}"[:255]
    audit_about(
        actor, action, AuditSubject("rectification_task", task, task.plan.org.path, name), **kwargs
    )


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    org: Organization,
    reason: str,
    conditions: list[dict[str, Any]] | None = None,
    summary: str = "",
    tasks: list[TaskInput] | None = None,
    campaign: Any = None,
) -> RectificationPlan:
    """Open a plan for ``org`` (upper level only), optionally with its first tasks.

    ``conditions`` (required for a 软弱涣散 plan) name the ASSESS-WEAK conditions with their
    evidence, usually taken from :func:`dangjian.rectify.rules.weak_candidates`.
    """
    require_upper(actor, org)
    if reason not in PlanReason.values:
        raise ValidationError({"reason": [f"整改原因“{reason[:20]}”无效"]})
    if org.org_type == OrgType.GROUP:
        raise ValidationError({"org": ["党小组不单独制定整改方案，请为所在党支部制定"]})
    errors = FieldErrors()
    cleaned = _clean_conditions(reason, conditions, errors)
    summary = (summary or "").strip()
    if len(summary) > TEXT_MAX:
        errors.add("summary", f"问题概述过长（最多 {TEXT_MAX} 字）")
    _check_text(errors, "summary", "问题概述", summary)
    today = timezone.localdate()
    for n, item in enumerate(tasks or [], start=1):
        for name, messages in task_validate(item, today=today).items():
            for m in messages:
                errors.add(name, f"第 {n} 项任务：{m}")
    if RectificationPlan.objects.filter(org=org, status=PlanStatus.OPEN).exists():
        errors.add("org", f"{org.name}已有一个进行中的整改方案（一支一策），请在该方案中增加任务")
    errors.raise_if_any()
    plan = RectificationPlan.objects.create(
        org=org,
        reason=reason,
        conditions=cleaned,
        summary=summary,
        created_by=user_of(actor),
        **({"campaign": campaign} if campaign is not None else {}),
    )
    audit_about(
        actor,
        AuditAction.RECTIFY_PLAN_CREATE,
        AuditSubject("rectification_plan", plan, org.path),
        after=plan_snapshot(plan),
    )
    for item in tasks or []:
        _task_create(actor, plan, item)
    return plan


def _task_create(actor: Actor, plan: RectificationPlan, data: TaskInput) -> RectificationTask:
    assert data.deadline is not None
    task = RectificationTask.objects.create(
        plan=plan, what=data.what, how=data.how, owner=data.owner, deadline=data.deadline
    )
    _audit_task(actor, AuditAction.RECTIFY_TASK_ADD, task, after=task_snapshot(task))
    return task


def _locked_plan(plan: RectificationPlan) -> RectificationPlan:
    return RectificationPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


def _locked_task(task: RectificationTask) -> RectificationTask:
    return (
        RectificationTask.objects.select_for_update()
        .select_related("plan", "plan__org")
        .get(pk=task.pk)
    )


@transaction.atomic
def task_add(*, actor: Actor, plan: RectificationPlan, data: TaskInput) -> RectificationTask:
    """Add a task to an open plan (upper level only)."""
    plan = _locked_plan(plan)
    require_upper(actor, plan.org)
    errors = task_validate(data, today=timezone.localdate())
    if plan.status != PlanStatus.OPEN:
        errors.add("__all__", "该整改方案已完成，不能再增加任务")
    errors.raise_if_any()
    return _task_create(actor, plan, data)


@transaction.atomic
def task_update(*, actor: Actor, task: RectificationTask, data: TaskInput) -> RectificationTask:
    """Change a task's what, how, owner or deadline (upper level; not once confirmed)."""
    task = _locked_task(task)
    require_upper(actor, task.plan.org)
    errors = task_validate(data, today=timezone.localdate(), old_deadline=task.deadline)
    if task.status == TaskStatus.CONFIRMED:
        errors.add("__all__", "该任务已经上级确认完成，不能再修改")
    errors.raise_if_any()
    before = task_snapshot(task)
    assert data.deadline is not None
    task.what, task.how, task.owner, task.deadline = data.what, data.how, data.owner, data.deadline
    task.save()
    after = task_snapshot(task)
    if after != before:
        _audit_task(actor, AuditAction.RECTIFY_TASK_UPDATE, task, before=before, after=after)
    return task


def _progress_checks(task: RectificationTask, on: dt.date, text: str) -> FieldErrors:
    errors = FieldErrors()
    today = timezone.localdate()
    if task.plan.status != PlanStatus.OPEN or task.status == TaskStatus.CONFIRMED:
        errors.add("__all__", "该任务已经上级确认完成，不需要再填报")
    if not text:
        errors.add("text", "请填写进展情况")
    elif len(text) > TEXT_MAX:
        errors.add("text", f"进展情况过长（最多 {TEXT_MAX} 字）")
    _check_text(errors, "text", "进展情况", text)
    if on > today:
        errors.add("on", f"日期 {on} 晚于今天（{today}）")
    elif on < task.plan.created_at.date() - dt.timedelta(days=1):
        errors.add("on", f"日期 {on} 早于整改方案制定日期 {task.plan.created_at:%Y-%m-%d}")
    return errors


@transaction.atomic
def task_progress(
    *, actor: Actor, task: RectificationTask, text: str, on: dt.date | None = None
) -> TaskProgress:
    """The organization reports progress on a task (date and text)."""
    task = _locked_task(task)
    require(actor, Perm.ASSESS_SELF, task.plan.org.path)
    text = (text or "").strip()
    on = on or timezone.localdate()
    errors = _progress_checks(task, on, text)
    errors.raise_if_any()
    item = TaskProgress.objects.create(task=task, on=on, text=text, by=user_of(actor))
    _audit_task(
        actor,
        AuditAction.RECTIFY_TASK_PROGRESS,
        task,
        after={"progress": item.pk, "on": on, "text_chars": len(text)},
    )
    return item


@transaction.atomic
def task_report_done(*, actor: Actor, task: RectificationTask, text: str = "") -> RectificationTask:
    """The organization reports a task done; it waits for the upper level's confirmation.

    ``text`` (optional) is recorded as a last progress update (what was done).
    """
    task = _locked_task(task)
    require(actor, Perm.ASSESS_SELF, task.plan.org.path)
    text = (text or "").strip()
    errors = FieldErrors()
    if task.status not in ACTIVE_TASK:
        state = TaskStatus(task.status).label
        errors.add("__all__", f"该任务当前状态为“{state}”，不能再报告完成")
    if text:
        errors.update(_progress_checks(task, timezone.localdate(), text))
    errors.raise_if_any()
    before = task_snapshot(task)
    if text:
        TaskProgress.objects.create(
            task=task, on=timezone.localdate(), text=text, by=user_of(actor)
        )
    task.status = TaskStatus.REPORTED
    task.reported_at = timezone.now()
    task.reported_by = user_of(actor)
    task.save()
    _audit_task(
        actor, AuditAction.RECTIFY_TASK_REPORT, task, before=before, after=task_snapshot(task)
    )
    return task


def _review_checks(actor: Actor, task: RectificationTask, note: str) -> FieldErrors:
    errors = FieldErrors()
    if len(note) > NOTE_MAX:
        errors.add("note", f"审核意见过长（最多 {NOTE_MAX} 字）")
    _check_text(errors, "note", "审核意见", note)
    user = user_of(actor)
    if user is not None and task.reported_by_id == user.pk and task.status == TaskStatus.REPORTED:
        errors.add("__all__", "报告完成的人不能确认或退回自己报告的任务")
    return errors


def _review(
    actor: Actor, task: RectificationTask, status: TaskStatus, note: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The upper level's decision on ``task`` saved; its state before and after (with the note)."""
    before = task_snapshot(task)
    task.status = status
    task.reviewed_at = timezone.now()
    task.reviewed_by = user_of(actor)
    task.review_note = note
    task.save()
    return before, task_snapshot(task) | {"note": note}


@transaction.atomic
def task_confirm(*, actor: Actor, task: RectificationTask, note: str = "") -> RectificationTask:
    """The upper level confirms a task reported done; the plan is done when all tasks are."""
    task = _locked_task(task)
    require_upper(actor, task.plan.org)
    note = (note or "").strip()
    errors = _review_checks(actor, task, note)
    if task.status != TaskStatus.REPORTED:
        state = TaskStatus(task.status).label
        errors.add("__all__", f"只能确认已报告完成的任务，该任务当前状态为“{state}”")
    errors.raise_if_any()
    before, after = _review(actor, task, TaskStatus.CONFIRMED, note)
    plan = _locked_plan(task.plan)
    if not plan.tasks.exclude(status=TaskStatus.CONFIRMED).exists():
        plan.status = PlanStatus.DONE
        plan.done_at = timezone.now()
        plan.save(update_fields=["status", "done_at", "updated_at"])
        after["plan_status"] = plan.status
    _audit_task(actor, AuditAction.RECTIFY_TASK_CONFIRM, task, before=before, after=after)
    return task


@transaction.atomic
def task_reopen(*, actor: Actor, task: RectificationTask, note: str) -> RectificationTask:
    """The upper level sends a task back (reported done, or even confirmed) with a reason."""
    task = _locked_task(task)
    require_upper(actor, task.plan.org)
    note = (note or "").strip()
    errors = _review_checks(actor, task, note)
    if not note:
        errors.add("note", "退回时请写明原因")
    if task.status not in (TaskStatus.REPORTED, TaskStatus.CONFIRMED):
        errors.add("__all__", "只能退回已报告完成或已确认的任务")
    plan = _locked_plan(task.plan)
    if (
        plan.status == PlanStatus.DONE
        and RectificationPlan.objects.filter(org=plan.org, status=PlanStatus.OPEN).exists()
    ):
        errors.add("__all__", "该组织已有新的进行中整改方案，请在新方案中增加任务")
    errors.raise_if_any()
    before, after = _review(actor, task, TaskStatus.REOPENED, note)
    if plan.status == PlanStatus.DONE:
        plan.status = PlanStatus.OPEN
        plan.done_at = None
        plan.save(update_fields=["status", "done_at", "updated_at"])
        after["plan_status"] = plan.status
    _audit_task(actor, AuditAction.RECTIFY_TASK_REOPEN, task, before=before, after=after)
    return task
