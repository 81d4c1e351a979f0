"""Meetings per organization, year and type by month
(:class:`~dangjian.life.models.MeetingMonths`), kept by the write path of the records
(:mod:`dangjian.life.services`, the importer) and rebuilt from them by
``dangjian rollups rebuild``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear

from dangjian.core import rollup
from dangjian.members.rollups import org_labels
from dangjian.orgs.models import Organization

from .choices import split_types
from .models import Meeting, MeetingMonths

MONTHS = tuple(f"m{month:02d}" for month in range(1, 13))
COLUMNS = (*MONTHS, "counted")
KEY = ["org_id", "year", "meeting_type"]

#: one count of a record: the row ``(org id, year, type)`` and its column
Count1 = tuple[tuple[int, int, str], str]


def _counts(
    org_id: int, main: str, also: str, held_year: int, month: int, year: int
) -> list[Count1]:
    out: list[Count1] = []
    for kind in [main, *split_types(also)]:
        out.append(((org_id, held_year, kind), MONTHS[month - 1]))
        out.append(((org_id, year, kind), "counted"))
    return out


def counts_of(meeting: Meeting) -> list[Count1]:
    """What ``meeting`` (as it is now) adds to the rows: for each of its types, the month it
    was held in and the year it counts for."""
    held = meeting.held_on
    year = meeting.year or held.year
    return _counts(
        meeting.org_id, meeting.meeting_type, meeting.also_counts_as, held.year, held.month, year
    )


def months_shift(removed: Iterable[Count1] = (), added: Iterable[Count1] = ()) -> None:
    """Take the counts ``removed`` off the rows and add ``added``, in the caller's transaction."""
    deltas: rollup.Deltas = {}
    for key, column in removed:
        rollup.merge(deltas, key, column, -1)
    for key, column in added:
        rollup.merge(deltas, key, column, 1)
    rollup.add_to_rows(MeetingMonths, KEY, deltas)


# --- rebuild and check ---------------------------------------------------------------------------


def expected_months(org: Organization | None = None) -> rollup.Deltas:
    """The rows as the records make them for the subtree of ``org`` (all when ``None``)."""
    records = Meeting.objects.order_by()
    if org is not None:
        records = records.filter(org__path__startswith=org.path)
    grouped = (
        records.annotate(held_year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
        .values("org_id", "meeting_type", "also_counts_as", "held_year", "month", "year")
        .annotate(n=Count("id"))
    )
    out: rollup.Deltas = {}
    for row in grouped:
        for key, column in _counts(
            row["org_id"],
            row["meeting_type"],
            row["also_counts_as"],
            row["held_year"],
            row["month"],
            row["year"] or row["held_year"],
        ):
            rollup.merge(out, key, column, row["n"])
    return rollup.nonzero(out)


def stored_months(org: Organization | None = None) -> rollup.Deltas:
    rows = MeetingMonths.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rollup.stored_rows(rows, KEY, COLUMNS)


@dataclass
class Difference:
    """A stored count that differs from the records."""

    org_label: str
    year: int
    meeting_type: str
    column: str
    stored: int
    expected: int

    def __str__(self) -> str:
        what = "计入本年度" if self.column == "counted" else f"{int(self.column[1:])}月"
        return (
            f"{self.org_label} {self.year}年 {self.meeting_type}（{what}）：汇总为 {self.stored}，"
            f"按记录应为 {self.expected}"
        )


def months_differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored rows of the subtree of ``org`` differ from a rebuild."""
    found = rollup.differences(stored_months(org), expected_months(org), COLUMNS)
    names = org_labels(key[0] for key, *_ in found)
    return [
        Difference(names.get(key[0], str(key[0])), key[1], key[2], column, a, b)
        for key, column, a, b in found
    ]


@transaction.atomic
def months_rebuild(org: Organization | None = None) -> int:
    """Rebuild the rows of the subtree of ``org`` (all when ``None``) from the records; returns
    the rows written. The rows are locked before the records are read (see
    :func:`dangjian.members.rollups.counts_rebuild`)."""
    rows = MeetingMonths.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    expected = expected_months(org)
    rows.delete()
    MeetingMonths.objects.bulk_create(
        [
            MeetingMonths(org_id=key[0], year=key[1], meeting_type=key[2], **row)
            for key, row in expected.items()
        ],
        batch_size=1000,
    )
    return len(expected)
