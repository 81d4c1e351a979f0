"""The committee of each organization (:class:`~dangjian.orgs.models.OrgCommittee`): post
holders, the 书记's joining and confirmation days, probationary holders — kept by every write
of the roll through the services (:func:`committee_refresh` of the organizations a write
touched, after the write) and rebuilt from the records by ``dangjian rollups rebuild``.

A row is recomputed from the roll of its organization, never adjusted: a write names the
organizations it touched (the member's branch before and after) and their rows are written
again. Lock order: the rows are written after the member rows and before the audit entry, as
the member counts are (:mod:`dangjian.core.rollup`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from dangjian.orgs.models import Organization, OrgCommittee

from .choices import COMMITTEE_POSTS, MemberType, Post
from .models import Member, MemberStatus
from .rollups import org_labels

COLUMNS = (
    "committee_posts",
    "secretaries",
    "secretary_joined_on",
    "secretary_confirmed_on",
    "probationary_holders",
    "horizon",
)
LABELS = {
    "committee_posts": "任书记、副书记、委员的党员",
    "secretaries": "任书记的党员",
    "secretary_joined_on": "书记入党日期",
    "secretary_confirmed_on": "书记转正日期",
    "probationary_holders": "任职的预备党员",
    "horizon": "适用起始日期",
}


def _latest(*days: Any) -> dt.date | None:
    found = [d for d in days if d is not None]
    return max(found) if found else None


def expected_rows(holders: QuerySet[Member]) -> dict[int, dict[str, Any]]:
    """org id → the row as the records make it, over the committee post holders ``holders``
    (two grouped queries)."""
    holders = holders.filter(post__in=list(COMMITTEE_POSTS)).order_by()
    standing = MemberStatus.objects.filter(member=OuterRef("pk"))
    full = Q(member_type=MemberType.FULL, confirmed_on__isnull=False)
    secretary = Q(post=Post.SECRETARY)
    rows: dict[int, dict[str, Any]] = {}
    plain = (
        holders.exclude(Exists(standing))
        .values("org_id")
        .annotate(
            committee_posts=Count("id"),
            secretaries=Count("id", filter=secretary),
            secretary_joined_on=Min("joined_on", filter=secretary),
            secretary_confirmed_on=Min("confirmed_on", filter=secretary & full),
            probationary_holders=Count("id", filter=~full),
        )
    )
    for r in plain:
        org_id = r.pop("org_id")
        rows[org_id] = {**r, "horizon": None}
    dated = holders.values("org_id").annotate(
        joined=Max("joined_on"), confirmed=Max("confirmed_on"), standing=Max("statuses__started_on")
    )
    for r in dated:
        row = rows.setdefault(
            r["org_id"],
            {c: 0 for c in COLUMNS} | {"secretary_joined_on": None, "secretary_confirmed_on": None},
        )
        row["horizon"] = _latest(r["joined"], r["confirmed"], r["standing"])
    return rows


def committee_refresh(org_ids: Iterable[int | None], *, without: int | None = None) -> None:
    """Write the rows of ``org_ids`` again from their rolls, in the caller's transaction
    (``without``: a member about to be deleted, left out already).

    The rows are created if missing and locked (in key order) *before* the roll is read: a
    concurrent write of the same roll waits, then reads this one's change once it commits, so
    no write overwrites a row with a roll read before another's change."""
    wanted = sorted({pk for pk in org_ids if pk is not None})
    if not wanted:
        return
    OrgCommittee.objects.bulk_create(
        [OrgCommittee(org_id=pk) for pk in wanted], ignore_conflicts=True
    )
    locked = OrgCommittee.objects.select_for_update().filter(org_id__in=wanted)
    list(locked.order_by("org_id").values_list("org_id"))
    rows = expected_rows(Member.objects.filter(org_id__in=wanted).exclude(pk=without or 0))
    empty = dict.fromkeys(COLUMNS) | {"committee_posts": 0, "secretaries": 0}
    empty["probationary_holders"] = 0
    for org_id in wanted:
        OrgCommittee.objects.filter(org_id=org_id).update(**rows.get(org_id, empty))


# --- reads ---------------------------------------------------------------------------------------


def committee_rows(orgs: QuerySet[Organization], at: dt.date) -> dict[int, OrgCommittee] | None:
    """The rows of the organizations of ``orgs`` when they hold on ``at`` (every row's
    ``horizon`` on or before it), else ``None`` (read the roll). One query."""
    rows = list(OrgCommittee.objects.filter(org__in=orgs.order_by().values("pk")))
    if any(r.horizon is not None and r.horizon > at for r in rows):
        return None
    return {r.org_id: r for r in rows}


# --- rebuild and check ---------------------------------------------------------------------------


def _members(org: Organization | None) -> QuerySet[Member]:
    members = Member.objects.all()
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    return members


def _stored(org: Organization | None) -> dict[int, dict[str, Any]]:
    rows = OrgCommittee.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return {r.pop("org_id"): r for r in rows.values("org_id", *COLUMNS)}


@dataclass
class Difference:
    org_label: str
    column: str
    stored: Any
    expected: Any

    def __str__(self) -> str:
        def show(v: Any) -> str:
            return "（空）" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))

        return (
            f"{self.org_label}：支委会汇总 {LABELS[self.column]} 为 {show(self.stored)}，"
            f"按记录应为 {show(self.expected)}"
        )


def committee_differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored rows of the subtree of ``org`` differ from the records."""
    stored, expected = _stored(org), expected_rows(_members(org))
    empty = dict.fromkeys(COLUMNS)
    found: list[tuple[int, str, Any, Any]] = []
    for pk in sorted(set(stored) | set(expected)):
        have, want = stored.get(pk, empty), expected.get(pk, empty)
        for column in COLUMNS:
            a, b = have.get(column), want.get(column)
            if (a or None) != (b or None):
                found.append((pk, column, a, b))
    names = org_labels(pk for pk, *_ in found)
    return [Difference(names.get(pk, str(pk)), c, a, b) for pk, c, a, b in found]


@transaction.atomic
def committee_rebuild(org: Organization | None = None) -> int:
    """Rebuild the rows of the subtree of ``org`` (all when ``None``); returns the rows
    written."""
    scope = OrgCommittee.objects.all()
    if org is not None:
        scope = scope.filter(org__path__startswith=org.path)
    list(scope.select_for_update(of=("self",)).order_by("org_id").values_list("org_id"))
    rows = expected_rows(_members(org))
    scope.delete()
    OrgCommittee.objects.bulk_create(
        [OrgCommittee(org_id=pk, **row) for pk, row in sorted(rows.items())], batch_size=1000
    )
    return len(rows)
