"""Who is told about a service order: its holders, and the dispatchers of an organization.

"The dispatchers of an organization" are the active users holding ``Perm.SERVICE_DISPATCH`` (by
a role) who are bound to the nearest organization at or above it that has any: a village's own
secretary when it has one, else the town's committee administrators — not everyone up to the
organization department, whose scope covers every village but who does not dispatch there.
"""

from __future__ import annotations

from dangjian.accounts.models import User
from dangjian.accounts.roles import ROLES, Perm
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import nearest_holders
from dangjian.service.choices import FINAL_STATES, OrderState
from dangjian.service.models import Order

#: the roles that dispatch service orders
DISPATCH_ROLES = sorted(code for code, role in ROLES.items() if Perm.SERVICE_DISPATCH in role.perms)


def dispatchers_of(org: Organization, *, above: bool = False) -> list[User]:
    """The dispatchers of ``org`` (see the module docstring); ``above``: of the level above it
    (the nearest organization strictly above ``org`` that has dispatchers)."""
    return nearest_holders(org, DISPATCH_ROLES, above=above)


def holders_of(order: Order) -> list[User]:
    """Whoever holds ``order`` now: the person it was taken by or assigned to; while it waits
    at a grid, the grid's workers; otherwise the dispatchers of the organization handling it."""
    if order.state in FINAL_STATES:
        return []
    if order.assignee_id is not None:
        assignee = User.objects.filter(pk=order.assignee_id, is_active=True).first()
        return [assignee] if assignee is not None else []
    if order.state == OrderState.DISPATCHED and order.dispatched_grid_id is not None:
        return list(
            User.objects.filter(grids=order.dispatched_grid_id, is_active=True).order_by("pk")
        )
    return dispatchers_of(order.handler_org)
