"""Pages. Thin: they call selectors for reads and services for writes (split by purpose)."""

from .admin import audit, audit_chain, security, user_roles, user_unlock_view, users
from .auth import LoginView, home
from .findings import findings
from .orgs import member_detail, member_reveal_view, org_detail, tree, tree_children

__all__ = [
    "LoginView",
    "audit",
    "audit_chain",
    "findings",
    "home",
    "member_detail",
    "member_reveal_view",
    "org_detail",
    "security",
    "tree",
    "tree_children",
    "user_roles",
    "user_unlock_view",
    "users",
]
