"""Reads of rectification plans and tasks, restricted to the actor's scope (Perm.ASSESS_VIEW).

Every list is one query (annotated counts, ``select_related``), whatever the number of
organizations in the subtree.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, Min, Q, QuerySet, Value
from django.db.models.functions import Least
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix

from .choices import ACTIVE_TASK, PlanStatus, TaskStatus
from .models import RectificationPlan, RectificationTask


def _prefix(actor: Actor, perm: Perm) -> str | None:
    return scope_prefix(actor, perm)


def plans_for(actor: Actor, *, perm: Perm = Perm.ASSESS_VIEW) -> QuerySet[RectificationPlan]:
    """Plans of organizations in the actor's subtree."""
    prefix = _prefix(actor, perm)
    if prefix is None:
        return RectificationPlan.objects.none()
    qs = RectificationPlan.objects.select_related("org")
    return qs.filter(org__path__startswith=prefix) if prefix else qs


def tasks_for(actor: Actor, *, perm: Perm = Perm.ASSESS_VIEW) -> QuerySet[RectificationTask]:
    """Tasks of plans in the actor's subtree."""
    prefix = _prefix(actor, perm)
    if prefix is None:
        return RectificationTask.objects.none()
    qs = RectificationTask.objects.select_related("plan", "plan__org")
    return qs.filter(plan__org__path__startswith=prefix) if prefix else qs


def _overdue_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}deadline__lt": today, f"{prefix}status__in": list(ACTIVE_TASK)})


def plan_list(
    actor: Actor,
    *,
    today: dt.date | None = None,
    status: str | None = None,
    org_path: str | None = None,
) -> QuerySet[RectificationPlan]:
    """Plans of the subtree with task counts; plans with overdue tasks first (most overdue first).

    Annotations: ``task_count``, ``overdue_count``, ``reported_count`` (waiting for the upper
    level), ``confirmed_count``, ``next_deadline`` (earliest deadline of an unfinished task).
    """
    today = today or timezone.localdate()
    qs = plans_for(actor)
    if status:
        qs = qs.filter(status=status)
    if org_path:
        qs = qs.filter(org__path__startswith=org_path)
    qs = qs.annotate(
        task_count=Count("tasks"),
        overdue_count=Count("tasks", filter=_overdue_q(today, "tasks__")),
        reported_count=Count("tasks", filter=Q(tasks__status=TaskStatus.REPORTED)),
        confirmed_count=Count("tasks", filter=Q(tasks__status=TaskStatus.CONFIRMED)),
        next_deadline=Min("tasks__deadline", filter=Q(tasks__status__in=list(ACTIVE_TASK))),
        has_overdue=Least(
            Count("tasks", filter=_overdue_q(today, "tasks__")),
            Value(1),
            output_field=IntegerField(),
        ),
    )
    return qs.order_by("-has_overdue", "status", "-overdue_count", "next_deadline", "-pk")


def plan_get(actor: Actor, pk: int) -> RectificationPlan:
    """A plan of the actor's subtree; 404 otherwise (no existence leak)."""
    plan = plans_for(actor).filter(pk=pk).first()
    if plan is None:
        raise Http404("整改方案不存在或不在您的管辖范围内")
    return plan


def task_get(actor: Actor, pk: int) -> RectificationTask:
    task = tasks_for(actor).filter(pk=pk).first()
    if task is None:
        raise Http404("整改任务不存在或不在您的管辖范围内")
    return task


def overdue_tasks(actor: Actor, *, today: dt.date | None = None) -> QuerySet[RectificationTask]:
    """Tasks past their deadline that the organization has not reported done, oldest first.

    For the upper level: one query over the subtree (the org's own open/reopened tasks whose
    deadline is before ``today``), with plan and organization joined.
    """
    today = today or timezone.localdate()
    return (
        tasks_for(actor)
        .filter(_overdue_q(today), plan__status=PlanStatus.OPEN)
        .order_by("deadline", "plan__org__path", "pk")
    )


def awaiting_review(actor: Actor) -> QuerySet[RectificationTask]:
    """Tasks reported done that wait for the upper level's confirmation, oldest report first."""
    return tasks_for(actor).filter(status=TaskStatus.REPORTED).order_by("reported_at", "pk")
