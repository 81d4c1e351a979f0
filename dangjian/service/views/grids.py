"""The grid pages of a village or community (phone-first): the list of its grids with their
workers, households and open orders; new and edit (name, 片区, households, the workers chosen
from the users of the village who may take orders, an optional GeoJSON boundary pasted or
uploaded); 停用; and a printable sheet with the QR code of the grid's public order page.

Reading needs ``Perm.SERVICE_VIEW``; writing ``Perm.SERVICE_DISPATCH`` over the village (the
services check it again). Every write goes through :mod:`dangjian.service.services`; a refusal
is shown on the form in Chinese and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.accounts.roles import ROLES, Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.errors import errors_on
from dangjian.orgs.choices import OrgType, Sector
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.survey.views import qr_svg
from dangjian.web.helpers import page, paginate, query_without, refused
from dangjian.web.requests import SignedInRequest

from .. import services
from ..boundary import MAX_CHARS, BoundaryError, parse_boundary
from ..choices import OPEN_STATES
from ..forms import GridDeactivateForm, GridForm
from ..models import Grid
from ..selectors import grids_for

#: a village or community party organization: a branch or general branch, or a 党委 named after
#: its village or community (a town's 党委 is not one)
BRANCH_LIKE = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.GENERAL_BRANCH)
MAX_VILLAGES = 300
MAX_WORKERS = 300
#: the roles whose holders may take orders (the workers a grid can have)
HANDLE_ROLES = [code for code, role in ROLES.items() if Perm.SERVICE_HANDLE in role.perms]


def _villages(request: SignedInRequest) -> QuerySet[Organization]:
    """The villages and communities the user may keep grids of."""
    return (
        orgs_for(request.user, Perm.SERVICE_DISPATCH)
        .filter(depth__gt=1, sector__in=[Sector.RURAL, Sector.COMMUNITY])
        .filter(
            Q(org_type__in=BRANCH_LIKE)
            | Q(org_type=OrgType.COMMITTEE) & (Q(name__contains="村") | Q(name__contains="社区"))
        )
        .order_by("path")
    )


def _worker_choices(org: Organization) -> list[tuple[str, str]]:
    users = (
        User.objects.filter(
            org__path__startswith=org.path, is_active=True, roles__role__in=HANDLE_ROLES
        )
        .select_related("org")
        .distinct()
        .order_by("org__path", "username")[:MAX_WORKERS]
    )
    return [
        (str(u.pk), f"{u}（{u.username}{'，' + u.org.name if u.org_id != org.pk else ''}）")
        for u in users
        if u.org is not None
    ]


def _chosen_workers(org: Organization, form: GridForm) -> list[User]:
    pks = [int(pk) for pk in form.cleaned_data.get("workers") or [] if str(pk).isdigit()]
    return list(User.objects.filter(pk__in=pks).select_related("org"))


def _boundary(form: GridForm, current: dict[str, Any] | None) -> tuple[bool, Any]:
    """(ok, the boundary to keep): the uploaded file, else the pasted text, else ``current``
    (cleared when asked). A problem goes on the form."""
    data = form.cleaned_data
    if data.get("clear_boundary"):
        return True, None
    upload = data.get("boundary_file")
    text = data.get("boundary_text") or ""
    if upload is not None:
        raw = upload.read(MAX_CHARS * 4 + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("boundary_file", "文件不是 UTF-8 编码的 GeoJSON 文本")
            return False, None
    if not text.strip():
        return True, current
    try:
        return True, parse_boundary(text)
    except BoundaryError as exc:
        field = "boundary_file" if upload is not None else "boundary_text"
        for problem in exc.problems:
            form.add_error(field, problem)
        return False, None


def _grid(request: SignedInRequest, pk: int, perm: Perm = Perm.SERVICE_VIEW) -> Grid:
    grid = grids_for(request.user, perm).filter(pk=pk).first()
    if grid is None:
        raise Http404("网格不存在或不在您的管辖范围内")
    return grid


@page("GET")
def grid_list(request: SignedInRequest) -> HttpResponse:
    """网格管理: the grids of the user's subtree by village, with their workers, households and
    open orders; links to edit them and print their QR codes."""
    require(request.user, Perm.SERVICE_VIEW)
    grids = (
        grids_for(request.user)
        .annotate(
            open_orders=Count("orders", filter=Q(orders__state__in=OPEN_STATES), distinct=True)
        )
        .prefetch_related("workers")
        .order_by("org__path", "-active", "name", "pk")
    )
    page_ = paginate(request, grids)
    rows = [
        {
            "grid": g,
            "workers": sorted(g.workers.all(), key=lambda u: u.username),
            "may_edit": covers(request.user, Perm.SERVICE_DISPATCH, g.org.path),
        }
        for g in page_.object_list
    ]
    return render(
        request,
        "service/grids.html",
        {
            "page": page_,
            "rows": rows,
            "query": query_without(request, "page"),
            "may_create": can(request.user, Perm.SERVICE_DISPATCH),
            **_nav(request),
        },
    )


def _nav(request: SignedInRequest) -> dict[str, bool]:
    return {
        "may_dispatch": can(request.user, Perm.SERVICE_DISPATCH),
        "may_handle": can(request.user, Perm.SERVICE_HANDLE),
    }


def _form_page(
    request: SignedInRequest, form: GridForm, org: Organization, grid: Grid | None, status: int
) -> HttpResponse:
    return render(
        request,
        "service/grid_form.html",
        {"form": form, "org": org, "grid": grid, "max_chars": MAX_CHARS, **_nav(request)},
        status=status,
    )


@page("GET", "POST")
def grid_new(request: SignedInRequest) -> HttpResponse:
    """新建网格: first the village (``?org=CODE``; chosen for the user bound to one), then the
    grid's fields."""
    require(request.user, Perm.SERVICE_DISPATCH)
    villages = _villages(request)
    code = (request.POST.get("org") or request.GET.get("org") or "").strip()[:32]
    org = villages.filter(code=code).first() if code else None
    if org is None and not code:
        first_two = list(villages[:2])
        org = first_two[0] if len(first_two) == 1 else None
    if org is None:
        return render(
            request,
            "service/grid_choose.html",
            {"villages": villages[:MAX_VILLAGES], "unknown": code, **_nav(request)},
            status=404 if code else 200,
        )
    form = GridForm(request.POST or None, request.FILES or None, workers=_worker_choices(org))
    if request.method == "POST" and form.is_valid():
        ok, boundary = _boundary(form, None)
        if ok:
            with errors_on(form, rename={"boundary": "boundary_text"}):
                grid = services.grid_create(
                    actor=request.user,
                    org=org,
                    name=form.cleaned_data["name"] or "",
                    area=form.cleaned_data["area"] or "",
                    households=form.cleaned_data["households"] or 0,
                    workers=_chosen_workers(org, form),
                    boundary=boundary,
                )
                messages.success(request, f"已新建网格“{grid.name}”")
                return redirect("service:grid_qr", grid.pk)
    return _form_page(request, form, org, None, 400 if request.method == "POST" else 200)


@page("GET", "POST")
def grid_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """修改网格: its fields as now; the boundary stays unless a new one is given or it is
    cleared."""
    require(request.user, Perm.SERVICE_DISPATCH)
    grid = _grid(request, pk, Perm.SERVICE_DISPATCH)
    initial = {
        "name": grid.name,
        "area": grid.area,
        "households": grid.households,
        "workers": [str(pk) for pk in grid.workers.values_list("pk", flat=True)],
    }
    form = GridForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        workers=_worker_choices(grid.org),
    )
    if request.method == "POST" and form.is_valid():
        ok, boundary = _boundary(form, grid.boundary)
        if ok:
            with errors_on(form, rename={"boundary": "boundary_text"}):
                services.grid_update(
                    actor=request.user,
                    grid=grid,
                    name=form.cleaned_data["name"] or "",
                    area=form.cleaned_data["area"] or "",
                    households=form.cleaned_data["households"] or 0,
                    workers=_chosen_workers(grid.org, form),
                    boundary=boundary,
                )
                messages.success(request, f"已保存网格“{grid.name}”")
                return redirect("service:grids")
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, grid.org, grid, status)


@page("POST")
def grid_deactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    """停用网格 (refused while orders dispatched to it wait for its workers)."""
    require(request.user, Perm.SERVICE_DISPATCH)
    grid = _grid(request, pk, Perm.SERVICE_DISPATCH)
    form = GridDeactivateForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.grid_deactivate(actor=request.user, grid=grid, note=note)
    except ValidationError as exc:
        return refused(request, exc, what="未停用")
    messages.success(request, f"已停用网格“{grid.name}”，群众点单页面不再受理")
    return redirect("service:grids")


def public_url(request: SignedInRequest, grid: Grid) -> str:
    """The grid's public order link as printed and in its QR code (``DANGJIAN_PUBLIC_BASE_URL``
    or ``DANGJIAN_SURVEY_BASE_URL`` when set: the address residents reach the site by)."""
    path = reverse("service:submit", args=[grid.token])
    base = getattr(settings, "DANGJIAN_PUBLIC_BASE_URL", "") or getattr(
        settings, "DANGJIAN_SURVEY_BASE_URL", ""
    )
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


@page("GET")
def grid_qr(request: SignedInRequest, pk: int) -> HttpResponse:
    """A printable sheet for the grid: its name, the link of its public order page and the QR
    code, to post in the grid (楼道、村务公开栏)."""
    require(request.user, Perm.SERVICE_VIEW)
    grid = _grid(request, pk)
    url = public_url(request, grid)
    return render(
        request,
        "service/grid_qr.html",
        {
            "grid": grid,
            "url": url,
            "qr": qr_svg(url, title=f"{grid.name}群众点单二维码"),
            "may_edit": covers(request.user, Perm.SERVICE_DISPATCH, grid.org.path),
        },
    )
