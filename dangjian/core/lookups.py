"""``startswith`` on SQLite that the database answers from an index.

Every scoped read filters on a materialized path prefix (``path__startswith``, see
``accounts.scope.restrict``). Django writes ``startswith`` on SQLite as ``LIKE 'prefix%'``, and
SQLite's LIKE is case-insensitive, so it cannot use the ordinary (case-sensitive) index on the
path: a branch secretary's meeting list scanned every meeting of the district (≈270 ms on the
demo district) instead of reading the branch's few rows (≈0.2 ms). ``GLOB 'prefix*'`` is
case-sensitive, as Django documents ``startswith`` to be and as PostgreSQL answers it, and SQLite
turns a GLOB prefix into an index range. Other databases keep Django's SQL.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField
from django.db.models.lookups import StartsWith

_GLOB_SPECIAL = {"*": "[*]", "?": "[?]", "[": "[[]"}


def glob_prefix(value: str) -> str:
    """The GLOB pattern of the strings starting with ``value``."""
    return "".join(_GLOB_SPECIAL.get(ch, ch) for ch in value) + "*"


class IndexedStartsWith(StartsWith):
    """``startswith`` of a text column: ``GLOB`` on SQLite (module docstring)."""

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if (
            self.rhs_is_direct_value()
            and isinstance(self.rhs, str)
            and not self.bilateral_transforms
        ):
            lhs_sql, lhs_params = self.process_lhs(compiler, connection)
            return f"{lhs_sql} GLOB %s", [*lhs_params, glob_prefix(self.rhs)]
        return self.as_sql(compiler, connection)


def register() -> None:
    """Use :class:`IndexedStartsWith` for every CharField (called when the core app is ready)."""
    CharField.register_lookup(IndexedStartsWith)
