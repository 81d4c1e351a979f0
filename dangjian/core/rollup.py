"""Counter rows kept up to date by the write that changes what they count.

A rollup table holds one row per key (an organization; an organization, a year and a meeting
type …) with integer columns. A write adds its deltas in the same transaction: the missing rows
are inserted (``INSERT … ON CONFLICT DO NOTHING``), then every column is moved by
``col = col + CASE id WHEN … END`` — relative updates, so concurrent writers never read a value
to write it back and no row is locked longer than its own update. A rebuild from the records
(the app's ``*_rebuild``) and a comparison (``*_differences``) check the upkeep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.db.models import Case, F, Q, Value, When

#: rows changed by one UPDATE (its CASE has one branch per row)
CHUNK = 500

#: key → column → change
Deltas = dict[tuple[Any, ...], dict[str, int]]


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


def _row_ids(
    model: type[models.Model], key_fields: Sequence[str], keys: Sequence[tuple[Any, ...]]
) -> dict[tuple[Any, ...], int]:
    ids: dict[tuple[Any, ...], int] = {}
    for chunk in _chunks(keys, 200):
        where = Q()
        for key in chunk:
            where |= Q(**dict(zip(key_fields, key, strict=True)))
        for row in model._default_manager.filter(where).values("pk", *key_fields):
            ids[tuple(row[name] for name in key_fields)] = row["pk"]
    return ids


def add_to_rows(
    model: type[models.Model],
    key_fields: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Mapping[str, int]],
) -> None:
    """Add ``deltas`` (key → column → change) to the rows of ``model`` identified by the values
    of ``key_fields`` (unique together; a single field may be the primary key), creating the
    rows that do not exist yet with zeros. Call inside the write's transaction."""
    wanted = nonzero(deltas)
    if not wanted:
        return
    keys = list(wanted)
    model._default_manager.bulk_create(
        [model(**dict(zip(key_fields, key, strict=True))) for key in keys],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    if list(key_fields) == [pk_name]:
        ids = {key: key[0] for key in keys}
    else:
        ids = _row_ids(model, key_fields, keys)
    by_id = [(ids[key], wanted[key]) for key in keys]
    for chunk in _chunks(by_id):
        branches: dict[str, list[When]] = defaultdict(list)
        for pk, row in chunk:
            for column, change in row.items():
                branches[column].append(When(pk=pk, then=Value(change)))
        model._default_manager.filter(pk__in=[pk for pk, _row in chunk]).update(
            **{
                column: F(column)
                + Case(*whens, default=Value(0), output_field=models.IntegerField())
                for column, whens in branches.items()
            }
        )


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
