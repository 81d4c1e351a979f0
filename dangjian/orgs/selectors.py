"""Reads of organizations, always restricted to the acting user's scope (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, restrict

from .models import ElectionDelay, Organization
from .rollups import ancestor_paths


def orgs_for(actor: Actor, perm: Perm = Perm.ORG_VIEW) -> QuerySet[Organization]:
    """Organizations the actor may use ``perm`` on."""
    return restrict(Organization.objects.all(), actor, perm)


def org_list(actor: Actor, *, perm: Perm = Perm.ORG_VIEW) -> QuerySet[Organization]:
    return orgs_for(actor, perm)


def org_get(actor: Actor, code: str, *, perm: Perm = Perm.ORG_VIEW) -> Organization:
    """The organization with ``code`` if the actor may see it; 404 otherwise (no existence leak)."""
    org = orgs_for(actor, perm).filter(code=code).first()
    if org is None:
        raise Http404("组织不存在或不在您的管辖范围内")
    return org


def org_roots(actor: Actor) -> QuerySet[Organization]:
    """The top nodes of the actor's view: its own node, or the tree roots for the operator."""
    qs = orgs_for(actor, Perm.ORG_VIEW)
    org = getattr(actor, "org", None)
    if org is not None:
        return qs.filter(pk=org.pk)
    return qs.filter(depth=1).order_by("code")


def org_children(actor: Actor, org: Organization) -> QuerySet[Organization]:
    return (
        orgs_for(actor, Perm.ORG_VIEW)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("code")
    )


def org_search(actor: Actor, query: str, *, limit: int = 50) -> QuerySet[Organization]:
    """Organizations in scope whose name contains, or whose code starts with, ``query``."""
    query = query.strip()
    qs = orgs_for(actor, Perm.ORG_VIEW)
    if not query:
        return qs.none()
    return qs.filter(Q(name__icontains=query) | Q(code__istartswith=query)).order_by("path")[:limit]


def breadcrumb(actor: Actor, org: Organization) -> list[Organization]:
    """The ancestors of ``org`` the actor may see, from the top down (one query): a page's
    breadcrumb."""
    step = Organization.steplen
    paths = [org.path[:n] for n in range(step, len(org.path), step)]
    if not paths:
        return []
    return list(orgs_for(actor, Perm.ORG_VIEW).filter(path__in=paths).order_by("depth"))


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


def nearest_holders(org: Organization, roles: Iterable[str], *, above: bool = False) -> list[User]:
    """The active users holding one of ``roles`` bound to the nearest organization at or above
    ``org`` that has any (``above``: strictly above ``org``), in the order they were created."""
    paths = ancestor_paths(org.path)
    if above:
        paths = paths[:-1]
    if not paths:
        return []
    users = list(
        User.objects.filter(is_active=True, org__path__in=paths, roles__role__in=list(roles))
        .select_related("org")
        .distinct()
        .order_by("pk")
    )
    if not users:
        return []
    nearest = max(len(u.org.path) for u in users if u.org is not None)
    return [u for u in users if u.org is not None and len(u.org.path) == nearest]
