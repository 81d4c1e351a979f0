"""The LIFE overview of the current year from counters, not from a run of the rules.

The findings store (:mod:`dangjian.rules.store`) evaluates every organization's LIFE rules for
today; each evaluation also says, per organization and frequency rule, which periods of the
year the organization was held to and which it met (``run_check(marks=True)``). :func:`written`
(called by the store in the transaction that writes the findings) keeps those marks per
organization (:class:`~dangjian.life.models.ComplianceMarks`) and adds the change to the
counters of the organization and of every organization above it
(:class:`~dangjian.life.models.ComplianceTally`: per year, rule, sector, county and type, the
organizations held to and meeting the rule in each period), as the other rollups do.

:func:`stored_tally` gives the overview (:func:`dangjian.life.compliance.compliance`) the tally
of a scope from the counters of its organization — a few hundred rows however large the scope —
when they answer for it: the store answers for the scope today (every organization evaluated
for today, with the rule parameters in force, no write since) and the counters cover every
organization of the scope for this year (their count of organizations equals the subtree's size).
Otherwise the overview evaluates the rules as before.

A move of an organization carries its subtree's counters from the old ancestors to the new ones
(:func:`moved`); a deleted organization takes its marks out of those above it
(:func:`deleting`). ``dangjian rollups rebuild`` rebuilds the counters from the marks and
``check`` compares them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import F, Sum

from dangjian.core import rollup
from dangjian.orgs.models import Organization, OrgCount
from dangjian.orgs.rollups import ancestor_paths, ids_by_path

from .models import MONTHS, ComplianceMarks, ComplianceTally

#: the key of a counter row
KEY = ["org_id", "year", "rule", "sector", "region", "org_type"]
CHECKED = [f"sub_c{m:02d}" for m in MONTHS]
MET = [f"sub_m{m:02d}" for m in MONTHS]
#: the pseudo-rule whose ``sub_c01`` counts the organizations evaluated
ORGS = ""
#: marks rows read or written by one statement
BATCH = 2000

#: (sector, 6-digit county, organization type)
Group = tuple[str, str, str]
#: (organization id, year, rule, sector, county, type)
Key = tuple[int, int, str, str, str, str]


def _group(sector: str, region_code: str, org_type: str) -> Group:
    return (sector or "", (region_code or "")[:6], org_type or "")


def _chunks(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _masks(marks: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(rule, checked mask, met mask) of an organization's marks, with the pseudo-rule that
    counts it."""
    return [(ORGS, 1, 0), *((rule, int(c), int(m)) for rule, (c, m) in marks.items())]


def _expand(counted: Counter[tuple[Any, ...]]) -> rollup.Deltas:
    """Counter deltas from (key…, checked mask, met mask) → how many organizations."""
    deltas: rollup.Deltas = {}
    for (*key, checked, met), n in counted.items():
        if not n:
            continue
        row = deltas.setdefault(tuple(key), {})
        for bit, month in enumerate(MONTHS):
            if checked >> bit & 1:
                column = CHECKED[month - 1]
                row[column] = row.get(column, 0) + n
            if met >> bit & 1:
                column = MET[month - 1]
                row[column] = row.get(column, 0) + n
    return deltas


def _count(
    into: Counter[tuple[Any, ...]],
    above: Iterable[int],
    year: int,
    group: Group,
    marks: Mapping[str, Any],
    sign: int,
) -> None:
    for rule, checked, met in _masks(marks):
        for org_id in above:
            into[(org_id, year, rule, *group, checked, met)] += sign


def written(orgs: Mapping[str, tuple[int, str]], marks: Mapping[int, Any], at: dt.date) -> None:
    """The listener of the findings store's writes: the organizations ``orgs`` (code → (id,
    path)) were evaluated for ``at`` with these ``marks`` (id → rule → [checked, met]; an
    organization held to no frequency rule has none). Stores the marks that changed and adds
    the change to the counters of the organizations and those above them."""
    paths = {pk: path for pk, path in orgs.values()}
    ids = sorted(paths)
    above = ids_by_path({p for path in paths.values() for p in ancestor_paths(path)})
    counted: Counter[tuple[Any, ...]] = Counter()
    changed: list[ComplianceMarks] = []
    for chunk in _chunks(ids):
        groups = {
            pk: _group(sector, region, org_type)
            for pk, sector, region, org_type in Organization.objects.filter(
                pk__in=chunk
            ).values_list("pk", "sector", "region_code", "org_type")
        }
        old = {row.org_id: row for row in ComplianceMarks.objects.filter(org_id__in=chunk)}
        for pk in chunk:
            group = groups.get(pk)
            if group is None:
                continue  # deleted meanwhile
            new = {rule: list(pair) for rule, pair in sorted(marks.get(pk, {}).items())}
            before = old.get(pk)
            if before is not None:
                then = (before.sector, before.region, before.org_type)
                if before.year == at.year and then == group and before.marks == new:
                    continue
            chain = [above[p] for p in ancestor_paths(paths[pk]) if p in above]
            if before is not None:
                _count(counted, chain, before.year, then, before.marks, -1)
            _count(counted, chain, at.year, group, new, 1)
            changed.append(
                ComplianceMarks(
                    org_id=pk,
                    year=at.year,
                    sector=group[0],
                    region=group[1],
                    org_type=group[2],
                    marks=new,
                )
            )
    ComplianceMarks.objects.bulk_create(
        changed,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["org"],
        update_fields=["year", "sector", "region", "org_type", "marks"],
    )
    rollup.add_to_rows(ComplianceTally, KEY, _expand(counted))


def _subtree_rows(org_id: int) -> list[dict[str, Any]]:
    columns = [*CHECKED, *MET]
    return list(
        ComplianceTally.objects.filter(org_id=org_id).values(
            "year", "rule", "sector", "region", "org_type", *columns
        )
    )


def moved(org_id: int, old_path: str, new_path: str) -> None:
    """The move hook of :func:`dangjian.orgs.services.org_moved` (in the move's transaction):
    the subtree's counters leave the organizations above the old place and join those above
    the new one."""
    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    deltas: rollup.Deltas = {}
    for row in _subtree_rows(org_id):
        key = (row["year"], row["rule"], row["sector"], row["region"], row["org_type"])
        for prefixes, sign in ((old, -1), (new, 1)):
            for prefix in prefixes:
                if prefix in ids:
                    for column in (*CHECKED, *MET):
                        if row[column]:
                            rollup.merge(deltas, (ids[prefix], *key), column, sign * row[column])
    rollup.add_to_rows(ComplianceTally, KEY, deltas)


def deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_delete`` of an organization: its own marks leave the counters of every
    organization above it (each organization of a deleted subtree takes its own away)."""
    if not isinstance(instance, Organization) or not instance.pk:
        return
    mine = ComplianceMarks.objects.filter(org_id=instance.pk).first()
    if mine is None:
        return
    ids = ids_by_path(ancestor_paths(instance.path)[:-1])
    counted: Counter[tuple[Any, ...]] = Counter()
    group = (mine.sector, mine.region, mine.org_type)
    _count(counted, ids.values(), mine.year, group, mine.marks, -1)
    rollup.add_to_rows(ComplianceTally, KEY, _expand(counted))


# --- rebuild and check ----------------------------------------------------------------------


def _scope(org: Organization | None) -> tuple[Any, Any]:
    marks = ComplianceMarks.objects.order_by("org_id")
    rows = ComplianceTally.objects.all()
    if org is not None:
        marks = marks.filter(org__path__startswith=org.path)
        rows = rows.filter(org__path__startswith=org.path)
    return marks, rows


def expected(org: Organization | None = None) -> rollup.Deltas:
    """The counters of the subtree of ``org`` (all when ``None``) as the marks make them."""
    marks, _rows = _scope(org)
    top = org.path if org is not None else ""
    counted: Counter[tuple[Any, ...]] = Counter()
    rows = marks.values_list("org__path", "year", "sector", "region", "org_type", "marks")
    found = list(rows.iterator(chunk_size=BATCH))
    within = {p for path, *_r in found for p in ancestor_paths(path) if p.startswith(top)}
    ids = ids_by_path(within)
    for path, year, sector, region, org_type, own in found:
        chain = [ids[p] for p in ancestor_paths(path) if p in ids and p.startswith(top)]
        _count(counted, chain, year, (sector, region, org_type), own, 1)
    return rollup.nonzero(_expand(counted))


def stored(org: Organization | None = None) -> rollup.Deltas:
    _marks, rows = _scope(org)
    return rollup.stored_rows(rows, KEY, [*CHECKED, *MET])


def differences(org: Organization | None = None) -> list[str]:
    """Where the counters of the subtree of ``org`` differ from its marks (Chinese lines)."""
    found = rollup.differences(stored(org), expected(org), [*CHECKED, *MET])
    return [
        f"组织生活完成情况汇总：组织 {key[0]} {key[1]} 年 {key[2] or '组织数'}"
        f"（{key[3]} {key[4]} {key[5]}）{column} 为 {a}，应为 {b}"
        for key, column, a, b in found
    ]


def rebuild(org: Organization | None = None) -> int:
    """Rebuild the counters of the subtree of ``org`` (all when ``None``) from the marks; the
    organizations above ``org`` get the change of its subtree. Returns the rows written."""
    from django.db import transaction

    with transaction.atomic():
        want = expected(org)
        deltas: rollup.Deltas = {}
        have = stored(org)
        for key in set(have) | set(want):
            for column in (*CHECKED, *MET):
                change = want.get(key, {}).get(column, 0) - have.get(key, {}).get(column, 0)
                if change:
                    rollup.merge(deltas, key, column, change)
        if org is not None:
            ids = ids_by_path(ancestor_paths(org.path)[:-1])
            for key, row in list(deltas.items()):
                if key[0] != org.pk:
                    continue
                for above in ids.values():
                    for column, change in row.items():
                        rollup.merge(deltas, (above, *key[1:]), column, change)
        rollup.add_to_rows(ComplianceTally, KEY, deltas)
    return len(want)


# --- reading --------------------------------------------------------------------------------


def stored_tally(
    prefix: str,
    year: int,
    today: dt.date,
    *,
    sector: str | None = None,
    region: str | None = None,
    org_type: str | None = None,
    periods: Mapping[str, Mapping[int, str]],
) -> tuple[dict[tuple[str, str, str, str, str], list[int]], int] | None:
    """The overview's tally of the scope ``prefix`` for ``year`` — (rule, period label, sector,
    county, type) → [organizations checked, met] — and the organizations checked, from the
    counters; ``None`` when they do not answer (module docstring). ``periods``: rule → first
    month → period label."""
    from dangjian.rules.store import evaluation

    if year != today.year or (region and len(region) > 6):
        return None
    tops = (
        Organization.objects.filter(path=prefix) if prefix else Organization.objects.filter(depth=1)
    )
    top_ids = list(tops.values_list("pk", flat=True))
    if not top_ids or evaluation(prefix, today) is None:
        return None
    rows = ComplianceTally.objects.filter(org_id__in=top_ids, year=year)
    size = OrgCount.objects.filter(org_id__in=top_ids).aggregate(n=Sum("orgs"))["n"] or 0
    counted = rows.filter(rule=ORGS).aggregate(n=Sum("sub_c01"))["n"] or 0
    if counted != size:
        return None  # organizations of the scope without marks of this year
    if sector:
        rows = rows.filter(sector=sector)
    if region:
        rows = rows.filter(region__startswith=region)
    checked = counted
    if sector or region:
        checked = rows.filter(rule=ORGS).aggregate(n=Sum("sub_c01"))["n"] or 0
    if org_type:
        rows = rows.filter(org_type=org_type)
    columns = [*CHECKED, *MET]
    # by rule, sector and county (the type was a filter): the overview's cells and groups; read
    # through a cursor, as ints (no model converters for thousands of rows at a province root)
    grouped = (
        rows.exclude(rule=ORGS)
        .values("rule", "sector", "region")
        .annotate(**{f"n_{c}": Sum(F(c)) for c in columns})
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    tally: dict[tuple[str, str, str, str, str], list[int]] = {}
    for rule, row_sector, row_region, *sums in found:
        labels = periods.get(rule)
        if not labels:
            continue
        for month, label in labels.items():
            n = sums[month - 1]
            if n:
                tally[(rule, label, row_sector, row_region, "")] = [int(n), int(sums[11 + month])]
    return tally, checked
