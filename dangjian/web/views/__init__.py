"""Pages. Thin: they call selectors for reads and services for writes (split by purpose)."""

from .admin import (
    audit,
    audit_chain,
    role_grant_decide,
    role_grants,
    security,
    user_roles,
    user_unlock_view,
    users,
)
from .auth import LoginView, home
from .findings import findings
from .orgs import (
    election_delay_view,
    member_detail,
    member_edit,
    member_new,
    member_reveal_view,
    member_status_view,
    org_detail,
    participant_add_view,
    participant_end_view,
    tree,
    tree_children,
)
from .passwords import (
    otp_setup_view,
    otp_verify_view,
    password_change_view,
    password_reset_view,
)

__all__ = [
    "LoginView",
    "audit",
    "audit_chain",
    "election_delay_view",
    "findings",
    "home",
    "member_detail",
    "member_edit",
    "member_new",
    "member_reveal_view",
    "member_status_view",
    "org_detail",
    "otp_setup_view",
    "otp_verify_view",
    "participant_add_view",
    "participant_end_view",
    "password_change_view",
    "password_reset_view",
    "role_grant_decide",
    "role_grants",
    "security",
    "tree",
    "tree_children",
    "user_roles",
    "user_unlock_view",
    "users",
]
