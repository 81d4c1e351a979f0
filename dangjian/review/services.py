"""The write path of 述职评议: open a campaign, submit a report (text, attachments), give back the
problem list (which becomes rectification tasks), record the raters' ballots, set the result —
each validated (every problem at once, in Chinese), written with its audit entry in one
transaction; a refusal writes nothing.

Who:

- the organizing level (``Perm.REVIEW_MANAGE`` covering the campaign's organization) opens the
  campaign, records ballots and sets grades; giving the problem list also opens or extends the
  organization's rectification plan, so it needs what :mod:`dangjian.rectify` asks of the upper
  level (``Perm.ASSESS_MANAGE`` above the organization);
- the reporting organization (``Perm.REVIEW_REPORT`` covering it, e.g. its secretary) submits
  its report and its files.

The distribution rule of the campaign (``{"好": 0.3}``) is enforced whenever a grade is set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core import clock
from dangjian.core.attachments import AttachmentPolicy, attachment_add
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.choices import PARENT_TYPES
from dangjian.orgs.models import Organization
from dangjian.rectify.choices import PlanReason, PlanStatus
from dangjian.rectify.models import RectificationPlan
from dangjian.rectify.services import TaskInput, plan_create, task_add

from .choices import DEFAULT_ITEMS, DEFAULT_RULE, Grade, RaterKind
from .models import Campaign, Problem, RatingTally, Report, ReportAttachment
from .selectors import grade_limit, reporters_of

TITLE_MAX = 100
ITEM_MAX = 50
ITEMS_MAX = 10
TEXT_MAX = 20000
PROBLEM_MAX = 200
PROBLEMS_MAX = 20
BALLOTS_MAX = 10000
ATTACHMENTS = AttachmentPolicy(default_name="述职材料", max_count=10, per="每份述职")


def _today() -> dt.date:
    return timezone.localdate(clock.now())


def _campaign_subject(c: Campaign) -> AuditSubject:
    return AuditSubject("review_report", c, c.org.path, f"{c.title}", object_id=f"c{c.pk}")


def _subject(report: Report) -> AuditSubject:
    return AuditSubject("review_report", report, report.org.path, str(report))


def _require_organizer(actor: Actor, campaign: Campaign) -> None:
    require(actor, Perm.REVIEW_MANAGE, campaign.org.path)


def _clean_rule(errors: FieldErrors, rule: Mapping[str, Any] | None) -> dict[str, float]:
    cleaned: dict[str, float] = {}
    for grade, share in (rule if rule is not None else DEFAULT_RULE).items():
        if grade not in Grade.values:
            errors.add(
                "grade_rule",
                f"等次比例规则中的“{str(grade)[:10]}”不是评议等次（好、较好、一般、差）",
            )
            continue
        try:
            value = float(share)
        except (TypeError, ValueError):
            value = -1.0
        if not 0 <= value <= 1:
            errors.add("grade_rule", f"“{grade}”等次的比例须在 0 到 1 之间（如 0.3 表示 30%）")
            continue
        cleaned[grade] = value
    return cleaned


@transaction.atomic
def campaign_open(
    *,
    actor: Actor,
    org: Organization,
    year: int,
    title: str = "",
    items: Iterable[str] | None = None,
    rater_kinds: Iterable[str] | None = None,
    grade_rule: Mapping[str, Any] | None = None,
    meeting_on: dt.date | None = None,
) -> Campaign:
    """Open ``org``'s 述职评议 of ``year`` with a report for every organization whose secretary
    reports to it (derived from the posts in force at the end of the year, or today)."""
    require(actor, Perm.REVIEW_MANAGE, org.path)
    errors = FieldErrors()
    today = _today()
    if org.org_type not in PARENT_TYPES:
        errors.add("org", "述职评议由党委、党工委或党总支组织，党支部下没有需要述职的书记")
    if not isinstance(year, int) or not 2000 <= year <= today.year + 1:
        errors.add("year", f"年度须在 2000 到 {today.year + 1} 之间")
        year = today.year
    title = (
        errors.text("title", "名称", title, TITLE_MAX)
        or f"{year}年度{org.name}书记抓基层党建述职评议考核"[:TITLE_MAX]
    )
    cleaned_items = list(
        dict.fromkeys(str(i).strip() for i in (items or DEFAULT_ITEMS) if str(i).strip())
    )
    if not cleaned_items:
        errors.add("items", "请至少填写一个评议项目")
    if len(cleaned_items) > ITEMS_MAX:
        errors.add("items", f"评议项目最多 {ITEMS_MAX} 个")
    if any(len(i) > ITEM_MAX for i in cleaned_items):
        errors.add("items", f"评议项目名称过长（每项最多 {ITEM_MAX} 字）")
    kinds = list(dict.fromkeys(str(k).strip() for k in (rater_kinds or RaterKind.values)))
    if not kinds:
        errors.add("rater_kinds", "请至少选择一类评议人员")
    for k in kinds:
        if k not in RaterKind.values:
            errors.add(
                "rater_kinds", f"评议人员类别“{k[:20]}”无效（{'、'.join(RaterKind.values)}）"
            )
    rule = _clean_rule(errors, grade_rule)
    if Campaign.objects.filter(org=org, year=year).exists():
        errors.add("year", f"{org.name}已组织过 {year} 年度的述职评议")
    errors.raise_if_any()
    day = min(dt.date(year, 12, 31), today)
    reporters = reporters_of(org, day)
    if not reporters:
        errors.add(
            "org", f"{org.name}下没有需要向其述职的党组织（党委、党工委、党总支或村、社区党支部）"
        )
        errors.raise_if_any()
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                org=org,
                year=year,
                title=title,
                items=cleaned_items,
                rater_kinds=kinds,
                grade_rule=rule,
                meeting_on=meeting_on,
                created_by=user_of(actor),
            )
    except IntegrityError:
        errors.add("year", f"{org.name}已组织过 {year} 年度的述职评议")
        errors.raise_if_any()
    Report.objects.bulk_create(
        Report(campaign=campaign, org=o, secretary_name=name[:50]) for o, name in reporters
    )
    audit_about(
        actor,
        AuditAction.REVIEW_CAMPAIGN_OPEN,
        _campaign_subject(campaign),
        after={
            "org": org.code,
            "year": year,
            "items": cleaned_items,
            "rater_kinds": kinds,
            "grade_rule": rule,
            "reports": len(reporters),
        },
    )
    return campaign


def _require_reporter(actor: Actor, report: Report) -> None:
    require(actor, Perm.REVIEW_REPORT, report.org.path)


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("org", "campaign", "campaign__org")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_submit(*, actor: Actor, report: Report, text: str) -> Report:
    """Submit (or correct, until graded) the report's text."""
    _require_reporter(actor, report)
    report = _locked(report)
    errors = FieldErrors()
    text = errors.text("text", "述职报告", text, TEXT_MAX)
    if not text:
        errors.add("text", "请填写述职报告")
    if report.grade:
        errors.add("text", "该述职已评定等次，不能再修改")
    errors.raise_if_any()
    before = {"chars": len(report.text), "submitted": report.submitted_at is not None}
    report.text = text
    report.submitted_at = clock.now()
    report.submitted_by = user_of(actor)
    report.save(update_fields=["text", "submitted_at", "submitted_by"])
    audit_about(
        actor,
        AuditAction.REVIEW_REPORT_SUBMIT,
        _subject(report),
        before=before,
        after={"chars": len(text), "submitted": True},
    )
    return report


@transaction.atomic
def report_attach(*, actor: Actor, report: Report, name: str, data: bytes) -> ReportAttachment:
    """Store one file of the report (the shared upload checks: type, size, count)."""
    _require_reporter(actor, report)
    report = _locked(report)
    errors: dict[str, list[str]] = {}
    if report.grade:
        errors["file"] = ["该述职已评定等次，不能再上传材料"]
        raise ValidationError(errors)
    item: ReportAttachment = attachment_add(
        ReportAttachment,
        actor=actor,
        action=AuditAction.REVIEW_ATTACHMENT_ADD,
        subject=_subject(report),
        policy=ATTACHMENTS,
        name=name,
        data=data,
    )
    return item


@transaction.atomic
def problems_give(
    *,
    actor: Actor,
    report: Report,
    problems: Iterable[str],
    owner: str,
    deadline: dt.date | None,
) -> list[Problem]:
    """Give back the problem list: each problem becomes a task (owner, deadline) of the
    organization's rectification plan — the open one when there is one (one plan per
    organization, 一支一策), else a new plan of reason 述职评议问题."""
    report = _locked(report)
    _require_organizer(actor, report.campaign)
    errors = FieldErrors()
    texts = [p.strip() for p in problems if p and p.strip()]
    texts = list(dict.fromkeys(texts))
    if not texts:
        errors.add("problems", "请至少填写一个问题（每行一个）")
    if len(texts) > PROBLEMS_MAX:
        errors.add("problems", f"一次最多反馈 {PROBLEMS_MAX} 个问题")
    for n, t in enumerate(texts, start=1):
        if len(t) > PROBLEM_MAX:
            errors.add("problems", f"第 {n} 个问题过长（最多 {PROBLEM_MAX} 字）")
    errors.raise_if_any()
    tasks = [TaskInput(what=t, owner=owner, deadline=deadline, how="") for t in texts]
    plan = RectificationPlan.objects.filter(org=report.org, status=PlanStatus.OPEN).first()
    try:
        if plan is None:
            plan = plan_create(
                actor=actor,
                org=report.org,
                reason=PlanReason.REVIEW,
                summary=f"{report.campaign.title}反馈问题",
                tasks=tasks,
            )
            made = list(plan.tasks.order_by("pk"))[-len(tasks) :]
        else:
            made = [task_add(actor=actor, plan=plan, data=t) for t in tasks]
    except PermissionDenied:
        raise PermissionDenied(
            "反馈问题清单并交办整改须由上级党组织进行（需要“管理考核”权限）"
        ) from None
    out = [
        Problem.objects.create(report=report, text=t, task=task)
        for t, task in zip(texts, made, strict=True)
    ]
    audit_about(
        actor,
        AuditAction.REVIEW_PROBLEMS_GIVE,
        _subject(report),
        after={"problems": texts, "plan": plan.pk, "tasks": [t.pk for t in made]},
    )
    return out


def _count(errors: FieldErrors, where: str, raw: Any) -> int:
    text = str(raw if raw is not None else "").strip() or "0"
    if not text.isdigit() or int(text) > BALLOTS_MAX:
        errors.add("ballots", f"{where}：票数须为 0 到 {BALLOTS_MAX} 的整数")
        return 0
    return int(text)


@transaction.atomic
def ratings_record(
    *, actor: Actor, report: Report, ballots: Mapping[tuple[str, str], Mapping[str, Any]]
) -> list[RatingTally]:
    """Record the counted ballots: (rater kind, item) → {grade: count}. Replaces what was
    recorded for those pairs; the kinds and items are the campaign's."""
    report = _locked(report)
    campaign = report.campaign
    _require_organizer(actor, campaign)
    errors = FieldErrors()
    rows: list[RatingTally] = []
    for (kind, item), counts in ballots.items():
        where = f"{kind}·{item}"[:60]
        if kind not in campaign.rater_kinds:
            errors.add("ballots", f"评议人员类别“{str(kind)[:20]}”不在本次述职评议的设置中")
            continue
        if item not in campaign.items:
            errors.add("ballots", f"评议项目“{str(item)[:50]}”不在本次述职评议的设置中")
            continue
        unknown = set(counts) - set(Grade.values)
        if unknown:
            errors.add("ballots", f"{where}：等次只能是好、较好、一般、差")
        n = {g: _count(errors, f"{where}·{g}", counts.get(g)) for g in Grade.values}
        rows.append(
            RatingTally(
                report=report,
                rater_kind=kind,
                item=item,
                good=n[Grade.GOOD],
                fairly_good=n[Grade.FAIRLY_GOOD],
                average=n[Grade.AVERAGE],
                poor=n[Grade.POOR],
            )
        )
    if not ballots:
        errors.add("ballots", "请填写票数")
    if report.grade:
        errors.add("ballots", "该述职已评定等次，不能再修改票数")
    errors.raise_if_any()
    for r in rows:
        RatingTally.objects.filter(report=report, rater_kind=r.rater_kind, item=r.item).delete()
    RatingTally.objects.bulk_create(rows)
    audit_about(
        actor,
        AuditAction.REVIEW_RATINGS_RECORD,
        _subject(report),
        after={
            "tallies": [
                {"rater_kind": r.rater_kind, "item": r.item, **{g: c for g, c in r.counts.items()}}
                for r in rows
            ]
        },
    )
    return rows


@transaction.atomic
def grade_set(*, actor: Actor, report: Report, grade: str) -> Report:
    """Set the result (评议等次) of ``report``, the campaign's distribution rule enforced."""
    report = _locked(report)
    campaign = Campaign.objects.select_for_update().get(pk=report.campaign_id)
    _require_organizer(actor, campaign)
    errors = FieldErrors()
    grade = (grade or "").strip()
    if grade not in Grade.values:
        errors.add("grade", "请选择评议等次（好、较好、一般、差）")
        errors.raise_if_any()
    total = Report.objects.filter(campaign=campaign).count()
    limit = grade_limit(campaign, grade, total)
    if limit is not None:
        given = Report.objects.filter(campaign=campaign, grade=grade).exclude(pk=report.pk).count()
        if given + 1 > limit:
            share = round(float(campaign.grade_rule[grade]) * 100)
            errors.add(
                "grade",
                f"“{grade}”等次不得超过参评组织的 {share}%（共 {total} 个组织，最多 {limit} 个），"
                f"已评定 {given} 个，请调整",
            )
    errors.raise_if_any()
    before = {"grade": report.grade}
    report.grade = grade
    report.graded_at = clock.now()
    report.graded_by = user_of(actor)
    report.save(update_fields=["grade", "graded_at", "graded_by"])
    audit_about(
        actor, AuditAction.REVIEW_GRADE_SET, _subject(report), before=before, after={"grade": grade}
    )
    return report
