"""DRF permission classes built on :mod:`dangjian.accounts.scope`.

A view names the permission it needs for reading (``read_perm``) and for writing
(``write_perm``). A user without it gets 403 before anything is looked up or validated; a user who
has it but asks for an object outside their subtree gets 404 from the scoped selector.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from dangjian.accounts.roles import PERM_LABELS, Perm
from dangjian.accounts.scope import can


class HasScopedPerm(BasePermission):
    message = "没有该操作的权限"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        perm: Perm | None
        if request.method in SAFE_METHODS:
            perm = getattr(view, "read_perm", None)
        else:
            perm = getattr(view, "write_perm", None)
        if perm is None:
            return request.method in SAFE_METHODS
        if can(request.user, perm):
            return True
        self.message = f"您的角色没有“{PERM_LABELS.get(perm, '该操作')}”的权限"
        return False
