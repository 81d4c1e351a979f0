"""Reads the administration pages need that no domain app offers yet, restricted like all others.

Accounts of a subtree are visible to the 系统管理员 (user management) and the 安全管理员
(unlocking), each through the scope of their own permission.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import scope_prefix
from dangjian.orgs.models import Organization


def users_for(actor: Any, perm: Perm) -> QuerySet[User]:
    """Accounts bound to an organization in the subtree ``perm`` of the actor reaches."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return User.objects.none()
    qs = User.objects.select_related("org").prefetch_related("roles")
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs.order_by("org__path", "username")


def user_get(actor: Any, username: str, perm: Perm) -> User:
    user = users_for(actor, perm).filter(username=username).first()
    if user is None:
        raise Http404("用户不存在或不在您的管辖范围内")
    return user


def locked_users(actor: Any) -> QuerySet[User]:
    """Accounts in scope that are locked now, or that have failed logins counted."""
    from django.db.models import Q

    return users_for(actor, Perm.SECURITY_MANAGE).filter(
        Q(locked_until__gt=timezone.now()) | Q(failed_logins__gt=0)
    )


def org_in_scope(actor: Any, code: str, perm: Perm) -> Organization | None:
    """The organization ``code`` if ``perm`` of the actor reaches it, else ``None``."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return None
    return Organization.objects.filter(code=code, path__startswith=prefix).first()
