"""Reads of organizations, always restricted to the acting user's scope (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import orgs_for
from dangjian.members.models import Member

from .models import ElectionDelay, Organization


@dataclass
class SubtreeCounts:
    """Counts over a node's whole subtree (itself included)."""

    orgs: int = 0
    full: int = 0
    probationary: int = 0

    @property
    def members(self) -> int:
        return self.full + self.probationary


def org_list(actor: Any, *, perm: Perm = Perm.ORG_VIEW) -> QuerySet[Organization]:
    return orgs_for(actor, perm)


def org_get(actor: Any, code: str, *, perm: Perm = Perm.ORG_VIEW) -> Organization:
    """The organization with ``code`` if the actor may see it; 404 otherwise (no existence leak)."""
    org = orgs_for(actor, perm).filter(code=code).first()
    if org is None:
        raise Http404("组织不存在或不在您的管辖范围内")
    return org


def org_roots(actor: Any) -> QuerySet[Organization]:
    """The top nodes of the actor's view: its own node, or the tree roots for the operator."""
    qs = orgs_for(actor, Perm.ORG_VIEW)
    org = getattr(actor, "org", None)
    if org is not None:
        return qs.filter(pk=org.pk)
    return qs.filter(depth=1).order_by("code")


def org_children(actor: Any, org: Organization) -> QuerySet[Organization]:
    return (
        orgs_for(actor, Perm.ORG_VIEW)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("code")
    )


def org_search(actor: Any, query: str, *, limit: int = 50) -> QuerySet[Organization]:
    """Organizations in scope whose name contains, or whose code starts with, ``query``."""
    query = query.strip()
    qs = orgs_for(actor, Perm.ORG_VIEW)
    if not query:
        return qs.none()
    return qs.filter(Q(name__icontains=query) | Q(code__istartswith=query)).order_by("path")[:limit]


def subtree_counts(nodes: list[Organization]) -> dict[int, SubtreeCounts]:
    """Subtree counts for sibling ``nodes``: two grouped queries over the path index.

    All nodes must share one depth; every organization and member below them is grouped by the
    prefix of its path at that depth, so the work is one indexed range scan, not a recursion.
    """
    if not nodes:
        return {}
    depth = nodes[0].depth
    if any(n.depth != depth for n in nodes):
        raise ValueError("subtree_counts needs nodes of one depth")
    width = Organization.steplen * depth
    by_prefix = {n.path: n.pk for n in nodes}
    parent_prefix = nodes[0].path[: width - Organization.steplen]
    result = {n.pk: SubtreeCounts() for n in nodes}
    org_rows = (
        Organization.objects.filter(path__startswith=parent_prefix, depth__gte=depth)
        .annotate(prefix=Substr("path", 1, width))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for row in org_rows:
        pk = by_prefix.get(row["prefix"])
        if pk is not None:
            result[pk].orgs = row["n"]
    member_rows = (
        Member.objects.filter(org__path__startswith=parent_prefix, org__depth__gte=depth)
        .annotate(prefix=Substr("org__path", 1, width))
        .order_by()
        .values("prefix")
        .annotate(
            full=Count("id", filter=Q(member_type="正式党员")),
            prob=Count("id", filter=Q(member_type="预备党员")),
        )
    )
    for row in member_rows:
        pk = by_prefix.get(row["prefix"])
        if pk is not None:
            result[pk].full, result[pk].probationary = row["full"], row["prob"]
    return result


def election_delay_current(org: Organization, at: dt.date) -> ElectionDelay | None:
    """The approved delay of ``org``'s current term in force on ``at`` (approved by then; the
    latest approval wins), or ``None``."""
    if org.term_started_on is None or not org.has_term:
        return None
    return (
        ElectionDelay.objects.filter(
            org=org, term_started_on=org.term_started_on, approved_on__lte=at
        )
        .order_by("-approved_on", "-pk")
        .first()
    )
