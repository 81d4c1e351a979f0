"""Reads of meeting records, always restricted to the acting user's scope (Perm.ORG_VIEW)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import scope_prefix
from dangjian.orgs.models import Organization

from .models import Meeting


def meetings_for(actor: Any, perm: Perm = Perm.ORG_VIEW) -> QuerySet[Meeting]:
    """Every record of organizations the actor may use ``perm`` on."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return Meeting.objects.none()
    qs = Meeting.objects.select_related("org")
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def meeting_list(
    actor: Any,
    *,
    org: Organization | None = None,
    subtree: bool = False,
    meeting_type: str = "",
    year: int | None = None,
) -> QuerySet[Meeting]:
    """Records in scope; ``org`` narrows to it (with ``subtree``, to everything below it too)."""
    qs = meetings_for(actor)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path) if subtree else qs.filter(org=org)
    if meeting_type:
        qs = qs.filter(meeting_type=meeting_type)
    if year is not None:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-pk")


def meeting_get(actor: Any, pk: int, *, perm: Perm = Perm.ORG_VIEW) -> Meeting:
    """The record ``pk`` if the actor may use ``perm`` on it; 404 otherwise (no existence leak)."""
    meeting = meetings_for(actor, perm).filter(pk=pk).first()
    if meeting is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    return meeting
