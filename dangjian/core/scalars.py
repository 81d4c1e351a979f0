"""Several single-value reads in one database round trip.

A page's bookkeeping (does the findings store answer, what is the data version of a cache key)
is a handful of index reads: the highest id of a table, the newest change, whether any row of a
subtree is stale. Each is cheap; as separate statements they are a query each, and the page
budget (issue 12: at most 15 queries) counts statements. :func:`read_at_once` sends them as
scalar subqueries of one ``SELECT``, each still answered from its own index, with Django's
converters applied to each value (dates on SQLite come back as dates).
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Exists, QuerySet, Subquery


def first_value(rows: QuerySet[Any]) -> Subquery:
    """The first row's only column of ``rows`` (a ``values()`` or ``values_list()`` of one field,
    ordered as wanted) as a scalar subquery: NULL when there is no row."""
    return Subquery(rows[:1])


def read_at_once(**parts: Subquery | Exists) -> dict[str, Any]:
    """The value of each part (:func:`first_value`, or ``Exists(rows)``), read in one statement.

    The statement selects the parts over one row of the migrations table, the one table every
    migrated database has rows in; no other table is read but those of the parts."""
    if not parts:
        return {}
    # aliases of their own: a part's name may be a column of the migrations table
    aliases = {f"part_{n}": name for n, name in enumerate(parts)}
    values = dict(zip(aliases, parts.values(), strict=True))
    one_row = MigrationRecorder.Migration.objects.order_by("pk").annotate(**values)
    row = next(iter(one_row.values(*aliases)[:1]), None)
    if row is None:  # not migrated: nothing to read
        return dict.fromkeys(parts)
    return {name: row[alias] for alias, name in aliases.items()}
