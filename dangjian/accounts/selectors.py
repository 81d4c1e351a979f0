"""Reads of accounts data for the 安全管理员: the role grants awaiting approval in the subtree."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import RoleGrant
from .roles import Perm
from .scope import Actor, restrict


def role_grants_for(actor: Actor, *, pending: bool = True) -> QuerySet[RoleGrant]:
    """Grants on accounts of the subtree the actor's ``SECURITY_MANAGE`` reaches: the pending
    ones (oldest first), or the decided ones (newest first)."""
    qs = restrict(
        RoleGrant.objects.select_related("user", "user__org", "requested_by", "decided_by"),
        actor,
        Perm.SECURITY_MANAGE,
        "user__org__path",
    )
    if pending:
        return qs.filter(status=RoleGrant.Status.PENDING).order_by("requested_at", "pk")
    return qs.exclude(status=RoleGrant.Status.PENDING).order_by("-decided_at", "-pk")


def role_grant_get(actor: Actor, pk: int) -> RoleGrant:
    """The grant ``pk`` in the actor's scope, pending or not; 404 otherwise."""
    grant = (
        restrict(
            RoleGrant.objects.select_related("user", "user__org"),
            actor,
            Perm.SECURITY_MANAGE,
            "user__org__path",
        )
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        raise Http404("授权申请不存在或不在您的管辖范围内")
    return grant
