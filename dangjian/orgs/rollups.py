"""Subtree sizes (:class:`~dangjian.orgs.models.OrgCount`): the organizations in the subtree of
every organization, itself included, kept by the writes that add organizations
(:func:`orgs_added`: :func:`dangjian.orgs.services.org_create`, the import) or move them
(:func:`orgs_moved`, a hook of :func:`dangjian.orgs.services.org_moved`), rebuilt from the tree
by ``dangjian rollups rebuild`` (:func:`org_counts_rebuild`, also after a bulk load such as the
seed) and compared with it by ``dangjian rollups check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import Substr

from dangjian.core import rollup

from .models import Organization, OrgCount

STEP = Organization.steplen
COLUMN = "orgs"


def ancestor_paths(path: str) -> list[str]:
    """The paths of the organization at ``path`` and of every organization above it."""
    return [path[:end] for end in range(STEP, len(path) + 1, STEP)]


def ids_by_path(paths: Iterable[str]) -> dict[str, int]:
    """The ids of the organizations at ``paths`` (those that exist), by path."""
    wanted = sorted(set(paths))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        rows = Organization.objects.filter(path__in=wanted[start : start + 1000])
        found.update(rows.values_list("path", "pk"))
    return found


def orgs_added(paths: Iterable[str]) -> None:
    """Organizations were created at ``paths`` (after their rows are written, in the same
    transaction): each counts once in its own row and in the row of every organization above."""
    created = list(paths)
    if not created:
        return
    ids = ids_by_path(p for path in created for p in ancestor_paths(path))
    deltas: rollup.Deltas = {}
    for path in created:
        for prefix in ancestor_paths(path):
            if prefix in ids:
                rollup.merge(deltas, (ids[prefix],), COLUMN, 1)
    rollup.add_to_rows(OrgCount, ["org_id"], deltas)


def org_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_delete`` of an organization: it no longer counts in the rows of those above it
    (its own row goes with it; each organization of a deleted subtree takes itself away)."""
    if not isinstance(instance, Organization) or not instance.pk:
        return
    ids = ids_by_path(ancestor_paths(instance.path)[:-1])
    deltas: rollup.Deltas = {}
    for org_id in ids.values():
        rollup.merge(deltas, (org_id,), COLUMN, -1)
    rollup.add_to_rows(OrgCount, ["org_id"], deltas)


def orgs_moved(org_id: int, old_path: str, new_path: str) -> None:
    """The organization ``org_id`` moved with its subtree from ``old_path`` to ``new_path``: its
    size leaves the organizations above the old place and joins those above the new one."""
    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    involved = sorted({org_id, *ids.values()})
    rows = {
        row.org_id: row
        for row in OrgCount.objects.select_for_update()
        .filter(org_id__in=involved)
        .order_by("org_id")
    }
    row = rows.get(org_id)
    if row is None or not row.orgs:
        return
    deltas: rollup.Deltas = {}
    for prefix in old:
        rollup.merge(deltas, (ids[prefix],), COLUMN, -row.orgs)
    for prefix in new:
        rollup.merge(deltas, (ids[prefix],), COLUMN, row.orgs)
    rollup.add_to_rows(OrgCount, ["org_id"], deltas)


def expected_org_counts(org: Organization | None = None) -> rollup.Deltas:
    """The rows as the tree makes them, for the subtree of ``org`` (all when ``None``): one
    grouped count a depth, over the path index."""
    scope = Organization.objects.order_by()
    if org is not None:
        scope = scope.filter(path__startswith=org.path)
    deepest = scope.aggregate(d=Max("depth"))["d"] or 0
    first = org.depth if org is not None else 1
    counts: dict[str, int] = {}
    for depth in range(first, deepest + 1):
        width = STEP * depth
        grouped = (
            scope.filter(depth__gte=depth)
            .annotate(prefix=Substr("path", 1, width))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        counts.update((row["prefix"], row["n"]) for row in grouped)
    ids = dict(scope.values_list("path", "pk"))
    return rollup.nonzero({(ids[p],): {COLUMN: n} for p, n in counts.items() if p in ids})


def stored_org_counts(org: Organization | None = None) -> rollup.Deltas:
    rows = OrgCount.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rollup.stored_rows(rows, ["org_id"], [COLUMN])


@dataclass
class Difference:
    """A stored subtree size that differs from the tree."""

    org_id: int
    stored: int
    expected: int
    org_label: str = ""

    def __str__(self) -> str:
        return (
            f"{self.org_label or self.org_id}：本组织及下级组织数 汇总为 {self.stored}，"
            f"按组织体系应为 {self.expected}"
        )


def org_counts_differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored sizes of the subtree of ``org`` differ from the tree."""
    found = rollup.differences(stored_org_counts(org), expected_org_counts(org), [COLUMN])
    rows = Organization.objects.filter(pk__in={key[0] for key, *_ in found})
    names = {pk: f"{name}（{code}）" for pk, name, code in rows.values_list("pk", "name", "code")}
    return [Difference(key[0], a, b, names.get(key[0], "")) for key, _c, a, b in found]


@transaction.atomic
def org_counts_rebuild(org: Organization | None = None) -> int:
    """Rebuild the sizes of the subtree of ``org`` (all when ``None``) from the tree; the
    organizations above ``org`` get the change of its size. Returns the rows written."""
    scope = OrgCount.objects.all()
    if org is not None:
        scope = OrgCount.objects.filter(org__path__startswith=org.path)
    list(scope.select_for_update(of=("self",)).order_by("org_id").values_list("org_id"))
    expected = expected_org_counts(org)
    before = 0
    if org is not None:
        old = OrgCount.objects.filter(org_id=org.pk).first()
        before = old.orgs if old else 0
    scope.delete()
    OrgCount.objects.bulk_create(
        [OrgCount(org_id=key[0], orgs=row[COLUMN]) for key, row in expected.items()],
        batch_size=2000,
    )
    if org is not None:
        change = expected.get((org.pk,), {}).get(COLUMN, 0) - before
        ids = ids_by_path(ancestor_paths(org.path)[:-1])
        rollup.add_to_rows(OrgCount, ["org_id"], {(pk,): {COLUMN: change} for pk in ids.values()})
    return len(expected)
