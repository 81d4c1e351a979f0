"""SERVICE-PHONE-RETENTION: the resident's phone number is deleted once the retention period
after the order ended has passed.

An order ends when it is closed (办结归档, or rated 满意/基本满意), refused or merged — its
``closed_at``. ``retention_days`` (the rule's parameter in force on the day of the purge,
:mod:`dangjian.service.rules`; default 90) after that day the cipher, the keyed digest and the
masked copy are removed, each order in its own transaction with one audit entry (the masked
number only). An order still open, resolved or rated 不满意 keeps its number: someone may still
have to call back. ``dangjian service-purge [--at D] [--dry-run]`` runs it (daily, from cron).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.accounts.scope import Actor
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.rules.params import params_on

from .choices import FINAL_STATES
from .models import Order

RULE = "SERVICE-PHONE-RETENTION"


def retention_days(on: dt.date) -> int:
    """The retention period in force on ``on``, in days; ``ValueError`` (Chinese) when the
    configured value is not a whole number of at least 1."""
    value = params_on(RULE, on)["retention_days"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{RULE} 的 retention_days 应为正整数（天），现为 {value!r}")
    return value


def purge_due(at: dt.date) -> QuerySet[Order]:
    """Orders whose phone number is due for deletion on ``at``: ended on or before
    ``at - retention_days`` (in China's time) and still holding a number."""
    last_day = at - dt.timedelta(days=retention_days(at))
    moment = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()))
    return (
        Order.objects.filter(state__in=FINAL_STATES, closed_at__lt=moment)
        .exclude(phone_cipher__isnull=True, phone_digest="", phone_masked="")
        .select_related("org")
        .order_by("closed_at", "pk")
    )


@transaction.atomic
def order_purge_phone(*, actor: Actor, order: Order, at: dt.date) -> bool:
    """Delete one order's phone number if it is still due on ``at`` (read again under a lock);
    audited. ``False`` when there was nothing to do."""
    fresh = purge_due(at).select_for_update(of=("self",)).filter(pk=order.pk).first()
    if fresh is None:
        return False
    order = fresh
    masked = order.phone_masked
    Order.objects.filter(pk=order.pk).update(phone_cipher=None, phone_digest="", phone_masked="")
    order.phone_cipher, order.phone_digest, order.phone_masked = None, "", ""
    audit_about(
        actor,
        AuditAction.SERVICE_ORDER_PHONE_PURGE,
        AuditSubject("service_order", order, order.org.path, f"服务工单 {order.tracking_code}"),
        before={"phone": masked},
        after={"phone": "", "closed_at": order.closed_at.isoformat() if order.closed_at else None},
    )
    return True


def purge_expired_phones(*, actor: Actor, at: dt.date, dry_run: bool = False) -> list[Order]:
    """Delete the phone numbers of every order due on ``at`` (:func:`purge_due`), each in its
    own transaction; with ``dry_run`` only list them. Returns the orders (purged or to purge)."""
    due = list(purge_due(at))
    if dry_run:
        return due
    return [o for o in due if order_purge_phone(actor=actor, order=o, at=at)]
