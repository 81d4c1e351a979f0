"""Inbox messages from the service orders' signals (:mod:`dangjian.service.signals`).

On a new order (``post_save`` of an order created, whoever created it: the public page, Open311,
a import) → 新工单待受理: the dispatchers of the organization handling it.

On a transition (``order_moved``):

- 派单 → 指派给我: the person it was assigned to, or the workers of the grid it was sent to;
- 上报 → 上报给我: the dispatchers of the organization handling it now;
- 群众评单 → 群众评价: whoever resolved it; 不满意 also the dispatchers;
- 重新办理 → the dispatchers (and whoever had resolved it).

On a deadline (``order_due``, from the jobs): 即将到期 to whoever holds the order; 已超期 to
whoever holds it and to the dispatchers of the level above (overdue orders are shown upwards).

Nobody is told of their own action. Each message's ``dedup_key`` names the transition (order,
kind, moment) or the deadline (order, limit, due) and the recipient, so a second delivery of the
same event adds nothing. A receiver never breaks the write that sent the signal: its work runs
in a savepoint, and an error is logged and swallowed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import clock
from dangjian.service.categories import category
from dangjian.service.choices import EventKind, Level, Rating
from dangjian.service.models import Order
from dangjian.service.signals import order_due, order_moved

from .models import Kind
from .recipients import dispatchers_of, holders_of
from .selectors import unread_count
from .services import message_send

logger = logging.getLogger(__name__)

LIMIT_LABELS = {"response": "受理", "resolution": "办结"}


def _safely(work: Callable[[], object], what: str) -> None:
    try:
        with transaction.atomic():
            work()
    except Exception:  # a message must never undo the write that caused it
        logger.exception("making the inbox messages of %s failed", what)


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def _name(order: Order) -> str:
    cat = category(order.category)
    return f"{cat.name if cat else order.category}（{order.tracking_code}）"


def _link(order: Order) -> str:
    return reverse("service:order", kwargs={"pk": order.pk})


def _tell(
    users: Iterable[User],
    *,
    order: Order,
    kind: str,
    subject: str,
    body: str,
    key: str,
    at: dt.datetime,
    skip: Any = None,
) -> int:
    made = 0
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or (skip is not None and user.pk == skip):
            continue
        seen.add(user.pk)
        if message_send(
            user=user,
            kind=kind,
            subject=subject,
            body=body,
            link=_link(order),
            order=order,
            key=f"{key}:u{user.pk}",
            at=at,
        ):
            made += 1
    return made


def _resolver(order: Order) -> list[User]:
    """Whoever resolved the order last (the resolve event's author)."""
    pk = (
        order.events.filter(kind=EventKind.RESOLVE, by__isnull=False)
        .order_by("-at", "-pk")
        .values_list("by", flat=True)
        .first()
    )
    return list(User.objects.filter(pk=pk, is_active=True)) if pk is not None else []


def moved(order: Order, kind: str, actor: Any, at: dt.datetime) -> None:
    """The messages of one transition (see the module docstring)."""
    key = f"move:{order.pk}:{kind}:{at.isoformat()}"
    skip = getattr(actor, "pk", None)
    brief = order.description[:60]
    common: dict[str, Any] = {"order": order, "body": brief, "key": key, "at": at, "skip": skip}
    if kind == EventKind.DISPATCH:
        users = holders_of(order)
        _tell(
            users,
            kind=Kind.ASSIGNED,
            subject=f"新派工单：{_name(order)}，请于{_when(order.resolution_due)}前办结",
            **common,
        )
    elif kind == EventKind.ESCALATE:
        _tell(
            dispatchers_of(order.handler_org),
            kind=Kind.ESCALATED,
            subject=f"上报工单：{_name(order)}已上报至{Level(order.level).label}，请派单",
            **common,
        )
    elif kind == EventKind.RATE:
        label = Rating(order.rating).label if order.rating else ""
        users = _resolver(order)
        if order.rating == Rating.UNSATISFIED:
            users += dispatchers_of(order.handler_org)
        _tell(users, kind=Kind.RATED, subject=f"群众评价：{_name(order)}「{label}」", **common)
    elif kind == EventKind.REOPEN:
        users = dispatchers_of(order.handler_org) + _resolver(order)
        _tell(
            users,
            kind=Kind.REOPENED,
            subject=f"群众要求重新办理：{_name(order)}",
            **common,
        )


def submitted(order: Order) -> None:
    """新工单待受理 to the dispatchers of the organization handling the new order."""
    _tell(
        dispatchers_of(order.handler_org),
        order=order,
        kind=Kind.SUBMITTED,
        subject=f"新工单待受理：{_name(order)}，请于{_when(order.response_due)}前受理",
        body=order.description[:60],
        key=f"submit:{order.pk}",
        at=order.submitted_at,
    )


@receiver(post_save, sender=Order, dispatch_uid="notify.order_created")
def on_order_created(sender: Any, *, instance: Order, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        _safely(lambda: submitted(instance), f"工单 {instance.tracking_code} submit")


@receiver(order_moved, dispatch_uid="notify.order_moved")
def on_order_moved(
    sender: Any, *, order: Order, kind: str, actor: Any, at: dt.datetime, **kwargs: Any
) -> None:
    _safely(lambda: moved(order, kind, actor, at), f"工单 {order.tracking_code} {kind}")


def deadline(order: Order, *, what: str, limit: str, due_at: dt.datetime, key: str) -> int:
    """The messages of one deadline coming (``due_soon``) or passed (``overdue``)."""
    label = LIMIT_LABELS.get(limit, limit)
    at = clock.now()
    common: dict[str, Any] = {"order": order, "body": order.description[:60], "at": at}
    if what == "due_soon":
        return _tell(
            holders_of(order),
            kind=Kind.DUE_SOON,
            subject=f"即将到期：{_name(order)}须在{_when(due_at)}前{label}",
            key=key,
            **common,
        )
    made = _tell(
        holders_of(order),
        kind=Kind.OVERDUE,
        subject=f"已超期：{_name(order)}已超过{label}期限（{_when(due_at)}）",
        key=key,
        **common,
    )
    made += _tell(
        dispatchers_of(order.handler_org, above=True),
        kind=Kind.OVERDUE,
        subject=f"下级工单超期：{order.handler_org.name}的{_name(order)}已超过{label}期限"
        f"（{_when(due_at)}）",
        key=f"{key}:above",
        **common,
    )
    return made


@receiver(order_due, dispatch_uid="notify.order_due")
def on_order_due(
    sender: Any,
    *,
    order: Order,
    what: str,
    limit: str,
    due: dt.datetime,
    key: str,
    **kwargs: Any,
) -> None:
    _safely(
        lambda: deadline(order, what=what, limit=limit, due_at=due, key=key),
        f"工单 {order.tracking_code} {what}",
    )


@receiver(user_logged_in, dispatch_uid="notify-unread-at-login")
def count_unread_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Count the user's unread messages once when they sign in, so the navigation reads the
    cached count on every page after (the pages' query budgets hold from the first view)."""
    unread_count(user)
