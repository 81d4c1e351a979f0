"""整改 pages: plans of the subtree (overdue first), a plan with its tasks, the upper level's
review, the overdue list and the ASSESS-WEAK suggestions.

Reads go through the scoped selectors with ``request.user`` (outside the subtree: 404; missing
permission: 403). Writes go through :mod:`dangjian.rectify.services`; their Chinese messages
are shown on the page and nothing is written on a refusal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.errors import error_text
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get, orgs_for
from dangjian.web.helpers import (
    BadInput,
    form_page,
    page,
    paginate,
    query_without,
)
from dangjian.web.pages import errors_text, form_saved, org_page
from dangjian.web.requests import SignedInRequest

from .choices import PlanReason, PlanStatus, TaskStatus, WeakCondition
from .forms import (
    NEW_PLAN_TASKS,
    OptionalTaskForm,
    PlanForm,
    ProgressForm,
    ReportForm,
    ReviewForm,
    TaskForm,
)
from .rules import weak_candidates, weak_thresholds
from .selectors import awaiting_review, overdue_tasks, plan_get, plan_list, task_get
from .services import (
    is_upper,
    plan_create,
    require_upper,
    task_add,
    task_confirm,
    task_progress,
    task_reopen,
    task_report_done,
    task_update,
)

#: the suggestions run the SETUP and LIFE checkers over the scope; above this, ask to narrow it
WEAK_SCOPE_MAX = 5000


def _messages_of(exc: ValidationError) -> str:
    return "；".join(m for errors in exc.message_dict.values() for m in errors)


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """整改方案: the subtree's plans, those with overdue tasks first."""
    require(request.user, Perm.ASSESS_VIEW)
    status = request.GET.get("status", "").strip()
    if status and status not in PlanStatus.values:
        raise BadInput(f"状态“{status[:20]}”无效")
    today = timezone.localdate()
    plans = plan_list(request.user, today=today, status=status or None)
    manage = can(request.user, Perm.ASSESS_MANAGE)
    return render(
        request,
        "rectify/index.html",
        {
            "page": paginate(request, plans),
            "query": query_without(request, "page"),
            "status": status,
            "statuses": PlanStatus.choices,
            "today": today,
            "overdue_count": overdue_tasks(request.user, today=today).count(),
            "review_count": awaiting_review(request.user).count() if manage else 0,
            "manage": manage,
        },
    )


def _task_rows(request: SignedInRequest, plan: Any, today: Any) -> list[dict[str, Any]]:
    tasks = list(plan.tasks.prefetch_related("progress").order_by("deadline", "pk"))
    return [
        {
            "task": t,
            "progress": list(t.progress.all()),
            "overdue": t.deadline < today and t.status in (TaskStatus.OPEN, TaskStatus.REOPENED),
        }
        for t in tasks
    ]


@page("GET")
def plan_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A plan on a phone: why, its tasks with progress; the actions the user may take."""
    require(request.user, Perm.ASSESS_VIEW)
    plan = plan_get(request.user, pk)
    today = timezone.localdate()
    upper = is_upper(request.user, plan.org)
    own = covers(request.user, Perm.ASSESS_SELF, plan.org.path) and plan.status == PlanStatus.OPEN
    return render(
        request,
        "rectify/plan.html",
        org_page(
            request,
            plan.org,
            plan=plan,
            rows=_task_rows(request, plan, today),
            today=today,
            upper=upper,
            own=own,
            progress_form=ProgressForm(initial={"on": today}),
            report_form=ReportForm(),
            review_form=ReviewForm(),
            task_form=TaskForm() if upper and plan.status == PlanStatus.OPEN else None,
        ),
    )


def _campaign_choices(org: Organization) -> list[tuple[int, str]]:
    from dangjian.assess.models import Result

    rows = (
        Result.objects.filter(org=org)
        .select_related("campaign")
        .order_by("-campaign__period_end", "-campaign_id")
    )
    return [
        (r.campaign_id, f"{r.campaign.name}（{r.total} 分，{r.get_tier_display()}）")
        for r in rows[:20]
    ]


@page("GET", "POST")
def plan_new(request: SignedInRequest, code: str) -> HttpResponse:
    """制定整改方案 for one organization (upper level), with the detected conditions ticked."""
    require(request.user, Perm.ASSESS_MANAGE)
    org = org_get(request.user, code, perm=Perm.ASSESS_MANAGE)
    require_upper(request.user, org)
    campaigns = _campaign_choices(org)
    form = PlanForm(request.POST or None, campaigns=campaigns)
    task_forms = [
        OptionalTaskForm(request.POST or None, prefix=f"t{n}") for n in range(NEW_PLAN_TASKS)
    ]
    campaign = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["campaign"]:
        from dangjian.assess.models import Campaign

        campaign = Campaign.objects.filter(pk=form.cleaned_data["campaign"]).first()
    detected = weak_candidates(request.user, org_code=org.code, campaign=campaign)
    found = {c["condition"]: c for d in detected if d.org.pk == org.pk for c in d.conditions}
    if request.method == "GET":
        form.initial = {
            "reason": PlanReason.WEAK if found else PlanReason.LAGGING,
            "conditions": list(found),
            "campaign": campaigns[0][0] if campaigns else None,
        }
    valid = form.is_valid() if request.method == "POST" else False
    valid = all([f.is_valid() for f in task_forms]) and valid

    def create(d: dict[str, Any]) -> Any:
        conditions = [
            found.get(code)
            or {
                "condition": code,
                "rule": "ASSESS-WEAK",
                "message": "上级组织认定",
                "evidence": {"entered_by_hand": True},
            }
            for code in d["conditions"]
        ]
        tasks = [f.task_input() for f in task_forms if not f.is_empty()]
        return plan_create(
            actor=request.user,
            org=org,
            reason=d["reason"],
            conditions=conditions,
            summary=d["summary"],
            tasks=tasks,
            campaign=campaign,
        )

    if valid and (saved := form_saved(request, form, create, lambda plan: f"已制定：{plan}")):
        return redirect("rectify:plan", saved.value.pk)
    return form_page(
        request,
        "rectify/plan_new.html",
        org_page(
            request,
            org,
            form=form,
            task_forms=task_forms,
            found=[found[k] for k in WeakCondition.values if k in found],
        ),
    )


@page("POST")
def task_new(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.ASSESS_MANAGE)
    plan = plan_get(request.user, pk)
    form = TaskForm(request.POST)
    if form_saved(
        request,
        form,
        lambda d: task_add(actor=request.user, plan=plan, data=form.task_input()),
        lambda _: f"已增加任务：{form.cleaned_data['what']}",
    ):
        return redirect("rectify:plan", plan.pk)
    raise BadInput(f"没有增加任务：{errors_text(form)}")


@page("GET", "POST")
def task_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """修改任务 (upper level; a confirmed task is final unless reopened)."""
    require(request.user, Perm.ASSESS_MANAGE)
    task = task_get(request.user, pk)
    require_upper(request.user, task.plan.org)
    initial = {"what": task.what, "how": task.how, "owner": task.owner, "deadline": task.deadline}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda d: task_update(actor=request.user, task=task, data=form.task_input()),
        lambda _: f"已修改任务：{form.cleaned_data['what']}",
    ):
        return redirect("rectify:plan", task.plan_id)
    return form_page(
        request, "rectify/task_edit.html", org_page(request, task.plan.org, task=task, form=form)
    )


def _task_action(request: SignedInRequest, pk: int, perm: Perm) -> Any:
    require(request.user, perm)
    return task_get(request.user, pk)


def _done(request: SignedInRequest, task: Any, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(f"/rectify/plans/{task.plan_id}/#task-{task.pk}")


def _refused(request: SignedInRequest, task: Any, exc: ValidationError) -> HttpResponse:
    return render(
        request,
        "web/bad_request.html",
        {"message": f"未保存：{error_text(exc)}"},
        status=400,
    )


@page("POST")
def progress_view(request: SignedInRequest, pk: int) -> HttpResponse:
    task = _task_action(request, pk, Perm.ASSESS_SELF)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        raise BadInput(f"未保存：{errors_text(form)}")
    try:
        data = form.cleaned_data
        task_progress(actor=request.user, task=task, text=data["text"], on=data["on"])
    except ValidationError as exc:
        return _refused(request, task, exc)
    return _done(request, task, "已填报进展")


@page("POST")
def report_view(request: SignedInRequest, pk: int) -> HttpResponse:
    task = _task_action(request, pk, Perm.ASSESS_SELF)
    form = ReportForm(request.POST)
    if not form.is_valid():
        raise BadInput("完成情况过长")
    try:
        task_report_done(actor=request.user, task=task, text=form.cleaned_data["text"])
    except ValidationError as exc:
        return _refused(request, task, exc)
    return _done(request, task, f"已报告完成，等待上级确认：{task.what}")


@page("POST")
def review_view(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    task = _task_action(request, pk, Perm.ASSESS_MANAGE)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise BadInput("审核意见过长")
    note = form.cleaned_data["note"]
    try:
        if action == "confirm":
            task_confirm(actor=request.user, task=task, note=note)
            text = f"已确认完成：{task.what}"
        elif action == "reopen":
            task_reopen(actor=request.user, task=task, note=note)
            text = f"已退回：{task.what}"
        else:
            raise BadInput("未知操作")
    except ValidationError as exc:
        return _refused(request, task, exc)
    return _done(request, task, text)


@page("GET")
def overdue(request: SignedInRequest) -> HttpResponse:
    """逾期任务 of the subtree and tasks waiting for the upper level's confirmation."""
    require(request.user, Perm.ASSESS_VIEW)
    today = timezone.localdate()
    return render(
        request,
        "rectify/overdue.html",
        {
            "page": paginate(request, overdue_tasks(request.user, today=today)),
            "query": query_without(request, "page"),
            # every task waiting for confirmation, paged (it was cut at 200 without a word)
            "review": paginate(request, awaiting_review(request.user), param="page_review"),
            "review_query": query_without(request, "page_review"),
            "today": today,
        },
    )


@page("GET")
def weak(request: SignedInRequest) -> HttpResponse:
    """软弱涣散线索: organizations meeting an ASSESS-WEAK condition, with the evidence."""
    require(request.user, Perm.ASSESS_MANAGE)
    require(request.user, Perm.FINDING_VIEW)
    code = request.GET.get("org", "").strip()[:32]
    root = org_get(request.user, code, perm=Perm.ASSESS_MANAGE) if code else None
    scope = orgs_for(request.user, Perm.ASSESS_MANAGE)
    if root is not None:
        scope = scope.filter(path__startswith=root.path)
    size = scope.count()
    too_big = size > WEAK_SCOPE_MAX
    from dangjian.assess.selectors import campaigns_for

    campaigns = list(
        campaigns_for(request.user)
        .filter(status__in=["scored", "final"])
        .order_by("-period_end", "-pk")[:20]
    )
    raw = request.GET.get("campaign", "").strip()
    if raw and not raw.isdigit():
        raise BadInput("所选考核无效")
    campaign = next((c for c in campaigns if str(c.pk) == raw), None) if raw else None
    if raw and raw != "0" and campaign is None:
        raise BadInput("所选考核不存在或尚未评分")
    if not raw and campaigns:
        campaign = campaigns[0]
    candidates = (
        []
        if too_big
        else weak_candidates(request.user, org_code=root.code if root else None, campaign=campaign)
    )
    rows = [
        {"c": c, "can_plan": c.open_plan_id is None and is_upper(request.user, c.org)}
        for c in candidates
    ]
    page = paginate(request, rows)
    if campaign is not None:
        from dangjian.assess.models import Result

        results = {
            r.org_id: r
            for r in Result.objects.filter(
                campaign=campaign, org_id__in=[row["c"].org.pk for row in page.object_list]
            ).only("org_id", "total", "tier", "stars")
        }
        for row in page.object_list:
            row["result"] = results.get(row["c"].org.pk)
    return render(
        request,
        "rectify/weak.html",
        {
            "root": root,
            "campaign": campaign,
            "campaigns": campaigns,
            "size": size,
            "too_big": too_big,
            "limit": WEAK_SCOPE_MAX,
            "page": page,
            "query": query_without(request, "page"),
            "total": len(rows),
            "weak": weak_thresholds(timezone.localdate()),
        },
    )
