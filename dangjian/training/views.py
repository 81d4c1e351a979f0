"""The pages of 党员教育培训 (phone-first): the figures of an organization's subtree (share of
members who reached their yearly hours, by the organizations under it, branch, sector and
region, with a chart), a branch's own members' hours (for the branch's own users only), the
courses with the form to enter one, a course with its participants and the forms to add them
(one by one, a whole branch, or a file).

Reads through the scoped selectors (outside the subtree: 404); every change is a POST through
:mod:`dangjian.training.services`; a refusal is shown in Chinese and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, require
from dangjian.core.downloads import file_response
from dangjian.core.labels import evidence_items
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on
from dangjian.rules.registry import Context
from dangjian.web.helpers import BadInput, action, page, paginate, query_without
from dangjian.web.requests import SignedInRequest

from . import exports
from .figures import Figures, branch_member_hours, subtree_figures
from .importers import participants_import
from .rules import YEARLY_HOURS, training_yearly_hours
from .selectors import (
    course_get,
    courses_for,
    figure_org,
    home_org,
    may_manage,
    may_see_member_hours,
    organizers_for,
    participants_of,
)
from .services import (
    CourseInput,
    course_create,
    course_delete,
    participant_remove,
    participants_add,
    participants_add_branch,
)

#: the most choices a select of a form lists
CHOICES_MAX = 300
YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(request: SignedInRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not YEAR_MIN <= int(raw) <= YEAR_MAX:
        raise BadInput(f"年度应为 {YEAR_MIN}—{YEAR_MAX} 之间的年份，如 2026")
    return int(raw)


def _org(request: SignedInRequest) -> Organization:
    require(request.user, Perm.TRAINING_VIEW)
    code = request.GET.get("org", "").strip()
    if code:
        return figure_org(request.user, code[:32])
    org = home_org(request.user)
    if org is None:
        raise Http404("没有可查看的组织")
    return org


def _chart(tallies: list[Any]) -> dict[str, Any]:
    return {
        "labels": [t.label for t in tallies],
        "shares": [None if t.share is None else round(t.share * 100, 1) for t in tallies],
    }


def _finding(f: Figures) -> dict[str, Any] | None:
    params = params_on(YEARLY_HOURS.id, dt.date(f.year, 12, 31))
    ctx = Context(at=timezone.localdate(), spec=YEARLY_HOURS, params=params)
    found = training_yearly_hours(f.org_year(), ctx)
    if not found:
        return None
    return {"finding": found[0], "evidence": evidence_items(found[0].evidence)}


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The figures of an organization's subtree for a year: organizations only, no persons."""
    org = _org(request)
    year = _year(request)
    f = subtree_figures(org, year, timezone.localdate())
    groups = f.children if f.children else f.branches
    return render(
        request,
        "training/index.html",
        {
            "f": f,
            "org": org,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "groups": groups,
            "groups_label": "各下级组织" if f.children else "各党支部",
            "chart": _chart(groups),
            "sector_chart": _chart(f.sectors),
            "finding": _finding(f),
            "own_branch": may_see_member_hours(request.user, org),
            "may_manage": can(request.user, Perm.TRAINING_MANAGE),
            "query": query_without(request),
        },
    )


@page("GET")
def figures_export(request: SignedInRequest) -> HttpResponse:
    org = _org(request)
    year = _year(request)
    data = exports.figures_xlsx(subtree_figures(org, year, timezone.localdate()))
    return file_response(
        data,
        filename=f"{org.name}{year}年度党员教育培训统计.xlsx",
        ascii_name=f"training-{year}.xlsx",
        content_type=exports.XLSX,
    )


def _own_branch(request: SignedInRequest) -> Organization:
    org = _org(request)
    if not may_see_member_hours(request.user, org):
        raise PermissionDenied(
            "党员个人学时只向本支部显示，用于本支部安排学习；上级组织只看组织层面的统计"
        )
    return org


@page("GET")
def members(request: SignedInRequest) -> HttpResponse:
    """The branch's own members with their hours of the year, by name (no ranking)."""
    org = _own_branch(request)
    year = _year(request)
    rows = branch_member_hours(org, year, timezone.localdate())
    return render(
        request,
        "training/members.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "below": sum(1 for r in rows if not r.met),
            "query": query_without(request),
        },
    )


@page("GET")
def members_export(request: SignedInRequest) -> HttpResponse:
    org = _own_branch(request)
    year = _year(request)
    data = exports.member_hours_xlsx(branch_member_hours(org, year, timezone.localdate()))
    return file_response(
        data,
        filename=f"{org.name}{year}年度党员学时.xlsx",
        ascii_name=f"training-members-{year}.xlsx",
        content_type=exports.XLSX,
    )


def _date(raw: str, field: str, label: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: [f"{label}格式应为 2026-03-01"]}) from None


@page("GET", "POST", refusals=True)
def courses(request: SignedInRequest) -> HttpResponse:
    """The courses of the subtree (and those above it its members attended); an organizer
    enters a new one here."""
    require(request.user, Perm.TRAINING_VIEW)
    if request.method == "POST":
        require(request.user, Perm.TRAINING_MANAGE)
        post = request.POST
        organizer = organizers_for(request.user).filter(code=post.get("organizer", "")).first()
        if organizer is None:
            raise ValidationError({"organizer": ["请选择举办培训班的组织"]})
        course = course_create(
            actor=request.user,
            data=CourseInput(
                organizer=organizer,
                title=post.get("title", ""),
                starts_on=_date(post.get("starts_on", ""), "starts_on", "开始日期"),
                ends_on=_date(post.get("ends_on", ""), "ends_on", "结束日期"),
                hours=post.get("hours", ""),
                note=post.get("note", ""),
            ),
        )
        messages.success(request, f"已登记培训班“{course.title}”，请添加参训党员")
        return redirect("training:course", course.pk)
    qs = courses_for(request.user).order_by("-starts_on", "-pk")
    page_ = paginate(request, qs)
    may_create = can(request.user, Perm.TRAINING_MANAGE)
    return render(
        request,
        "training/courses.html",
        {
            "page": page_,
            "rows": page_.object_list,
            "query": query_without(request, "page"),
            "may_create": may_create,
            "organizers": list(organizers_for(request.user)[:CHOICES_MAX]) if may_create else [],
        },
    )


@page("GET")
def course_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One course with the participants the user may see and the forms to add more."""
    require(request.user, Perm.TRAINING_VIEW)
    course = course_get(request.user, pk)
    manage = may_manage(request.user, course)
    people = participants_of(request.user, course)
    page_ = paginate(request, people)
    candidates: list[Member] = []
    branches: list[Organization] = []
    if manage:
        taken = course.participants.values("member_id")
        candidates = list(
            Member.objects.filter(org__path__startswith=course.organizer.path)
            .exclude(pk__in=taken)
            .select_related("org")
            .order_by("org__path", "name", "pk")[:CHOICES_MAX]
        )
        branches = list(
            Organization.objects.filter(path__startswith=course.organizer.path).order_by("path")[
                :CHOICES_MAX
            ]
        )
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "page": page_,
            "rows": page_.object_list,
            "query": query_without(request, "page"),
            "may_manage": manage,
            "candidates": candidates,
            "branches": branches,
        },
    )


@page("GET")
def course_export(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.TRAINING_VIEW)
    course = course_get(request.user, pk)
    data = exports.participants_xlsx(participants_of(request.user, course))
    return file_response(
        data,
        filename=f"{course.title}参训党员.xlsx",
        ascii_name="course-participants.xlsx",
        content_type=exports.XLSX,
    )


def _ids(values: list[str]) -> list[int]:
    if not values or any(not v.isdigit() for v in values):
        raise ValidationError({"members": ["请选择要添加的党员"]})
    return [int(v) for v in values]


@action
def course_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """``add`` members, ``branch`` (a whole branch), ``import`` a file, ``remove`` one, or
    ``delete`` the course."""
    require(request.user, Perm.TRAINING_MANAGE)
    course = course_get(request.user, pk, perm=Perm.TRAINING_MANAGE)
    if not may_manage(request.user, course):
        raise Http404("培训班不存在或不在您的管辖范围内")
    post = request.POST
    if action == "add":
        n = participants_add(
            actor=request.user, course=course, member_ids=_ids(post.getlist("members"))
        )
        messages.success(request, f"已添加 {n} 名参训党员")
    elif action == "branch":
        branch = Organization.objects.filter(code=post.get("branch", "")).first()
        if branch is None:
            raise ValidationError({"branch": ["请选择要整体添加的组织"]})
        n = participants_add_branch(actor=request.user, course=course, branch=branch)
        messages.success(request, f"已添加{branch.name} {n} 名党员")
    elif action == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["请选择 .xlsx 或 .csv 文件"]})
        n, warnings = participants_import(
            actor=request.user, course=course, source=upload, file_label=upload.name
        )
        messages.success(request, f"已导入 {n} 名参训党员" + "".join(f"；{w}" for w in warnings))
    elif action == "remove":
        raw = post.get("member", "")
        if not raw.isdigit():
            raise ValidationError({"member": ["请选择要移除的党员"]})
        participant_remove(actor=request.user, course=course, member_id=int(raw))
        messages.success(request, "已移除该参训党员")
    elif action == "delete":
        course_delete(actor=request.user, course=course)
        messages.success(request, f"已删除培训班“{course.title}”")
        return redirect("training:courses")
    else:
        raise Http404("没有这个操作")
    return redirect("training:course", course.pk)
