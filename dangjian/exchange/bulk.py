"""Fast bulk writes for imports: ``COPY`` on PostgreSQL, Django's bulk methods elsewhere.

``bulk_create`` of thousands of rows spends its time building and parsing one huge ``INSERT``, and
``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per column whose cost grows with the square of
the batch on PostgreSQL. Here new rows are streamed with ``COPY``, and changed rows are streamed
into a temporary table and applied with one ``UPDATE … FROM``. Both run inside the caller's
transaction, so an import stays all-or-nothing. Timestamps with ``auto_now`` are set explicitly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

#: rows per query for the portable fallbacks
FALLBACK_BATCH = 500


def _is_auto(field: Any) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _value(obj: models.Model, field: Any, now: dt.datetime) -> Any:
    if _is_auto(field):
        return now
    return getattr(obj, field.attname)


def reserve_ids(model: type[M], count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence (PostgreSQL): rows written with
    them by ``COPY`` need no look-up of their ids afterwards."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_insert(model: type[M], objs: Sequence[M], *, with_ids: bool = False) -> None:
    """Insert ``objs``. Their primary keys are set on SQLite (``bulk_create`` returns them) and,
    with ``with_ids``, on PostgreSQL (taken from the sequence first); otherwise they are not set
    and must be looked up if needed."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=FALLBACK_BATCH)
        return
    if with_ids:
        for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    now = timezone.now()
    # per field: the attribute to read, or the time for ``auto_now``/``auto_now_add`` fields
    read = [(None if _is_auto(f) else f.attname) for f in fields]
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row([now if name is None else values[name] for name in read])


def copy_insert_values(model: type[M], rows: Sequence[tuple[Any, ...]]) -> list[int | None]:
    """Insert rows given as the values of ``model(*values)`` (every concrete field in order, the
    primary key ``None``; ``auto_now``/``auto_now_add`` fields are set to now) without building
    model instances on PostgreSQL: ``COPY`` with keys taken from the sequence. Returns the new
    keys in order (``None`` where the database did not report one)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(*values) for values in rows]
        copy_insert(model, objs)
        return [obj.pk for obj in objs]
    fields = list(model._meta.concrete_fields)
    key = next(i for i, f in enumerate(fields) if f.primary_key)
    auto = [i for i, f in enumerate(fields) if _is_auto(f)]
    ids = reserve_ids(model, len(rows))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, values in zip(ids, rows, strict=True):
                row = list(values)
                row[key] = pk
                for index in auto:
                    row[index] = now
                copy.write_row(row)
    return list(ids)


def copy_update(model: type[M], objs: Sequence[M], field_names: Sequence[str]) -> None:
    """Write ``field_names`` of ``objs`` (saved instances) back to the database."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(field_names), batch_size=FALLBACK_BATCH)
        return
    pk = model._meta.pk
    assert pk is not None
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    temp = quote(f"import_{uuid.uuid4().hex[:12]}")
    columns = [quote(str(pk.column)), *(quote(str(getattr(f, "column", ""))) for f in fields)]
    now = timezone.now()
    # every identifier below comes from the model's metadata or a random hex name, never from input
    listed = ", ".join(columns)
    create = f"CREATE TEMPORARY TABLE {temp} AS SELECT {listed} FROM {table} WITH NO DATA"  # noqa: S608
    assignments = ", ".join(f"{c} = src.{c}" for c in columns[1:])
    update = (
        f"UPDATE {table} AS dst SET {assignments} FROM {temp} AS src "  # noqa: S608
        f"WHERE dst.{columns[0]} = src.{columns[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(create)
        raw: Any = cursor.cursor
        with raw.copy(f"COPY {temp} ({', '.join(columns)}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(_value(obj, f, now) for f in fields)])
        cursor.execute(update)
        cursor.execute(f"DROP TABLE {temp}")
