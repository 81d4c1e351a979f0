"""The request type of the API behind the token: its ``user`` is a :class:`User`.

Every endpoint but the token endpoints requires an authenticated user (the default permission
classes), so ``request.user`` is the acting user the services and selectors take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rest_framework.request import Request

if TYPE_CHECKING:
    from dangjian.accounts.models import User


class SignedInApiRequest(Request):
    user: User  # type: ignore[assignment]


def signed_in(request: Request) -> User:
    """``request.user`` of an endpoint behind the token (a generic view's ``self.request``)."""
    return cast("User", request.user)
