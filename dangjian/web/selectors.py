"""Reads the pages need that no domain app offers, restricted like all others: the
administration pages' accounts, and the branch's to-do (the start page of a secretary).

Accounts of a subtree are visible to the 系统管理员 (user management) and the 安全管理员
(unlocking), each through the scope of their own permission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, can, scope_prefix
from dangjian.core import labels
from dangjian.orgs.models import Organization


def users_for(actor: Actor, perm: Perm) -> QuerySet[User]:
    """Accounts bound to an organization in the subtree ``perm`` of the actor reaches."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return User.objects.none()
    qs = User.objects.select_related("org").prefetch_related("roles")
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs.order_by("org__path", "username")


def user_get(actor: Actor, username: str, perm: Perm) -> User:
    user = users_for(actor, perm).filter(username=username).first()
    if user is None:
        raise Http404(f"用户“{username}”不存在或不在您的管辖范围内")
    return user


def locked_users(actor: Actor) -> QuerySet[User]:
    """Accounts in scope that are locked now, have failed logins counted, or are exempt from
    locking for a while."""
    from django.db.models import Q

    now = timezone.now()
    return users_for(actor, Perm.SECURITY_MANAGE).filter(
        Q(locked_until__gt=now) | Q(failed_logins__gt=0) | Q(lock_exempt_until__gt=now)
    )


def org_in_scope(actor: Actor, code: str, perm: Perm) -> Organization | None:
    """The organization ``code`` if ``perm`` of the actor reaches it, else ``None``."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return None
    return Organization.objects.filter(code=code, path__startswith=prefix).first()


# --- the branch's to-do (the start page of a branch secretary) ---------------------------------


@dataclass
class TodoItem:
    """One thing the branch must do, with its deadline."""

    kind: str  # 组织生活 | 发展党员 | 整改 | 考核
    title: str
    detail: str
    due: dt.date | None
    url: str
    rule: str = ""
    overdue: bool = False
    days_left: int | None = None

    @property
    def days_over(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _life_items(actor: Actor, org: Organization, today: dt.date) -> tuple[list[TodoItem], int]:
    from dangjian.web.cached import page_findings

    found = page_findings(actor, rules="LIFE", org_code=org.code, at=today)
    url = reverse("life:todo", args=[org.code])
    items = [
        TodoItem(
            "组织生活",
            labels.rule_title(f.rule),
            labels.period_label(f.period or ""),
            f.due_date,
            url,
            rule=f.rule,
        )
        for f in found
        if f.severity == "due"
    ]
    missed = sum(1 for f in found if f.severity == "error")
    return items, missed


def _recruit_items(actor: Actor, org: Organization, today: dt.date) -> list[TodoItem]:
    """Deadlines and overdue steps of the branch's recruitment cases (RECRUIT "due" and the
    errors of open cases), each linked to its case."""
    if not can(actor, Perm.RECRUIT_VIEW):
        return []
    from dangjian.recruit.models import CaseStatus, RecruitCase
    from dangjian.web.cached import page_findings

    cases = {
        c.case_no: c
        for c in RecruitCase.objects.filter(org=org).exclude(
            status__in=[CaseStatus.WITHDRAWN, CaseStatus.NOT_ADMITTED, CaseStatus.CONVERTED]
        )
    }
    if not cases:
        return []
    found = page_findings(actor, rules="RECRUIT", org_code=org.code, at=today)
    items = []
    for f in found:
        case = cases.get(f.subject)
        due = f.due_date if f.severity == "due" else _pending_deadline(f.evidence)
        if case is None or due is None:
            continue
        items.append(
            TodoItem(
                "发展党员",
                f"{case.name}：{labels.rule_title(f.rule)}",
                f.message,
                due,
                reverse("recruit:case", args=[case.pk]),
                rule=f.rule,
                overdue=f.severity == "error",
            )
        )
    return items


def _pending_deadline(evidence: dict[str, Any]) -> dt.date | None:
    """The deadline of a step still not done (an overdue error whose evidence has a
    ``deadline`` and no step dated after it); ``None`` for other findings."""
    try:
        deadline = dt.date.fromisoformat(str(evidence.get("deadline") or ""))
    except ValueError:
        return None
    for key, value in evidence.items():
        if key.startswith("step_") and str(value or "") > deadline.isoformat():
            return None  # done, but late: a past fault, not something to do
    return deadline


def _rectify_items(actor: Actor, org: Organization) -> list[TodoItem]:
    if not can(actor, Perm.ASSESS_VIEW):
        return []
    from dangjian.rectify.choices import ACTIVE_TASK
    from dangjian.rectify.selectors import tasks_for

    tasks = tasks_for(actor).filter(plan__org=org, status__in=list(ACTIVE_TASK))
    return [
        TodoItem(
            "整改",
            t.what,
            f"整改措施：{t.how}" if t.how else "",
            t.deadline,
            reverse("rectify:plan", args=[t.plan_id]),
        )
        for t in tasks.order_by("deadline", "pk")[:50]
    ]


def _assess_items(actor: Actor, org: Organization, today: dt.date) -> list[TodoItem]:
    """The self-check of an assessment whose self-check phase is open for the branch."""
    if not can(actor, Perm.ASSESS_SELF):
        return []
    from dangjian.assess.models import CampaignOrg, CampaignStatus

    rows = CampaignOrg.objects.filter(
        org=org,
        campaign__status=CampaignStatus.OPEN,
        campaign__self_check_start__lte=today,
        campaign__self_check_end__gte=today,
    ).select_related("campaign")
    return [
        TodoItem(
            "考核",
            f"{row.campaign.name}：自查",
            "对照考核标准逐项自查评分",
            row.campaign.self_check_end,
            reverse("assess:self_check", args=[row.campaign_id, org.code]),
        )
        for row in rows
    ]


def branch_todo(actor: Actor, org: Organization, today: dt.date) -> dict[str, Any]:
    """What the branch must do and by when: the LIFE to-do of this month, quarter and year,
    the deadlines of its recruitment cases, its open rectification tasks and an open
    self-check — one list, overdue first, then by deadline."""
    life, missed = _life_items(actor, org, today)
    items = [
        *life,
        *_recruit_items(actor, org, today),
        *_rectify_items(actor, org),
        *_assess_items(actor, org, today),
    ]
    for item in items:
        if item.due is not None:
            item.days_left = (item.due - today).days
            item.overdue = item.overdue or item.days_left < 0
    items.sort(key=lambda i: (not i.overdue, i.due or dt.date.max, i.kind, i.title))
    return {
        "items": items,
        "overdue": [i for i in items if i.overdue],
        "due": [i for i in items if not i.overdue],
        "life_missed": missed,
    }
