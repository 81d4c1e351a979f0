"""Pages of 两新组织覆盖 and 党建指导员, phone first (``/liangxin/``):

- ``/liangxin/``: the register (filters: name or code, region, sector, type, coverage);
  ``new/`` registers a unit, ``import/`` imports a file (all-or-nothing);
- ``/liangxin/<pk>/``: a unit — its coverage this year, advisors, visits, with the forms to
  assign an advisor, end an assignment and record a visit; ``<pk>/edit/`` changes it;
- ``/liangxin/coverage/``: 组织覆盖 and 工作覆盖 by region and sector with charts, and its
  ``.xlsx``/``.pdf``; ``blanks/``: the 空白点; ``advisors/``: the advisors and their visits.

Reads through :mod:`dangjian.liangxin.selectors` (a unit outside the scope: 404), writes through
:mod:`dangjian.liangxin.services`; a refusal is shown in Chinese, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, require
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.exchange.forms import checked_table_file, limit_label
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.web.helpers import (
    BadInput,
    action,
    date_input,
    page,
    paginate,
    picked,
    query_without,
    year_param,
)
from dangjian.web.requests import SignedInRequest

from . import selectors, services
from .boundaries import boundaries
from .choices import AdvisorRole, Industry, OrgMode, Size, UnitKind
from .exports import coverage_pdf, coverage_xlsx
from .imports import COLUMNS, REQUIRED, import_units
from .models import Assignment, Unit

COVERAGE_FILTERS = {
    "organized": "有党组织",
    "worked": "工作覆盖",
    "blank": "空白点",
    "closed": "已注销",
}


def _today() -> dt.date:
    return timezone.localdate()


def _nav(request: SignedInRequest) -> dict[str, Any]:
    return {"may_record": can(request.user, Perm.LIANGXIN_RECORD)}


def _year(request: SignedInRequest) -> int:
    return year_param(request, earliest=2000) or _today().year


def _root(request: SignedInRequest) -> Organization | None:
    code = request.GET.get("org", "").strip()
    if not code:
        return None
    org = orgs_for(request.user, Perm.LIANGXIN_VIEW).filter(code=code[:32]).first()
    if org is None:
        raise BadInput(f"组织“{code[:32]}”不存在或不在您的管辖范围内")
    return org


def _scoped(request: SignedInRequest) -> tuple[Organization | None, QuerySet[Unit]]:
    require(request.user, Perm.LIANGXIN_VIEW)
    root = _root(request)
    units = selectors.units_for(request.user)
    if root is not None:
        units = units.filter(org__path__startswith=root.path)
    return root, units


def _filtered(request: SignedInRequest, units: QuerySet[Unit], year: int) -> QuerySet[Unit]:
    q = request.GET.get("q", "").strip()[:100]
    if q:
        units = units.filter(Q(name__contains=q) | Q(uscc=services.normalise_uscc(q)))
    region = request.GET.get("region", "").strip()
    if region:
        if not region.isdigit() or len(region) > 12:
            raise BadInput(f"行政区划代码“{region[:20]}”无效，应为数字")
        units = units.filter(region_code__startswith=region)
    for name, choices in (("industry", Industry), ("kind", UnitKind)):
        value = request.GET.get(name, "").strip()
        if value:
            if value not in choices.values:
                raise BadInput(f"筛选条件“{value[:20]}”无效")
            units = units.filter(**{name: value})
    status = request.GET.get("coverage", "").strip()
    if status:
        if status not in COVERAGE_FILTERS:
            raise BadInput(f"筛选条件“{status[:20]}”无效")
        at = selectors.counting_day(year, _today())
        if status == "closed":
            return units.exclude(selectors.registered_on(at))
        cond = selectors.conditions(year, at, selectors.min_visits(at))
        units = units.filter(selectors.registered_on(at)).filter(getattr(cond, status))
    return units


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The register, filtered."""
    root, units = _scoped(request)
    year = _year(request)
    listed = _filtered(request, units, year).select_related("party_org").order_by("name", "pk")
    return render(
        request,
        "liangxin/index.html",
        {
            "page": paginate(request, listed),
            "root": root,
            "year": year,
            "industries": Industry.choices,
            "kinds": UnitKind.choices,
            "coverages": COVERAGE_FILTERS.items(),
            "f": request.GET,
            "query": query_without(request, "page"),
            **_nav(request),
        },
    )


def _org_by_code(request: SignedInRequest, field: str, label: str) -> Organization | None:
    code = request.POST.get(field, "").strip()[:32]
    if not code:
        return None
    org = orgs_for(request.user, Perm.LIANGXIN_RECORD).filter(code=code).first()
    if org is None:
        raise BadInput(f"{label}“{code}”不存在或不在您的管辖范围内")
    return org


def _unit_data(request: SignedInRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: request.POST.get(name, "")
        for name in (
            "name",
            "uscc",
            "kind",
            "industry",
            "size",
            "address",
            "region_code",
            "org_mode",
            "employees",
            "members",
        )
    }
    data["org"] = _org_by_code(request, "org", "管理党组织编码")
    data["party_org"] = _org_by_code(request, "party_org", "所在党组织编码")
    return data


def _form_context(request: SignedInRequest, unit: Unit | None) -> dict[str, Any]:
    return {
        "unit": unit,
        "kinds": UnitKind.choices,
        "industries": Industry.choices,
        "sizes": Size.choices,
        "modes": OrgMode.choices,
        "own_org": request.user.org,
        **_nav(request),
    }


@page("GET", "POST", refusals=True)
def unit_new(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.LIANGXIN_RECORD)
    if request.method == "POST":
        unit = services.unit_create(actor=request.user, data=_unit_data(request))
        messages.success(request, f"已登记 {unit.name}")
        return redirect("liangxin:unit", unit.pk)
    return render(request, "liangxin/unit_form.html", _form_context(request, None))


@page("GET", "POST", refusals=True)
def unit_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.LIANGXIN_RECORD)
    unit = selectors.unit_get(request.user, pk, Perm.LIANGXIN_RECORD)
    if request.method == "POST":
        services.unit_change(actor=request.user, unit=unit, data=_unit_data(request))
        messages.success(request, f"已保存 {unit.name}")
        return redirect("liangxin:unit", unit.pk)
    return render(request, "liangxin/unit_form.html", _form_context(request, unit))


@page("GET")
def unit_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.LIANGXIN_VIEW)
    unit = selectors.unit_get(request.user, pk)
    today = _today()
    may_record = selectors.units_for(request.user, Perm.LIANGXIN_RECORD).filter(pk=pk).exists()
    assignments = list(selectors.assignments_of(unit))
    return render(
        request,
        "liangxin/unit.html",
        {
            "unit": unit,
            "status": selectors.unit_status(unit, today.year, today),
            "year": today.year,
            "assignments": assignments,
            "open_assignments": [a for a in assignments if a.until is None],
            "visits": selectors.visits_of(unit)[:50],
            "advisors": selectors.advisors_for(request.user, Perm.LIANGXIN_RECORD).order_by(
                "name", "pk"
            )[:500]
            if may_record
            else [],
            "roles": AdvisorRole.choices,
            "today": today,
            "may_record": may_record,
        },
    )


def _unit_for_record(request: SignedInRequest, pk: int) -> Unit:
    require(request.user, Perm.LIANGXIN_RECORD)
    return selectors.unit_get(request.user, pk, Perm.LIANGXIN_RECORD)


def _date(request: SignedInRequest, field: str, label: str) -> dt.date:
    day = date_input(request.POST.get(field, ""), label, required=True)
    assert day is not None
    return day


@action
def assign(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = _unit_for_record(request, pk)
    advisors = selectors.advisors_for(request.user, Perm.LIANGXIN_RECORD)
    advisor = picked(advisors, request.POST.get("advisor", ""), "请选择党建指导员或联系人")
    since = _date(request, "since", "开始日期")
    services.assign(
        actor=request.user,
        advisor=advisor,
        unit=unit,
        role=request.POST.get("role", ""),
        since=since,
    )
    messages.success(request, f"已选派 {advisor.name}")
    return redirect("liangxin:unit", unit.pk)


@action
def assignment_end(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = _unit_for_record(request, pk)
    assignment = picked(
        Assignment.objects.filter(unit=unit, until__isnull=True).select_related("advisor"),
        request.POST.get("assignment", ""),
        "请选择要结束的选派",
    )
    until = _date(request, "until", "结束日期")
    services.assignment_end(actor=request.user, assignment=assignment, until=until)
    messages.success(request, f"已结束 {assignment.advisor.name} 的选派")
    return redirect("liangxin:unit", unit.pk)


@action
def visit_new(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = _unit_for_record(request, pk)
    advisors = selectors.advisors_for(request.user, Perm.LIANGXIN_RECORD)
    advisor = picked(advisors, request.POST.get("advisor", ""), "请选择党建指导员或联系人")
    visited_on = _date(request, "visited_on", "日期")
    services.visit_record(
        actor=request.user,
        unit=unit,
        advisor=advisor,
        visited_on=visited_on,
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已登记走访")
    return redirect("liangxin:unit", unit.pk)


@action
def unit_close(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = _unit_for_record(request, pk)
    closed_on = _date(request, "closed_on", "注销日期")
    services.unit_close(
        actor=request.user,
        unit=unit,
        closed_on=closed_on,
        reason=request.POST.get("closed_reason", ""),
    )
    messages.success(request, f"已登记 {unit.name} 注销，此后不计入覆盖率")
    return redirect("liangxin:unit", unit.pk)


@action
def unit_reopen(request: SignedInRequest, pk: int) -> HttpResponse:
    unit = _unit_for_record(request, pk)
    services.unit_reopen(actor=request.user, unit=unit, note=request.POST.get("note", ""))
    messages.success(request, f"已撤销 {unit.name} 的注销登记")
    return redirect("liangxin:unit", unit.pk)


def _coverage(request: SignedInRequest) -> tuple[str, selectors.Coverage]:
    root, units = _scoped(request)
    cov = selectors.coverage(units, _year(request), _today())
    return (root.name if root else "全部"), cov


def _grid(cov: selectors.Coverage) -> dict[str, Any]:
    """The region "map" as a grid: a row per upper region (the code without its last two
    digits), a column per last two digits, each cell the 组织覆盖率 of that region. Real
    boundaries (GeoJSON) are not in the repository, so no choropleth is drawn."""
    rows = sorted({r.key[:-2] for r in cov.by_region})
    cols = sorted({r.key[-2:] for r in cov.by_region})
    cells = [
        [cols.index(r.key[-2:]), rows.index(r.key[:-2]), float(r.organized_rate or 0), r.label]
        for r in cov.by_region
    ]
    return {"labels": cols, "rows": rows, "cells": cells}


def _map(cov: selectors.Coverage) -> dict[str, Any] | None:
    """The choropleth of the 组织覆盖率 by region when the deployment supplies the regions'
    boundaries (:mod:`dangjian.liangxin.boundaries`), else ``None`` (the grid stands in)."""
    geo = boundaries([r.key for r in cov.by_region])
    if geo is None:
        return None
    shown = {f["properties"]["code"] for f in geo["features"]}
    rows = [r for r in cov.by_region if r.key in shown]
    return {
        "labels": [r.label for r in rows],
        "geo": geo,
        "values": [
            {"name": r.key, "value": float(r.organized_rate or 0), "label": r.label} for r in rows
        ],
    }


@page("GET")
def coverage(request: SignedInRequest) -> HttpResponse:
    scope, cov = _coverage(request)
    bars = {
        "labels": [r.label for r in cov.by_industry],
        "organized": [float(r.organized_rate or 0) for r in cov.by_industry],
        "worked": [float(r.worked_rate or 0) for r in cov.by_industry],
    }
    regions = {
        "labels": [r.label for r in cov.by_region[:40]],
        "organized": [float(r.organized_rate or 0) for r in cov.by_region[:40]],
        "worked": [float(r.worked_rate or 0) for r in cov.by_region[:40]],
    }
    return render(
        request,
        "liangxin/coverage.html",
        {
            "cov": cov,
            "scope": scope,
            "org_code": request.GET.get("org", "").strip()[:32],
            "grid": _grid(cov),
            "map": _map(cov),
            "bars": bars,
            "regions": regions,
            "file_query": query_without(request, "page"),
            **_nav(request),
        },
    )


@page("GET")
def coverage_file(request: SignedInRequest, fmt: str) -> HttpResponse:
    scope, cov = _coverage(request)
    if fmt == "pdf":
        data, kind = coverage_pdf(cov, scope), "pdf"
    else:
        data, kind = coverage_xlsx(cov, scope), "xlsx"
    return file_response(
        data,
        filename=f"{scope}-两新组织覆盖情况-{cov.year}年.{kind}",
        ascii_name=f"liangxin-coverage-{cov.year}.{kind}",
        content_type=MEDIA_TYPES[kind],
    )


@page("GET")
def blanks(request: SignedInRequest) -> HttpResponse:
    root, units = _scoped(request)
    year = _year(request)
    listed = (
        selectors.blanks(units, year, _today())
        .select_related("org")
        .order_by("region_code", "name", "pk")
    )
    return render(
        request,
        "liangxin/blanks.html",
        {
            "page": paginate(request, listed),
            "year": year,
            "root": root,
            "min_visits": selectors.min_visits(selectors.counting_day(year, _today())),
            "query": query_without(request, "page"),
            **_nav(request),
        },
    )


@page("GET", "POST", refusals=True)
def advisors(request: SignedInRequest) -> HttpResponse:
    """The advisors of the scope with their units and visits this year; a form registers one."""
    require(request.user, Perm.LIANGXIN_VIEW)
    if request.method == "POST":
        require(request.user, Perm.LIANGXIN_RECORD)
        org = _org_by_code(request, "org", "选派党组织编码") or request.user.org
        if org is None:
            raise BadInput("请填写选派党组织编码")
        advisor = services.advisor_create(
            actor=request.user, name=request.POST.get("name", ""), org=org
        )
        messages.success(request, f"已登记党建指导员 {advisor.name}")
        return redirect("liangxin:advisors")
    year = _year(request)
    listed = (
        selectors.advisors_for(request.user)
        .select_related("org")
        .annotate(
            n_units=Count("assignments", filter=Q(assignments__until__isnull=True), distinct=True),
            n_visits=Count("visits", filter=Q(visits__visited_on__year=year), distinct=True),
        )
        .order_by("name", "pk")
    )
    return render(
        request,
        "liangxin/advisors.html",
        {
            "page": paginate(request, listed),
            "year": year,
            "query": query_without(request, "page"),
            "own_org": request.user.org,
            **_nav(request),
        },
    )


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label="文件（.xlsx 或 UTF-8 编码的 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(label="只检查，不写入（试运行）", required=False)

    def clean_file(self) -> Any:
        return checked_table_file(self.cleaned_data["file"])


@page("GET", "POST")
def register_import(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.LIANGXIN_RECORD)
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_units(
                upload,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
                file_label=upload.name,
            )
            if not report.ok:
                status = 400
        else:
            status = 400
    return render(
        request,
        "liangxin/import.html",
        {
            "form": form,
            "report": report,
            "columns": list(COLUMNS),
            "required": REQUIRED,
            "limit": limit_label(),
            **_nav(request),
        },
        status=status,
    )
