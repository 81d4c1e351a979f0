"""Staff pages of linked departments (联动部门, 跨级联合), 片区 and 敲门行动 visits, phone first.

- ``/fuwu/departments/``: the departments and 片区 of the user's subtree; a dispatcher registers
  one. ``/fuwu/departments/mine/``: the orders referred to the user's departments or escalated
  to a 片区 the user leads. ``/fuwu/departments/refer/<pk>/``: a town dispatcher refers an order.
- ``/fuwu/visits/``: the visits and the follow-ups due; ``/fuwu/visits/new/`` records one;
  ``/fuwu/visits/<pk>/`` shows it, with one button per need to turn it into an order.

Reads through the scoped selectors (outside the subtree: 404; missing permission: 403); writes
through :mod:`dangjian.service.linked`; a refusal is shown in Chinese and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.web.helpers import (
    BadInput,
    action,
    date_input,
    page,
    paginate,
    query_without,
)
from dangjian.web.requests import SignedInRequest

from .. import linked
from ..categories import choices as category_choices
from ..choices import DepartmentKind, Level, OrderState
from ..models import Grid, VisitNeed
from ..selectors import (
    areas_for,
    department_get,
    departments_for,
    follow_ups_due,
    grids_for,
    linked_orders,
    order_get,
    visit_get,
    visits_for,
)
from .staff import _nav, _orders_page


def _users(request: SignedInRequest, ids: list[str], path: str) -> list[User]:
    pks = [int(i) for i in ids if i.isdigit()]
    return list(User.objects.filter(pk__in=pks, org__path__startswith=path))


@page("GET", "POST", refusals=True)
def departments(request: SignedInRequest) -> HttpResponse:
    """联动部门 and 片区 of the subtree; a dispatcher registers a department (POST)."""
    require(request.user, Perm.SERVICE_VIEW)
    user = request.user
    # the organizations a department may be linked to: those with organizations below them
    # (a town, a county), where the user dispatches
    below = Organization.objects.filter(
        path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1
    )
    orgs = list(orgs_for(user, Perm.SERVICE_DISPATCH).filter(Exists(below)).order_by("path")[:50])
    if request.method == "POST":
        require(user, Perm.SERVICE_DISPATCH)
        org = orgs_for(user, Perm.SERVICE_DISPATCH).filter(code=request.POST.get("org", "")).first()
        if org is None:
            raise BadInput("请选择联动的乡镇（街道）组织")
        contacts = list(
            User.objects.filter(
                username__in=request.POST.get("contacts", "").replace("，", ",").split(",")
            )
        )
        dept = linked.department_create(
            actor=user,
            org=org,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", ""),
            contacts=contacts,
            phone=request.POST.get("phone", ""),
        )
        messages.success(request, f"已登记联动部门“{dept.name}”")
        return redirect("service:departments")
    return render(
        request,
        "service/departments.html",
        {
            "departments": departments_for(user)[:200],
            "areas": areas_for(user)[:200],
            "kinds": DepartmentKind.choices,
            "orgs": orgs,
            "may_register": can(user, Perm.SERVICE_DISPATCH) and bool(orgs),
            **_nav(request),
        },
    )


def _usernames(request: SignedInRequest, field: str) -> list[User]:
    """The accounts named in ``field`` (usernames, comma separated); an unknown one is refused."""
    raw = request.POST.get(field, "").replace("，", ",").replace("、", ",").split(",")
    wanted = [n.strip() for n in raw if n.strip()]
    found = list(User.objects.filter(username__in=wanted))
    unknown = sorted(set(wanted) - {u.username for u in found})
    if unknown:
        raise BadInput(f"未保存：没有这些账号：{'、'.join(unknown)}")
    return found


@page("GET")
def department_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One linked department on a phone: its contacts and referred orders; its dispatchers
    change it or 停用 it."""
    require(request.user, Perm.SERVICE_VIEW)
    dept = department_get(request.user, pk)
    manage = covers(request.user, Perm.SERVICE_DISPATCH, dept.org.path)
    contacts = list(dept.contacts.all())
    return render(
        request,
        "service/department.html",
        {
            "dept": dept,
            "contacts": contacts,
            "contact_names": ", ".join(u.username for u in contacts),
            "kinds": DepartmentKind.choices,
            "manage": manage,
            "waiting": linked._waiting(dept),
            **_nav(request),
        },
    )


@action
def department_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """修改 (name, kind, contacts, duty phone: blank keeps it, 清除 removes it) or 停用."""
    require(request.user, Perm.SERVICE_DISPATCH)
    dept = department_get(request.user, pk)
    post = request.POST
    if action == "change":
        phone: str | None = None
        if post.get("phone_clear"):
            phone = ""
        elif post.get("phone", "").strip():
            phone = post["phone"]
        dept = linked.department_update(
            actor=request.user,
            department=dept,
            name=post.get("name", ""),
            kind=post.get("kind", ""),
            contacts=_usernames(request, "contacts"),
            phone=phone,
        )
        done = "已保存"
    elif action == "deactivate":
        dept = linked.department_deactivate(
            actor=request.user, department=dept, note=post.get("note", "")
        )
        done = "已停用"
    else:
        raise Http404("没有这项操作")
    messages.success(request, f"联动部门“{dept.name}”：{done}")
    return redirect("service:department", dept.pk)


@page("GET", "POST", refusals=True)
def areas(request: SignedInRequest) -> HttpResponse:
    """片区 of the subtree with their 片区长; a village dispatcher registers one (POST): the
    name its grids carry in “所属片区”, and the leaders' accounts."""
    require(request.user, Perm.SERVICE_VIEW)
    user = request.user
    # the villages and communities (with grids) where the user dispatches
    villages = (
        orgs_for(user, Perm.SERVICE_DISPATCH)
        .filter(Exists(Grid.objects.filter(org=OuterRef("pk"))))
        .order_by("path")
    )
    if request.method == "POST":
        require(user, Perm.SERVICE_DISPATCH)
        org = villages.filter(code=request.POST.get("org", "").strip()[:32]).first()
        if org is None:
            raise BadInput("请选择片区所属的村（社区）")
        leaders = _usernames(request, "leaders")
        area = linked.area_create(
            actor=user, org=org, name=request.POST.get("name", ""), leaders=leaders
        )
        messages.success(request, f"已登记片区“{area.name}”")
        return redirect("service:areas")
    shown = list(villages[:50])
    registered = set(areas_for(user).values_list("org_id", "name"))
    # the 片区 names the grids carry that are not registered yet (to pick from)
    unregistered = sorted(
        {
            name
            for org_id, name in Grid.objects.filter(org__in=shown, active=True)
            .exclude(area="")
            .values_list("org_id", "area")
            if (org_id, name) not in registered
        }
    )
    return render(
        request,
        "service/areas.html",
        {
            "areas": areas_for(user)[:200],
            "villages": shown,
            "unregistered": unregistered,
            "may_register": can(user, Perm.SERVICE_DISPATCH) and bool(shown),
            **_nav(request),
        },
    )


@page("GET")
def linked_mine(request: SignedInRequest) -> HttpResponse:
    """联动部门、片区长的工单: referred to my departments or escalated to my 片区."""
    require(request.user, Perm.SERVICE_HANDLE)
    return _orders_page(request, "service/linked_mine.html", linked_orders(request.user))


@page("GET", "POST", refusals=True)
def refer(request: SignedInRequest, pk: int) -> HttpResponse:
    """跨级联合: a town dispatcher refers an order to linked departments (the first 牵头)."""
    require(request.user, Perm.SERVICE_DISPATCH)
    order = order_get(request.user, pk)
    require(request.user, Perm.SERVICE_DISPATCH, order.handler_org.path)
    choices = list(linked.departments_for_order(order))
    if request.method == "POST":
        by_pk = {str(d.pk): d for d in choices}
        picked = [by_pk[i] for i in request.POST.getlist("departments") if i in by_pk]
        lead = request.POST.get("lead", "")
        picked.sort(key=lambda d: str(d.pk) != lead)
        order = linked.order_refer(
            actor=request.user,
            order=order,
            departments=picked,
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"工单 {order.tracking_code}：已转联动部门")
        return redirect("service:order", order.pk)
    return render(
        request,
        "service/refer.html",
        {
            "order": order,
            "choices": choices,
            "may_refer": order.level in (Level.TOWN, Level.CROSS)
            and order.state in (OrderState.ACCEPTED, OrderState.DISPATCHED),
            **_nav(request),
        },
    )


# --- 敲门行动 ------------------------------------------------------------------------------------


@page("GET")
def visits(request: SignedInRequest) -> HttpResponse:
    """走访记录 of the subtree, newest first, and the follow-ups due within a week."""
    require(request.user, Perm.SERVICE_VIEW)
    today = timezone.localdate()
    page_ = paginate(request, visits_for(request.user))
    return render(
        request,
        "service/visits.html",
        {
            "page": page_,
            "due": follow_ups_due(request.user, today)[:50],
            "today": today,
            "query": query_without(request, "page"),
            **_nav(request),
        },
    )


@page("GET", "POST", refusals=True)
def visit_new(request: SignedInRequest) -> HttpResponse:
    """登记一次敲门行动走访: household label, date, needs (one a line), follow-up date."""
    require(request.user, Perm.SERVICE_HANDLE)
    grids = grids_for(request.user, Perm.SERVICE_HANDLE).filter(active=True).order_by("org__path")
    if request.method == "POST":
        raw = request.POST.get("grid", "")
        grid = grids.filter(pk=int(raw)).first() if raw.isdigit() else None
        if grid is None:
            raise BadInput("请选择走访的网格")
        visited_on = date_input(request.POST.get("visited_on", ""), "走访日期", required=True)
        assert visited_on is not None
        code = request.POST.get("category", "")
        lines = request.POST.get("needs", "").splitlines()
        needs = [(line, code) for line in lines if line.strip()]
        visit = linked.visit_record(
            actor=request.user,
            grid=grid,
            household=request.POST.get("household", ""),
            visited_on=visited_on,
            needs=needs,
            follow_up_due=date_input(request.POST.get("follow_up_due", ""), "回访期限"),
            note=request.POST.get("note", ""),
            visitors=_users(request, request.POST.getlist("visitors"), grid.org.path),
        )
        messages.success(request, f"已登记走访 {visit.household}")
        return redirect("service:visit", visit.pk)
    return render(
        request,
        "service/visit_new.html",
        {
            "grids": grids[:200],
            "categories": category_choices(),
            "today": timezone.localdate(),
            **_nav(request),
        },
    )


@page("GET")
def visit_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One visit with its needs; each need not yet an order has a one-tap form."""
    require(request.user, Perm.SERVICE_VIEW)
    visit = visit_get(request.user, pk)
    may = covers(request.user, Perm.SERVICE_HANDLE, visit.org.path)
    return render(
        request,
        "service/visit.html",
        {
            "visit": visit,
            "needs": visit.needs.select_related("order").order_by("pk"),
            "may_handle_visit": may,
            "categories": category_choices(),
            "today": timezone.localdate(),
            **_nav(request),
        },
    )


@action
def need_order(request: SignedInRequest, pk: int, need: int) -> HttpResponse:
    """One tap: the need becomes a service order of the visit's grid."""
    require(request.user, Perm.SERVICE_HANDLE)
    visit = visit_get(request.user, pk)
    item = VisitNeed.objects.filter(visit=visit, pk=need).first()
    if item is None:
        raise BadInput("这次走访没有这项需求")
    order = linked.need_to_order(
        actor=request.user,
        need=item,
        phone=request.POST.get("phone", ""),
        category=request.POST.get("category", ""),
    )
    messages.success(request, f"已转为工单 {order.tracking_code}")
    return redirect("service:visit", visit.pk)


@action
def visit_done(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.SERVICE_HANDLE)
    visit = visit_get(request.user, pk)
    linked.visit_done(actor=request.user, visit=visit)
    messages.success(request, "已记为回访完成")
    return redirect("service:visit", visit.pk)
