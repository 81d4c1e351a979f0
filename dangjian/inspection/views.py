"""Pages of 督查暗访, phone first (``/ducha/``):

- ``/ducha/``: the plans the user reads; ``/ducha/new/`` makes one (the inspecting level);
- ``/ducha/<pk>/``: a plan — the organizations to visit (drawn or hand-picked), the visits and
  findings (a 暗访's only for the inspecting level until published), publishing;
- ``/ducha/<pk>/visit/``: the visit form for the phone: the checklist, 符合/不符合/不适用 with a
  note and the severity of a problem, photos and short clips;
- ``/ducha/visit/<pk>/``: a visit with its photos and clips (download through the scope check);
- ``/ducha/findings/``: the findings the user reads, each turned into a rectification task
  (owner, deadline) and re-visited.

Reads through :mod:`dangjian.inspection.selectors` (outside: 404), writes through
:mod:`dangjian.inspection.services`; a refusal is a 400 page in Chinese, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core import uploads
from dangjian.core.attachments import attachment_response
from dangjian.orgs.models import Organization
from dangjian.web.helpers import (
    BadInput,
    action,
    date_input,
    page,
    paginate,
    query_without,
)
from dangjian.web.requests import SignedInRequest

from . import services
from .checklist import available_checklists, get_checklist
from .choices import Kind, Result, Severity
from .models import VisitMedia
from .selectors import (
    finding_get,
    findings_for,
    may_manage,
    may_record,
    may_see_results,
    plan_get,
    plans_for,
    visit_get,
)


def _today() -> dt.date:
    return timezone.localdate()


def _date(request: SignedInRequest, field: str, label: str) -> dt.date:
    day = date_input(request.POST.get(field, ""), label, required=True)
    assert day is not None
    return day


def _own_org(request: SignedInRequest) -> Organization:
    org = getattr(request.user, "org", None)
    if org is None:
        raise BadInput("您的账号没有所属组织，不能制定督查计划")
    return org


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The plans the user reads, newest first."""
    require(request.user, Perm.INSPECTION_VIEW)
    plans = plans_for(request.user).order_by("-starts_on", "-pk")
    return render(
        request,
        "inspection/index.html",
        {
            "page": paginate(request, plans),
            "query": query_without(request, "page"),
            "may_plan": can(request.user, Perm.INSPECTION_MANAGE),
        },
    )


def _inspector_choices(org: Organization) -> list[User]:
    """Users who may be listed: active, bound at or above ``org``, reading its inspections."""
    step = Organization.steplen
    paths = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    users = User.objects.filter(org__path__in=paths, is_active=True).order_by("username")[:200]
    return [u for u in users if covers(u, Perm.INSPECTION_VIEW, org.path)]


@page("GET", "POST", refusals=True)
def plan_new(request: SignedInRequest) -> HttpResponse:
    """制定督查计划 at the user's own level."""
    require(request.user, Perm.INSPECTION_MANAGE)
    org = _own_org(request)
    pool = Organization.objects.filter(pk__in=[pk for pk, _c, _s in services.population(org)])
    pool = pool.order_by("path")
    inspectors = _inspector_choices(org)
    if request.method == "POST":
        picked_ids = {int(i) for i in request.POST.getlist("hand_picked") if i.isdigit()}
        chosen_ids = {int(i) for i in request.POST.getlist("inspectors") if i.isdigit()}
        seed_text = request.POST.get("sampling_seed", "").strip()
        if seed_text and not (seed_text.isdigit() and len(seed_text) <= 12):
            raise BadInput("抽样种子请填写不超过 12 位的正整数，或留空由系统生成")
        data = services.PlanInput(
            title=request.POST.get("title", ""),
            kind=request.POST.get("kind", ""),
            org=org,
            checklist_key=request.POST.get("checklist_key", ""),
            starts_on=_date(request, "starts_on", "开始日期"),
            ends_on=_date(request, "ends_on", "结束日期"),
            sample_share=request.POST.get("sample_share", "0"),
            sampling_seed=int(seed_text) if seed_text else None,
            hand_picked=[o for o in pool if o.pk in picked_ids],
            inspectors=[u for u in inspectors if u.pk in chosen_ids],
        )
        plan = services.plan_create(actor=request.user, data=data)
        messages.success(request, f"已制定督查计划，检查对象 {plan.targets.count()} 个")
        return redirect("inspection:plan", plan.pk)
    return render(
        request,
        "inspection/plan_new.html",
        {
            "org": org,
            "pool": pool[:500],
            "inspectors": inspectors,
            "kinds": Kind.choices,
            "checklists": list(available_checklists().values()),
            "today": _today(),
        },
    )


@page("GET")
def plan_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.INSPECTION_VIEW)
    plan = plan_get(request.user, pk)
    results = may_see_results(request.user, plan)
    visits = plan.visits.select_related("org").order_by("-visited_on", "-pk") if results else []
    findings = (
        findings_for(request.user).filter(visit__plan=plan).order_by("org__path", "pk")
        if results
        else []
    )
    return render(
        request,
        "inspection/plan.html",
        {
            "plan": plan,
            "checklist": get_checklist(plan.checklist_key),
            "targets": plan.targets.select_related("org"),
            "inspectors": plan.inspectors.order_by("username"),
            "results": results,
            "visits": visits,
            "findings": findings,
            "may_record": may_record(request.user, plan),
            "may_manage": may_manage(request.user, plan),
        },
    )


@action
def plan_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.INSPECTION_MANAGE)
    plan = plan_get(request.user, pk)
    services.plan_publish(actor=request.user, plan=plan)
    messages.success(request, "督查结果已发布")
    return redirect("inspection:plan", plan.pk)


def _observations(request: SignedInRequest, codes: list[str]) -> list[services.ObservationInput]:
    out = []
    for code in codes:
        result = request.POST.get(f"result-{code}", "").strip()
        if not result:
            continue  # not seen on this visit
        out.append(
            services.ObservationInput(
                code=code,
                result=result,
                note=request.POST.get(f"note-{code}", ""),
                severity=request.POST.get(f"severity-{code}", ""),
            )
        )
    return out


@page("GET", "POST", refusals=True)
def visit_new(request: SignedInRequest, pk: int) -> HttpResponse:
    """记录现场检查 on a phone: the checklist, observations, photos and clips, in one form."""
    require(request.user, Perm.INSPECTION_VIEW)
    plan = plan_get(request.user, pk)
    if not may_record(request.user, plan):
        raise PermissionDenied("只有本级督查组织者和该计划的督查人员可以记录检查")
    checklist = get_checklist(plan.checklist_key)
    targets = plan.targets.select_related("org")
    if request.method == "POST":
        raw = request.POST.get("org", "")
        target = targets.filter(org_id=int(raw)).first() if raw.isdigit() else None
        files = request.FILES.getlist("files")
        uploads.refuse_oversized(files, max_bytes=uploads.MAX_VIDEO_BYTES)
        with transaction.atomic():
            visit = services.visit_record(
                actor=request.user,
                plan=plan,
                org=target.org if target else None,
                visited_on=_date(request, "visited_on", "检查日期"),
                observations=_observations(request, [i.code for i in checklist.items]),
                note=request.POST.get("note", ""),
            )
            for f in files:
                services.media_add(
                    actor=request.user, visit=visit, name=f.name or "", data=f.read()
                )
        messages.success(request, f"已记录现场检查，发现问题 {visit.findings.count()} 个")
        return redirect("inspection:visit", visit.pk)
    return render(
        request,
        "inspection/visit_new.html",
        {
            "plan": plan,
            "checklist": checklist,
            "targets": targets,
            "results": Result.choices,
            "severities": Severity.choices,
            "today": min(_today(), plan.ends_on),
            "max_video_mb": uploads.MAX_VIDEO_BYTES // 1024 // 1024,
            "max_photo_mb": uploads.MAX_BYTES // 1024 // 1024,
        },
    )


@page("GET")
def visit_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.INSPECTION_VIEW)
    visit = visit_get(request.user, pk)
    checklist = get_checklist(visit.plan.checklist_key)
    rows = [(checklist.item(o.item_code), o) for o in visit.observations.order_by("pk")]
    return render(
        request,
        "inspection/visit.html",
        {
            "visit": visit,
            "rows": rows,
            "media": visit.media.defer("data"),
            "findings": visit.findings.order_by("pk"),
        },
    )


@page("GET")
def media_file(request: SignedInRequest, pk: int, media_id: int) -> HttpResponse:
    require(request.user, Perm.INSPECTION_VIEW)
    visit = visit_get(request.user, pk)
    item = VisitMedia.objects.filter(visit=visit, pk=media_id).first()
    if item is None:
        raise Http404("文件不存在或不在您的管辖范围内")
    return attachment_response(item)


@page("GET")
def findings(request: SignedInRequest) -> HttpResponse:
    """The findings the user reads; open ones (no task yet, or not confirmed) first."""
    require(request.user, Perm.INSPECTION_VIEW)
    rows = findings_for(request.user).order_by("revisit", "-visit__visited_on", "pk")
    listed = paginate(request, rows)
    managed: dict[int, bool] = {}
    items: list[dict[str, Any]] = []
    for f in listed.object_list:
        plan = f.visit.plan
        if plan.pk not in managed:
            managed[plan.pk] = may_manage(request.user, plan)
        items.append({"f": f, "manage": managed[plan.pk]})
    return render(
        request,
        "inspection/findings.html",
        {
            "page": listed,
            "items": items,
            "query": query_without(request, "page"),
            "today": _today(),
        },
    )


@action
def finding_task(request: SignedInRequest, pk: int) -> HttpResponse:
    """转为整改任务: owner and deadline (and optionally the task's wording)."""
    require(request.user, Perm.INSPECTION_MANAGE)
    finding = finding_get(request.user, pk)
    deadline = date_input(request.POST.get("deadline", ""), "完成时限")
    services.finding_to_task(
        actor=request.user,
        finding=finding,
        owner=request.POST.get("owner", ""),
        deadline=deadline,
        what=request.POST.get("what", ""),
        how=request.POST.get("how", ""),
    )
    messages.success(request, "已转为整改任务")
    return redirect("inspection:findings")


@action
def finding_revisit(request: SignedInRequest, pk: int) -> HttpResponse:
    """复查: passed (the task is confirmed) or not (sent back with the reason)."""
    require(request.user, Perm.INSPECTION_MANAGE)
    finding = finding_get(request.user, pk)
    verdict = request.POST.get("passed", "")
    if verdict not in ("1", "0"):
        raise BadInput("请选择复查是否通过")
    services.finding_revisit(
        actor=request.user,
        finding=finding,
        passed=verdict == "1",
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已记录复查结果")
    return redirect("inspection:findings")
