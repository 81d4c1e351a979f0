"""Reads of inspections, with the 暗访 boundary.

- A plan is read at its organizing level and above (``Perm.INSPECTION_VIEW`` covering the plan's
  ``org``) and by its inspectors.
- Its results (visits, observations, photos and videos, findings) are read by the same people —
  but for a 暗访 not yet published only by the inspecting level: holders of
  ``Perm.INSPECTION_MANAGE`` covering the plan's ``org``, and the plan's inspectors.
- The organization inspected (``Perm.INSPECTION_VIEW`` covering it) reads the findings about its
  subtree once they are not secret: a 督查 or 巡查 at once, a 暗访 from its publication.

The command-line operator reads everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix, user_of

from .choices import Kind
from .models import Finding, InspectionPlan, Visit


def _under(field: str, prefix: str | None) -> Q:
    """Rows whose ``field`` path lies under ``prefix`` (nothing for ``None``)."""
    if prefix is None:
        return Q(pk__in=[])
    # everything: an explicit condition, as an empty Q() drops out of an OR
    return Q(pk__isnull=False) if prefix == "" else Q(**{f"{field}__startswith": prefix})


def _is_inspector(actor: Actor, field: str) -> Q:
    user = user_of(actor)
    return Q(**{field: user.pk}) if user is not None else Q(pk__in=[])


def plans_for(actor: Actor) -> QuerySet[InspectionPlan]:
    """The plans the actor reads (organizing level and above, and the plan's inspectors)."""
    qs = InspectionPlan.objects.select_related("org")
    view = scope_prefix(actor, Perm.INSPECTION_VIEW)
    if view is None:
        return qs.none()
    ids = qs.filter(_under("org__path", view) | _is_inspector(actor, "inspectors"))
    return qs.filter(pk__in=ids.values("pk"))


def plan_get(actor: Actor, pk: int) -> InspectionPlan:
    plan = plans_for(actor).filter(pk=pk).first()
    if plan is None:
        raise Http404("督查计划不存在或不在您的管辖范围内")
    return plan


def is_inspector(actor: Actor, plan: InspectionPlan) -> bool:
    user = user_of(actor)
    return user is not None and plan.inspectors.filter(pk=user.pk).exists()


def may_manage(actor: Actor, plan: InspectionPlan) -> bool:
    """The inspecting level: ``INSPECTION_MANAGE`` covering the plan's organizing org."""
    return covers(actor, Perm.INSPECTION_MANAGE, plan.org.path)


def may_record(actor: Actor, plan: InspectionPlan) -> bool:
    """Who records visits and findings: the inspecting level and the plan's inspectors."""
    if not covers(actor, Perm.INSPECTION_VIEW, plan.org.path):
        return False
    return may_manage(actor, plan) or is_inspector(actor, plan)


def may_see_results(actor: Actor, plan: InspectionPlan) -> bool:
    """Whether the actor, who reads the plan, reads its results (the 暗访 boundary)."""
    if not covers(actor, Perm.INSPECTION_VIEW, plan.org.path) and not is_inspector(actor, plan):
        return False
    if plan.kind != Kind.COVERT or plan.published_at is not None:
        return True
    return may_manage(actor, plan) or is_inspector(actor, plan)


def _results(actor: Actor, plan_field: str, org_field: str) -> Q:
    """The rows of results the actor reads (see the module docstring); ``plan_field`` leads from
    the row to its plan, ``org_field`` to the organization inspected."""
    view = scope_prefix(actor, Perm.INSPECTION_VIEW)
    if view is None:
        return Q(pk__in=[])
    manage = scope_prefix(actor, Perm.INSPECTION_MANAGE)
    open_ = ~Q(**{f"{plan_field}__kind": Kind.COVERT}) | Q(
        **{f"{plan_field}__published_at__isnull": False}
    )
    inspecting = _under(f"{plan_field}__org__path", manage) | _is_inspector(
        actor, f"{plan_field}__inspectors"
    )
    at_level = _under(f"{plan_field}__org__path", view) | _is_inspector(
        actor, f"{plan_field}__inspectors"
    )
    inspected = _under(f"{org_field}__path", view)
    return (at_level & (open_ | inspecting)) | (inspected & open_)


def visits_for(actor: Actor) -> QuerySet[Visit]:
    rows = Visit.objects.filter(_results(actor, "plan", "org")).values("pk")
    return Visit.objects.select_related("plan", "org").filter(pk__in=rows)


def visits_about(actor: Actor, org: Any, year: int) -> QuerySet[Visit]:
    """The visits of ``org``'s subtree in ``year`` whose results the actor reads, newest first,
    with their findings and photos or clips: the inspections' material at a secretary's 述职
    meeting (seed 004: the 暗访片 shown there)."""
    return (
        visits_for(actor)
        .filter(org__path__startswith=org.path, visited_on__year=year)
        .prefetch_related("findings", "media")
        .order_by("-visited_on", "pk")
    )


def visit_get(actor: Actor, pk: int) -> Visit:
    visit = visits_for(actor).filter(pk=pk).first()
    if visit is None:
        raise Http404("检查记录不存在或不在您的管辖范围内")
    return visit


def findings_for(actor: Actor) -> QuerySet[Finding]:
    """The findings the actor reads (the inspecting level, and the inspected once not secret)."""
    rows = Finding.objects.filter(_results(actor, "visit__plan", "org")).values("pk")
    return Finding.objects.select_related(
        "visit", "visit__plan", "org", "task", "task__plan"
    ).filter(pk__in=rows)


def finding_get(actor: Actor, pk: int) -> Finding:
    finding = findings_for(actor).filter(pk=pk).first()
    if finding is None:
        raise Http404("督查发现问题不存在或不在您的管辖范围内")
    return finding


def campaign_evidence(actor: Actor, campaign: Any, org: Any) -> QuerySet[Finding]:
    """The inspection findings about ``org`` (and its subtree) visited within ``campaign``'s
    assessment period, as the actor reads them and never a secret one: the evidence a
    spot-check (抽查) of the campaign may weigh. The caller decides whether the campaign uses
    them (see the report of issue 15: the campaign's opt-in is not stored yet)."""
    start: dt.date = campaign.period_start
    end: dt.date = campaign.period_end
    return (
        findings_for(actor)
        .filter(org__path__startswith=org.path, visit__visited_on__range=(start, end))
        .filter(~Q(visit__plan__kind=Kind.COVERT) | Q(visit__plan__published_at__isnull=False))
        .order_by("-visit__visited_on", "pk")
    )
