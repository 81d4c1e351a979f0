"""Reads the 发展党员 pages need beyond :mod:`dangjian.recruit.selectors`: the case list with
its filters (stage computed in the database, set-based), and the branch roll for the pickers.

Everything starts from :func:`dangjian.recruit.selectors.cases_for`, so the scope is the same.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.members.models import Member

from .models import CaseStatus, RecruitCase, RecruitStep
from .selectors import cases_for

CLOSED_STATUSES = [
    CaseStatus.NOT_ADMITTED,
    CaseStatus.WITHDRAWN,
    CaseStatus.PROBATION_CANCELLED,
]


def _has_step(number: int, at: dt.date) -> Exists:
    return Exists(
        RecruitStep.objects.filter(case=OuterRef("pk"), number=number, round=1, done_on__lte=at)
    )


def stage_filter(stage: str, at: dt.date) -> Q:
    """The database condition of a stage of :data:`dangjian.recruit.selectors.STAGES`
    (the same definition as :func:`dangjian.recruit.selectors.stage_of`)."""
    is_open = Q(status=CaseStatus.OPEN)
    if stage == "closed":
        return Q(status__in=CLOSED_STATUSES)
    if stage == "full":
        return Q(status=CaseStatus.CONVERTED)
    if stage == "probationary":
        return Q(status=CaseStatus.ADMITTED)
    if stage == "candidate":
        return is_open & Q(_has_step(7, at))
    if stage == "activist":
        return is_open & Q(_has_step(3, at)) & ~Q(_has_step(7, at))
    if stage == "applicant":
        return is_open & ~Q(_has_step(3, at)) & ~Q(_has_step(7, at))
    raise ValueError(f"未知阶段“{stage}”")


def case_list(
    actor: Actor,
    *,
    prefix: str | None = None,
    stage: str = "",
    year: int | None = None,
    at: dt.date,
) -> QuerySet[RecruitCase]:
    """Cases in the actor's scope, under ``prefix`` (an organization path), by stage and by the
    year of the application (step 1); in case-number order (application year, then opening)."""
    qs = cases_for(actor, Perm.RECRUIT_VIEW)
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    if stage:
        qs = qs.filter(stage_filter(stage, at))
    if year:
        qs = qs.filter(
            Exists(RecruitStep.objects.filter(case=OuterRef("pk"), number=1, done_on__year=year))
        )
    return qs.select_related("org").order_by("case_no")


def branch_roll(case: RecruitCase) -> list[Member]:
    """The members of the case's branch (full and probationary, with their status), by name.

    Everyone on the roll is offered: choosing a probationary introducer is a procedural mistake
    the checker shows (RECRUIT-INTRODUCERS), not something the form hides.
    """
    return list(
        Member.objects.filter(org=case.org)
        .exclude(pk=case.member_id or 0)
        .only("pk", "name", "member_type")
        .order_by("member_type", "name", "pk")
    )
