"""Writes of the inbox: a message (once per ``dedup_key``) with its queued deliveries, marking
read, a user's mobile number for SMS.

:func:`message_send` runs inside the caller's transaction (the transition or the job that is the
reason for the message), in a savepoint: a message that exists already — the job ran twice, or
catches up after a missed run — is skipped, and nothing it does can undo the caller's write.
The deliveries are sent once the transaction commits (:func:`dangjian.notify.delivery.schedule`).
Marking one's own messages read is not audited (it changes nobody's data but the reader's own
inbox state); setting a mobile number is.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers
from dangjian.core import clock, crypto, idnumber
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.service.models import Order

from . import delivery, senders
from .models import Contact, Delivery, Message
from .selectors import forget_unread, inbox_of

logger = logging.getLogger(__name__)


def message_send(
    *,
    user: User,
    kind: str,
    subject: str,
    key: str,
    body: str = "",
    link: str = "",
    order: Order | None = None,
    at: dt.datetime | None = None,
) -> Message | None:
    """A message in ``user``'s inbox unless one with ``key`` exists (then ``None``); its
    deliveries over the configured channels are queued and sent after the commit."""
    if Message.objects.filter(dedup_key=key).exists():
        return None
    now = at or clock.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                user=user,
                kind=kind,
                subject=subject[:200],
                body=body[:500],
                link=link[:200],
                order=order,
                created_at=now,
                dedup_key=key[:200],
            )
    except IntegrityError:  # made meanwhile by a concurrent run: that one stands
        return None
    forget_unread(user.pk)
    rows: list[Delivery] = []
    try:
        channels = senders.configured()
    except senders.ConfigError:
        logger.exception("the notify senders are misconfigured; the inbox message stands")
        channels = []
    for sender in channels:
        if not sender.carries(kind, user):
            continue
        address = sender.address(user)
        if not address:
            continue
        rows.append(
            Delivery(
                message=message,
                channel=sender.channel,
                address=sender.masked(address)[:100],
                created_at=now,
            )
        )
    if rows:
        Delivery.objects.bulk_create(rows)
        delivery.schedule([d.pk for d in rows if d.pk is not None] or _ids(message))
    return message


def _ids(message: Message) -> list[int]:
    return list(message.deliveries.values_list("pk", flat=True))


def message_read(*, actor: Actor, message: Message) -> Message:
    """Mark one of the actor's own messages read (again: nothing changes)."""
    if message.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能处理自己的消息")
    if message.read_at is None:
        message.read_at = clock.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
        forget_unread(message.user_id)
    return message


def messages_read_all(*, actor: Actor, kinds: list[str] | None = None) -> int:
    """Mark all the actor's unread messages (of ``kinds`` when given) read; how many."""
    unread = inbox_of(actor).filter(read_at__isnull=True)
    if kinds:
        unread = unread.filter(kind__in=kinds)
    done = unread.update(read_at=clock.now())
    forget_unread(getattr(actor, "pk", None))
    return done


@transaction.atomic
def contact_set(*, actor: Actor, user: User, phone: str) -> Contact:
    """The mobile number ``user`` gets SMS messages on (empty: none): the user themselves, or an
    account manager of their organization. Encrypted and masked like every phone number."""
    own = getattr(actor, "pk", None) == user.pk
    if not own and not (user.org and covers(actor, Perm.USER_MANAGE, user.org.path)):
        raise PermissionDenied("只能设置自己的手机号，或由系统管理员设置")
    phone = (phone or "").strip()
    if phone:
        try:
            phone = idnumber.normalize_phone(phone)
        except idnumber.InvalidNumber as exc:
            raise ValidationError({"phone": [str(exc)]}) from None
    contact, _ = Contact.objects.get_or_create(user=user)
    before = {"phone": contact.phone_masked}
    contact.phone_cipher = crypto.encrypt(phone) if phone else None
    contact.phone_masked = idnumber.mask_phone(phone) if phone else ""
    contact.save()
    audit_about(
        actor,
        AuditAction.NOTIFY_CONTACT_SET,
        AuditSubject("user", user, user.org.path if user.org else "", user.username),
        before=before,
        after={"phone": contact.phone_masked},
    )
    return contact
