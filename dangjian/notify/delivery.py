"""Sending the queued deliveries, after the commit, in the django-tasks worker.

:func:`schedule` is called by :func:`dangjian.notify.services.message_send` inside the write's
transaction: the deliveries of one transaction are collected and one :data:`send_task` is
enqueued when it commits (nothing is sent for a write that rolled back; at once outside a
transaction). :func:`deliver` claims each delivery (a conditional update, so two workers never
send one twice), calls its channel with a timeout and records ``sent`` or ``failed`` with the
error; it never raises. ``dangjian notify send`` sends what is still queued (the queue was down)
and tries the failed ones again, up to :data:`MAX_ATTEMPTS`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from . import senders
from .models import Delivery, DeliveryState

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
#: a queued delivery older than this is taken as lost (its task never ran) and sent again
STALE_AFTER = dt.timedelta(minutes=10)
_local = threading.local()


def _enqueue(ids: set[int]) -> None:
    try:
        send_task.enqueue(sorted(ids))
    except Exception:  # the queue is unavailable: ``dangjian notify send`` catches up
        logger.exception("enqueueing the deliveries %s failed", sorted(ids))


def schedule(ids: Iterable[int]) -> None:
    """Send the deliveries ``ids`` once the current transaction commits (one task for all the
    deliveries of a transaction)."""
    ids = {int(pk) for pk in ids}
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue(ids)
        return
    pending: set[int] | None = getattr(_local, "pending", None)
    if pending is not None and any(
        getattr(func, "func", None) is _enqueue and func.args[0] is pending  # type: ignore[attr-defined]
        for _sids, func, _robust in connection.run_on_commit
    ):
        pending.update(ids)
        return
    pending = set(ids)
    _local.pending = pending
    transaction.on_commit(partial(_enqueue, pending))


def _claim(row: Delivery) -> bool:
    """Take the delivery for this attempt (nobody else took it since it was read)."""
    return bool(
        Delivery.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
            attempts=F("attempts") + 1, last_attempt_at=timezone.now()
        )
    )


def deliver(ids: Iterable[int]) -> dict[str, int]:
    """Send the deliveries ``ids`` that are queued or failed (under :data:`MAX_ATTEMPTS`);
    record each outcome. Returns counts by outcome; never raises."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    try:
        channels = {s.channel: s for s in senders.configured()}
    except senders.ConfigError as exc:
        logger.error("the notify senders are misconfigured: %s", exc)
        channels = {}
    rows = (
        Delivery.objects.filter(pk__in=list(ids), attempts__lt=MAX_ATTEMPTS)
        .exclude(state=DeliveryState.SENT)
        .select_related("message", "message__user", "message__user__org")
        .order_by("pk")
    )
    for row in rows:
        if not _claim(row):
            counts["skipped"] += 1
            continue
        sender = channels.get(row.channel)
        message = row.message
        try:
            if sender is None:
                raise senders.SendError(f"渠道“{row.channel}”已不在配置中")
            address = sender.address(message.user)
            if not address:
                raise senders.SendError("收件人在该渠道没有联系方式")
            sender.send(
                address,
                senders.Outgoing(
                    user=message.user, subject=message.subject, body=message.body, link=message.link
                ),
            )
        except Exception as exc:
            text = str(exc) if isinstance(exc, senders.SendError) else f"{type(exc).__name__}"
            Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.FAILED, error=text[:500])
            counts["failed"] += 1
            continue
        Delivery.objects.filter(pk=row.pk).update(
            state=DeliveryState.SENT, error="", sent_at=timezone.now()
        )
        counts["sent"] += 1
    return counts


def retry(now: dt.datetime | None = None) -> dict[str, int]:
    """Send again what failed (under :data:`MAX_ATTEMPTS`) and what has been queued for longer
    than :data:`STALE_AFTER` (its task was lost)."""
    now = now or timezone.now()
    ids = Delivery.objects.filter(
        Q(state=DeliveryState.FAILED, attempts__lt=MAX_ATTEMPTS)
        | Q(state=DeliveryState.QUEUED, created_at__lt=now - STALE_AFTER)
    ).values_list("pk", flat=True)
    return deliver(list(ids))


@task()
def send_task(ids: list[int]) -> dict[str, Any]:
    """django-tasks entry point of :func:`deliver`."""
    return deliver(ids)
