"""The write path of inspections (督查、巡查、暗访): plan, visit, photos and videos, findings,
rectification and re-visit — each validated (every problem at once, in Chinese), written with its
audit entry in one transaction; a refusal writes nothing.

Who:

- a plan is made and published by the inspecting level (``Perm.INSPECTION_MANAGE`` on the
  organizing organization);
- visits, photos and findings are recorded by that level and by the plan's inspectors;
- a finding becomes a rectification task of :mod:`dangjian.rectify` (reason 督查暗访发现问题; added
  to the organization's open plan when it has one — one closed loop, 一支一策), with the rectify
  module's own check that the upper level opens it; a 暗访 finding only once the plan is
  published (the task is read by the organization inspected);
- the re-visit, recorded by the inspecting level (which confirms rectification), confirms the
  task reported done (:func:`dangjian.rectify.services.task_confirm`) or sends it back
  (:func:`~dangjian.rectify.services.task_reopen`).

Organizations are drawn with the reproducible stratified sampler of the assessments
(:func:`dangjian.assess.sampling.stratified_sample`) over the branches of the organizing
organization's subtree, and/or hand-picked.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.assess.sampling import stratified_sample
from dangjian.core import clock, uploads
from dangjian.core.attachments import AttachmentPolicy, attachment_add
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization
from dangjian.rectify import services as rectify
from dangjian.rectify.choices import PlanReason, PlanStatus, TaskStatus
from dangjian.rectify.models import RectificationPlan, RectificationTask

from .checklist import available_checklists, get_checklist
from .choices import Kind, Result, Revisit, Severity
from .models import Finding, InspectionPlan, Observation, Target, Visit, VisitMedia
from .selectors import may_record

TITLE_MAX = 200
NOTE_MAX = 500
VISIT_NOTE_MAX = 2000
#: photos and clips per visit
MEDIA_POLICY = AttachmentPolicy(
    default_name="现场照片", max_count=20, per="每次检查", clean_images=True, allow_video=True
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate(clock.now())


def plan_subject(plan: InspectionPlan) -> AuditSubject:
    return AuditSubject("inspection_plan", plan, plan.org.path, f"{plan.title}（{plan.kind}）")


def _visit_subject(visit: Visit) -> AuditSubject:
    # the trail of a visit sits at the organizing level: a 暗访 is not told to the inspected
    plan = visit.plan
    return AuditSubject("inspection_visit", visit, plan.org.path, f"{plan.title}：{visit.org.name}")


def _finding_subject(finding: Finding) -> AuditSubject:
    plan = finding.visit.plan
    name = f"{finding.org.name}：{finding.item_title}"[:255]
    return AuditSubject("inspection_finding", finding, plan.org.path, name)


def population(org: Organization) -> list[tuple[int, str, str]]:
    """The branches under ``org`` an inspection draws from: (pk, code, sector), by code."""
    rows = (
        Organization.objects.filter(path__startswith=org.path, org_type__in=list(ROLL_TYPES))
        .exclude(pk=org.pk)
        .order_by("code")
        .values_list("pk", "code", "sector")
    )
    return list(rows)


def _share(errors: FieldErrors, value: Any) -> Decimal:
    try:
        share = Decimal(str(value if value not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        errors.add("sample_share", "抽查比例请填写 0 到 1 之间的小数，如 0.2")
        return Decimal(0)
    if not share.is_finite() or share < 0 or share > 1:
        errors.add("sample_share", "抽查比例请填写 0 到 1 之间的小数，如 0.2")
        return Decimal(0)
    return share.quantize(Decimal("0.001"))


@dataclass
class PlanInput:
    """What a plan says: what, how, which checklist, when, where (share, hand-picked), who."""

    title: str
    kind: str
    org: Organization
    checklist_key: str
    starts_on: dt.date
    ends_on: dt.date
    sample_share: Decimal | str | float = Decimal(0)
    sampling_seed: int | None = None
    hand_picked: Iterable[Organization] = ()
    inspectors: Iterable[User] = ()


@transaction.atomic
def plan_create(*, actor: Actor, data: PlanInput) -> InspectionPlan:
    """Make a plan and its list of organizations to visit: the sample drawn at once
    (reproducible from the stored seed) plus the hand-picked ones."""
    org = data.org
    require(actor, Perm.INSPECTION_MANAGE, org.path)
    errors = FieldErrors()
    title = errors.text("title", "督查事项", data.title, TITLE_MAX)
    if not title:
        errors.add("title", "请填写督查事项")
    if data.kind not in Kind.values:
        errors.add("kind", f"请选择方式（{'、'.join(Kind.values)}）")
    if data.checklist_key not in available_checklists():
        errors.add("checklist_key", "请选择检查清单")
    if data.ends_on < data.starts_on:
        errors.add("ends_on", "结束日期不能早于开始日期")
    share = _share(errors, data.sample_share)
    pool = population(org)
    in_pool = {pk for pk, _c, _s in pool}
    picked = list(dict.fromkeys(data.hand_picked))
    for o in picked:
        if o.pk not in in_pool:
            errors.add("hand_picked", f"{o.name}不是{org.name}下属的党支部，不能指定检查")
    inspectors = list(dict.fromkeys(data.inspectors))
    for u in inspectors:
        if not covers(u, Perm.INSPECTION_VIEW, org.path):
            errors.add("inspectors", f"{u}没有查看本级督查的权限，不能列为督查人员")
    seed = data.sampling_seed if data.sampling_seed is not None else secrets.randbelow(2**31)
    drawn = stratified_sample(pool, float(share), seed) if share else set()
    picked_ids = {o.pk for o in picked}
    if not drawn and not picked_ids:
        errors.add("hand_picked", "请设置抽查比例或指定至少一个检查对象")
    errors.raise_if_any()
    plan = InspectionPlan.objects.create(
        title=title,
        kind=data.kind,
        org=org,
        checklist_key=data.checklist_key,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        sample_share=share,
        sampling_seed=seed,
        created_by=user_of(actor),
    )
    plan.inspectors.set(inspectors)
    Target.objects.bulk_create(
        [
            Target(plan=plan, org_id=pk, sampled=pk in drawn, hand_picked=pk in picked_ids)
            for pk in sorted(drawn | picked_ids)
        ]
    )
    audit_about(
        actor,
        AuditAction.INSPECTION_PLAN_CREATE,
        plan_subject(plan),
        after={
            "inspection_kind": plan.kind,
            "checklist": get_checklist(plan.checklist_key).name,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "sample_share": str(share),
            "sampling_seed": seed,
            "sampled": sorted(drawn),
            "hand_picked": sorted(picked_ids),
            "inspectors": sorted(u.pk for u in inspectors),
        },
    )
    return plan


def _locked(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


@transaction.atomic
def plan_publish(*, actor: Actor, plan: InspectionPlan) -> InspectionPlan:
    """Publish the results: a 暗访's findings become visible to the organizations inspected."""
    plan = _locked(plan)
    require(actor, Perm.INSPECTION_MANAGE, plan.org.path)
    if plan.published_at is not None:
        FieldErrors({"__all__": [f"结果已于 {plan.published_at:%Y-%m-%d} 发布"]}).raise_if_any()
    plan.published_at = clock.now()
    plan.save(update_fields=["published_at"])
    audit_about(
        actor,
        AuditAction.INSPECTION_PLAN_PUBLISH,
        plan_subject(plan),
        after={"published_at": plan.published_at},
    )
    return plan


def _require_recorder(actor: Actor, plan: InspectionPlan) -> None:
    require(actor, Perm.INSPECTION_VIEW, plan.org.path)
    if not may_record(actor, plan):
        raise PermissionDenied("只有本级督查组织者和该计划的督查人员可以记录检查")


@dataclass
class ObservationInput:
    """One checklist item seen on a visit; a 不符合 item is a finding (its severity required)."""

    code: str
    result: str
    note: str = ""
    severity: str = ""


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    plan: InspectionPlan,
    org: Organization | None,
    visited_on: dt.date,
    observations: list[ObservationInput],
    note: str = "",
    today: dt.date | None = None,
) -> Visit:
    """Record a visit to one of the plan's organizations: an observation per checklist item
    seen; every 不符合 item becomes a finding with its severity and the rule or standard item it
    concerns (its note is the description, required)."""
    plan = _locked(plan)
    _require_recorder(actor, plan)
    day = _today(today)
    checklist = get_checklist(plan.checklist_key)
    errors = FieldErrors()
    if org is None or not plan.targets.filter(org=org).exists():
        errors.add("org", "请选择本计划的检查对象")
    if not plan.starts_on <= visited_on <= plan.ends_on:
        errors.add(
            "visited_on",
            f"检查日期须在计划期间（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}）",
        )
    if visited_on > day:
        errors.add("visited_on", f"检查日期不能晚于今天（{day:%Y-%m-%d}）")
    note = errors.text("note", "总体情况", note, VISIT_NOTE_MAX)
    seen: set[str] = set()
    for obs in observations:
        item = checklist.item(obs.code)
        if item is None:
            errors.add("observations", f"检查清单中没有“{str(obs.code)[:20]}”这一项")
            continue
        if obs.code in seen:
            errors.add("observations", f"“{item.title}”记录了两次")
        seen.add(obs.code)
        if obs.result not in Result.values:
            errors.add("observations", f"“{item.title}”：请选择符合、不符合或不适用")
        obs.note = errors.text("observations", f"“{item.title}”的说明", obs.note, NOTE_MAX)
        if obs.result == Result.NOT_MET:
            if obs.severity not in Severity.values:
                errors.add(
                    "observations", f"“{item.title}”不符合：请选择问题严重程度（一般、较重、严重）"
                )
            if not obs.note:
                errors.add("observations", f"“{item.title}”不符合：请写明发现的问题")
    if not seen:
        errors.add("observations", "请至少记录一项检查结果")
    errors.raise_if_any()
    assert org is not None
    visit = Visit.objects.create(
        plan=plan, org=org, visited_on=visited_on, note=note, inspector=user_of(actor)
    )
    Observation.objects.bulk_create(
        [
            Observation(visit=visit, item_code=o.code, result=o.result, note=o.note)
            for o in observations
        ]
    )
    audit_about(
        actor,
        AuditAction.INSPECTION_VISIT_RECORD,
        _visit_subject(visit),
        after={
            "org": org.code,
            "visited_on": visited_on,
            **{
                key: sum(1 for o in observations if o.result == result)
                for key, result in (
                    ("met", Result.MET),
                    ("not_met", Result.NOT_MET),
                    ("not_applicable", Result.NOT_APPLICABLE),
                )
            },
        },
    )
    for o in observations:
        if o.result == Result.NOT_MET:
            item = checklist.item(o.code)
            assert item is not None
            finding = Finding.objects.create(
                visit=visit,
                org=org,
                item_code=item.code,
                item_title=item.title[:200],
                rule=item.rule,
                standard=item.standard,
                severity=o.severity,
                description=o.note,
            )
            audit_about(
                actor,
                AuditAction.INSPECTION_FINDING_RECORD,
                _finding_subject(finding),
                after={
                    "item_title": finding.item_title,
                    "concerns": item.concerns,
                    "severity": o.severity,
                },
            )
    return visit


@transaction.atomic
def media_add(*, actor: Actor, visit: Visit, name: str, data: bytes) -> VisitMedia:
    """A photo (JPEG/PNG/WebP, stored without its location metadata) or a short video clip
    (MP4/MOV) of a visit, through the shared upload checks."""
    plan = _locked(visit.plan)
    _require_recorder(actor, plan)
    if uploads.sniff(data or b"") == "application/pdf":
        FieldErrors({"file": [f"文件“{name[:50]}”是 PDF，现场材料请上传照片或视频"]}).raise_if_any()
    item: VisitMedia = attachment_add(
        VisitMedia,
        actor=actor,
        action=AuditAction.INSPECTION_MEDIA_ADD,
        subject=_visit_subject(visit),
        policy=MEDIA_POLICY,
        name=name,
        data=data,
    )
    return item


@transaction.atomic
def finding_to_task(
    *,
    actor: Actor,
    finding: Finding,
    owner: str,
    deadline: dt.date | None,
    what: str = "",
    how: str = "",
) -> RectificationTask:
    """Turn ``finding`` into a rectification task (owner, deadline) of the organization's open
    plan, or of a new plan of reason 督查暗访发现问题 (the rectify module checks that the actor is
    the upper level)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit__plan__org", "org")
        .get(pk=finding.pk)
    )
    plan = finding.visit.plan
    require(actor, Perm.INSPECTION_MANAGE, plan.org.path)
    errors = FieldErrors()
    if finding.task_id is not None:
        errors.add("__all__", "该问题已转为整改任务")
    if plan.kind == Kind.COVERT and plan.published_at is None:
        errors.add("__all__", "暗访结果发布后才能转为整改任务（整改任务被检查组织可见）")
    errors.raise_if_any()
    data = rectify.TaskInput(
        what=(what or f"{finding.item_title}：{finding.description}")[: rectify.WHAT_MAX],
        owner=owner,
        deadline=deadline,
        how=how,
    )
    open_plan = RectificationPlan.objects.filter(org=finding.org, status=PlanStatus.OPEN).first()
    if open_plan is not None:
        task = rectify.task_add(actor=actor, plan=open_plan, data=data)
    else:
        new_plan = rectify.plan_create(
            actor=actor,
            org=finding.org,
            reason=PlanReason.INSPECTION,
            summary=f"{plan.title}（{plan.kind}）发现的问题",
            tasks=[data],
        )
        task = new_plan.tasks.get()
    finding.task = task
    finding.save(update_fields=["task"])
    audit_about(
        actor,
        AuditAction.INSPECTION_FINDING_TASK,
        _finding_subject(finding),
        after={
            "task": task.pk,
            "rectification_plan": task.plan_id,
            "new_plan": open_plan is None,
        },
    )
    return task


@transaction.atomic
def finding_revisit(
    *,
    actor: Actor,
    finding: Finding,
    passed: bool,
    note: str = "",
    today: dt.date | None = None,
) -> Finding:
    """The re-visit (复查): the rectification holds — the task reported done is confirmed — or it
    does not, and the task goes back with the reason (``note``, then required)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit__plan__org", "org", "task")
        .get(pk=finding.pk)
    )
    plan = finding.visit.plan
    # the confirmation is the upper level's (the rectify module checks it too): an inspector
    # reports what the re-visit saw, the inspecting level decides
    require(actor, Perm.INSPECTION_MANAGE, plan.org.path)
    errors = FieldErrors()
    note = errors.text("note", "复查意见", note, NOTE_MAX)
    task = finding.task
    if task is None:
        errors.add("__all__", "该问题还没有转为整改任务，不能复查")
    elif passed and task.status != TaskStatus.REPORTED:
        state = task.get_status_display()
        errors.add("__all__", f"整改任务当前状态为“{state}”，报告完成后才能复查确认")
    if not passed and not note:
        errors.add("note", "复查未通过时请写明原因")
    errors.raise_if_any()
    assert task is not None
    if passed:
        rectify.task_confirm(actor=actor, task=task, note=note)
    else:
        rectify.task_reopen(actor=actor, task=task, note=note)
    finding.revisit = Revisit.CONFIRMED if passed else Revisit.REOPENED
    finding.revisited_on = _today(today)
    finding.revisit_note = note
    finding.save(update_fields=["revisit", "revisited_on", "revisit_note"])
    audit_about(
        actor,
        AuditAction.INSPECTION_REVISIT,
        _finding_subject(finding),
        after={"revisit": finding.revisit, "task": task.pk},
    )
    return finding
