"""The service dashboard of the upper levels (组织部, town) and its monthly bulletin.

``/fuwu/stats/``: 三率 over the twelve months up to the chosen month for the chosen organization's
subtree (the user's own by default): the trend by month, by category and by handling level
(ECharts, from JSON blocks), a table per child organization with n and the 95% intervals, and the
overdue orders (oldest first, paged). ``/fuwu/stats/bulletin.xlsx`` and ``.pdf``: the monthly
bulletin of the chosen month. Scoped: an organization outside the user's subtree is a 404.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import require
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get
from dangjian.web.helpers import BadInput, page, paginate, query_without
from dangjian.web.requests import SignedInRequest

from ..bulletin import TREND_MONTHS, bulletin_build, export_pdf, export_xlsx
from ..dashboard import HEADERS, Row, add_months, board, cells, default_root, ratio, subtree_orders
from ..selectors import overdue
from .staff import _nav, _rows

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")

#: overdue orders per page of the dashboard (a phone's screenful or two; the queue has them
#: all): each row's link, dates and shortened text are most of the page's rendering
OVERDUE_PER_PAGE = 20


def _month(request: SignedInRequest) -> dt.date:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return timezone.localdate().replace(day=1)
    m = MONTH.match(raw)
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise BadInput(f"月份“{raw[:20]}”无效，应写作 2026-11 这样的年-月")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _root(request: SignedInRequest) -> Organization | None:
    code = request.GET.get("org", "").strip()
    if not code:
        return default_root(request.user)
    if len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        raise BadInput(f"组织编码“{code[:32]}”无效")
    return org_get(request.user, code, perm=Perm.SERVICE_VIEW)


def _series(rows: list[Row]) -> dict[str, Any]:
    return {
        "labels": [r.label for r in rows],
        "counts": [r.rates.total for r in rows],
        "series": [
            {"name": "响应率", "values": [ratio(r.rates.response) for r in rows]},
            {"name": "解决率", "values": [ratio(r.rates.resolution) for r in rows]},
            {"name": "满意率", "values": [ratio(r.rates.satisfaction) for r in rows]},
        ],
    }


def _table(rows: list[Row]) -> list[dict[str, Any]]:
    return [{"row": r, "cells": cells(r.rates)} for r in rows]


def _ancestors(request: SignedInRequest, root: Organization | None) -> list[Organization]:
    """The organizations between the user's own and ``root`` (links back up)."""
    top = request.user.org.path if request.user.org is not None else ""
    if root is None:
        return []
    step = Organization.steplen
    paths = [root.path[:i] for i in range(step, len(root.path), step)]
    return list(
        Organization.objects.filter(path__in=[p for p in paths if p.startswith(top)]).order_by(
            "path"
        )
    )


@page("GET")
def stats(request: SignedInRequest) -> HttpResponse:
    """服务统计: 三率 by month, category, level and child organization, and the overdue orders."""
    require(request.user, Perm.SERVICE_VIEW)
    month = _month(request)
    root = _root(request)
    b = board(request.user, root, add_months(month, 1 - TREND_MONTHS), month)
    late = overdue(subtree_orders(request.user, root)).order_by("submitted_at", "pk")
    page_ = paginate(request, late, count=b.overdue_total, per_page=OVERDUE_PER_PAGE)
    ancestors = _ancestors(request, root)
    return render(
        request,
        "service/stats.html",
        {
            "b": b,
            "root": root,
            "ancestors": ancestors,
            "month": f"{month.year}-{month.month:02d}",
            "headers": HEADERS,
            "overall": cells(b.overall.rates),
            "children": _table(b.children),
            "categories": _table(b.categories),
            "levels": _table(b.levels),
            "month_chart": _series(b.months),
            "category_chart": _series(b.categories[:12]),
            "level_chart": _series(b.levels),
            "page": page_,
            "rows": _rows(page_.object_list),
            "query": query_without(request, "page"),
            "file_query": query_without(request, "page"),
            **_nav(request),
        },
    )


@page("GET")
def stats_file(request: SignedInRequest, fmt: str) -> HttpResponse:
    """为民服务月报 of the chosen month and organization as .xlsx or PDF."""
    if fmt not in ("xlsx", "pdf"):
        raise BadInput("月报只能导出为 .xlsx 或 .pdf")
    require(request.user, Perm.SERVICE_VIEW)
    month = _month(request)
    root = _root(request)
    b = bulletin_build(request.user, root, month)
    data = export_xlsx(b) if fmt == "xlsx" else export_pdf(b)
    name = root.name if root else "全部"
    return file_response(
        data,
        filename=f"{name}-为民服务月报-{month.year}年{month.month}月.{fmt}",
        ascii_name=f"service-bulletin-{month.year}-{month.month:02d}.{fmt}",
        content_type=MEDIA_TYPES[fmt],
    )
