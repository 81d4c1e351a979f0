"""The snapshot of the batch engine: what the SETUP and LIFE rules read, as Parquet files.

``export_snapshot(out, at)`` reads the database in one transaction (on PostgreSQL ``REPEATABLE
READ READ ONLY``, so every file sees the same moment) and writes, in batches through
``pyarrow.parquet.ParquetWriter`` (never a whole table as Python objects):

``orgs.parquet``
    one row per organization that existed on ``at``: its own fields, the roll counted as of
    ``at`` (the same facts the row path reads, :func:`dangjian.orgs.facts.collect_facts`, one
    batch of organizations at a time), the rollup counts of :class:`MemberCount`, and
    ``holder_from_1`` … ``holder_from_7``: the day from which the roll had at least *k* 书记,
    副书记 or 委员 post holders (the *k*-th earliest joining date among them), for the monthly
    支委会 rule. Subtree totals are not stored: the engine adds them up along the path.
``months.parquet``
    the per-organization columnar form of the meetings: one row per organization, year and
    meeting type with the records held in each month (``m01`` … ``m12``), those that count for
    the year (``counted``, 所属年度) and the 12-bit ``mask`` of the months with a record, read
    from the rollup :class:`MeetingMonths` in batches — or, when records held after ``at``
    exist (a snapshot of an earlier day), counted from the records held by ``at``, one
    organization at a time.
``lectures.parquet``
    the same layout for the 党课 given by an upper committee's secretary, keyed by that
    committee (``org_id``), counted from the records (a few rows per committee).
``meta.json``
    the date ``at``, the schema version and the row counts.

The nation tier of :mod:`dangjian.batch.nation` writes the same layout without a database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from dangjian.life.choices import split_types
from dangjian.life.models import Meeting, MeetingMonths
from dangjian.members.choices import COMMITTEE_POSTS
from dangjian.members.models import Member, MemberCount
from dangjian.orgs.facts import collect_facts
from dangjian.orgs.models import Organization

SCHEMA_VERSION = 1
#: organizations read per batch
ORG_BATCH = 5000
#: rollup rows read per batch
ROW_BATCH = 50000
#: the committee sizes whose starting day is stored (``holder_from_k``)
MAX_HOLDERS = 7
MONTHS = tuple(f"m{month:02d}" for month in range(1, 13))

ORGS_SCHEMA = pa.schema(
    [
        ("org_id", pa.int64()),
        ("code", pa.string()),
        ("path", pa.string()),
        ("depth", pa.int32()),
        ("org_type", pa.string()),
        ("sector", pa.string()),
        ("region_code", pa.string()),
        ("founded_on", pa.date32()),
        ("term_started_on", pa.date32()),
        ("term_years", pa.int32()),
        ("units_covered", pa.int32()),
        ("secretary_vacant_since", pa.date32()),
        ("delay_new_deadline", pa.date32()),
        ("members", pa.int32()),
        ("full_members", pa.int32()),
        ("voters", pa.int32()),
        ("committee_posts", pa.int32()),
        ("secretaries", pa.int32()),
        ("secretary_joined_on", pa.date32()),
        ("secretary_confirmed_on", pa.date32()),
        ("ineligible", pa.int32()),
        ("participants", pa.int32()),
        ("participants_full", pa.int32()),
        ("mc_full", pa.int32()),
        ("mc_probationary", pa.int32()),
        ("mc_sub_full", pa.int32()),
        ("mc_sub_probationary", pa.int32()),
        *[(f"holder_from_{k}", pa.date32()) for k in range(1, MAX_HOLDERS + 1)],
    ]
)

MONTHS_SCHEMA = pa.schema(
    [
        ("org_id", pa.int64()),
        ("year", pa.int32()),
        ("meeting_type", pa.string()),
        *[(m, pa.int32()) for m in MONTHS],
        ("counted", pa.int32()),
        ("mask", pa.int32()),
    ]
)


def mask_of(counts: list[int]) -> int:
    """Bit ``month - 1`` set for every month with a record."""
    return sum(1 << i for i, n in enumerate(counts) if n > 0)


class Columns:
    """Rows gathered column by column and flushed to a Parquet writer every ``size`` rows."""

    def __init__(self, writer: pq.ParquetWriter, schema: pa.Schema, size: int) -> None:
        self.writer, self.schema, self.size = writer, schema, size
        self.data: dict[str, list[Any]] = {name: [] for name in schema.names}
        self.rows = 0
        self.total = 0

    def add(self, row: dict[str, Any]) -> None:
        for name, values in self.data.items():
            values.append(row.get(name))
        self.rows += 1
        if self.rows >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        batch = pa.record_batch(
            [pa.array(self.data[f.name], type=f.type) for f in self.schema], schema=self.schema
        )
        self.writer.write_batch(batch)
        self.total += self.rows
        self.rows = 0
        for values in self.data.values():
            values.clear()


def _org_batches() -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            Organization.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:ORG_BATCH]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _holder_days(ids: list[int]) -> dict[int, list[dt.date]]:
    """Per organization, the joining days of its committee post holders (earliest first)."""
    out: dict[int, list[dt.date]] = {}
    rows = (
        Member.objects.filter(org_id__in=ids, post__in=list(COMMITTEE_POSTS))
        .order_by("org_id", "joined_on")
        .values_list("org_id", "joined_on")
    )
    for org_id, joined in rows:
        out.setdefault(org_id, []).append(joined)
    return out


def _write_orgs(path: Path, at: dt.date) -> int:
    with pq.ParquetWriter(path, ORGS_SCHEMA) as writer:
        out = Columns(writer, ORGS_SCHEMA, ORG_BATCH)
        for ids in _org_batches():
            facts = collect_facts(
                Organization.objects.filter(pk__in=ids), Member.objects.filter(org_id__in=ids), at
            )
            counts = {
                row["org_id"]: row
                for row in MemberCount.objects.filter(org_id__in=ids).values(
                    "org_id", "full", "probationary", "sub_full", "sub_probationary"
                )
            }
            holders = _holder_days(ids)
            for f in facts:
                count: Mapping[str, Any] = counts.get(f.pk) or {}
                days = holders.get(f.pk, [])
                row = {
                    "org_id": f.pk,
                    "code": f.code,
                    "path": f.path,
                    "depth": f.depth,
                    "org_type": f.org_type,
                    "sector": f.sector,
                    "region_code": f.region_code,
                    "founded_on": f.founded_on,
                    "term_started_on": f.term_started_on,
                    "term_years": f.term_years,
                    "units_covered": f.units_covered,
                    "secretary_vacant_since": f.secretary_vacant_since,
                    "delay_new_deadline": f.delay.new_deadline if f.delay else None,
                    "members": f.members,
                    "full_members": f.full,
                    "voters": f.voters,
                    "committee_posts": f.committee_posts,
                    "secretaries": f.secretaries,
                    "secretary_joined_on": f.secretary_joined_on,
                    "secretary_confirmed_on": f.secretary_confirmed_on,
                    "ineligible": len(f.ineligible),
                    "participants": f.participants,
                    "participants_full": f.participants_full,
                    "mc_full": count.get("full", 0),
                    "mc_probationary": count.get("probationary", 0),
                    "mc_sub_full": count.get("sub_full", 0),
                    "mc_sub_probationary": count.get("sub_probationary", 0),
                }
                for k in range(1, MAX_HOLDERS + 1):
                    row[f"holder_from_{k}"] = days[k - 1] if len(days) >= k else None
                out.add(row)
        out.flush()
        return out.total


def _write_months(path: Path) -> int:
    fields = ["org_id", "year", "meeting_type", *MONTHS, "counted"]
    rows = MeetingMonths.objects.order_by("org_id", "year", "meeting_type").values_list(*fields)
    with pq.ParquetWriter(path, MONTHS_SCHEMA) as writer:
        out = Columns(writer, MONTHS_SCHEMA, ROW_BATCH)
        for values in rows.iterator(chunk_size=ROW_BATCH):
            row = dict(zip(fields, values, strict=True))
            row["mask"] = mask_of(list(values[3:15]))
            out.add(row)
        out.flush()
        return out.total


def _records_grouped(records: QuerySet[Meeting], owner: str) -> Iterator[dict[str, Any]]:
    """Rows in the layout of :class:`MeetingMonths` counted from ``records`` (the month each
    was held in; ``counted``: the year it counts for, 所属年度; once for each of its types),
    keyed by the organization in the field ``owner``; one organization at a time (the grouped
    rows come ordered by it), so memory holds one organization's rows."""
    grouped = (
        records.order_by()
        .annotate(held_year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
        .values(owner, "meeting_type", "also_counts_as", "held_year", "month", "year")
        .annotate(n=Count("id"))
        .order_by(owner)
    )
    current: int | None = None
    table: dict[tuple[int, str], dict[str, int]] = {}

    def flush() -> Iterator[dict[str, Any]]:
        for (year, kind), values in sorted(table.items()):
            row: dict[str, Any] = {"org_id": current, "year": year, "meeting_type": kind}
            row.update({m: values.get(m, 0) for m in MONTHS})
            row["counted"] = values.get("counted", 0)
            row["mask"] = mask_of([row[m] for m in MONTHS])
            yield row
        table.clear()

    for r in grouped.iterator(chunk_size=ROW_BATCH):
        if r[owner] != current:
            yield from flush()
            current = r[owner]
        for kind in [r["meeting_type"], *split_types(r["also_counts_as"])]:
            held = table.setdefault((r["held_year"], kind), {})
            month = MONTHS[r["month"] - 1]
            held[month] = held.get(month, 0) + r["n"]
            counted = table.setdefault((r["year"] or r["held_year"], kind), {})
            counted["counted"] = counted.get("counted", 0) + r["n"]
    yield from flush()


def _write_rows(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    with pq.ParquetWriter(path, MONTHS_SCHEMA) as writer:
        out = Columns(writer, MONTHS_SCHEMA, ROW_BATCH)
        for row in rows:
            out.add(row)
        out.flush()
        return out.total


def _write_months_as_of(path: Path, at: dt.date) -> int:
    """The month rows as they stood on ``at``: counted from the records held by then (the
    rollup holds the records of today, later ones included)."""
    return _write_rows(path, _records_grouped(Meeting.objects.filter(held_on__lte=at), "org_id"))


def _write_lectures(path: Path, at: dt.date) -> int:
    """党课 (and any type) given by an upper committee's secretary, per committee, year and
    type, counted as :class:`MeetingMonths` counts (month held; 所属年度), up to ``at``."""
    records = Meeting.objects.filter(lecturer_org__isnull=False, held_on__lte=at)
    return _write_rows(path, _records_grouped(records, "lecturer_org_id"))


def write_meta(out: Path, at: dt.date, counts: dict[str, int], source: str) -> None:
    meta = {"schema": SCHEMA_VERSION, "at": at.isoformat(), "source": source, "rows": counts}
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")


def read_meta(snapshot: Path) -> dict[str, Any]:
    """The ``meta.json`` of a snapshot; ``ValueError`` (Chinese) when it is not one."""
    try:
        meta = json.loads((snapshot / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"{snapshot} 不是批量检查快照（缺少或无法读取 meta.json）") from None
    if meta.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{snapshot} 的快照格式版本为 {meta.get('schema')}，应为 {SCHEMA_VERSION}")
    return dict(meta)


def export_snapshot(out: Path, at: dt.date) -> dict[str, int]:
    """Write the snapshot of the database as of ``at`` into the directory ``out`` (created);
    returns the rows written per file."""
    out.mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # the rollup when it holds nothing after ``at`` (the usual run, as of today), else the
        # records held by ``at``
        later = Meeting.objects.filter(held_on__gt=at).exists()
        months = out / "months.parquet"
        counts = {
            "orgs": _write_orgs(out / "orgs.parquet", at),
            "months": _write_months_as_of(months, at) if later else _write_months(months),
            "lectures": _write_lectures(out / "lectures.parquet", at),
        }
    write_meta(out, at, counts, "database")
    return counts
