"""Template context shared by every page: the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        (Perm.ORG_VIEW, "web:tree", "组织"),
        (Perm.FINDING_VIEW, "web:findings", "问题"),
        (Perm.MEMBER_CHANGE, "exchange:index", "导入导出"),
        (Perm.AUDIT_VIEW, "web:audit", "审计"),
        (Perm.USER_MANAGE, "web:users", "用户"),
        (Perm.SECURITY_MANAGE, "web:security", "安全"),
    ]
    return {"nav": [(url, label) for perm, url, label in items if can(user, perm)]}
