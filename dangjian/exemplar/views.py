"""Pages of the library of typical examples (典型), phone first (``/dianxing/``):

- ``/dianxing/``: the library the user reads, searchable by text, sector, theme, level, status
  and kind, with the reviews (复核) due on top for the levels that name;
- ``/dianxing/new/``: propose an example; ``/dianxing/<pk>/``: an example with its evidence read
  live from the records and its latest result against the 示范点 standard, with the forms to
  edit, link evidence, name, review and revoke;
- ``/dianxing/gongkai/`` and ``/dianxing/gongkai/<pk>/``: the public pages (no sign-in) of the
  named examples — no person's name, phone or ID; anything not named is a 404.

Reads through :mod:`dangjian.exemplar.selectors`, writes through
:mod:`dangjian.exemplar.services`; a refusal is shown in Chinese, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require, restrict
from dangjian.assess.models import Campaign
from dangjian.life.models import Meeting
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization
from dangjian.web.helpers import (
    BadInput,
    action,
    date_input,
    page,
    paginate,
    picked,
    query_without,
)
from dangjian.web.requests import SignedInRequest

from . import services
from .choices import EvidenceKind, Kind, Level, Status
from .models import Evidence, Exemplar
from .selectors import (
    Search,
    campaigns_for_evidence,
    evidence_of,
    exemplar_get,
    exemplars_for,
    latest_site_result,
    meetings_for_evidence,
    own_org,
    published,
    published_get,
    reviews_due,
    search,
    site_result_items,
    themes_in,
)

CODE_MAX = 32


def _today() -> dt.date:
    return timezone.localdate()


def _search(request: HttpRequest) -> Search:
    g = request.GET
    return Search(
        q=g.get("q", ""),
        sector=g.get("sector", ""),
        theme=g.get("theme", ""),
        level=g.get("level", ""),
        status=g.get("status", ""),
        kind=g.get("kind", ""),
    )


def _choices() -> dict[str, Any]:
    return {
        "kinds": Kind.choices,
        "levels": Level.choices,
        "statuses": Status.choices,
        "sectors": Sector.choices,
    }


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The library: the search form, the examples found, the reviews due."""
    require(request.user, Perm.EXEMPLAR_VIEW)
    query = _search(request)
    found = search(request.user, query).order_by("-proposed_on", "-pk")
    due: list[Exemplar] = []
    if can(request.user, Perm.EXEMPLAR_NAME):
        due = list(
            restrict(reviews_due(_today()), request.user, Perm.EXEMPLAR_NAME, "org__path")
            .exclude(org=own_org(request.user))
            .select_related("org")[:20]
        )
    return render(
        request,
        "exemplar/index.html",
        {
            "page": paginate(request, found),
            "search": query,
            "themes": themes_in(exemplars_for(request.user)),
            "due": due,
            "today": _today(),
            "query": query_without(request, "page"),
            "may_propose": can(request.user, Perm.EXEMPLAR_PROPOSE),
            **_choices(),
        },
    )


def _fields(request: HttpRequest) -> dict[str, str]:
    p = request.POST
    return {
        name: p.get(name, "") for name in ("kind", "title", "summary", "sector", "themes", "level")
    }


def _org(request: SignedInRequest) -> Organization:
    code = request.POST.get("org", "").strip()[:CODE_MAX]
    if not code:
        raise BadInput("请填写所属组织的组织编码")
    org = Organization.objects.filter(code=code).first()
    if org is None or not covers(request.user, Perm.EXEMPLAR_PROPOSE, org.path):
        raise BadInput(f"组织编码“{code}”不存在或不在您的管辖范围内")
    return org


@page("GET", "POST", refusals=True)
def new(request: SignedInRequest) -> HttpResponse:
    """推荐典型: the organization (by code; the user's own by default), what it is."""
    require(request.user, Perm.EXEMPLAR_PROPOSE)
    if request.method == "POST":
        org = _org(request)
        f = _fields(request)
        item = services.exemplar_propose(
            actor=request.user,
            org=org,
            kind=f["kind"],
            title=f["title"],
            summary=f["summary"],
            sector=f["sector"],
            themes=f["themes"],
            level=f["level"] or Level.COUNTY,
        )
        messages.success(request, f"已推荐典型“{item.title}”，进入培育")
        return redirect("exemplar:detail", item.pk)
    mine = own_org(request.user)
    return render(
        request,
        "exemplar/form.html",
        {"item": None, "org_code": mine.code if mine else "", **_choices()},
    )


@page("GET", "POST", refusals=True)
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EXEMPLAR_PROPOSE)
    item = exemplar_get(request.user, pk)
    require(request.user, Perm.EXEMPLAR_PROPOSE, item.org.path)
    if request.method == "POST":
        services.exemplar_change(actor=request.user, item=item, **_fields(request))
        messages.success(request, "已保存")
        return redirect("exemplar:detail", item.pk)
    return render(
        request,
        "exemplar/form.html",
        {"item": item, "themes_text": "、".join(item.theme_list), **_choices()},
    )


@page("GET")
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """An example, its evidence read now, its latest 示范点 result, the forms allowed."""
    require(request.user, Perm.EXEMPLAR_VIEW)
    item = exemplar_get(request.user, pk)
    user = request.user
    mine = own_org(user)
    may_edit = covers(user, Perm.EXEMPLAR_PROPOSE, item.org.path) and item.status != Status.REVOKED
    may_name = covers(user, Perm.EXEMPLAR_NAME, item.org.path) and (
        mine is None or mine.pk != item.org_id
    )
    result = latest_site_result(item)
    return render(
        request,
        "exemplar/detail.html",
        {
            "item": item,
            "evidence": evidence_of(item),
            "result": result,
            "result_items": site_result_items(result) if result else [],
            "may_edit": may_edit,
            "may_name": may_name and item.status != Status.REVOKED,
            "campaigns": campaigns_for_evidence(item)[:50] if may_edit else [],
            "meetings": meetings_for_evidence(item)[:50] if may_edit else [],
            "evidence_kinds": EvidenceKind.choices,
            "levels": Level.choices,
            "today": _today(),
        },
    )


def _acted(request: SignedInRequest, pk: int, perm: Perm) -> Exemplar:
    require(request.user, perm)
    return exemplar_get(request.user, pk)


def _date(request: HttpRequest, field: str, label: str, required: bool = True) -> dt.date | None:
    return date_input(request.POST.get(field, ""), label, required=required)


def _done(request: SignedInRequest, item: Exemplar, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("exemplar:detail", item.pk)


@action
def name(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _acted(request, pk, Perm.EXEMPLAR_NAME)
    named_on = _date(request, "named_on", "命名日期")
    assert named_on is not None
    services.exemplar_name(
        actor=request.user,
        item=item,
        named_on=named_on,
        review_on=_date(request, "review_on", "下次复核日期", required=False),
        level=request.POST.get("level") or None,
    )
    return _done(request, item, "已命名，典型公开页已发布")


@action
def review(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _acted(request, pk, Perm.EXEMPLAR_NAME)
    review_on = _date(request, "review_on", "下次复核日期")
    assert review_on is not None
    services.exemplar_review(actor=request.user, item=item, review_on=review_on)
    return _done(request, item, "已登记复核")


@action
def revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _acted(request, pk, Perm.EXEMPLAR_NAME)
    services.exemplar_revoke(
        actor=request.user,
        item=item,
        reason=request.POST.get("reason", ""),
        revoked_on=_date(request, "revoked_on", "撤销日期", required=False),
    )
    return _done(request, item, "已撤销，公开页不再显示")


def _year(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4:
        raise BadInput(f"年度“{raw[:10]}”无效，应为四位数字")
    return int(raw)


@action
def evidence_new(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _acted(request, pk, Perm.EXEMPLAR_PROPOSE)
    kind = request.POST.get("kind", "")
    ref: dict[str, Any] = {}
    if kind == EvidenceKind.ASSESSMENT:
        ref["campaign"] = picked(
            Campaign.objects.filter(pk__in=campaigns_for_evidence(item).values("pk")),
            request.POST.get("campaign", ""),
            "请选择本组织参加的考核",
        )
    elif kind == EvidenceKind.MEETING:
        ref["meeting"] = picked(
            Meeting.objects.filter(pk__in=meetings_for_evidence(item).values("pk")),
            request.POST.get("meeting", ""),
            "请选择本组织（或所属党支部）的组织生活记录",
        )
    elif kind == EvidenceKind.SERVICE:
        ref["year"] = _year(request.POST.get("year", ""))
    services.evidence_add(
        actor=request.user, item=item, kind=kind, note=request.POST.get("note", ""), **ref
    )
    return _done(request, item, "已关联佐证")


@action
def evidence_delete(request: SignedInRequest, pk: int, evidence_pk: int) -> HttpResponse:
    item = _acted(request, pk, Perm.EXEMPLAR_PROPOSE)
    ev = picked(Evidence.objects.filter(exemplar=item), str(evidence_pk), "没有这条佐证")
    services.evidence_remove(actor=request.user, evidence=ev)
    return _done(request, item, "已移除佐证")


# --- public pages (no sign-in) -----------------------------------------------------------------


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    """The named examples, searchable like the library (no sign-in)."""
    query = _search(request)
    query.status = ""
    try:
        found = paginate(request, query.apply(published()).order_by("-named_on", "-pk"))
    except BadInput as exc:
        return render(request, "exemplar/public_missing.html", {"message": str(exc)}, status=400)
    return render(
        request,
        "exemplar/public_index.html",
        {
            "page": found,
            "search": query,
            "themes": themes_in(published()),
            "query": query_without(request, "page"),
            **_choices(),
        },
    )


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a named example: what it is, its organization-level evidence."""
    item = published_get(pk)
    result = latest_site_result(item)
    return render(
        request,
        "exemplar/public_detail.html",
        {
            "item": item,
            "evidence": evidence_of(item, public=True),
            "result": result,
            "result_items": site_result_items(result) if result else [],
        },
    )
