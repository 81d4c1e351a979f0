"""The dues pages (phone first).

- ``/dangfei/``: the upper levels' overview of a subtree for a year up to a month: totals per
  child organization (organization level only: owed and unpaid member-months, amount
  collected, members flagged under DUES-ARREARS-6-MONTHS, remitted) and an ECharts chart of
  arrears by organization. Needs ``Perm.ORG_VIEW``.
- ``/dangfei/<code>/``: 本月党费 of a branch for its secretary: every member on the roll that
  month, the amount owed, paid or not, and one tap to mark paid; the DUES findings of the branch;
  a bank statement upload. Reading needs ``Perm.MEMBER_VIEW``, writing ``Perm.MEMBER_CHANGE``.
- ``/dangfei/<code>/ledger/<year>.<fmt>``: the yearly ledger (.xlsx, .pdf).

Every write goes through :mod:`dangjian.dues.services`; a refusal is shown in Chinese and
nothing is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.core.errors import error_text
from dangjian.core.labels import source_label
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get, org_roots
from dangjian.rules.registry import rule_title
from dangjian.web.helpers import BadInput, page
from dangjian.web.requests import SignedInRequest

from . import months, selectors, services
from .forms import ImportForm, PayForm
from .ledger import export_pdf, export_xlsx, ledger_build


def _month(request: SignedInRequest) -> dt.date:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return months.first(timezone.localdate())
    try:
        return months.parse(raw)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def _year(raw: str, default: int) -> int:
    raw = raw.strip()
    if not raw:
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise BadInput(f"年度“{raw[:10]}”无效，应为 2000 至 2100 之间的年份")
    return int(raw)


def _branch(request: SignedInRequest, code: str, perm: Perm = Perm.MEMBER_VIEW) -> Organization:
    require(request.user, perm)
    org = org_get(request.user, code, perm=perm)
    if not selectors.is_branch(org):
        raise Http404("该组织不是有党员名册的党支部")
    return org


@page("GET")
def month(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code)
    when = _month(request)
    rows = selectors.month_sheet(request.user, org, when)
    due = sum((r.due for r in rows if r.due is not None), Decimal(0))
    paid = sum((r.payment.amount for r in rows if r.payment is not None), Decimal(0))
    findings = [
        {"title": rule_title(f.rule), "message": f.message, "source": source_label(f.source)}
        for f in selectors.branch_findings(request.user, org, timezone.localdate())
    ]
    return render(
        request,
        "dues/month.html",
        {
            "org": org,
            "month": when,
            "month_label": months.label(when),
            "month_value": f"{when.year}-{when.month:02d}",
            "prev": f"{months.add(when, -1):%Y-%m}",
            "next": f"{months.add(when, 1):%Y-%m}",
            "rows": rows,
            "count_paid": sum(1 for r in rows if r.paid),
            "due": due,
            "paid": paid,
            "findings": findings,
            "may_change": covers(request.user, Perm.MEMBER_CHANGE, org.path),
            "import_form": ImportForm(),
            "columns": services.IMPORT_COLUMNS,
        },
    )


def _back(org: Organization, month_value: str) -> HttpResponse:
    return redirect(reverse("dues:month", kwargs={"code": org.code}) + f"?month={month_value}")


@page("POST")
def pay(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code, Perm.MEMBER_CHANGE)
    form = PayForm(request.POST)
    if not form.is_valid():
        raise BadInput("请求不完整：请从本月党费页面点“标记已交”")
    try:
        when = months.parse(form.cleaned_data["month"])
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    member = Member.objects.filter(pk=form.cleaned_data["member"], org=org).first()
    if member is None:
        raise BadInput("本支部名册上没有该党员")
    try:
        services.payment_record(
            actor=request.user,
            member=member,
            month=when,
            paid_on=timezone.localdate(),
            amount=form.cleaned_data["amount"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已登记{member.name} {months.label(when)}党费")
    return _back(org, f"{when:%Y-%m}")


@page("POST")
def import_file(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code, Perm.MEMBER_CHANGE)
    form = ImportForm(request.POST, request.FILES)
    back = request.POST.get("month", "")
    try:
        months.parse(back)
    except ValueError:
        back = f"{timezone.localdate():%Y-%m}"
    if not form.is_valid():
        messages.error(request, "请选择银行流水文件（.xlsx 或 .csv）")
        return _back(org, back)
    upload = form.cleaned_data["file"]
    try:
        made = services.payments_import(
            actor=request.user, org=org, source=upload, filename=upload.name or ""
        )
    except ValidationError as exc:
        messages.error(request, "导入未完成，没有登记任何一笔：" + error_text(exc))
    else:
        messages.success(request, f"已从银行流水登记 {len(made)} 笔党费")
    return _back(org, back)


@page("GET")
def ledger(request: SignedInRequest, code: str, year: int, fmt: str) -> HttpResponse:
    org = _branch(request, code)
    if fmt not in ("xlsx", "pdf") or not 2000 <= year <= 2100:
        raise Http404("没有这种格式的台账")
    book = ledger_build(request.user, org, year)
    data = export_xlsx(book) if fmt == "xlsx" else export_pdf(book)
    return file_response(
        data,
        filename=f"{book.title}.{fmt}",
        content_type=MEDIA_TYPES[fmt],
        ascii_name=f"dues-ledger-{org.code}-{year}.{fmt}",
    )


def _root(request: SignedInRequest) -> Organization | None:
    code = request.GET.get("org", "").strip()
    if not code:
        return org_roots(request.user).order_by("path").first()
    if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        raise BadInput(f"组织编码“{code[:32]}”无效")
    return org_get(request.user, code, perm=Perm.ORG_VIEW)


@page("GET")
def overview(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.ORG_VIEW)
    root = _root(request)
    today = timezone.localdate()
    through = months.add(months.first(today), -1)
    raw = request.GET.get("month", "").strip()
    if raw:
        try:
            through = months.parse(raw)
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
    context: dict[str, object] = {
        "root": root,
        "through": through,
        "through_label": months.label(through),
        "month_value": f"{through:%Y-%m}",
    }
    if root is not None:
        total, rows = selectors.org_totals(request.user, root, through.year, through)
        context.update(
            total=total,
            rows=[
                {
                    "row": r,
                    "is_branch": selectors.is_branch(r.org),
                    "may_open": selectors.is_branch(r.org)
                    and covers(request.user, Perm.MEMBER_VIEW, r.org.path),
                }
                for r in rows
            ],
            chart=selectors.chart(rows),
            root_is_branch=selectors.is_branch(root),
            may_open_root=selectors.is_branch(root) and can(request.user, Perm.MEMBER_VIEW),
            parent=(
                Organization.objects.filter(path=root.path[: -Organization.steplen]).first()
                if len(root.path) > Organization.steplen
                and request.user.org is not None
                and root.path != request.user.org.path
                else None
            ),
        )
    return render(request, "dues/overview.html", context)
