"""Pages of 述职评议 (``/shuzhi/``), phone first:

- ``/shuzhi/``: the campaigns the user sees; the organizing level opens one;
- ``/shuzhi/<pk>/``: a campaign — every reporting organization with its report, ballots and
  grade, the grade distribution as a chart; ``results.xlsx`` the results;
- ``/shuzhi/report/<pk>/``: a secretary's report (text, files), the problem list given back
  (each one a rectification task), the grade; ``…/rate/`` the ballots form; ``…/meeting/`` the
  述职 meeting view with the organization's figures from the platform.

Reads through :mod:`dangjian.review.selectors`, writes through :mod:`dangjian.review.services`;
a refusal is shown in Chinese, nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.attachments import (
    AttachmentUploadForm,
    attachment_response,
    attachments_add_all,
)
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.orgs.choices import PARENT_TYPES
from dangjian.web.helpers import BadInput, action, date_input, page, refused
from dangjian.web.requests import SignedInRequest

from . import services
from .choices import Grade, RaterKind
from .exports import results_pdf, results_xlsx
from .models import Report
from .selectors import (
    ballots_by_report,
    ballots_of,
    campaign_get,
    campaigns_for,
    distribution,
    grade_limit,
    meeting_figures,
    report_get,
    reports_for,
    rule_text,
)


def _organizer(request: SignedInRequest, report_or_org_path: str) -> bool:
    return covers(request.user, Perm.REVIEW_MANAGE, report_or_org_path)


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The campaigns the user sees, newest first; the form to open one."""
    require(request.user, Perm.REVIEW_VIEW)
    org = getattr(request.user, "org", None)
    may_open = (
        can(request.user, Perm.REVIEW_MANAGE) and org is not None and org.org_type in PARENT_TYPES
    )
    return render(
        request,
        "review/index.html",
        {
            "campaigns": campaigns_for(request.user).order_by("-year", "org__path")[:200],
            "may_open": may_open,
            "org": org,
            "rater_kinds": RaterKind.choices,
            "year": timezone.localdate().year,
        },
    )


@page("POST")
def campaign_new(request: SignedInRequest) -> HttpResponse:
    """Open the user's organization's 述职评议 of a year."""
    require(request.user, Perm.REVIEW_MANAGE)
    org = getattr(request.user, "org", None)
    if org is None:
        raise BadInput("您的账号没有绑定组织，不能组织述职评议")
    raw_year = request.POST.get("year", "").strip()
    if not raw_year.isdigit() or len(raw_year) != 4:
        raise BadInput("年度须为四位数字，如 2026")
    raw_share = request.POST.get("good_share", "30").strip() or "30"
    try:
        share = float(raw_share) / 100
    except ValueError:
        raise BadInput("“好”等次比例须为 0 到 100 的数字") from None
    items = [i for i in request.POST.get("items", "").splitlines() if i.strip()]
    try:
        campaign = services.campaign_open(
            actor=request.user,
            org=org,
            year=int(raw_year),
            title=request.POST.get("title", ""),
            items=items or None,
            rater_kinds=request.POST.getlist("rater_kinds") or None,
            grade_rule={Grade.GOOD: share},
            meeting_on=date_input(request.POST.get("meeting_on", ""), "述职评议会日期"),
        )
    except ValidationError as exc:
        return refused(request, exc)
    messages.success(request, f"已发起{campaign.title}，共 {campaign.reports.count()} 个组织述职")
    return redirect("review:campaign", campaign.pk)


@page("GET")
def campaign_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A campaign: the reporting organizations with report, ballots, grade; the distribution."""
    require(request.user, Perm.REVIEW_VIEW)
    campaign = campaign_get(request.user, pk)
    reports = reports_for(request.user, campaign)
    ballots = ballots_by_report(campaign)
    rows = [(r, ballots.get(r.pk)) for r in reports]
    dist = distribution(campaign, reports)
    chart = {"labels": list(Grade.values), "counts": [dist[g] for g in Grade.values]}
    total = len(rows)
    return render(
        request,
        "review/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "dist": dist,
            "chart": chart,
            "rule": rule_text(campaign),
            "limit": grade_limit(campaign, Grade.GOOD, total),
            "organizer": _organizer(request, campaign.org.path),
        },
    )


@page("GET")
def results_file(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_VIEW)
    campaign = campaign_get(request.user, pk)
    data = results_xlsx(campaign, reports_for(request.user, campaign))
    return file_response(
        data,
        filename=f"{campaign.title}结果.xlsx",
        ascii_name=f"review-{campaign.year}.xlsx",
        content_type=MEDIA_TYPES["xlsx"],
    )


@page("GET")
def results_pdf_file(request: SignedInRequest, pk: int) -> HttpResponse:
    """The results as a PDF bulletin by organization."""
    require(request.user, Perm.REVIEW_VIEW)
    campaign = campaign_get(request.user, pk)
    data = results_pdf(campaign, reports_for(request.user, campaign))
    return file_response(
        data,
        filename=f"{campaign.title}结果通报.pdf",
        ascii_name=f"review-{campaign.year}.pdf",
        content_type=MEDIA_TYPES["pdf"],
    )


def _report_context(request: SignedInRequest, report: Report) -> dict[str, object]:
    organizer = _organizer(request, report.campaign.org.path)
    return {
        "report": report,
        "campaign": report.campaign,
        "ballots": ballots_of(report),
        "problems": report.problems.select_related("task").order_by("pk"),
        "files": report.attachments.order_by("pk"),
        "organizer": organizer,
        "may_report": covers(request.user, Perm.REVIEW_REPORT, report.org.path)
        and not report.grade,
        "grades": Grade.choices,
    }


@page("GET")
def report_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A secretary's 述职: the report, the files, the problems given back, the result."""
    require(request.user, Perm.REVIEW_VIEW)
    report = report_get(request.user, pk)
    return render(request, "review/report.html", _report_context(request, report))


@action
def report_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_REPORT)
    report = report_get(request.user, pk)
    services.report_submit(actor=request.user, report=report, text=request.POST.get("text", ""))
    messages.success(request, "已提交述职报告")
    return redirect("review:report", report.pk)


@action
def report_attach(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_REPORT)
    report = report_get(request.user, pk)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise BadInput("；".join(str(e) for e in form.non_field_errors()) or "请选择要上传的文件")
    attachments_add_all(
        form.uploaded,
        lambda name, data: services.report_attach(
            actor=request.user, report=report, name=name, data=data
        ),
    )
    messages.success(request, "已上传述职材料")
    return redirect("review:report", report.pk)


@page("GET")
def report_file(request: SignedInRequest, pk: int, file_id: int) -> HttpResponse:
    """A file of a report, to whoever reads the report (its organization, the upper levels)."""
    require(request.user, Perm.REVIEW_VIEW)
    report = report_get(request.user, pk)
    item = report.attachments.filter(pk=file_id).first()
    if item is None:
        raise Http404("文件不存在或不在您的管辖范围内")
    return attachment_response(item)


@action
def problems_give(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_MANAGE)
    report = report_get(request.user, pk)
    deadline = date_input(request.POST.get("deadline", ""), "整改时限", required=True)
    made = services.problems_give(
        actor=request.user,
        report=report,
        problems=request.POST.get("problems", "").splitlines(),
        owner=request.POST.get("owner", ""),
        deadline=deadline,
    )
    messages.success(request, f"已反馈 {len(made)} 个问题，并交办为整改任务")
    return redirect("review:report", report.pk)


@action
def grade_set(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.REVIEW_MANAGE)
    report = report_get(request.user, pk)
    services.grade_set(actor=request.user, report=report, grade=request.POST.get("grade", ""))
    messages.success(request, "已评定等次")
    return redirect("review:report", report.pk)


@page("GET", "POST", refusals=True)
def rate(request: SignedInRequest, pk: int) -> HttpResponse:
    """The ballots form: for each kind of rater and item, the counts of 好/较好/一般/差."""
    require(request.user, Perm.REVIEW_MANAGE)
    report = report_get(request.user, pk)
    campaign = report.campaign
    if request.method == "POST":
        ballots = {
            (kind, item): {
                g: request.POST.get(f"n-{k}-{i}-{gi}", "0") for gi, g in enumerate(Grade.values)
            }
            for k, kind in enumerate(campaign.rater_kinds)
            for i, item in enumerate(campaign.items)
        }
        services.ratings_record(actor=request.user, report=report, ballots=ballots)
        messages.success(request, "已登记票数")
        return redirect("review:report", report.pk)
    current = {(t.rater_kind, t.item): t.counts for t in report.tallies.all()}
    table = [
        (
            k,
            kind,
            [
                (
                    i,
                    item,
                    [
                        (gi, g, current.get((kind, item), {}).get(g, 0))
                        for gi, g in enumerate(Grade.values)
                    ],
                )
                for i, item in enumerate(campaign.items)
            ],
        )
        for k, kind in enumerate(campaign.rater_kinds)
    ]
    return render(request, "review/rate.html", {"report": report, "table": table})


@page("GET")
def meeting(request: SignedInRequest, pk: int) -> HttpResponse:
    """The 述职 meeting view: the report and what the platform records of the organization."""
    require(request.user, Perm.REVIEW_VIEW)
    report = report_get(request.user, pk)
    return render(
        request,
        "review/meeting.html",
        {**_report_context(request, report), "figures": meeting_figures(report, request.user)},
    )
