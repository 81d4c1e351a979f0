"""The staff pages of 红色志愿服务队 and 双报到 (phone-first): the teams of the user's subtree
with a form to set one up, a team with its members and the forms to change it; the 双报到
registrations both sides see (the community they serve, the branch they belong to) with the
organization-level counts, a registration with its yearly ratings.

Reads through the scoped selectors (outside the subtree: 404); every change is a POST through
:mod:`dangjian.service.teams`; a refusal is shown in Chinese and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, can, covers, require, restrict
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.web.helpers import action, page, paginate, query_without, refused
from dangjian.web.requests import SignedInRequest

from .. import teams as svc
from ..categories import categories
from ..choices import MemberKind, ReportRating
from ..models import DoubleReport, Order, TeamMembership, VolunteerTeam
from ..selectors import (
    double_report_figures,
    double_report_get,
    double_reports_for,
    team_get,
    teams_for,
)

#: the most choices a select of a form lists (members, organizations)
CHOICES_MAX = 300


def _nav(request: SignedInRequest) -> dict[str, bool]:
    return {
        "may_dispatch": can(request.user, Perm.SERVICE_DISPATCH),
        "may_handle": can(request.user, Perm.SERVICE_HANDLE),
    }


def _service_names(codes: list[str]) -> str:
    known = categories()
    return "、".join(known[c].name for c in codes if c in known) or "—"


def _user(name: str, path: str, field: str) -> User | None:
    """The account ``name`` bound inside ``path`` (empty: none); unknown ones are refused."""
    name = (name or "").strip()
    if not name:
        return None
    user = User.objects.filter(username=name, org__path__startswith=path).first()
    if user is None:
        raise ValidationError({field: [f"没有账号“{name[:30]}”，或它不属于该组织"]})
    return user


def _date(raw: str, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationError({field: [f"请填写{label}（如 2026-03-01）"]}) from None


# --- dispatch targets (used by the order page) -----------------------------------------------


def team_targets(actor: Actor, order: Order) -> list[tuple[str, str]]:
    """Teams and 双报到 members an order may be dispatched to (by its dispatcher)."""
    path = order.handler_org.path
    teams = VolunteerTeam.objects.filter(active=True).select_related("org")
    near = [t for t in teams.filter(org__path__startswith=path)] + [
        t
        for t in teams.exclude(org__path__startswith=path)
        if order.org.path.startswith(t.org.path)
    ]
    out = [(f"team:{t.pk}", f"志愿服务队：{t.name}（{t.org.name}）") for t in near]
    reports = DoubleReport.objects.filter(
        ended_on__isnull=True, community__path__startswith=path
    ).select_related("member", "community")
    out += [
        (
            f"member:{r.pk}",
            f"双报到党员：{r.member.name}（{r.community.name}）"
            + ("" if r.user_id else "，无账号"),
        )
        for r in reports.order_by("community__path", "pk")[:CHOICES_MAX]
    ]
    return out


def team_target(
    actor: Actor, order: Order, kind: str, raw: str
) -> tuple[VolunteerTeam | None, DoubleReport | None]:
    """The team or 双报到 registration a dispatch form names (``team:<id>``/``member:<id>``)."""
    if not raw.isdigit():
        return None, None
    if kind == "team":
        return VolunteerTeam.objects.filter(pk=int(raw)).first(), None
    if kind == "member":
        return None, DoubleReport.objects.filter(pk=int(raw)).first()
    return None, None


# --- teams ---------------------------------------------------------------------------------


def _team_orgs(actor: Actor) -> list[Organization]:
    orgs = restrict(Organization.objects.all(), actor, Perm.SERVICE_DISPATCH).order_by("path")
    places = orgs.filter(sector__in=svc.COMMUNITY_SECTORS) | orgs.filter(
        org_type__in=svc.TOWN_TYPES
    )
    chosen = places.order_by("path")[:CHOICES_MAX]
    return [o for o in chosen if svc.is_community(o) or o.org_type in svc.TOWN_TYPES]


def _team_fields(request: SignedInRequest, path: str) -> dict[str, Any]:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "services": post.getlist("services"),
        "area": post.get("area", ""),
        "leader": _user(post.get("leader", ""), path, "leader"),
    }


@page("GET", "POST", refusals=True)
def team_list(request: SignedInRequest) -> HttpResponse:
    """红色志愿服务队 of the subtree; a dispatcher sets up a new one here."""
    require(request.user, Perm.SERVICE_VIEW)
    if request.method == "POST":
        require(request.user, Perm.SERVICE_DISPATCH)
        code = request.POST.get("org", "")
        org = restrict(Organization.objects.all(), request.user, Perm.SERVICE_DISPATCH).filter(
            code=code
        )
        found = org.first()
        if found is None:
            raise ValidationError({"org": ["请选择服务队所属的村（社区）或乡镇（街道）"]})
        team = svc.team_create(actor=request.user, org=found, **_team_fields(request, found.path))
        messages.success(request, f"已新建服务队“{team.name}”")
        return redirect("service:team", team.pk)
    teams = teams_for(request.user).order_by("-active", "org__path", "name")
    page_ = paginate(request, teams)
    may_create = can(request.user, Perm.SERVICE_DISPATCH)
    return render(
        request,
        "service/teams.html",
        {
            "page": page_,
            "rows": [
                {"team": t, "services": _service_names(t.services)} for t in page_.object_list
            ],
            "query": query_without(request, "page"),
            "may_create": may_create,
            "orgs": _team_orgs(request.user) if may_create else [],
            "categories": list(categories().values()),
            **_nav(request),
        },
    )


def _candidates(team: VolunteerTeam) -> list[Member]:
    """Members who may join: the roll of the team's organization, and those registered there
    through 双报到, not yet in the team."""
    inside = Member.objects.filter(org__path__startswith=team.org.path)
    registered = Member.objects.filter(
        double_reports__ended_on__isnull=True,
        double_reports__community__path__startswith=team.org.path,
    )
    taken = team.memberships.values("member_id")
    both = (inside | registered).exclude(pk__in=taken).distinct().order_by("name", "pk")
    return list(both[:CHOICES_MAX])


@page("GET")
def team_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One team on a phone: what it offers, its members by kind, the forms to change it."""
    require(request.user, Perm.SERVICE_VIEW)
    team = team_get(request.user, pk)
    manage = covers(request.user, Perm.SERVICE_DISPATCH, team.org.path)
    members = team.memberships.select_related("member__org").order_by("kind", "member__name")
    return render(
        request,
        "service/team.html",
        {
            "team": team,
            "services": _service_names(team.services),
            "members": members,
            "manage": manage,
            "candidates": _candidates(team) if manage and team.active else [],
            "kinds": MemberKind.choices,
            "categories": list(categories().values()),
            "open_orders": team.dispatched_orders.exclude(
                state__in=("closed", "refused", "merged")
            ).count(),
            **_nav(request),
        },
    )


def _team_action(request: SignedInRequest, team: VolunteerTeam, action: str) -> str:
    user, post = request.user, request.POST
    if action == "change":
        svc.team_change(actor=user, team=team, **_team_fields(request, team.org.path))
        return "已保存"
    if action == "deactivate":
        svc.team_deactivate(actor=user, team=team)
        return "已停用"
    if action == "add":
        raw = post.get("member", "")
        member = next((m for m in _candidates(team) if str(m.pk) == raw), None)
        if member is None:
            raise ValidationError({"member": ["请选择要加入的党员"]})
        svc.team_member_add(
            actor=user,
            team=team,
            member=member,
            kind=post.get("kind", ""),
            user=_user(post.get("user", ""), "", "user"),
        )
        return f"已加入队员{member.name}"
    if action == "remove":
        raw = post.get("membership", "")
        item = TeamMembership.objects.filter(team=team, pk=int(raw) if raw.isdigit() else 0)
        found = item.select_related("member").first()
        if found is None:
            raise ValidationError({"membership": ["请选择要移出的队员"]})
        svc.team_member_remove(actor=user, membership=found)
        return f"已移出队员{found.member.name}"
    raise Http404("没有这个操作")


@action
def team_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """Change, deactivate, add or remove a member (the team's dispatchers)."""
    require(request.user, Perm.SERVICE_DISPATCH)
    team = team_get(request.user, pk)
    done = _team_action(request, team, action)
    messages.success(request, f"服务队“{team.name}”：{done}")
    return redirect("service:team", team.pk)


# --- 双报到 ----------------------------------------------------------------------------------


def _registrable(actor: Actor) -> list[Member]:
    """Members the actor's branch may register: on their roll, not retired, not registered."""
    roll = restrict(Member.objects.select_related("org"), actor, Perm.MEMBER_CHANGE, "org__path")
    return list(
        roll.exclude(category="离退休人员")
        .exclude(pk__in=DoubleReport.objects.filter(ended_on=None).values("member_id"))
        .order_by("org__path", "name")[:CHOICES_MAX]
    )


@page("GET", "POST")
def report_list(request: SignedInRequest) -> HttpResponse:
    """双报到: registrations with the villages and communities of the subtree and of its members
    elsewhere (each counted for both), the counts, and the branch's registration form."""
    _may_see_reports(request)
    if request.method == "POST":
        return _register(request)
    today = timezone.localdate()
    reports = double_reports_for(request.user).order_by("ended_on", "-registered_on", "pk")
    show = request.GET.get("show", "")
    if show != "all":
        reports = reports.filter(ended_on__isnull=True)
    page_ = paginate(request, reports)
    org = request.user.org
    may_register = can(request.user, Perm.MEMBER_CHANGE)
    return render(
        request,
        "service/double_reports.html",
        {
            "page": page_,
            "query": query_without(request, "page"),
            "show": show,
            "figures": double_report_figures(org.path, today.year) if org else None,
            "org": org,
            "may_register": may_register,
            "members": _registrable(request.user) if may_register else [],
            "categories": list(categories().values()),
            "today": today,
            **_nav(request),
        },
    )


def _may_see_reports(request: SignedInRequest) -> None:
    """The community side (``SERVICE_VIEW``) or the branch side (``MEMBER_VIEW``)."""
    if not can(request.user, Perm.MEMBER_VIEW):
        require(request.user, Perm.SERVICE_VIEW)


def _register(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.MEMBER_CHANGE)
    post = request.POST
    try:
        raw = post.get("member", "")
        member = next((m for m in _registrable(request.user) if str(m.pk) == raw), None)
        if member is None:
            raise ValidationError({"member": ["请选择要报到的党员"]})
        code = post.get("community", "").strip()
        community = Organization.objects.filter(code=code).first() if code else None
        if community is None:
            raise ValidationError({"community": ["请填写报到村（社区）的组织编码"]})
        report = svc.double_report_register(
            actor=request.user,
            member=member,
            community=community,
            registered_on=_date(post.get("registered_on", ""), "registered_on", "报到日期"),
            offers=post.get("offers", ""),
            services=post.getlist("services"),
            user=_user(post.get("user", ""), member.org.path, "user"),
        )
    except ValidationError as exc:
        return refused(request, exc)
    messages.success(request, f"已登记{report.member.name}到{report.community.name}双报到")
    return redirect("service:double_report", report.pk)


@page("GET")
def report_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One registration: both organizations, what the member offers, the yearly ratings."""
    _may_see_reports(request)
    report = double_report_get(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "service/double_report.html",
        {
            "report": report,
            "services": _service_names(report.services),
            "ratings": report.ratings.order_by("-year"),
            "may_end": report.active and svc.may_end(request.user, report),
            "may_rate": covers(request.user, Perm.SERVICE_DISPATCH, report.community.path),
            "levels": ReportRating.choices,
            "years": list(range(today.year, report.registered_on.year - 1, -1)),
            "today": today,
            **_nav(request),
        },
    )


@action
def report_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """End a registration (either side) or rate it for a year (the community)."""
    _may_see_reports(request)
    report = double_report_get(request.user, pk)
    post = request.POST
    if action == "end":
        raw = post.get("ended_on", "")
        ended = _date(raw, "ended_on", "结束日期") if raw else None
        svc.double_report_end(actor=request.user, report=report, ended_on=ended)
        done = "已结束双报到"
    elif action == "rate":
        require(request.user, Perm.SERVICE_DISPATCH)
        year = post.get("year", "")
        svc.double_report_rate(
            actor=request.user,
            report=report,
            year=int(year) if year.isdigit() else 0,
            rating=post.get("rating", ""),
            note=post.get("note", ""),
        )
        done = "已保存年度评价"
    else:
        raise Http404("没有这个操作")
    messages.success(request, f"{report.member.name}：{done}")
    return redirect("service:double_report", report.pk)
