"""Reads of service data, restricted to the acting user's subtree (``Perm.SERVICE_VIEW``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, can, one_in_scope, restrict, scope_prefix

from .choices import OPEN_STATES, Level, OrderState, ReportRating
from .models import (
    Department,
    DoubleReport,
    DoubleReportRating,
    Grid,
    Order,
    ServiceArea,
    Visit,
    VolunteerTeam,
)

_Named = TypeVar("_Named", Department, ServiceArea)


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
    """Orders for a grid worker: dispatched to a grid of theirs or to them, or held by them;
    and those dispatched to a volunteer team or a 双报到 registration of theirs (wherever their
    account is bound)."""
    pk = getattr(actor, "pk", None)
    scoped = orders_for(actor, Perm.SERVICE_HANDLE).filter(
        Q(state=OrderState.DISPATCHED, assignee__isnull=True, dispatched_grid__workers=pk)
        | Q(state__in=(OrderState.DISPATCHED, OrderState.TAKEN), assignee=pk)
    )
    mine = Q(pk__in=scoped.values("pk")) | Q(pk__in=dispatched_to(actor).values("pk"))
    return (
        Order.objects.select_related("org", "handler_org", "grid", "assignee")
        .filter(mine)
        .order_by("resolution_due", "pk")
    )


def dispatched_to(actor: Actor) -> QuerySet[Order]:
    """Open orders dispatched to a volunteer team the actor leads or serves in with their own
    account, or to the actor's 双报到 registration (not yet taken by someone else)."""
    pk = getattr(actor, "pk", None)
    if pk is None or not can(actor, Perm.SERVICE_HANDLE):
        return Order.objects.none()
    teams = Q(dispatched_team__leader=pk) | Q(dispatched_team__memberships__user=pk)
    waiting = Q(state=OrderState.DISPATCHED, assignee__isnull=True) & teams
    held = Q(state__in=(OrderState.DISPATCHED, OrderState.TAKEN), assignee=pk) & (
        Q(dispatched_team__isnull=False) | Q(dispatched_member__isnull=False)
    )
    ids = Order.objects.filter(waiting | held).values("pk")
    return Order.objects.select_related("org", "handler_org", "grid").filter(pk__in=ids)


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
    if order is None:  # a team's or a 双报到 member's order, outside their own subtree
        order = dispatched_to(actor).filter(pk=pk).first()
    if order is None:
        raise Http404("服务工单不存在或不在您的管辖范围内")
    return order


# --- linked departments, 片区, 敲门行动 ---------------------------------------------------------


def _by_org(rows: QuerySet[_Named], actor: Actor, perm: Perm) -> QuerySet[_Named]:
    """Rows named within an organization of the actor's subtree, by organization and name."""
    return restrict(rows.select_related("org"), actor, perm, "org__path").order_by(
        "org__path", "name"
    )


def departments_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[Department]:
    """Linked departments registered with an organization of the actor's subtree."""
    return _by_org(Department.objects.prefetch_related("contacts"), actor, perm)


def department_get(actor: Actor, pk: int) -> Department:
    return one_in_scope(departments_for(actor), pk, "联动部门")


def areas_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[ServiceArea]:
    return _by_org(ServiceArea.objects.prefetch_related("leaders"), actor, perm)


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
    return one_in_scope(visits_for(actor), pk, "走访记录")


# --- 红色志愿服务队 and 双报到 -------------------------------------------------------------------


def teams_for(actor: Actor, perm: Perm = Perm.SERVICE_VIEW) -> QuerySet[VolunteerTeam]:
    """Volunteer teams of organizations in the actor's subtree, with their member counts."""
    return restrict(
        VolunteerTeam.objects.select_related("org", "leader").annotate(
            member_count=Count("memberships")
        ),
        actor,
        perm,
        "org__path",
    )


def team_get(actor: Actor, pk: int) -> VolunteerTeam:
    return one_in_scope(teams_for(actor), pk, "志愿服务队")


def double_reports_for(actor: Actor) -> QuerySet[DoubleReport]:
    """双报到 registrations the actor may see: with a village or community of their subtree
    (``SERVICE_VIEW``), or of a member of their subtree's roll (``MEMBER_VIEW``) — the same
    registration counts for both sides."""
    by_place = scope_prefix(actor, Perm.SERVICE_VIEW)
    by_roll = scope_prefix(actor, Perm.MEMBER_VIEW)
    where = Q(pk__in=[])
    if by_place is not None:
        where |= Q(community__path__startswith=by_place)
    if by_roll is not None:
        where |= Q(member__org__path__startswith=by_roll)
    return DoubleReport.objects.select_related("member__org", "community", "user").filter(where)


def double_report_get(actor: Actor, pk: int) -> DoubleReport:
    return one_in_scope(double_reports_for(actor), pk, "双报到登记")


def double_report_figures(path: str, year: int) -> dict[str, Any]:
    """Organization-level counts of 双报到 for the organization at ``path`` and its subtree:
    registrations in force with its villages and communities (``with_us``), of members of its
    roll elsewhere (``ours_out``), and the ratings of ``year`` of the latter by level (what the
    employer's branch sees for its 在职党员 evaluation: counts only, no names)."""
    active = DoubleReport.objects.filter(ended_on__isnull=True)
    ours = DoubleReport.objects.filter(member__org__path__startswith=path)
    ratings = dict(
        DoubleReportRating.objects.filter(report__in=ours, year=year)
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "with_us": active.filter(community__path__startswith=path).count(),
        "ours_out": active.filter(member__org__path__startswith=path).count(),
        "year": year,
        "ratings": [(value, label, ratings.get(value, 0)) for value, label in ReportRating.choices],
    }
