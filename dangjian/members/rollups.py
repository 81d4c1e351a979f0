"""Member counts per organization (:class:`~dangjian.members.models.MemberCount`), kept by the
write path of the roll and rebuilt from the records by ``dangjian rollups rebuild``.

A member counts once, in one column of the branch on whose roll he is: ``full`` or
``probationary`` by his recorded type, or ``left`` once a standing that ends membership (出党,
death: :data:`~dangjian.members.choices.LEAVING`) is recorded without an end date. Every
organization above the branch, and the branch itself, counts him in the same ``sub_*`` column.
A write passes what it took off the roll and what it put on (:func:`counts_shift`); a move of
an organization shifts its subtree totals from the old ancestors to the new ones
(:func:`org_moved`, called by :func:`dangjian.orgs.services.org_move`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from dangjian.core import rollup
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import ancestor_paths, ids_by_path

from .choices import LEAVING, MemberType, StatusKind
from .models import Member, MemberCount, MemberStatus

#: own columns, then subtree columns (the same order)
OWN = ("full", "probationary", "left")
SUB = ("sub_full", "sub_probationary", "sub_left")
COLUMNS = OWN + SUB
LABELS = {
    "full": "正式党员",
    "probationary": "预备党员",
    "left": "已出党",
    "sub_full": "含下级正式党员",
    "sub_probationary": "含下级预备党员",
    "sub_left": "含下级已出党",
}


@dataclass(frozen=True)
class Place:
    """Where a member counts: an organization and a column of :data:`OWN`."""

    org_id: int
    column: str


def column_of(member_type: str, left: bool) -> str:
    if left:
        return "left"
    return "full" if member_type == MemberType.FULL else "probationary"


def left_filter() -> Q:
    """Standings that take a member off the roll for good (no end date)."""
    return Q(kind__in=list(LEAVING), ends_on__isnull=True)


def has_left(member: Member) -> bool:
    return MemberStatus.objects.filter(left_filter(), member=member).exists()


def left_as(member: Member) -> str | None:
    """What took ``member`` off the roll (开除党籍, 死亡, 组织关系转出系统外 …), or ``None``
    while he is on it: the reason a write for a member no longer on the roll is refused."""
    kind = (
        MemberStatus.objects.filter(left_filter(), member=member)
        .order_by("-started_on", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return StatusKind(kind).label if kind else None


def left_ids(ids: Iterable[int]) -> set[int]:
    """The members of ``ids`` out of the party."""
    wanted = list(ids)
    found: set[int] = set()
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        found.update(
            MemberStatus.objects.filter(left_filter(), member_id__in=chunk).values_list(
                "member_id", flat=True
            )
        )
    return found


def place_of(member: Member, left: bool | None = None) -> Place:
    """Where ``member`` counts as saved now (``left`` read when not given)."""
    if left is None:
        left = has_left(member) if member.pk else False
    return Place(member.org_id, column_of(member.member_type, left))


def _paths(org_ids: Iterable[int]) -> dict[int, str]:
    return dict(Organization.objects.filter(pk__in=set(org_ids)).values_list("pk", "path"))


def _above(paths: dict[int, str]) -> dict[int, list[int]]:
    """The ids of each organization of ``paths`` and of those above it (one query)."""
    ids = ids_by_path(p for path in paths.values() for p in ancestor_paths(path))
    return {pk: [ids[p] for p in ancestor_paths(path) if p in ids] for pk, path in paths.items()}


def hold_branches(org_ids: Iterable[int]) -> None:
    """Lock the rows of the organizations ``org_ids`` (``FOR NO KEY UPDATE``, in path order) in
    the caller's transaction, before a write of their rolls locks anything else.

    A move of an organization rewrites the paths of its subtree (a key update) and then locks
    the member counts above (:func:`org_moved`). A write of the roll inserts rows that refer to
    its branches, and PostgreSQL checks those foreign keys at commit, after the write locked
    the counts: without this lock the write would wait for the move at its commit while the
    move waits for the counts the write holds. Held first, the branch rows make a move of any
    organization above them wait for the write (and a write wait for a move under way), and
    the paths this write reads stay the paths it counts under. Other writes of the same
    branches still run: only a key update conflicts with this lock."""
    wanted = sorted(set(org_ids))
    if wanted:
        rows = Organization.objects.select_for_update(no_key=True).filter(pk__in=wanted)
        list(rows.order_by("path").values_list("pk", flat=True))


def counts_shift(removed: Iterable[Place] = (), added: Iterable[Place] = ()) -> None:
    """Count the members of ``removed`` out and those of ``added`` in (the places before and
    after a write), in the caller's transaction: the own column of the branch, the subtree
    column of the branch and of every organization above it.

    The branch rows are held first (:func:`hold_branches`, a no-op when the write took them
    already), so a concurrent move of an organization above waits for this write and reads
    its counts, and the paths read here are those the counts are written under."""
    changes: dict[Place, int] = {}
    for place in removed:
        changes[place] = changes.get(place, 0) - 1
    for place in added:
        changes[place] = changes.get(place, 0) + 1
    changes = {place: n for place, n in changes.items() if n}
    if not changes:
        return
    hold_branches(place.org_id for place in changes)
    above = _above(_paths(place.org_id for place in changes))
    deltas: rollup.Deltas = {}
    for place, n in changes.items():
        rollup.merge(deltas, (place.org_id,), place.column, n)
        for pk in above[place.org_id]:
            rollup.merge(deltas, (pk,), "sub_" + place.column, n)
    rollup.add_to_rows(MemberCount, ["org_id"], deltas)


def org_moved(org_id: int, old_path: str, new_path: str) -> None:
    """The organization ``org_id`` and its subtree moved from ``old_path`` to ``new_path``:
    its subtree totals leave the organizations above the old place and join those above the
    new one (the organizations above both do not change).

    The rows of the moved organization and of both ancestor paths are locked first, in key
    order — the order in which a write of the roll takes them (:func:`counts_shift`), so the
    two wait for each other instead of locking in a circle — then the totals are read."""
    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    involved = sorted({org_id, *ids.values()})
    locked = MemberCount.objects.select_for_update().filter(org_id__in=involved)
    rows = {row.org_id: row for row in locked.order_by("org_id")}
    row = rows.get(org_id)
    if row is None:
        return
    totals = {column: getattr(row, column) for column in SUB}
    deltas: rollup.Deltas = {}
    for prefix in old:
        for column, n in totals.items():
            rollup.merge(deltas, (ids[prefix],), column, -n)
    for prefix in new:
        for column, n in totals.items():
            rollup.merge(deltas, (ids[prefix],), column, n)
    rollup.add_to_rows(MemberCount, ["org_id"], deltas)


# --- rebuild and check ---------------------------------------------------------------------------


def _orgs(org: Organization | None) -> dict[int, str]:
    rows = Organization.objects.order_by()
    if org is not None:
        rows = rows.filter(path__startswith=org.path)
    return dict(rows.values_list("pk", "path"))


def expected_counts(org: Organization | None = None) -> rollup.Deltas:
    """The rows as the records make them, for the subtree of ``org`` (every organization when
    ``None``): key ``(org id,)`` → column → count, rows of zeros left out."""
    paths = _orgs(org)
    members = Member.objects.order_by()
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    gone = MemberStatus.objects.filter(left_filter(), member=OuterRef("pk"))
    grouped = (
        members.annotate(gone=Exists(gone))
        .values("org_id", "member_type", "gone")
        .annotate(n=Count("id"))
    )
    by_path = {path: pk for pk, path in paths.items()}
    out: rollup.Deltas = {}
    for row in grouped:
        column = column_of(row["member_type"], row["gone"])
        rollup.merge(out, (row["org_id"],), column, row["n"])
        for prefix in ancestor_paths(paths[row["org_id"]]):
            if prefix in by_path:  # organizations above ``org`` are not rebuilt here
                rollup.merge(out, (by_path[prefix],), "sub_" + column, row["n"])
    return rollup.nonzero(out)


def stored_counts(org: Organization | None = None) -> rollup.Deltas:
    rows = MemberCount.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rollup.stored_rows(rows, ["org_id"], COLUMNS)


def org_labels(ids: Iterable[int]) -> dict[int, str]:
    """``名称（编码）`` of the organizations ``ids`` (one query), for the lists of differences."""
    rows = Organization.objects.filter(pk__in=set(ids)).values_list("pk", "name", "code")
    return {pk: f"{name}（{code}）" for pk, name, code in rows}


@dataclass
class Difference:
    """A stored count that differs from the records."""

    org_id: int
    column: str
    stored: int
    expected: int
    org_label: str = ""

    def __str__(self) -> str:
        return (
            f"{self.org_label or self.org_id}：{LABELS[self.column]} 汇总为 {self.stored}，"
            f"按记录应为 {self.expected}"
        )


def _labelled(found: list[tuple[tuple[int, ...], str, int, int]]) -> list[Difference]:
    names = org_labels(key[0] for key, *_ in found)
    return [Difference(key[0], column, a, b, names.get(key[0], "")) for key, column, a, b in found]


def counts_differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored counts of the subtree of ``org`` differ from a rebuild."""
    found = rollup.differences(stored_counts(org), expected_counts(org), COLUMNS)
    return _labelled(found)


@transaction.atomic
def counts_rebuild(org: Organization | None = None) -> int:
    """Rebuild the counts of the subtree of ``org`` (all when ``None``) from the records; the
    organizations above ``org`` get the change of its subtree totals. Returns the rows written.

    The rows are locked (in key order) before the records are read: a write that counted
    already is read with them once it commits, one that counts later waits and adds to the
    rebuilt rows."""
    scope = MemberCount.objects.all()
    if org is not None:
        scope = MemberCount.objects.filter(org__path__startswith=org.path)
    list(scope.select_for_update(of=("self",)).order_by("org_id").values_list("org_id"))
    expected = expected_counts(org)
    if org is None:
        MemberCount.objects.all().delete()
    else:
        old = MemberCount.objects.filter(org_id=org.pk).first()
        before = {c: getattr(old, c) if old else 0 for c in SUB}
        MemberCount.objects.filter(org__path__startswith=org.path).delete()
    MemberCount.objects.bulk_create(
        [MemberCount(org_id=key[0], **row) for key, row in expected.items()], batch_size=1000
    )
    if org is not None:
        after = expected.get((org.pk,), {})
        above = ancestor_paths(org.path)[:-1]
        ids = ids_by_path(above)
        deltas: rollup.Deltas = {}
        for prefix in above:
            for column in SUB:
                rollup.merge(deltas, (ids[prefix],), column, after.get(column, 0) - before[column])
        rollup.add_to_rows(MemberCount, ["org_id"], deltas)
    return len(expected)
