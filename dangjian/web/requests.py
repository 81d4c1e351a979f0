"""The request type of the pages behind the sign-in: its ``user`` is a :class:`User`.

Every page but the sign-in and the public survey pages is behind ``login_required`` (the
middleware sends anyone else to the sign-in page), so a view's ``request.user`` is the acting
user the services and selectors take (:data:`dangjian.accounts.scope.Actor`), never Django's
anonymous user. Annotating the view with this type says so to the type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from dangjian.accounts.models import User


class SignedInRequest(HttpRequest):
    user: User  # type: ignore[assignment]
