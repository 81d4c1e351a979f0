"""Collect the problems of a write, field by field, then refuse it once with all of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors(dict[str, list[str]]):
    """``{field: [Chinese messages]}`` as ``ValidationError`` takes it, filled with :meth:`add`."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        """Refuse the write with every message collected, or do nothing when there is none."""
        if self:
            raise ValidationError(dict(self))
