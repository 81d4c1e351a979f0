"""The party organization of a village (村), whatever its shape.

A village's members form one 村党支部, or a 村党总支 / 村党委 with several branches under it.
ASSESS-WEAK's "a village with no development candidate for 2+ years" is about the village: a
retired members' 第三党支部 that never recruits is not a weak village when the village's first
branch determined a candidate last spring. :func:`village_units` maps each village branch to its
village organization: the highest organization above it (itself included) in the 农村 sector
with the same 12-digit 行政区划代码 (the 村 code); the town's 党委 has the town's code and is
never part of it. A branch without a region code is its own village. A 临时党支部 does not
recruit and belongs to no village.

Used by the indicator ``recruit_candidate_2_years`` (:mod:`dangjian.assess.indicators`) and by
the 软弱涣散 leads (:mod:`dangjian.rectify.rules`), so both read the condition the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

#: the organization types a village's own organization can have
VILLAGE_TYPES = frozenset({OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, *BRANCH_TYPES})


def village_units(rows: Iterable[tuple[int, str, str, str]]) -> dict[int, int]:
    """``branch pk → village organization pk`` for the rows ``(pk, path, region_code,
    org_type)`` of the 农村 organizations of a subtree (one query's worth, read once)."""
    rows = list(rows)
    by_path = {path: (pk, region or "", kind) for pk, path, region, kind in rows}
    step = Organization.steplen
    out: dict[int, int] = {}
    for pk, path, region, kind in rows:
        if kind not in BRANCH_TYPES or kind == OrgType.TEMP_BRANCH:
            continue
        unit = pk
        region = region or ""
        parent = path[:-step]
        while region and parent in by_path:
            p_pk, p_region, p_kind = by_path[parent]
            if p_region != region or p_kind not in VILLAGE_TYPES:
                break
            unit = p_pk
            parent = parent[:-step]
        out[pk] = unit
    return out


def rural_rows(prefix: str) -> list[tuple[int, str, str, str]]:
    """The rows :func:`village_units` reads, for the 农村 organizations under ``prefix``."""
    from dangjian.orgs.choices import Sector

    qs = Organization.objects.filter(sector=Sector.RURAL)
    if prefix:
        qs = qs.filter(path__startswith=prefix)
    return list(qs.order_by().values_list("pk", "path", "region_code", "org_type"))
