"""Template context shared by every page: the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can

from .views.auth import is_branch_user

#: (permission, URL name, label, URL names that belong to the section)
NAV_ITEMS = [
    (Perm.ORG_VIEW, "web:tree", "组织", {"web:tree", "web:org", "web:member", "web:member_reveal"}),
    (Perm.FINDING_VIEW, "web:findings", "问题", {"web:findings"}),
    (Perm.FINDING_VIEW, "life:index", "组织生活", set()),
    (Perm.RECRUIT_VIEW, "recruit:index", "发展党员", set()),
    (Perm.ASSESS_VIEW, "assess:index", "质量考核", set()),
    (Perm.SERVICE_VIEW, "service:index", "为民服务", set()),
    (Perm.MEMBER_CHANGE, "exchange:index", "导入导出", set()),
    (Perm.AUDIT_VIEW, "web:audit", "审计", {"web:audit", "web:audit_chain"}),
    (Perm.USER_MANAGE, "web:users", "用户", {"web:users"}),
    (
        Perm.SECURITY_MANAGE,
        "web:security",
        "安全",
        {"web:security", "web:role_grants", "web:role_grant_decide"},
    ),
    (Perm.TRAINING_VIEW, "training:index", "教育培训", set()),
    (Perm.MEMBER_VIEW, "transfer:index", "组织关系转接", set()),
    (Perm.CARE_VIEW, "care:index", "困难帮扶", set()),
    (Perm.ORG_VIEW, "dues:overview", "党费", set()),
    (Perm.MEMBER_VIEW, "mobile:index", "流动党员", set()),
    (Perm.LIANGXIN_VIEW, "liangxin:index", "两新覆盖", set()),
    (Perm.INSPECTION_VIEW, "inspection:index", "督查暗访", set()),
    (Perm.EXEMPLAR_VIEW, "exemplar:index", "典型培育", set()),
    (Perm.REVIEW_VIEW, "review:index", "述职评议", set()),
]


def _is_current(current: str, url: str, section: set[str]) -> bool:
    if current == url or current in section:
        return True
    # another app's pages (e.g. exchange:*) belong to that app's entry
    app = url.split(":")[0]
    return app != "web" and current.startswith(app + ":")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav``: (URL name, label, is current section) for each page the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    nav = [
        (url, label, _is_current(current, url, section))
        for perm, url, label, section in NAV_ITEMS
        if can(user, perm)
    ]
    if is_branch_user(user):
        nav.insert(0, ("web:home", "待办", current == "web:home"))
    return {"nav": nav}
