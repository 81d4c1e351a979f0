"""Reminders of the transfers' deadlines through the inbox (:mod:`dangjian.notify`).

As of a day ``at``: a letter in transit within ``remind_days`` of its last valid day
(REL-TRANSFER-DEADLINE) is reminded of to the receiving organization's member administrators
(即将到期), a letter past it to the sending branch's (已超期) — the sending branch stays
responsible until the new one receives. Idempotent: each message is named by the transfer and
its due day (:func:`dangjian.notify.services.message_send` keeps the key unique), so a second run
or a catching-up run tells nobody twice. Run daily: ``dangjian transfer remind [--at 日期]``,
or enqueue :data:`remind_task` for the ``db_worker``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from dangjian.accounts.models import User
from dangjian.accounts.roles import ROLES, Perm
from dangjian.notify.models import Kind
from dangjian.notify.services import message_send
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import nearest_holders
from dangjian.rules.params import params_on

from .choices import TransferState
from .models import Transfer
from .rules import DEADLINE

#: the roles that keep member rolls (and so handle transfers)
ROLL_ROLES = sorted(code for code, role in ROLES.items() if Perm.MEMBER_CHANGE in role.perms)


def keepers_of(org: Organization) -> list[User]:
    """The active users keeping ``org``'s roll: bound to the nearest organization at or above
    it that has any (the branch's own secretary, else the committee's administrators)."""
    return nearest_holders(org, ROLL_ROLES)


def _link(t: Transfer) -> str:
    return reverse("transfer:detail", kwargs={"pk": t.pk})


def remind(at: dt.date | None = None) -> dict[str, Any]:
    """Send the reminders due on ``at`` (today by default); how many messages were made."""
    at = at or timezone.localdate()
    remind_days = int(params_on(DEADLINE.id, at)["remind_days"])
    soon_until = at + dt.timedelta(days=remind_days)
    transit = Transfer.objects.filter(state=TransferState.IN_TRANSIT, due_on__isnull=False)
    soon = late = 0
    for t in transit.filter(due_on__gte=at, due_on__lte=soon_until).select_related(
        "to_org", "from_org"
    ):
        if t.to_org is None:
            continue  # a receiver outside the platform: the overdue list tells the sender
        with transaction.atomic():
            for user in keepers_of(t.to_org):
                made = message_send(
                    user=user,
                    kind=Kind.DUE_SOON,
                    subject=f"组织关系转接即将到期：{t.member_name}（介绍信 {t.letter_no}）",
                    body=f"由{t.from_org.name}转入，介绍信有效期至 {t.due_on}，请及时办理接收",
                    link=_link(t),
                    key=f"transfer:{t.pk}:due_soon:{t.due_on}:{user.pk}",
                )
                soon += made is not None
    for t in transit.filter(due_on__lt=at).select_related("to_org", "from_org"):
        with transaction.atomic():
            for user in keepers_of(t.from_org):
                made = message_send(
                    user=user,
                    kind=Kind.OVERDUE,
                    subject=f"组织关系转接已超期：{t.member_name}（介绍信 {t.letter_no}）",
                    body=f"转往{t.receiver_name}，介绍信已于 {t.due_on} 过期，尚未接收；"
                    "请联系接收党组织，或撤销后重新开具",
                    link=_link(t),
                    key=f"transfer:{t.pk}:overdue:{t.due_on}:{user.pk}",
                )
                late += made is not None
    return {"at": at.isoformat(), "due_soon": soon, "overdue": late}


@task()
def remind_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`remind`."""
    return remind(dt.date.fromisoformat(at) if at else None)
