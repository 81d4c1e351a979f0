"""Reminders before each deadline and escalation after it: the service orders' timed jobs.

Both jobs look at the open orders as of a moment ``at`` (now by default) and are idempotent:
what they tell is named by the order, the limit and its due time (the ``key`` of
:data:`dangjian.service.signals.order_due`, which the inbox keeps unique), so running them twice,
or after a missed run, tells nobody twice — a catching-up run tells what the missed one would
have, once.

- :func:`remind_due` — before each limit (the response limit while the order is not yet
  accepted, the resolution limit while it is open) whoever holds the order is reminded, from
  ``remind_response_hours`` / ``remind_resolution_hours`` (SERVICE-DEADLINE) before it, and at
  most half the time the limit gives (a 2-hour response limit is reminded of after an hour).
- :func:`escalate_overdue` — an open order past a limit is reported as overdue to whoever holds
  it and to the level above; when SERVICE-DEADLINE's ``auto_escalate`` is on, it is also
  escalated one step (:func:`dangjian.service.services.order_escalate`, by :data:`JOB`, audited
  as 系统) unless it was escalated after that limit passed already. An order at the top of the
  ladder stays where it is (the level above still sees it).

Each order is handled in its own transaction; one that fails is logged and counted, the others
go on. Run them every few minutes: ``dangjian notify tick`` (both, in the calling process; cron
``*/5 * * * *``), or enqueue :data:`tick_task` for the ``db_worker`` (``dangjian notify tick
--enqueue`` from cron, the assessment's worker pattern).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from dangjian.accounts.scope import SystemActor
from dangjian.core import clock
from dangjian.rules.params import params_on

from .choices import OPEN_STATES, EventKind
from .models import Order, OrderEvent
from .services import order_escalate
from .signals import order_due

logger = logging.getLogger(__name__)

LIMITS = {"response": "受理", "resolution": "办结"}


class JobActor(SystemActor):
    """The system acting on its own (a timed job), named so in the audit trail."""

    @property
    def audit_name(self) -> str:
        return "系统:工单时限任务"


JOB = JobActor()


@dataclass
class JobReport:
    """What a run did: the moment it looked at, deadlines signalled, escalations, failures."""

    at: dt.datetime
    reminded: int = 0
    overdue: int = 0
    escalated: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "reminded": self.reminded,
            "overdue": self.overdue,
            "escalated": self.escalated,
            "failed": self.failed,
        }


def _params(at: dt.datetime) -> dict[str, Any]:
    return dict(params_on("SERVICE-DEADLINE", timezone.localdate(at)))


def limits_of(order: Order) -> Iterator[tuple[str, dt.datetime]]:
    """The limits still running on an open order: (``"response"``|``"resolution"``, due)."""
    if order.state not in OPEN_STATES:
        return
    if order.responded_at is None:
        yield "response", order.response_due
    if order.resolved_at is None:
        yield "resolution", order.resolution_due


def lead(order: Order, limit: str, params: dict[str, Any]) -> dt.timedelta:
    """How long before ``limit`` its holder is reminded (see the module docstring)."""
    if limit == "response":
        hours, span = float(params["remind_response_hours"]), float(order.response_hours)
    else:
        hours, span = float(params["remind_resolution_hours"]), order.resolution_days * 24.0
    return dt.timedelta(hours=max(0.0, min(hours, span / 2)))


def key_of(what: str, limit: str, order: Order, due: dt.datetime) -> str:
    return f"{what}:{limit}:{order.pk}:{due.astimezone(dt.UTC):%Y%m%dT%H%M%S}"


def _signal(what: str, limit: str, order: Order, due: dt.datetime) -> None:
    order_due.send(
        Order, order=order, what=what, limit=limit, due=due, key=key_of(what, limit, order, due)
    )


def remind_due(at: dt.datetime | None = None) -> JobReport:
    """Remind whoever holds an open order of each limit coming within its lead time."""
    at = at or clock.now()
    report = JobReport(at=at)
    params = _params(at)
    horizon = at + dt.timedelta(
        hours=max(float(params["remind_response_hours"]), float(params["remind_resolution_hours"]))
    )
    candidates = (
        Order.objects.filter(state__in=OPEN_STATES)
        .filter(
            Q(responded_at__isnull=True, response_due__gt=at, response_due__lte=horizon)
            | Q(resolution_due__gt=at, resolution_due__lte=horizon)
        )
        .select_related("org", "handler_org", "grid")
        .order_by("pk")
    )
    with clock.frozen(at):
        for order in candidates:
            for limit, due in limits_of(order):
                reach = lead(order, limit, params)
                if not reach or not (due - reach <= at < due):
                    continue
                try:
                    with transaction.atomic():
                        _signal("due_soon", limit, order, due)
                    report.reminded += 1
                except Exception as exc:  # one order's trouble does not stop the others
                    logger.exception("reminding of order %s failed", order.pk)
                    report.failed.append(f"{order.tracking_code}：{type(exc).__name__}")
    return report


def _escalated_since(order: Order, since: dt.datetime) -> bool:
    return OrderEvent.objects.filter(order=order, kind=EventKind.ESCALATE, at__gt=since).exists()


def escalate_overdue(at: dt.datetime | None = None) -> JobReport:
    """Report every open order past a limit; escalate it one step when ``auto_escalate``."""
    at = at or clock.now()
    report = JobReport(at=at)
    auto = bool(_params(at)["auto_escalate"])
    candidates = (
        Order.objects.filter(state__in=OPEN_STATES)
        .filter(Q(responded_at__isnull=True, response_due__lt=at) | Q(resolution_due__lt=at))
        .select_related("org", "handler_org", "grid")
        .order_by("pk")
    )
    with clock.frozen(at):
        for order in candidates:
            breached = [(limit, due) for limit, due in limits_of(order) if due < at]
            if not breached:
                continue
            try:
                with transaction.atomic():
                    for limit, due in breached:
                        _signal("overdue", limit, order, due)
                    report.overdue += 1
                    first = min(due for _, due in breached)
                    if auto and not _escalated_since(order, first):
                        limit, due = min(breached, key=lambda b: b[1])
                        reason = (
                            f"超过{LIMITS[limit]}期限（{timezone.localtime(due):%m-%d %H:%M}），"
                            "系统自动上报"
                        )
                        try:
                            with transaction.atomic():
                                order_escalate(actor=JOB, order=order, reason=reason)
                            report.escalated += 1
                        except ValidationError:
                            pass  # at the top of the ladder: the level above sees it overdue
            except Exception as exc:
                logger.exception("the overdue order %s could not be handled", order.pk)
                report.failed.append(f"{order.tracking_code}：{type(exc).__name__}")
    return report


def tick(at: dt.datetime | None = None) -> dict[str, Any]:
    """Both jobs as of ``at``: the overdue ones first (an escalation changes who is reminded)."""
    at = at or clock.now()
    late = escalate_overdue(at)
    soon = remind_due(at)
    return {"overdue": late.as_dict(), "due_soon": soon.as_dict()}


def _moment(at: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(at) if at else None


@task()
def remind_due_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`remind_due` (``at``: ISO moment, now if not given)."""
    return remind_due(_moment(at)).as_dict()


@task()
def escalate_overdue_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`escalate_overdue`."""
    return escalate_overdue(_moment(at)).as_dict()


@task()
def tick_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`tick` (both jobs)."""
    return tick(_moment(at))
