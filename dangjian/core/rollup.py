"""Counter rows kept up to date by the write that changes what they count.

A rollup table holds one row per key (an organization; an organization, a year and a meeting
type …) with integer columns. A write adds its deltas in the same transaction with one
``INSERT … ON CONFLICT … DO UPDATE SET col = col + excluded.col`` — relative updates, so
concurrent writers never read a value to write it back, a missing row starts from zeros, and no
row is locked longer than the write's transaction. A rebuild from the records
(the app's ``*_rebuild``) and a comparison (``*_differences``) check the upkeep.

Lock order: a write takes its rollup rows after the rows it changes and *before* its audit entry
(the audit chain head stays locked until commit). Were one writer to audit first and then wait
for a rollup row that another holds while that one waits for the chain head, both would wait
for ever (PostgreSQL breaks the circle by failing one of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

#: rows written by one statement
CHUNK = 500

#: key → column → change
Deltas = dict[tuple[Any, ...], dict[str, int]]


#: called with (model, key fields, deltas) by every :func:`add_to_rows` (the findings store
#: notes the organizations whose rollups changed); registered by an app's ``ready()``
Listener = Callable[
    [type[models.Model], Sequence[str], Mapping[tuple[Any, ...], Mapping[str, int]]], None
]
LISTENERS: list[Listener] = []


def listen(func: Listener) -> None:
    """Call ``func`` after every :func:`add_to_rows` (idempotent)."""
    if func not in LISTENERS:
        LISTENERS.append(func)


def merge(into: Deltas, key: tuple[Any, ...], column: str, change: int) -> None:
    """Add ``change`` to ``column`` of ``key`` in ``into``."""
    row = into.setdefault(key, {})
    row[column] = row.get(column, 0) + change


def nonzero(deltas: Mapping[tuple[Any, ...], Mapping[str, int]]) -> Deltas:
    """``deltas`` without the changes that cancel out (a move and its way back)."""
    out: Deltas = {}
    for key, row in deltas.items():
        kept = {column: n for column, n in row.items() if n}
        if kept:
            out[key] = kept
    return out


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_to_rows(
    model: type[models.Model],
    key_fields: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Mapping[str, int]],
) -> None:
    """Add ``deltas`` (key → column → change) to the rows of ``model`` identified by the values
    of ``key_fields`` (their columns unique together, or the primary key), creating missing rows
    from zeros: one ``INSERT … ON CONFLICT (key) DO UPDATE SET col = col + excluded.col`` per
    :data:`CHUNK` rows (PostgreSQL and SQLite), in the caller's transaction. The rows are
    written in key order, so concurrent writers lock them in the same order. The
    :data:`LISTENERS` hear of every key passed (a change that cancels out included)."""
    if deltas:
        for listener in LISTENERS:
            listener(model, key_fields, deltas)
    wanted = nonzero(deltas)
    if not wanted:
        return
    meta = model._meta
    keys = [str(meta.get_field(name).column) for name in key_fields]  # type: ignore[union-attr]
    counters = [
        str(field.column)
        for field in meta.concrete_fields
        if field.column not in keys and not isinstance(field, models.AutoField)
    ]
    changed = [c for c in counters if any(c in row for row in wanted.values())]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    # only quoted names of the model's own table and columns are spliced in; values are bound
    listed = ", ".join(qn(c) for c in keys + counters)
    head = f"INSERT INTO {table} ({listed}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(qn(c) for c in keys)}) DO UPDATE SET " + ", ".join(
        f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in changed
    )
    row_sql = "(" + ", ".join(["%s"] * (len(keys) + len(counters))) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(wanted)):
            params: list[Any] = []
            for key in chunk:
                params.extend(key)
                params.extend(wanted[key].get(c, 0) for c in counters)
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)


def stored_rows(rows: QuerySet[Any], key_fields: Sequence[str], columns: Sequence[str]) -> Deltas:
    """The rows of a rollup table as key → column → value (rows of zeros left out)."""
    found = rows.order_by().values(*key_fields, *columns)
    return nonzero({tuple(r[k] for k in key_fields): {c: r[c] for c in columns} for r in found})


def differences(
    stored: Mapping[tuple[Any, ...], Mapping[str, int]],
    expected: Mapping[tuple[Any, ...], Mapping[str, int]],
    columns: Sequence[str],
) -> list[tuple[tuple[Any, ...], str, int, int]]:
    """``(key, column, stored, expected)`` wherever the two differ; a missing row counts as
    zeros. Sorted by key and column order."""
    out = []
    for key in sorted(set(stored) | set(expected)):
        have, want = stored.get(key, {}), expected.get(key, {})
        for column in columns:
            a, b = int(have.get(column, 0)), int(want.get(column, 0))
            if a != b:
                out.append((key, column, a, b))
    return out
