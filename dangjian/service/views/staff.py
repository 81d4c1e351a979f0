"""The staff pages of service orders (村居派单、网格接单): the overview of 三率 and overdue orders
over the user's subtree, the dispatcher's queue, the grid worker's list and an order with its
history and the actions the user may take.

Reads go through the scoped selectors with ``request.user`` (outside the subtree: 404; missing
permission: 403). Every action is a POST that goes through :mod:`dangjian.service.services`; a
refusal is shown in Chinese and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core.attachments import attachment_response
from dangjian.core.uploads import refuse_oversized
from dangjian.web.helpers import action, page, paginate, query_without
from dangjian.web.requests import SignedInRequest

from .. import services
from ..categories import category
from ..choices import OPEN_STATES, OrderState, RefuseReason
from ..dashboard import add_months, default_root, period_rates
from ..models import Grid, Order
from ..selectors import (
    dispatcher_queue,
    grids_for,
    order_get,
    orders_for,
    overdue,
    worker_orders,
)
from ..stats import Rate
from .teams import team_target, team_targets

#: the overview counts the orders submitted in this many calendar months up to today, the
#: current one included (whole months: what the monthly counters answer exactly)
OVERVIEW_MONTHS = 12


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _rate_row(rate: Rate) -> dict[str, Any]:
    value, interval = rate.value, rate.interval
    return {
        "label": rate.label,
        "value": _pct(value) if value is not None else "—",
        "n": rate.n,
        "interval": f"{_pct(interval[0])} ～ {_pct(interval[1])}" if interval else "",
        "counts": rate.counts,
    }


def _category_name(code: str) -> str:
    cat = category(code)
    return cat.name if cat else code


def _rows(orders: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "order": o,
            "category": _category_name(o.category),
            "overdue": o.state in OPEN_STATES
            and (o.resolution_due < now or (o.responded_at is None and o.response_due < now)),
        }
        for o in orders
    ]


def _orders_page(
    request: SignedInRequest, template: str, orders: QuerySet[Order], **extra: Any
) -> HttpResponse:
    """A page listing ``orders`` (paged, one row each) with the module's navigation and the
    ``extra`` context."""
    page_ = paginate(request, orders)
    return render(
        request,
        template,
        {
            "page": page_,
            "rows": _rows(page_.object_list),
            "query": query_without(request, "page"),
            **extra,
            **_nav(request),
        },
    )


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """为民服务 overview: 三率 of the subtree's orders submitted in the last
    :data:`OVERVIEW_MONTHS` calendar months, read from the monthly counters as the dashboard
    does (organization-level, no ranking of anyone), and the overdue orders, oldest limit
    first."""
    require(request.user, Perm.SERVICE_VIEW)
    today = timezone.localdate()
    month = today.replace(day=1)
    since = add_months(month, 1 - OVERVIEW_MONTHS)
    figures = period_rates(request.user, default_root(request.user), since, month)
    late = overdue(orders_for(request.user)).order_by("resolution_due", "pk")
    rates = (figures.response, figures.resolution, figures.satisfaction)
    return _orders_page(
        request,
        "service/index.html",
        late,
        months=OVERVIEW_MONTHS,
        since=since,
        total=figures.total,
        rates=[_rate_row(r) for r in rates],
    )


def _nav(request: SignedInRequest) -> dict[str, bool]:
    return {
        "may_dispatch": can(request.user, Perm.SERVICE_DISPATCH),
        "may_handle": can(request.user, Perm.SERVICE_HANDLE),
    }


@page("GET")
def queue(request: SignedInRequest) -> HttpResponse:
    """派单台: orders waiting for a dispatcher of the user's subtree, by state, oldest first."""
    require(request.user, Perm.SERVICE_DISPATCH)
    state = request.GET.get("state", "").strip()
    waiting = dispatcher_queue(request.user)
    states = [(s, OrderState(s).label) for s in ("submitted", "accepted", "resolved", "rated")]
    if state:
        if state not in dict(states):
            raise Http404("状态无效")
        waiting = waiting.filter(state=state)
    return _orders_page(request, "service/queue.html", waiting, state=state, states=states)


@page("GET")
def mine(request: SignedInRequest) -> HttpResponse:
    """网格接单: the orders dispatched to the user's grids or to the user, and those they hold."""
    require(request.user, Perm.SERVICE_HANDLE)
    return _orders_page(request, "service/mine.html", worker_orders(request.user))


def _targets(request: SignedInRequest, order: Order) -> list[tuple[str, str]]:
    """Where a dispatcher may send the order: the grids and the people who may handle orders
    under the organization handling it."""
    path = order.handler_org.path
    grids = grids_for(request.user).filter(org__path__startswith=path, active=True)
    out = [(f"grid:{g.pk}", f"网格：{g.org.name} {g.name}") for g in grids.order_by("org__path")]
    users = (
        User.objects.filter(org__path__startswith=path, is_active=True)
        .select_related("org")
        .order_by("org__path", "username")
    )
    out += [
        (f"user:{u.pk}", f"承办人：{u}（{u.org.name}）")
        for u in users[:200]
        if u.org is not None and covers(u, Perm.SERVICE_HANDLE, order.org.path)
    ]
    return out + team_targets(request.user, order)


def _detail(request: SignedInRequest, order: Order, **extra: Any) -> dict[str, Any]:
    user = request.user
    dispatcher = covers(user, Perm.SERVICE_DISPATCH, order.handler_org.path)
    state = order.state
    events = order.events.select_related("by").order_by("at", "pk")
    return {
        "order": order,
        "category_name": _category_name(order.category),
        "events": events,
        "overdue": _rows([order])[0]["overdue"],
        "can_accept": dispatcher and state == OrderState.SUBMITTED,
        "can_merge": dispatcher and state in (OrderState.SUBMITTED, OrderState.ACCEPTED),
        "can_dispatch": dispatcher and state in (OrderState.ACCEPTED, OrderState.DISPATCHED),
        "can_escalate": dispatcher and state in OPEN_STATES,
        "can_close": dispatcher and state in (OrderState.RESOLVED, OrderState.RATED),
        "can_take": state == OrderState.DISPATCHED and services.may_handle(user, order),
        "can_resolve": state == OrderState.TAKEN and order.assignee_id == user.pk,
        "photos": list(order.photos.only("pk", "name", "size", "created_at")),
        "photos_max": services.PHOTOS_PER_ORDER,
        "can_remove_photos": services.may_remove_photo(user, order),
        "can_phone": services.holds(user, order),
        "targets": _targets(request, order) if dispatcher else [],
        "reasons": RefuseReason.choices,
        "phone": "",
        **_nav(request),
        **extra,
    }


@page("GET")
def order_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """An order on a phone: what the resident asked, its limits, its full history, and the
    actions the user may take (the phone masked)."""
    require(request.user, Perm.SERVICE_VIEW)
    order = order_get(request.user, pk)
    return render(request, "service/order.html", _detail(request, order))


@page("POST")
def phone(request: SignedInRequest, pk: int) -> HttpResponse:
    """The resident's full phone, once, for the order's current handler; audited."""
    require(request.user, Perm.SERVICE_VIEW)
    order = order_get(request.user, pk)
    number = services.order_phone(actor=request.user, order=order)
    return render(request, "service/order.html", _detail(request, order, phone=number))


def _merge_target(request: SignedInRequest, code: str) -> Order:
    code = (code or "").strip().upper()
    target = orders_for(request.user).filter(tracking_code=code).first() if code else None
    if target is None:
        raise ValidationError(
            {"into": [f"未找到查询码为“{code[:16]}”的工单"] if code else ["请填写重复工单的查询码"]}
        )
    return target


def _dispatch(request: SignedInRequest, order: Order) -> Order:
    kind, _, raw = request.POST.get("target", "").partition(":")
    grid: Grid | None = None
    assignee: User | None = None
    if kind == "grid" and raw.isdigit():
        grid = grids_for(request.user).filter(pk=int(raw)).first()
    elif kind == "user" and raw.isdigit():
        assignee = User.objects.filter(pk=int(raw), org__path__startswith=order.org.path).first()
        if assignee is None:
            assignee = User.objects.filter(
                pk=int(raw), org__path__startswith=order.handler_org.path
            ).first()
    team, member = team_target(request.user, order, kind, raw)
    if grid is None and assignee is None and team is None and member is None:
        raise ValidationError({"target": ["请选择派往的网格或承办人"]})
    return services.order_dispatch(
        actor=request.user,
        order=order,
        grid=grid,
        assignee=assignee,
        team=team,
        member=member,
        note=request.POST.get("note", ""),
    )


def _decide_action(request: SignedInRequest, order: Order, action: str) -> tuple[Order, str]:
    """Apply the dispatcher's ``action``; the order after it and the message to show."""
    note = request.POST.get("note", "")
    user = request.user
    if action == "accept":
        return services.order_accept(actor=user, order=order, note=note), "已受理"
    if action == "refuse":
        reason = request.POST.get("reason", "")
        return services.order_refuse(
            actor=user, order=order, reason=reason, note=note
        ), "已不予受理"
    if action == "merge":
        into = _merge_target(request, request.POST.get("into", ""))
        return services.order_merge(actor=user, order=order, into=into, note=note), "已合并"
    if action == "dispatch":
        return _dispatch(request, order), "已派单"
    if action == "escalate":
        reason = request.POST.get("reason", "")
        return services.order_escalate(actor=user, order=order, reason=reason), "已上报"
    if action == "close":
        return services.order_close(actor=user, order=order, note=note), "已办结归档"
    raise Http404("没有这个操作")


@action
def decide(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """村居派单: accept, refuse, merge, dispatch, escalate or close one order."""
    require(request.user, Perm.SERVICE_DISPATCH)
    order = order_get(request.user, pk)
    order, done = _decide_action(request, order, action)
    messages.success(request, f"工单 {order.tracking_code}：{done}")
    return redirect("service:order", order.pk)


def _uploaded(request: SignedInRequest) -> list[tuple[str, bytes]]:
    """The photos of the form (``files``): refused by their declared size before any is read."""
    files = request.FILES.getlist("files")
    refuse_oversized(files)
    return [(upload.name or "", upload.read()) for upload in files]


@action
def work(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """网格接单: take an order dispatched to me or my grid; record what was done."""
    require(request.user, Perm.SERVICE_HANDLE)
    order = order_get(request.user, pk)
    if action == "take":
        order = services.order_take(actor=request.user, order=order)
        done = "已接单"
    elif action == "resolve":
        result = request.POST.get("result", "")
        order = services.order_resolve(
            actor=request.user, order=order, result=result, photos=_uploaded(request)
        )
        done = "已反馈办理结果，等待群众评价"
    elif action == "photo":
        photos = _uploaded(request)
        if not photos:
            raise ValidationError({"file": ["请选择要上传的照片"]})
        with transaction.atomic():
            for name, data in photos:
                services.order_photo_add(actor=request.user, order=order, name=name, data=data)
        done = f"已上传 {len(photos)} 张照片"
    else:
        raise Http404("没有这个操作")
    messages.success(request, f"工单 {order.tracking_code}：{done}")
    return redirect("service:order", order.pk)


@page("GET")
def photo(request: SignedInRequest, pk: int, photo: int) -> HttpResponse:
    """One photo of an order in the user's subtree (outside it: 404); each view is audited."""
    require(request.user, Perm.SERVICE_VIEW)
    order = order_get(request.user, pk)
    item = order.photos.filter(pk=photo).first()
    if item is None:
        raise Http404("没有这张照片")
    item.order = order
    data = services.order_photo_read(actor=request.user, photo=item)
    return attachment_response(item, data)


@action
def photo_delete(request: SignedInRequest, pk: int, photo: int) -> HttpResponse:
    """Remove a photo of an order (the holder while taken, or a dispatcher over the handling
    organization, until it is closed); audited."""
    require(request.user, Perm.SERVICE_VIEW)
    order = order_get(request.user, pk)
    item = order.photos.defer("data").filter(pk=photo).first()
    if item is None:
        raise Http404("没有这张照片")
    item.order = order
    services.order_photo_remove(actor=request.user, photo=item)
    messages.success(request, f"工单 {order.tracking_code}：已删除照片“{item.name}”")
    return redirect("service:order", order.pk)
