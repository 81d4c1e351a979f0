"""Reminders of the visits due (CARE-VISIT-FOLLOW-UP) through the inbox of :mod:`dangjian.notify`.

:func:`remind_visits` looks at every open entry as of ``at`` (today by default) and tells the
users who record help for it — the active users holding ``Perm.CARE_RECORD`` bound to the
member's branch or to a helping organization — of each follow-up overdue (kind 已超期) or due
within ``due_soon_days`` (即将到期). A message names the entry by its number and its branch,
never the member: an inbox message may go out by SMS. Idempotent: the key names the entry, the
agreed date, the kind and the user, and the inbox keeps keys unique, so a second run (or one
catching up a missed day) tells nobody twice.

Run it daily: ``dangjian care remind [--at 日期] [--enqueue]``, or enqueue :data:`remind_task`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dangjian.accounts.models import User
from dangjian.accounts.roles import ROLES, Perm
from dangjian.accounts.scope import SYSTEM
from dangjian.core import clock
from dangjian.notify.models import Kind
from dangjian.notify.services import message_send

from .selectors import FollowUp, follow_ups

logger = logging.getLogger(__name__)

#: the roles that record help and visits
CARE_ROLES = sorted(code for code, role in ROLES.items() if Perm.CARE_RECORD in role.perms)


@dataclass
class RemindReport:
    at: dt.date
    overdue: int = 0
    due_soon: int = 0
    messages: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "overdue": self.overdue,
            "due_soon": self.due_soon,
            "messages": self.messages,
            "failed": self.failed,
        }


def recipients_of(item: FollowUp) -> list[User]:
    """Who is told: the recorders of the member's branch and of the helping organizations."""
    h = item.hardship
    orgs = [h.org_id, *h.helpers.values_list("pk", flat=True)]
    return list(
        User.objects.filter(is_active=True, org_id__in=orgs, roles__role__in=CARE_ROLES)
        .distinct()
        .order_by("pk")
    )


def _tell(item: FollowUp, user: User, at: dt.date) -> bool:
    h, due = item.hardship, item.finding.due_date
    what = "overdue" if item.overdue else "due_soon"
    subject = (
        f"困难党员回访已逾期（应于 {due:%Y-%m-%d}）"
        if item.overdue
        else f"困难党员回访即将到期（{due:%Y-%m-%d}）"
    )
    message = message_send(
        user=user,
        kind=Kind.OVERDUE if item.overdue else Kind.DUE_SOON,
        subject=subject,
        body=f"{h.org.name} 困难党员登记 #{h.pk}：{item.finding.message}",
        link=f"/bangfu/{h.pk}/",
        key=f"care:{what}:{h.pk}:{due:%Y%m%d}:{user.pk}",
        at=timezone.make_aware(dt.datetime.combine(at, dt.time(8))),
    )
    return message is not None


def remind_visits(at: dt.date | None = None) -> RemindReport:
    """Tell the recorders of every follow-up overdue or due soon as of ``at``."""
    at = at or timezone.localdate(clock.now())
    report = RemindReport(at=at)
    for item in follow_ups(SYSTEM, at):
        if item.overdue:
            report.overdue += 1
        else:
            report.due_soon += 1
        try:
            with transaction.atomic():
                for user in recipients_of(item):
                    report.messages += int(_tell(item, user, at))
        except Exception as exc:  # one entry's trouble does not stop the others
            logger.exception("reminding of hardship entry %s failed", item.hardship.pk)
            report.failed.append(f"困难党员登记 #{item.hardship.pk}：{type(exc).__name__}")
    return report


@task()
def remind_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`remind_visits` (``at``: ISO date, today if none)."""
    return remind_visits(dt.date.fromisoformat(at) if at else None).as_dict()
