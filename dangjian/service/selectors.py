"""Reads of service data, restricted to the acting user's subtree (``Perm.SERVICE_VIEW``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, restrict

from .choices import OPEN_STATES, Level, OrderState
from .models import Department, Grid, Order, ServiceArea, Visit


def orders_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Order]:
    """Orders of villages and communities in the actor's subtree."""
    return restrict(
        Order.objects.select_related("org", "handler_org", "grid", "assignee"),
        actor,
        perm,
        "org__path",
    )


def grids_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Grid]:
    return restrict(Grid.objects.select_related("org"), actor, perm, "org__path")


def dispatcher_queue(actor: Actor) -> QuerySet[Order]:
    """Orders waiting for a dispatcher the actor is: handled by an organization of the actor's
    subtree, not yet taken, oldest first."""
    states = (OrderState.SUBMITTED, OrderState.ACCEPTED, OrderState.RATED, OrderState.RESOLVED)
    return (
        restrict(
            Order.objects.select_related("org", "handler_org", "grid"),
            actor,
            Perm.SERVICE_DISPATCH,
            "handler_org__path",
        )
        .filter(state__in=states)
        .order_by("submitted_at", "pk")
    )


def worker_orders(actor: Actor) -> QuerySet[Order]:
    """Orders for a grid worker: dispatched to a grid of theirs or to them, or held by them."""
    pk = getattr(actor, "pk", None)
    return (
        orders_for(actor, Perm.SERVICE_HANDLE)
        .filter(
            Q(state=OrderState.DISPATCHED, assignee__isnull=True, dispatched_grid__workers=pk)
            | Q(state__in=(OrderState.DISPATCHED, OrderState.TAKEN), assignee=pk)
        )
        .distinct()
        .order_by("resolution_due", "pk")
    )


def overdue(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Open orders past their response limit (not responded) or their resolution limit
    (SERVICE-DEADLINE)."""
    now = timezone.now()
    return orders.filter(state__in=OPEN_STATES).filter(
        Q(responded_at__isnull=True, response_due__lt=now) | Q(resolution_due__lt=now)
    )


def order_by_code(code: str) -> Order | None:
    """The order a resident follows by its tracking code (case-insensitive), or ``None``."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return (
        Order.objects.select_related("grid", "org", "handler_org")
        .filter(tracking_code=code)
        .first()
    )


def grid_by_token(token: str) -> Grid | None:
    return Grid.objects.select_related("org").filter(token=token, active=True).first()


def order_get(actor: Actor, pk: int) -> Order:
    """An order of the actor's subtree; 404 otherwise (no existence leak)."""
    order = orders_for(actor).select_related("dispatched_grid", "merged_into").filter(pk=pk).first()
    if order is None:
        raise Http404("服务工单不存在或不在您的管辖范围内")
    return order


# --- linked departments, 片区, 敲门行动 ---------------------------------------------------------


def departments_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Department]:
    """Linked departments registered with an organization of the actor's subtree."""
    return restrict(
        Department.objects.select_related("org").prefetch_related("contacts"),
        actor,
        perm,
        "org__path",
    ).order_by("org__path", "name")


def areas_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[ServiceArea]:
    return restrict(
        ServiceArea.objects.select_related("org").prefetch_related("leaders"),
        actor,
        perm,
        "org__path",
    ).order_by("org__path", "name")


def linked_orders(actor: Actor) -> QuerySet[Order]:
    """Orders waiting for or held by the actor as a contact user of a linked department they
    were referred to, or as a 片区长 of the 片区 they were escalated to; earliest limit first."""
    pk = getattr(actor, "pk", None)
    referred = Q(referrals__department__contacts=pk, referrals__department__active=True)
    areas = ServiceArea.objects.filter(leaders=pk).values_list("org_id", "name")
    in_area = Q(pk__in=[])
    for org_id, name in areas:
        in_area |= Q(org_id=org_id, grid__area=name)
    waiting = Q(state=OrderState.DISPATCHED, assignee__isnull=True) & (
        referred | (Q(level=Level.AREA, dispatched_grid__isnull=True) & in_area)
    )
    held = Q(state__in=(OrderState.DISPATCHED, OrderState.TAKEN), assignee=pk) & (
        Q(department__isnull=False) | Q(level=Level.AREA)
    )
    return (
        orders_for(actor, Perm.SERVICE_HANDLE)
        .filter(waiting | held)
        .distinct()
        .order_by("resolution_due", "pk")
    )


def visits_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Visit]:
    return restrict(
        Visit.objects.select_related("grid", "org").prefetch_related("visitors", "needs"),
        actor,
        perm,
        "org__path",
    )


def follow_ups_due(actor: Actor, today: dt.date, days: int = 7) -> QuerySet[Visit]:
    """Visits whose follow-up is not done and falls due by ``today + days`` (overdue first)."""
    return (
        visits_for(actor)
        .filter(done=False, follow_up_due__isnull=False)
        .filter(follow_up_due__lte=today + dt.timedelta(days=days))
        .order_by("follow_up_due", "pk")
    )


def visit_get(actor: Actor, pk: int) -> Visit:
    """A visit of the actor's subtree; 404 otherwise."""
    visit = visits_for(actor).filter(pk=pk).first()
    if visit is None:
        raise Http404("走访记录不存在或不在您的管辖范围内")
    return visit
