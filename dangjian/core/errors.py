"""Errors of a write: collected field by field and refused once (:class:`FieldErrors`), and a
service's ``ValidationError`` shown on a form or as one line of text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError


class FieldErrors(dict[str, list[str]]):
    """``{field: [Chinese messages]}`` as ``ValidationError`` takes it, filled with :meth:`add`."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def text(self, field: str, label: str, value: str | None, limit: int) -> str:
        """``value`` stripped (``""`` for ``None``); an error on ``field`` when it is longer
        than ``limit`` characters ("{label}过长（最多 {limit} 字）")."""
        value = (value or "").strip()
        if len(value) > limit:
            self.add(field, f"{label}过长（最多 {limit} 字）")
        return value

    def raise_if_any(self) -> None:
        """Refuse the write with every message collected, or do nothing when there is none."""
        if self:
            raise ValidationError(dict(self))


def put_errors(form: Any, exc: ValidationError, rename: Mapping[str, str] | None = None) -> None:
    """The service's messages on the form: on the field they name (``rename`` maps a service
    field to a form field, ``"__all__"`` for the form as a whole), else above the form."""
    rename = rename or {}
    items = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, errors in items.items():
        target = rename.get(name, name)
        for message in errors:
            form.add_error(target if target in form.fields else None, message)


def error_text(exc: ValidationError) -> str:
    """All messages of ``exc`` on one line (for a flash message or a 400 page)."""
    return "；".join(exc.messages)


@contextmanager
def errors_on(form: Any, rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """``with errors_on(form): <service call, then success>``: a ``ValidationError`` of the
    block goes onto ``form`` (:func:`put_errors`) and the view goes on to show the form."""
    try:
        yield
    except ValidationError as exc:
        put_errors(form, exc, rename)
