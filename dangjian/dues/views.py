"""The dues pages (phone first).

- ``/dangfei/``: the upper levels' overview of a subtree for a year up to a month: totals per
  child organization (organization level only: owed and unpaid member-months, amount
  collected, members flagged under DUES-ARREARS-6-MONTHS, remitted) and an ECharts chart of
  arrears by organization. Needs ``Perm.ORG_VIEW``.
- ``/dangfei/<code>/``: 本月党费 of a branch for its secretary: every member on the roll that
  month, the amount owed, paid or not, and one tap to mark paid; the DUES findings of the branch;
  a bank statement upload. Reading needs ``Perm.MEMBER_VIEW``, writing ``Perm.MEMBER_CHANGE``.
- ``/dangfei/<code>/ledger/<year>.<fmt>``: the yearly ledger (.xlsx, .pdf).
- ``/dangfei/<code>/bases/``: 党费核定 of a branch for a year: the members on the roll with their
  category and monthly amount (the base, personal data, only for the branch itself), a form to
  核定 one member, and one button to start the year from last year's 核定.
- ``/dangfei/<code>/exemptions/``: 正当理由 of a branch: record one for a member and a span of
  months; the branch's list.
- ``/dangfei/<code>/remittances/``: 党费上缴 of any organization for a year: collected, remitted,
  what each child organization collected and passed up (organization-level figures only), and
  the form to record a remittance. Reading needs ``Perm.ORG_VIEW``, writing ``Perm.MEMBER_CHANGE``.

Every write goes through :mod:`dangjian.dues.services`; a refusal is shown in Chinese and
nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.core.errors import error_text, errors_on
from dangjian.core.labels import source_label
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get, org_roots
from dangjian.rules.registry import rule_title
from dangjian.web.helpers import BadInput, form_page, page, paginate
from dangjian.web.requests import SignedInRequest

from . import months, selectors, services
from .choices import RATED, DuesCategory
from .forms import BaseForm, ExemptionForm, ImportForm, PayForm, RemitForm
from .ledger import export_pdf, export_xlsx, ledger_build
from .models import DuesBase, DuesExemption, DuesRemittance, DuesTally
from .rates import money


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
            "arrears_months": selectors.arrears_months(timezone.localdate()),
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
        "arrears_months": selectors.arrears_months(through),
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
            chart=selectors.chart(rows, selectors.arrears_months(through)),
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


# --- 党费核定, 正当理由, 上缴 --------------------------------------------------------------------


def _write_perm(request: SignedInRequest) -> Perm:
    return Perm.MEMBER_CHANGE if request.method == "POST" else Perm.MEMBER_VIEW


def _roll(org: Organization, years: Iterable[int]) -> list[Member]:
    """The members of branch ``org`` who owed dues in some month of ``years``, by name."""
    return [
        m
        for m in Member.objects.filter(org=org).prefetch_related("statuses").order_by("name", "pk")
        if any(services.on_roll_in(m, y) for y in years)
    ]


def _member_param(request: SignedInRequest) -> int | None:
    raw = request.GET.get("member", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@page("GET", "POST")
def bases(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code, _write_perm(request))
    year = _year(request.GET.get("year", ""), timezone.localdate().year)
    roll = _roll(org, [year])
    records = {
        b.member_id: b
        for b in DuesBase.objects.filter(member__in=roll, year=year).select_related("member")
    }
    before = set(
        DuesBase.objects.filter(member__in=roll, year=year - 1).values_list("member_id", flat=True)
    )
    initial: dict[str, object] = {}
    chosen = _member_param(request)
    if chosen is not None and any(m.pk == chosen for m in roll):
        initial["member"] = chosen
        record = records.get(chosen)
        if record is not None:
            shown = services.base_amount(request.user, record)
            initial.update(
                category=record.category,
                base=str(shown) if shown is not None else "",
                voluntary=str(record.voluntary) if record.voluntary is not None else "",
            )
        else:
            member = next(m for m in roll if m.pk == chosen)
            initial["category"] = services.default_category(member)
    form = BaseForm(request.POST or None, roll=roll, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = form.chosen()
        with errors_on(form):
            services.base_set(
                actor=request.user,
                member=member,
                year=year,
                category=form.cleaned_data["category"],
                base=form.cleaned_data["base"] or None,
                voluntary=form.cleaned_data["voluntary"] or None,
            )
            messages.success(request, f"已核定{member.name} {year} 年党费")
            return redirect(reverse("dues:bases", kwargs={"code": org.code}) + f"?year={year}")
    rows = []
    for m in roll:
        b = records.get(m.pk)
        rows.append(
            {
                "member": m,
                "record": b,
                "category": b.category if b else services.default_category(m),
                "base": services.base_amount(request.user, b) if b else None,
            }
        )
    may_change = covers(request.user, Perm.MEMBER_CHANGE, org.path)
    return form_page(
        request,
        "dues/bases.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "count_set": len(records),
            "to_carry": sum(1 for m in roll if m.pk not in records and m.pk in before),
            "form": form,
            "may_change": may_change,
            "sees_base": org.pk == getattr(request.user.org, "pk", None)
            and request.user.can(Perm.MEMBER_VIEW_PII),
            "rated": [str(c) for c in DuesCategory if c in RATED],
        },
    )


@page("POST")
def bases_carry(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code, Perm.MEMBER_CHANGE)
    year = _year(request.POST.get("year", ""), timezone.localdate().year)
    back = reverse("dues:bases", kwargs={"code": org.code}) + f"?year={year}"
    try:
        done = services.bases_carry_forward(actor=request.user, org=org, year=year)
    except ValidationError as exc:
        messages.error(request, "未完成，没有核定任何一人：" + error_text(exc))
        return redirect(back)
    text = f"已按 {year - 1} 年的交纳类别和基数核定 {len(done.made)} 人的 {year} 年党费"
    if done.missing:
        names = "、".join(m.name for m in done.missing[:10])
        more = " 等" if len(done.missing) > 10 else ""
        text += f"；{names}{more}共 {len(done.missing)} 人上年没有核定，请逐一核定"
    messages.success(request, text)
    return redirect(back)


@page("GET", "POST")
def exemptions(request: SignedInRequest, code: str) -> HttpResponse:
    org = _branch(request, code, _write_perm(request))
    this_year = timezone.localdate().year
    roll = _roll(org, [this_year - 1, this_year])
    initial: dict[str, object] = {}
    chosen = _member_param(request)
    if chosen is not None and any(m.pk == chosen for m in roll):
        initial["member"] = chosen
    form = ExemptionForm(request.POST or None, roll=roll, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = form.chosen()
        with errors_on(form):
            record = services.exemption_record(
                actor=request.user,
                member=member,
                month_from=form.cleaned_data["month_from"],
                month_to=form.cleaned_data["month_to"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                f"已登记{member.name} {months.label(record.month_from)}至"
                f"{months.label(record.month_to)}未交党费的正当理由",
            )
            return redirect(reverse("dues:exemptions", kwargs={"code": org.code}))
    listed = paginate(
        request,
        DuesExemption.objects.filter(member__org=org)
        .select_related("member")
        .order_by("-month_from", "-pk"),
    )
    return form_page(
        request,
        "dues/exemptions.html",
        {
            "org": org,
            "form": form,
            "page_obj": listed,
            "may_change": covers(request.user, Perm.MEMBER_CHANGE, org.path),
            "arrears_months": selectors.arrears_months(timezone.localdate()),
        },
    )


def _children_figures(org: Organization, year: int) -> list[dict[str, object]]:
    """Each child organization of ``org``: what its subtree collected in ``year`` and what it
    passed up to ``org`` (organization-level figures, no person)."""
    children = list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
    )
    if not children:
        return []
    cut = len(org.path) + Organization.steplen
    got: dict[str, Decimal] = {}
    for path, amount in (
        DuesTally.objects.filter(org__path__startswith=org.path, month__year=year)
        .exclude(org=org)
        .values("org__path")
        .annotate(s=Sum("amount"))
        .values_list("org__path", "s")
    ):
        got[path[:cut]] = got.get(path[:cut], Decimal(0)) + Decimal(amount or 0)
    passed = dict(
        DuesRemittance.objects.filter(org__in=children, year=year, to_org=org)
        .values("org_id")
        .annotate(s=Sum("amount"))
        .values_list("org_id", "s")
    )
    return [
        {
            "org": c,
            "collected": money(got.get(c.path, Decimal(0))),
            "remitted": money(Decimal(passed.get(c.pk) or 0)),
        }
        for c in children
    ]


@page("GET", "POST")
def remittances(request: SignedInRequest, code: str) -> HttpResponse:
    perm = Perm.MEMBER_CHANGE if request.method == "POST" else Perm.ORG_VIEW
    require(request.user, perm)
    org = org_get(request.user, code, perm=perm)
    year = _year(request.GET.get("year", ""), timezone.localdate().year)
    step = Organization.steplen
    parent = (
        Organization.objects.filter(path=org.path[:-step]).first() if len(org.path) > step else None
    )
    form = RemitForm(request.POST or None, initial={"remitted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with errors_on(form, {"year": "__all__", "org": "__all__"}):
            record = services.remittance_record(
                actor=request.user,
                org=org,
                year=year,
                amount=form.cleaned_data["amount"],
                remitted_on=form.cleaned_data["remitted_on"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"已登记{org.name} {year} 年上缴党费 {record.amount} 元")
            return redirect(
                reverse("dues:remittances", kwargs={"code": org.code}) + f"?year={year}"
            )
    done = list(DuesRemittance.objects.filter(org=org, year=year).order_by("remitted_on", "pk"))
    have = money(services.collected(org, year))
    remitted = money(sum((r.amount for r in done), Decimal(0)))
    return form_page(
        request,
        "dues/remittances.html",
        {
            "org": org,
            "year": year,
            "parent": parent,
            "collected": have,
            "remitted": remitted,
            "left": max(have - remitted, Decimal(0)),
            "done": done,
            "children": _children_figures(org, year),
            "form": form,
            "may_change": parent is not None and covers(request.user, Perm.MEMBER_CHANGE, org.path),
            "is_branch": selectors.is_branch(org),
            "may_open_branch": selectors.is_branch(org)
            and covers(request.user, Perm.MEMBER_VIEW, org.path),
        },
    )
