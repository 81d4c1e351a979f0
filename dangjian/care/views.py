"""Pages of 困难党员帮扶, phone first (``/bangfu/``):

- ``/bangfu/``: the register the user may read (their branch's, and the entries their
  organization helps), with the follow-ups due on top; ``/bangfu/new/`` registers a member;
- ``/bangfu/<pk>/``: a member's help record — the entry, help given, visits, with one form each
  to record help or a visit and to close the entry;
- ``/bangfu/due/``: the visits overdue and due soon;
- ``/bangfu/stats/``: the upper levels' figures by organization (no person), with a chart;
- ``/bangfu/register.xlsx`` (the branch's own register) and ``/bangfu/stats.xlsx``.

Reads through :mod:`dangjian.care.selectors` (an entry outside what the user may read: 404),
writes through :mod:`dangjian.care.services`; a refusal is shown in Chinese, nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, require
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.members.models import Member
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.web.helpers import (
    BadInput,
    date_input,
    page,
    paginate,
    picked,
    query_without,
    refused,
    year_param,
)
from dangjian.web.requests import SignedInRequest

from . import services
from .choices import CloseReason, HelpKind, Level, Occasion, Reason
from .exports import branch_register_xlsx, figures_xlsx
from .selectors import (
    Figures,
    due_soon_days,
    figures_for,
    follow_ups,
    hardship_get,
    hardships_for,
    helps_of,
    may_read,
    member_record,
    own_org,
    visits_of,
)


def _today() -> dt.date:
    return timezone.localdate()


def _date(request: SignedInRequest, field: str, label: str) -> dt.date:
    """The required date of the POSTed ``field`` (BadInput naming its ``label``)."""
    day = date_input(request.POST.get(field, ""), label, required=True)
    assert day is not None
    return day


def _is_branch(org: Organization | None) -> bool:
    """Whether ``org`` keeps a member roll (a 党支部): only a branch registers and exports."""
    return org is not None and org.org_type in ROLL_TYPES


def _own_branch(request: SignedInRequest, refusal: str) -> Organization:
    """The user's own organization when it is a branch; else BadInput ``refusal``."""
    org = own_org(request.user)
    if org is None or not _is_branch(org):
        raise BadInput(refusal)
    return org


def _nav(request: SignedInRequest) -> dict[str, Any]:
    org = own_org(request.user)
    return {
        "may_record": can(request.user, Perm.CARE_RECORD) and _is_branch(org),
        "is_branch": _is_branch(org),
    }


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The register the user reads, open entries first, with the follow-ups due."""
    require(request.user, Perm.CARE_VIEW)
    today = _today()
    entries = hardships_for(request.user).prefetch_related("helpers")
    closed = request.GET.get("closed") == "1"
    listed = entries.filter(until__isnull=not closed).order_by(
        "-until" if closed else "-since", "pk"
    )
    return render(
        request,
        "care/index.html",
        {
            "page": paginate(request, listed),
            "closed": closed,
            "due": follow_ups(request.user, today)[:20],
            "today": today,
            "query": query_without(request, "page"),
            **_nav(request),
        },
    )


def _helper_choices(branch: Organization) -> list[Organization]:
    """The organizations above the branch (its 党委, 党总支 …): the usual helpers."""
    step = Organization.steplen
    paths = [branch.path[:end] for end in range(step, len(branch.path), step)]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def _helpers(request: SignedInRequest, branch: Organization) -> list[Organization]:
    ids = [int(i) for i in request.POST.getlist("helpers") if i.isdigit()]
    chosen = [o for o in _helper_choices(branch) if o.pk in ids]
    for code in request.POST.get("other_helpers", "").replace("，", ",").split(","):
        code = code.strip()
        if not code:
            continue
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise BadInput(f"没有编码为“{code[:32]}”的党组织")
        chosen.append(org)
    return chosen


@page("GET", "POST", refusals=True)
def hardship_new(request: SignedInRequest) -> HttpResponse:
    """登记困难党员: a member of the user's branch, the reason, level, date, helpers."""
    require(request.user, Perm.CARE_RECORD)
    branch = _own_branch(request, "困难党员由党员所在党支部登记，您所在的组织没有党员名册")
    roll = Member.objects.filter(org=branch).order_by("name", "pk")
    if request.method == "POST":
        member = picked(roll, request.POST.get("member", ""), "请选择本支部的党员")
        since = _date(request, "since", "登记日期")
        entry = services.hardship_register(
            actor=request.user,
            member=member,
            reason=request.POST.get("reason", ""),
            level=request.POST.get("level", ""),
            since=since,
            note=request.POST.get("note", ""),
            helpers=_helpers(request, branch),
        )
        messages.success(request, f"已登记困难党员 {member.name}")
        return redirect("care:hardship", entry.pk)
    return render(
        request,
        "care/new.html",
        {
            "roll": roll[:500],
            "reasons": Reason.choices,
            "levels": Level.choices,
            "helper_choices": _helper_choices(branch),
            "today": _today(),
            **_nav(request),
        },
    )


@page("GET")
def hardship_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A member's help record: the entry (note shown to its readers, audited), help, visits."""
    require(request.user, Perm.CARE_VIEW)
    entry = hardship_get(request.user, pk)
    notes = services.notes_read(actor=request.user, hardship=entry)
    visits = list(visits_of(entry))
    for v in visits:
        v.plain_note = notes["visits"].get(v.pk, "")  # type: ignore[attr-defined]
    givers = [entry.org, *entry.helpers.order_by("path")]
    return render(
        request,
        "care/hardship.html",
        {
            "entry": entry,
            "note": notes["note"],
            "helps": helps_of(entry),
            "visits": visits,
            "earlier": [h for h in member_record(request.user, entry) if h.pk != entry.pk],
            "givers": givers,
            "may_record": can(request.user, Perm.CARE_RECORD) and may_read(request.user, entry),
            "kinds": HelpKind.choices,
            "occasions": Occasion.choices,
            "close_reasons": CloseReason.choices,
            "today": _today(),
        },
    )


def _giver(request: SignedInRequest) -> Organization | None:
    raw = request.POST.get("org", "")
    if not raw.isdigit():
        return None
    return Organization.objects.filter(pk=int(raw)).first()


def _posted(request: SignedInRequest, **defaults: str) -> dict[str, str]:
    """The POSTed fields named in ``defaults`` (each one's value: its default when absent)."""
    return {name: request.POST.get(name, default) for name, default in defaults.items()}


def _record(
    request: SignedInRequest,
    pk: int,
    write: Callable[..., object],
    day: tuple[str, str],
    fields: Callable[[], dict[str, Any]],
    done: str,
) -> HttpResponse:
    """A form of the help record page: ``write`` (a service) of the entry ``pk`` with the
    required date of the ``day`` field (its name, as the service names it, and label) and the
    other ``fields()``; a refusal is a 400 page, else back to the record with ``done``."""
    require(request.user, Perm.CARE_RECORD)
    entry = hardship_get(request.user, pk)
    on = _date(request, *day)
    try:
        write(actor=request.user, hardship=entry, **{day[0]: on}, **fields())
    except ValidationError as exc:
        return refused(request, exc)
    messages.success(request, done)
    return redirect("care:hardship", entry.pk)


@page("POST")
def help_new(request: SignedInRequest, pk: int) -> HttpResponse:
    def fields() -> dict[str, Any]:
        return {"org": _giver(request), **_posted(request, kind="", amount="0", helper_name="")}

    return _record(
        request, pk, services.help_record, ("given_on", "帮扶日期"), fields, "已登记帮扶"
    )


@page("POST")
def visit_new(request: SignedInRequest, pk: int) -> HttpResponse:
    def fields() -> dict[str, Any]:
        org = _giver(request)
        next_on = date_input(request.POST.get("next_visit_on", ""), "下次走访日期")
        return {
            "org": org,
            "next_visit_on": next_on,
            **_posted(request, occasion="", visitors="", note=""),
        }

    return _record(
        request, pk, services.visit_record, ("visited_on", "走访日期"), fields, "已登记走访慰问"
    )


@page("POST")
def hardship_close(request: SignedInRequest, pk: int) -> HttpResponse:
    def fields() -> dict[str, Any]:
        return {"reason": request.POST.get("close_reason", "")}

    return _record(request, pk, services.hardship_close, ("until", "销号日期"), fields, "已销号")


@page("GET")
def due(request: SignedInRequest) -> HttpResponse:
    """走访提醒: the follow-ups overdue and due soon among the entries the user reads."""
    require(request.user, Perm.CARE_VIEW)
    today = _today()
    items = follow_ups(request.user, today)
    return render(
        request,
        "care/due.html",
        {
            "overdue": [u for u in items if u.overdue],
            "soon": [u for u in items if not u.overdue],
            "days": due_soon_days(today),
            "today": today,
            **_nav(request),
        },
    )


def _root(request: SignedInRequest) -> Organization | None:
    code = request.GET.get("org", "").strip()
    if not code:
        return None
    org = orgs_for(request.user, Perm.CARE_VIEW).filter(code=code[:32]).first()
    if org is None:
        raise BadInput(f"组织“{code[:32]}”不存在或不在您的管辖范围内")
    return org


def _figures(request: SignedInRequest) -> tuple[Organization | None, int, Figures]:
    """The figures asked for (organization, year; default: the user's scope, this year)."""
    require(request.user, Perm.CARE_VIEW)
    today = _today()
    year = year_param(request, earliest=2000) or today.year
    root = _root(request)
    return root, year, figures_for(request.user, root, year, today)


@page("GET")
def stats(request: SignedInRequest) -> HttpResponse:
    """帮扶统计: counts and amounts by organization (no person), a chart of the amounts."""
    root, year, figures = _figures(request)
    chart = {
        "labels": [f.name for f in figures.rows[:30]],
        "amounts": [float(f.amount) for f in figures.rows[:30]],
        "counts": [f.on_register for f in figures.rows[:30]],
    }
    return render(
        request,
        "care/stats.html",
        {
            "figures": figures,
            "total": figures.total,
            "year": year,
            "root": root,
            "chart": chart,
            "file_query": query_without(request, "page"),
            **_nav(request),
        },
    )


@page("GET")
def stats_file(request: SignedInRequest) -> HttpResponse:
    root, year, figures = _figures(request)
    data = figures_xlsx(figures)
    name = root.name if root else "全部"
    return file_response(
        data,
        filename=f"{name}-困难党员帮扶统计-{year}年.xlsx",
        ascii_name=f"care-figures-{year}.xlsx",
        content_type=MEDIA_TYPES["xlsx"],
    )


@page("GET")
def register_file(request: SignedInRequest) -> HttpResponse:
    """The branch's own register as .xlsx (only the branch itself)."""
    require(request.user, Perm.CARE_VIEW)
    branch = _own_branch(request, "困难党员名册只能由本党支部导出；上级组织请导出按组织汇总的统计")
    data = branch_register_xlsx(request.user, branch, _today())
    return file_response(
        data,
        filename=f"{branch.name}-困难党员名册.xlsx",
        ascii_name="care-register.xlsx",
        content_type=MEDIA_TYPES["xlsx"],
    )
