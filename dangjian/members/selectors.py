"""Reads of member records, always restricted to the acting user's scope (accounts.scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import members_for
from dangjian.orgs.models import Organization

from .models import Member


def member_list(
    actor: Any, *, org: Organization | None = None, subtree: bool = False
) -> QuerySet[Member]:
    """Members the actor may see; of ``org`` only (or its whole subtree with ``subtree``)."""
    qs = members_for(actor, Perm.MEMBER_VIEW).select_related("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path) if subtree else qs.filter(org=org)
    return qs.order_by("org__path", "name", "pk")


def member_get(actor: Any, pk: int, *, perm: Perm = Perm.MEMBER_VIEW) -> Member:
    member = (
        members_for(actor, perm).select_related("org", "residence_community").filter(pk=pk).first()
    )
    if member is None:
        raise Http404("党员不存在或不在您的管辖范围内")
    return member


def committee(org: Organization) -> list[Member]:
    """Members of ``org`` holding a post, secretary first (the 支委会 when there are 3 or more)."""
    order = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党小组长"]
    posts = list(Member.objects.filter(org=org).exclude(post="").order_by("name"))
    return sorted(posts, key=lambda m: order.index(m.post) if m.post in order else len(order))
