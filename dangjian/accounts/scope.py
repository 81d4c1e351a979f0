"""Access scope: the one place where what an actor may see and change is decided.

Every selector of protected data calls into this module with the acting user (an app's own
``<model>_for(actor, perm)`` reads, e.g. :func:`dangjian.orgs.selectors.orgs_for`, are
:func:`restrict` over its model). A user is bound to
one organization node; a role's permission covers that node's whole subtree (materialized path
prefix), and nothing outside it. The command-line operator (:data:`SYSTEM`) has full scope — the
person with a shell on the server — and is audited under their OS user name.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any, TypeVar, Union

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from .roles import PERM_LABELS, Perm

if TYPE_CHECKING:
    from dangjian.core.models import AuditEntry

    from .models import User


class SystemActor:
    """The operator at the command line: every permission, the whole tree."""

    pk = None
    is_authenticated = True
    is_active = True
    org = None
    perms = frozenset(Perm)

    @property
    def audit_name(self) -> str:
        try:
            who = getpass.getuser()
        except Exception:
            who = "unknown"
        return f"命令行:{who}"

    def can(self, perm: Perm) -> bool:
        return True

    def __str__(self) -> str:
        return self.audit_name


SYSTEM = SystemActor()

Actor = Union["User", SystemActor]


def user_of(actor: Actor | None) -> User | None:
    """The user behind ``actor`` for a "recorded by" foreign key; ``None`` for the command-line
    operator (whom the audit entry names) and for no actor."""
    return actor if actor is not None and getattr(actor, "pk", None) else None  # type: ignore[return-value]


def _is_system(actor: Any) -> bool:
    return isinstance(actor, SystemActor)


def can(actor: Any, perm: Perm) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if _is_system(actor):
        return True
    return bool(actor.is_active and actor.can(perm))


def scope_prefix(actor: Any, perm: Perm) -> str | None:
    """The path prefix ``perm`` of the actor reaches: ``""`` everything, ``None`` nothing."""
    if not can(actor, perm):
        return None
    if _is_system(actor):
        return ""
    org = actor.org
    if org is None:
        return None
    return str(org.path)


M = TypeVar("M", bound=Model)


def restrict(
    queryset: QuerySet[M], actor: Any, perm: Perm, path_field: str = "path"
) -> QuerySet[M]:
    """The rows of ``queryset`` the actor may use ``perm`` on: those whose materialized path
    (``path_field``, e.g. ``"org__path"``) lies in the actor's subtree."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return queryset.none()
    if prefix == "":
        return queryset
    return queryset.filter(**{f"{path_field}__startswith": prefix})


def one_in_scope(rows: QuerySet[M], pk: int, what: str) -> M:
    """Row ``pk`` of ``rows`` (already restricted to the actor's scope), or a 404 that says
    the same whether the row exists outside the scope or not at all ("{what}不存在或…")."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404(f"{what}不存在或不在您的管辖范围内")
    return row


def audit_for(actor: Any) -> QuerySet[AuditEntry]:
    """Audit entries the actor may read: those about objects in the subtree (审计管理员)."""
    from dangjian.core.models import AuditEntry

    return restrict(AuditEntry.objects.all(), actor, Perm.AUDIT_VIEW, "scope_path")


def covers(actor: Any, perm: Perm, path: str) -> bool:
    """Whether ``perm`` of the actor reaches the node with materialized path ``path``."""
    prefix = scope_prefix(actor, perm)
    return prefix is not None and path.startswith(prefix)


def require(actor: Any, perm: Perm, path: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the actor holds ``perm`` (on ``path`` when given)."""
    what = PERM_LABELS.get(perm, "该操作")
    if path is None:
        if not can(actor, perm):
            raise PermissionDenied(f"您的角色没有“{what}”的权限")
        return
    if not covers(actor, perm, path):
        raise PermissionDenied(f"您的角色没有“{what}”的权限，或该组织不在您的管辖范围内")
