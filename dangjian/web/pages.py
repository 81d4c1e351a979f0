"""What the form pages share: a form saved through a service (its Chinese messages on the form,
a 400 page when it was not saved) and the context of a page under an organization."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from dangjian.core.errors import put_errors
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import breadcrumb

from .requests import SignedInRequest

T = TypeVar("T")


def errors_text(form: forms.Form) -> str:
    """All the form's messages on one line (for a 400 page or a flash message)."""
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


@dataclasses.dataclass(frozen=True)
class Saved(Generic[T]):
    """What a service returned for a saved form."""

    value: T


def form_saved(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], T],
    done: str | Callable[[T], str],
    *,
    rename: Mapping[str, str] | None = None,
) -> Saved[T] | None:
    """A valid ``form`` saved by ``save(form.cleaned_data)`` (then the success message ``done``,
    or ``done(result)``, is queued), else None: the form's own errors, or the service's refusal
    put on the form."""
    if not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as exc:
        put_errors(form, exc, rename)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return Saved(result)


def org_page(request: SignedInRequest, org: Organization | None, **context: Any) -> dict[str, Any]:
    """The context of a page under ``org``: the organization, its breadcrumb, then ``context``."""
    ancestors = breadcrumb(request.user, org) if org is not None else []
    return {"org": org, "ancestors": ancestors, **context}
