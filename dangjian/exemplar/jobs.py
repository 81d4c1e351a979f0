"""Reminders of the reviews (复核) of named examples through the inbox of :mod:`dangjian.notify`.

:func:`remind_reviews` looks at every named example whose next review is overdue or due within
:data:`~dangjian.exemplar.selectors.REVIEW_SOON_DAYS` days as of ``at`` (today by default) and
tells the users who review it — the active users holding ``Perm.EXEMPLAR_NAME`` bound to the
organization that named it. Idempotent: the key names the example, the review date, the kind and
the user, and the inbox keeps keys unique, so a second run tells nobody twice.

Run it daily: ``dangjian exemplar remind [--at 日期] [--enqueue]``, or enqueue
:data:`remind_task`.
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
from dangjian.core import clock
from dangjian.notify.models import Kind
from dangjian.notify.services import message_send

from .models import Exemplar
from .selectors import reviews_due

logger = logging.getLogger(__name__)

#: the roles that name and review examples
NAMER_ROLES = sorted(code for code, role in ROLES.items() if Perm.EXEMPLAR_NAME in role.perms)


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


def recipients_of(item: Exemplar) -> list[User]:
    """Who is told: the reviewers of the organization that named the example."""
    org_id = item.named_by_id
    if org_id is None:
        return []
    return list(
        User.objects.filter(is_active=True, org_id=org_id, roles__role__in=NAMER_ROLES)
        .distinct()
        .order_by("pk")
    )


def _tell(item: Exemplar, user: User, at: dt.date, overdue: bool) -> bool:
    due = item.review_on
    assert due is not None
    what = "overdue" if overdue else "due_soon"
    subject = (
        f"典型复核已逾期（应于 {due:%Y-%m-%d}）"
        if overdue
        else f"典型复核即将到期（{due:%Y-%m-%d}）"
    )
    message = message_send(
        user=user,
        kind=Kind.OVERDUE if overdue else Kind.DUE_SOON,
        subject=subject,
        body=(
            f"{item.org.name}“{item.title}”（{item.get_kind_display()}）应于 {due:%Y-%m-%d} 前复核"
        ),
        link=f"/dianxing/{item.pk}/",
        key=f"exemplar:{what}:{item.pk}:{due:%Y%m%d}:{user.pk}",
        at=timezone.make_aware(dt.datetime.combine(at, dt.time(8))),
    )
    return message is not None


def remind_reviews(at: dt.date | None = None) -> RemindReport:
    """Tell the reviewers of every named example whose review is overdue or due soon."""
    at = at or timezone.localdate(clock.now())
    report = RemindReport(at=at)
    for item in reviews_due(at):
        assert item.review_on is not None
        overdue = item.review_on < at
        if overdue:
            report.overdue += 1
        else:
            report.due_soon += 1
        try:
            with transaction.atomic():
                for user in recipients_of(item):
                    report.messages += int(_tell(item, user, at, overdue))
        except Exception as exc:  # one example's trouble does not stop the others
            logger.exception("reminding of exemplar %s failed", item.pk)
            report.failed.append(f"典型 #{item.pk}：{type(exc).__name__}")
    return report


@task()
def remind_task(at: str | None = None) -> dict[str, Any]:
    """django-tasks entry point of :func:`remind_reviews` (``at``: ISO date, today if none)."""
    return remind_reviews(dt.date.fromisoformat(at) if at else None).as_dict()
