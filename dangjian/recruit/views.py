"""发展党员 pages: case list, opening a case, the case page with its step forms, the approval
queue, the upper levels' dashboard with the annual plans, and the export of a case's record.

Reads go through the scoped selectors with ``request.user`` (a case or organization outside the
user's subtree is a 404, a missing permission a 403); writes go through the services, whose
Chinese messages are shown on the form. A procedural mistake is never refused: it is saved and
appears among the case's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers, require
from dangjian.core.attachments import attachment_response, attachments_add_all
from dangjian.core.downloads import file_response
from dangjian.core.errors import put_errors
from dangjian.members.selectors import standings_on
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import breadcrumb, org_get, orgs_for
from dangjian.web.helpers import (
    BadInput,
    form_page,
    page,
    paginate,
    query_without,
    year_param,
)
from dangjian.web.pages import errors_text, form_saved, org_page
from dangjian.web.requests import SignedInRequest

from . import export as case_export
from .adapter import current_steps
from .authority import eligible_approvers
from .case import APPROVAL_STEPS, STEPS, earliest_after
from .display import finding_views
from .forms import (
    ApproverForm,
    AttachmentForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    DecisionForm,
    ExtensionForm,
    NoticeForm,
    PlanForm,
    ReviewForm,
    StepForm,
    WithdrawForm,
)
from .models import CaseStatus, Decision, NoticeKind, RecruitCase, RecruitStep
from .rules import all_specs, params_in_force, review_every
from .selectors import (
    STAGES,
    approval_queue,
    attachment_get,
    case_findings,
    case_get,
    case_timeline,
    dashboard,
    findings_by_case,
    plan_rows,
    queue_rows,
    stage_of,
    with_cases,
)
from .services import (
    APPROVER_STEPS,
    ATTACHMENT_MAX_BYTES,
    DECISION_STEPS,
    VOTE_STEPS,
    CaseUpdate,
    approval_extend,
    approval_period,
    attachment_add,
    attachment_delete,
    attachment_read,
    decide,
    open_case,
    record_notice,
    record_review,
    record_step,
    roll_voters,
    set_approver,
    set_plan,
    update_case,
    vote_roll_warning,
    withdraw_case,
)
from .web_selectors import branch_roll, case_list

SEVERITY_ORDER = {"error": 0, "warning": 1, "due": 2}
#: rows per page of each list of the dashboard (four lists on one page, read on a phone)
DASHBOARD_PER_PAGE = 20


def _titles() -> dict[str, str]:
    return {s.id: s.title for s in all_specs()}


def _year(request: SignedInRequest) -> int:
    return year_param(request, earliest=1950) or timezone.localdate().year


# --- case list --------------------------------------------------------------------------------


def _list(request: SignedInRequest, org: Organization | None) -> HttpResponse:
    require(request.user, Perm.RECRUIT_VIEW)
    today = timezone.localdate()
    form = CaseFilterForm(request.GET or None, stages=STAGES)
    if request.GET and not form.is_valid():
        raise BadInput(errors_text(form))
    params = form.cleaned_data if request.GET else {}
    prefix = org.path if org is not None else None
    if params.get("org"):
        sub = org_get(request.user, params["org"], perm=Perm.RECRUIT_VIEW)
        if prefix and not sub.path.startswith(prefix):
            raise BadInput("所选组织不在本组织之下")
        prefix = sub.path
    qs = case_list(
        request.user,
        prefix=prefix,
        stage=params.get("stage") or "",
        year=params.get("year"),
        at=today,
    )
    wanted = params.get("findings") or ""
    if wanted:
        # the checker decides, over the filtered cases (bulk rows: constant queries)
        from .adapter import load_records, prefetched
        from .selectors import findings_by_loaded

        loaded = load_records(qs)
        found = findings_by_loaded(loaded, today)
        keep = [
            i.case.pk for i in loaded if bool(_serious(found[i.case.case_no])) == (wanted == "yes")
        ]
        page = paginate(request, keep)
        rows_source: list[RecruitCase] = list(prefetched(qs.filter(pk__in=list(page))))
        rows_source.sort(key=lambda c: c.case_no)
    else:
        page = paginate(request, qs)
        from .adapter import prefetched

        rows_source = list(prefetched(qs.filter(pk__in=[c.pk for c in page])))
        rows_source.sort(key=lambda c: c.case_no)
        found = findings_by_case(rows_source, today)
    rows = []
    for case in rows_source:
        done = {n: s.done_on for n, s in current_steps(case).items() if s.done_on <= today}
        serious = _serious(found.get(case.case_no, []))
        rows.append(
            {
                "case": case,
                "stage": STAGES[stage_of(case, done)],
                "applied_on": done.get(1),
                "errors": sum(1 for f in serious if f.severity == "error"),
                "warnings": sum(1 for f in serious if f.severity == "warning"),
            }
        )
    can_open = org is not None and covers(request.user, Perm.RECRUIT_RECORD, org.path)
    return render(
        request,
        "recruit/index.html",
        {
            "org": org,
            "ancestors": breadcrumb(request.user, org) if org else [],
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without(request, "page"),
            "show_org_filter": org is None or org.org_type not in BRANCH_TYPES,
            "can_open": can_open
            and org is not None
            and org.org_type in BRANCH_TYPES
            and org.org_type != OrgType.TEMP_BRANCH,
            "temp_branch": org is not None and org.org_type == OrgType.TEMP_BRANCH,
            "can_approve": covers(request.user, Perm.RECRUIT_APPROVE, org.path if org else "")
            if org
            else _can(request.user, Perm.RECRUIT_APPROVE),
        },
    )


def _can(user: Any, perm: Perm) -> bool:
    from dangjian.accounts.scope import can

    return can(user, perm)


def _serious(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.severity in ("error", "warning")]


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The cases of the user's subtree; a branch secretary goes to the branch's list."""
    require(request.user, Perm.RECRUIT_VIEW)
    own = getattr(request.user, "org", None)
    if own is not None and own.org_type in BRANCH_TYPES and not request.GET:
        return redirect("recruit:branch", own.code)
    return _list(request, None)


@page("GET")
def branch(request: SignedInRequest, code: str) -> HttpResponse:
    """The cases of one organization (a branch, or a committee with its subtree)."""
    require(request.user, Perm.RECRUIT_VIEW)
    org = org_get(request.user, code, perm=Perm.RECRUIT_VIEW)
    return _list(request, org)


# --- opening a case ---------------------------------------------------------------------------


@page("GET", "POST")
def case_open(request: SignedInRequest, code: str) -> HttpResponse:
    """开案: an application arrives at a branch (step 1 recorded with it)."""
    require(request.user, Perm.RECRUIT_RECORD)
    org = org_get(request.user, code, perm=Perm.RECRUIT_RECORD)
    if org.org_type == OrgType.TEMP_BRANCH:
        raise BadInput(
            f"{org.name}是临时党支部，临时党支部不发展党员；"
            "请在申请人组织关系或工作、学习所在单位的党支部登记入党申请"
        )
    if org.org_type not in BRANCH_TYPES:
        raise BadInput(f"{org.name}是{org.org_type}，发展党员案例应建在党支部")
    form = CaseOpenForm(request.POST or None, initial={"applied_on": timezone.localdate()})
    if request.method == "POST" and (
        saved := form_saved(
            request,
            form,
            lambda _: open_case(actor=request.user, data=form.case_input(org)),
            lambda case: f"已建立发展党员案例 {case.case_no}：{case.name}",
        )
    ):
        return redirect("recruit:case", saved.value.pk)
    return form_page(request, "recruit/open.html", org_page(request, org, form=form))


# --- the case page ----------------------------------------------------------------------------


def _detail_lines(step: RecruitStep) -> list[str]:
    """The data of a step in Chinese, one line per item."""
    return case_export.step_lines(step.details or {})


def _may_record(user: Any, case: RecruitCase, number: int) -> bool:
    perm = Perm.RECRUIT_APPROVE if number in APPROVER_STEPS else Perm.RECRUIT_RECORD
    return covers(user, perm, case.org.path)


def _case_context(request: SignedInRequest, case: RecruitCase, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    user = request.user
    timeline = case_timeline(case, today)
    report = case_findings(case, today)
    closed = case.status in (
        CaseStatus.NOT_ADMITTED,
        CaseStatus.WITHDRAWN,
        CaseStatus.PROBATION_CANCELLED,
    )
    findings = [f for f in report.findings if not (closed and f.severity == "due")]
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule))
    titles = _titles()
    extendable = [
        step
        for step, (vote, _rule) in APPROVAL_STEPS.items()
        if vote in timeline.done and step not in timeline.done
    ]
    current = current_steps(case)
    all_steps = sorted(case.steps.all(), key=lambda s: (s.number, s.round))
    earlier_rounds = [s for s in all_steps if current.get(s.number) is not s]
    writable = not closed
    rows = []
    for number, name in STEPS.items():
        step = current.get(number)
        rows.append(
            {
                "number": number,
                "name": name,
                "step": step,
                "lines": _detail_lines(step) if step else [],
                "can": writable and _may_record(user, case, number),
                "approver_step": number in APPROVER_STEPS,
            }
        )
    can_record = covers(user, Perm.RECRUIT_RECORD, case.org.path)
    eligible = eligible_approvers(case.org) if can_record else []
    # RECRUIT-APPROVAL-3-MONTHS in force on the day of the vote (today before it)
    approval_months, approval_max_months = approval_period(17, timeline.done.get(15, today))
    context: dict[str, Any] = {
        "case": case,
        "org": case.org,
        "ancestors": breadcrumb(user, case.org),
        "timeline": timeline,
        "findings": finding_views(findings),
        "titles": titles,
        "not_checked": [
            (rule, titles.get(rule, "发展党员程序"), report.reason(case.case_no, rule))
            for rule in report.not_checked.get(case.case_no, [])
        ],
        "extensions": [
            (e, STEPS[e.step]) for e in sorted(case.extensions.all(), key=lambda e: e.step)
        ],
        "extension_form": forms.get("extension_form")
        or ExtensionForm(
            steps=extendable,
            initial={
                "step": extendable[0] if extendable else None,
                "months": approval_max_months,
                "approved_on": today,
                "approved_by": case.approver.name if case.approver else "",
            },
        ),
        "approval_months": approval_months,
        "approval_max_months": approval_max_months,
        "can_extend": bool(extendable)
        and covers(user, Perm.RECRUIT_APPROVE, case.org.path)
        and writable,
        "rows": rows,
        "earlier_rounds": [(s, _detail_lines(s)) for s in earlier_rounds],
        "notices": sorted(case.notices.all(), key=lambda n: n.first_day),
        "reviews": list(case.reviews.all()),
        "review_every": review_every(params_in_force("RECRUIT-ACTIVIST-REVIEW-HALF-YEAR", today)),
        "can_record": can_record and writable,
        "can_approve": covers(user, Perm.RECRUIT_APPROVE, case.org.path) and writable,
        "show_member": case.member_id is not None and covers(user, Perm.MEMBER_VIEW, case.org.path),
        "notice_form": forms.get("notice_form") or NoticeForm(),
        "review_form": forms.get("review_form") or ReviewForm(initial={"reviewed_on": today}),
        "approver_form": forms.get("approver_form")
        or ApproverForm(
            eligible=eligible, initial={"approver": case.approver_id} if case.approver_id else {}
        ),
        "eligible": eligible,
        "withdraw_form": forms.get("withdraw_form")
        or WithdrawForm(initial={"withdrawn_on": today}),
        "can_withdraw": can_record and case.status == CaseStatus.OPEN,
        "pdf": case_export.pdf_available(),
        "attachments": [
            (a, STEPS.get(a.step, "") if a.step else "")
            for a in case.attachments.defer("data").order_by("step", "pk")
        ],
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "can_attach": can_record,
        "can_download": covers(user, Perm.MEMBER_VIEW_PII, case.org.path),
        "max_mb": ATTACHMENT_MAX_BYTES // 1024 // 1024,
    }
    return context


@page("GET")
def case_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.RECRUIT_VIEW)
    case = case_get(request.user, pk)
    return render(request, "recruit/case.html", _case_context(request, case))


def _case_for_write(request: SignedInRequest, pk: int, perm: Perm) -> RecruitCase:
    require(request.user, perm)
    return case_get(request.user, pk, perm)


def _refused(request: SignedInRequest, pk: int, **forms: Any) -> HttpResponse:
    """The case page again (400) with the form that was not saved, showing why."""
    context = _case_context(request, case_get(request.user, pk), **forms)
    return render(request, "recruit/case.html", context, status=400)


@page("GET", "POST")
def step_record(request: SignedInRequest, pk: int, number: int) -> HttpResponse:
    """Record (or correct) one step; the form shows the fields that step needs."""
    if number not in STEPS:
        raise BadInput("步骤号应为 1–25")
    perm = Perm.RECRUIT_APPROVE if number in APPROVER_STEPS else Perm.RECRUIT_RECORD
    case = _case_for_write(request, pk, perm)
    current = current_steps(case).get(number)
    initial: dict[str, Any] = {"done_on": timezone.localdate()}
    if current is not None:
        initial.update(_step_initial(case, current))
    roll = branch_roll(case) if number in (2, 5, 9) else []
    voters = None
    if number in VOTE_STEPS:
        # 应到: the members with voting rights on the vote date, from the roll (the default)
        vote_day = initial["done_on"]
        voters = (vote_day, roll_voters(case, vote_day))
        initial.setdefault("entitled", voters[1])
    # the pickers show each member's standing on the step's date (留党察看, 停止党籍 …)
    standings = standings_on(roll, initial["done_on"]) if roll else {}
    form = StepForm(
        request.POST or None, number=number, roll=roll, standings=standings, initial=initial
    )
    if request.method == "POST" and form_saved(
        request, form, lambda _: _save_step(request, case, form), f"已记录：{form.title}"
    ):
        for warning in _step_warnings(request, case, form):
            messages.warning(request, warning)
        return redirect(reverse("recruit:case", args=[case.pk]) + f"#step-{number}")
    done = {n: s.done_on for n, s in current_steps(case).items() if n != number}
    after = earliest_after(number, done)
    return form_page(
        request,
        "recruit/step.html",
        org_page(
            request,
            case.org,
            case=case,
            form=form,
            number=number,
            name=STEPS[number],
            current=current,
            people_field=form["people"] if "people" in form.fields else None,
            voters=voters,
            after=(after[0], STEPS[after[0]], after[1]) if after else None,
            decision_step=number in DECISION_STEPS,
        ),
    )


def _step_warnings(request: SignedInRequest, case: RecruitCase, form: StepForm) -> list[str]:
    """What the secretary should know right after saving a step: the entered 应到 differs from
    the roll on the vote date; the step is dated before a step it depends on (RECRUIT-ORDER)."""
    d = form.cleaned_data
    warnings = []
    if form.number in VOTE_STEPS:
        warning = vote_roll_warning(case, d["done_on"], d["entitled"])
        if warning:
            warnings.append(warning)
    fresh = case_get(request.user, case.pk)
    key = f"step_{form.number}"
    for f in case_findings(fresh).findings:
        if f.rule == "RECRUIT-ORDER" and key in f.evidence:
            warnings.append(f"步骤顺序：{f.message}")
    return warnings


def _step_initial(case: RecruitCase, step: RecruitStep) -> dict[str, Any]:
    d = step.details or {}
    initial: dict[str, Any] = {"done_on": step.done_on, "note": step.note}
    if d.get("talker"):
        initial["talker"] = d["talker"]
    people = d.get("contacts") or d.get("introducers")
    if isinstance(people, list):
        initial["people"] = [p.get("member") for p in people if isinstance(p, dict)]
    vote = d.get("vote")
    if isinstance(vote, dict):
        initial.update({k: vote.get(k) for k in ("entitled", "present", "yes")})
        initial["written_opinions"] = vote.get("written_opinions", 0)
    if d.get("decision"):
        initial["decision"] = d["decision"]
        initial["extension_months"] = d.get("extension_months")
    if step.number == 10:
        initial["review"] = case.political_review
        initial["review_body"] = case.political_review_body
    if step.number == 11 and case.training_hours is not None:
        initial["hours"] = case.training_hours
    return initial


@transaction.atomic
def _save_step(request: SignedInRequest, case: RecruitCase, form: StepForm) -> None:
    """The step and, for steps 10 and 11, the case fields they carry (one transaction)."""
    data = form.step_input()
    d = form.cleaned_data
    if form.number == 10:
        update_case(
            actor=request.user,
            case=case,
            data=CaseUpdate(
                political_review=d["review"],
                political_review_on=data.done_on,
                political_review_body=d["review_body"],
            ),
        )
    if form.number == 11:
        update_case(actor=request.user, case=case, data=CaseUpdate(training_hours=d["hours"]))
    record_step(actor=request.user, case=case, data=data)


@dataclass(frozen=True)
class _CaseForm:
    """A form of the case page posted to a URL of its own: the permission it needs, its form
    (bound with ``form_kwargs(case)`` too), the service that saves it — called with the acting
    user, the case and the form's fields, renamed by ``args`` where the service names them
    otherwise — the message once saved (``done(case, fields)``) and where the case page opens
    again (``anchor``)."""

    perm: Perm
    form: Callable[..., Any]
    service: Callable[..., object]
    done: Callable[[RecruitCase, dict[str, Any]], str]
    anchor: str = ""
    args: Mapping[str, str] = field(default_factory=dict)
    form_kwargs: Callable[[RecruitCase], dict[str, Any]] = lambda case: {}


#: URL argument ``form`` → the form; in the case page's context it is ``<form>_form``
_CASE_FORMS = {
    # 公示: the window of one notice (first and last day)
    "notice": _CaseForm(
        Perm.RECRUIT_RECORD,
        NoticeForm,
        record_notice,
        lambda case, d: f"已记录{NoticeKind(d['kind']).label}公示",
        "#notices",
    ),
    # the half-yearly assessment of an activist
    "review": _CaseForm(
        Perm.RECRUIT_RECORD,
        ReviewForm,
        record_review,
        lambda case, d: "已记录积极分子考察",
        "#reviews",
        args={"review_note": "note"},
    ),
    # the approving 基层党委: only organizations with authority are offered and accepted
    "approver": _CaseForm(
        Perm.RECRUIT_RECORD,
        ApproverForm,
        set_approver,
        lambda case, d: f"审批党委：{d['approver'].name}",
        form_kwargs=lambda case: {"eligible": eligible_approvers(case.org)},
    ),
    # the upper committee's approved extension of an approval period (special cases)
    "extension": _CaseForm(
        Perm.RECRUIT_APPROVE,
        ExtensionForm,
        approval_extend,
        lambda case, d: f"已记录：{STEPS[d['step']]}期限延长至 {d['months']} 个月",
        "#extensions",
    ),
    # 终止: an open case ends (the applicant withdraws, moves away …); audited, kept
    "withdraw": _CaseForm(
        Perm.RECRUIT_RECORD,
        WithdrawForm,
        withdraw_case,
        lambda case, d: f"案例 {case.case_no} 已终止",
        args={"withdrawn_on": "on"},
    ),
}


@page("POST")
def case_form(request: SignedInRequest, pk: int, form: str) -> HttpResponse:
    """One form of the case page posted (``form``, a key of :data:`_CASE_FORMS`): saved, back
    to the case; not saved, the case page again with the form showing why."""
    spec = _CASE_FORMS[form]
    case = _case_for_write(request, pk, spec.perm)
    bound = spec.form(request.POST, **spec.form_kwargs(case))

    def save(d: dict[str, Any]) -> object:
        fields = {spec.args.get(name, name): value for name, value in d.items()}
        return spec.service(actor=request.user, case=case, **fields)

    if form_saved(request, bound, save, lambda _: spec.done(case, bound.cleaned_data)):
        return redirect(reverse("recruit:case", args=[case.pk]) + spec.anchor)
    return _refused(request, case.pk, **{f"{form}_form": bound})


@page("GET", "POST")
def case_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Applicant data: name, phone, category, priority group, expected leaving date."""
    case = _case_for_write(request, pk, Perm.RECRUIT_RECORD)
    initial = {
        "name": case.name,
        "category": case.category,
        "priority_group": case.priority_group,
        "expected_leaving_on": case.expected_leaving_on,
    }
    form = CaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form_saved(
        request,
        form,
        lambda _: update_case(actor=request.user, case=case, data=form.case_update()),
        "已保存申请人信息",
    ):
        return redirect("recruit:case", case.pk)
    return form_page(
        request, "recruit/edit.html", org_page(request, case.org, case=case, form=form)
    )


# --- the approval queue -----------------------------------------------------------------------


@page("GET")
def queue(request: SignedInRequest) -> HttpResponse:
    """待审批: pre-reviews and approvals waiting for the upper committee, oldest first."""
    require(request.user, Perm.RECRUIT_APPROVE)
    today = timezone.localdate()
    # the stored rows, paged in the database; the records when the rows do not hold today
    stored = queue_rows(request.user, today)
    items = stored if stored is not None else approval_queue(request.user, today)
    page = paginate(request, items)
    with_cases(page)  # the cases of this page only (one query)
    rows = [
        {
            "item": item,
            "choices": [(d, Decision(d).label) for d in DECISION_STEPS[item.step]],
        }
        for item in page
    ]
    return render(
        request,
        "recruit/queue.html",
        {"page": page, "rows": rows, "today": today, "query": query_without(request, "page")},
    )


@page("POST")
def decide_view(request: SignedInRequest, pk: int, step: int) -> HttpResponse:
    """One-step decision from the queue: pre-review (13), admission (17), conversion (24)."""
    if step not in DECISION_STEPS:
        raise BadInput("只有第 13、17、24 步有审批结论")
    case = _case_for_write(request, pk, Perm.RECRUIT_APPROVE)
    form = DecisionForm(request.POST)
    if form.is_valid() and (chosen := form.cleaned_data["decision"]) not in DECISION_STEPS[step]:
        form.add_error("decision", f"第 {step} 步不能作出“{Decision(chosen).label}”")
    if not form_saved(
        request,
        form,
        # the form's fields are the service's arguments (decided_on, decision, note, months)
        lambda d: decide(actor=request.user, case=case, step=step, **d),
        lambda _: f"{case.case_no} {case.name}：{STEPS[step]}——{Decision(chosen).label}",
    ):
        messages.error(request, f"{case.case_no} {case.name}：{errors_text(form)}")
    return redirect("recruit:queue")


# --- attachments (全程记实) ------------------------------------------------------------------


@page("POST")
def attachment_upload(request: SignedInRequest, pk: int) -> HttpResponse:
    """Attach documents to a case, optionally of one step (all files or none)."""
    case = _case_for_write(request, pk, Perm.RECRUIT_RECORD)
    form = AttachmentForm(request.POST, request.FILES)
    files = form.uploaded
    if form.is_valid():
        try:
            step = form.cleaned_data.get("step")
            attachments_add_all(
                files,
                lambda name, data: attachment_add(
                    actor=request.user, case=case, name=name, data=data, step=step
                ),
            )
        except ValidationError as exc:
            put_errors(form, exc)
    if form.errors:
        return _refused(request, pk, attachment_form=form)
    messages.success(request, f"已上传 {len(files)} 个附件")
    return redirect(reverse("recruit:case", args=[case.pk]) + "#attachments")


@page("GET")
def attachment_download(request: SignedInRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A document of the case, for those who may see personal data at the branch (audited)."""
    require(request.user, Perm.RECRUIT_VIEW)
    require(request.user, Perm.MEMBER_VIEW_PII)
    item = attachment_get(request.user, pk, attachment_id)
    return attachment_response(item, attachment_read(actor=request.user, attachment=item))


@page("POST")
def attachment_remove(request: SignedInRequest, pk: int, attachment_id: int) -> HttpResponse:
    require(request.user, Perm.RECRUIT_RECORD)
    item = attachment_get(request.user, pk, attachment_id, Perm.RECRUIT_RECORD)
    attachment_delete(actor=request.user, attachment=item)
    messages.success(request, f"已删除附件：{item.name}")
    return redirect(reverse("recruit:case", args=[pk]) + "#attachments")


# --- dashboard and plans ----------------------------------------------------------------------


@page("GET")
def dashboard_view(request: SignedInRequest) -> HttpResponse:
    """Upper levels: cases by stage, overdue approvals, probation ending, conversions due,
    cases with findings, plans against admissions (tables and charts)."""
    require(request.user, Perm.RECRUIT_VIEW)
    today = timezone.localdate()
    year = _year(request)
    code = request.GET.get("org", "").strip()
    org: Organization | None = None
    if code:
        if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
            raise BadInput(f"组织编码“{code[:32]}”无效")
        org = org_get(request.user, code, perm=Perm.RECRUIT_VIEW)
    board = dashboard(request.user, year, today, org.path if org else None)
    children = _dashboard_children(request.user, org)
    titles = _titles()
    # the four lists may hold thousands of cases: each is paged, and only the cases shown read
    lists = {
        name: paginate(request, items, param=f"page_{name}", per_page=DASHBOARD_PER_PAGE)
        for name, items in (
            ("overdue", board.overdue_approvals),
            ("ending", board.probation_ending),
            ("due", board.conversions_due),
            ("findings", board.with_findings),
            ("plans", board.plans),
        )
    }
    with_cases(row for name in ("overdue", "ending", "due", "findings") for row in lists[name])
    stage_chart = {
        "labels": [STAGES[k] for k in board.by_stage],
        "values": list(board.by_stage.values()),
    }
    groups = list(board.admitted_by_group)
    quota_by_group = {g: 0 for g in groups}
    top = _top_plans(board.plans)
    for plan in top:
        for g in plan.groups:
            if g.quota is not None:
                quota_by_group[g.group] = quota_by_group.get(g.group, 0) + g.quota
    group_chart = {
        "labels": groups,
        "series": [
            {"name": "单列计划", "values": [quota_by_group.get(g, 0) for g in groups]},
            {"name": "已接收", "values": [board.admitted_by_group[g] for g in groups]},
        ],
    }
    shown_plans = list(lists["plans"])  # the chart shows the plans of the table's page
    plan_chart = {
        "labels": [p.org_name for p in shown_plans],
        "series": [
            {"name": "计划", "values": [p.quota for p in shown_plans]},
            {"name": "已接收", "values": [p.admitted for p in shown_plans]},
        ],
    }
    return render(
        request,
        "recruit/dashboard.html",
        {
            "board": board,
            "year": year,
            "stages": [(STAGES[k], v, k) for k, v in board.by_stage.items()],
            "rules": [(r, titles.get(r, r), n) for r, n in board.findings_by_rule.items()],
            "stage_chart": stage_chart,
            "group_chart": group_chart,
            "group_rows": [
                (g, quota_by_group.get(g, 0), board.admitted_by_group[g]) for g in groups
            ],
            "plan_chart": plan_chart,
            "can_plan": _can(request.user, Perm.RECRUIT_APPROVE),
            "org": org,
            "ancestors": breadcrumb(request.user, org) if org else [],
            "children": children,
            "org_query": f"&org={org.code}" if org else "",
            "lists": lists,
            "queries": {name: query_without(request, f"page_{name}") for name in lists},
        },
    )


def _dashboard_children(user: Any, org: Organization | None) -> list[Organization]:
    """The organizations one level below ``org`` (or below the user's own node) that have
    organizations under them, to narrow the dashboard (one query)."""
    base = org or getattr(user, "org", None)
    qs = orgs_for(user, Perm.RECRUIT_VIEW)
    if base is not None:
        qs = qs.filter(path__startswith=base.path, depth=base.depth + 1)
    else:
        qs = qs.filter(depth=1)
    return list(qs.exclude(org_type__in=BRANCH_TYPES).order_by("code").only("code", "name"))


def _top_plans(plans: list[Any]) -> list[Any]:
    """The plans not nested under another plan of the list (their quotas are not summed twice)."""
    paths = [p.org_path for p in plans]
    return [
        p for p in plans if not any(p.org_path != q and p.org_path.startswith(q) for q in paths)
    ]


@page("GET", "POST")
def plans(request: SignedInRequest) -> HttpResponse:
    """年度发展党员计划: the plans of a year in scope, and the form to set one (upper levels)."""
    require(request.user, Perm.RECRUIT_APPROVE)
    today = timezone.localdate()
    year = _year(request)
    own = getattr(request.user, "org", None)
    initial = {"year": year, "org": own.code if own is not None else ""}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = orgs_for(request.user, Perm.RECRUIT_APPROVE).filter(code=d["org"]).first()
        if org is None:
            form.add_error("org", f"组织编码 {d['org']} 不存在或不在您的管辖范围内")
        else:
            try:
                set_plan(
                    actor=request.user,
                    org=org,
                    year=d["year"],
                    quota=d["quota"],
                    group_quotas=form.group_quotas(),
                )
            except ValidationError as exc:
                put_errors(form, exc)
            except PermissionDenied:
                form.add_error("org", "没有为该组织制定计划的权限")
            else:
                messages.success(request, f"已保存 {org.name} {d['year']} 年发展党员计划")
                return redirect(reverse("recruit:plans") + f"?year={d['year']}")
    rows = paginate(request, plan_rows(request.user, year, today))
    return form_page(
        request,
        "recruit/plans.html",
        {"form": form, "year": year, "rows": rows, "query": query_without(request, "page")},
    )


# --- export -----------------------------------------------------------------------------------


@page("POST")
def export(request: SignedInRequest, pk: int, fmt: str) -> HttpResponse:
    """The case's record (入党志愿书 / archive data) as .docx or .pdf; the export is audited."""
    if fmt not in case_export.CONTENT_TYPES:
        raise BadInput("只能导出为 .docx 或 .pdf")
    require(request.user, Perm.RECRUIT_VIEW)
    case = case_get(request.user, pk)
    try:
        data = case_export.export_case(actor=request.user, case=case, fmt=fmt)
    except case_export.ExportUnavailable as exc:
        raise BadInput(str(exc)) from None
    return file_response(
        data,
        filename=f"{case.case_no}-{case.name}-发展党员纪实.{fmt}",
        ascii_name=f"recruit-{case.case_no}.{fmt}",
        content_type=case_export.CONTENT_TYPES[fmt],
    )
