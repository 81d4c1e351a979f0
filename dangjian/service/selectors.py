"""Reads of service data, restricted to the acting user's subtree (``Perm.SERVICE_VIEW``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, restrict

from .choices import OPEN_STATES, OrderState
from .models import Grid, Order


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
