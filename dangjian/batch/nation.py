"""The ``nation`` tier: a synthetic country written straight into the snapshot layout
(:mod:`dangjian.batch.snapshot`), never through the database.

At full size (``scale`` 1.0) it has the organizations of the 2024 statistics bulletin
(shared/domain/scale.md): about 306,000 党委 (the root and 31 provincial committees among them),
330,000 党总支 and 4,614,000 党支部 (4 % 联合党支部, 1 % 临时党支部) — 5.25 million organizations,
about 100 million members on the rolls and about 130 million meeting records in the year of the
checking date, in the per-organization columnar form (one row per branch and meeting type).

Everything is computed by DuckDB from the row number and the seed through ``hash`` (so the same
seed gives the same files with the same DuckDB version) and streamed by ``COPY … TO … (FORMAT
parquet)``: memory stays bounded by DuckDB's limit whatever the size. The figures are shaped to
look like real data (most branches meet most months; a few percent break each setup rule); they
are for the benchmark, not for statistics.
"""

# ruff: noqa: S608  (SQL built from our own numbers and names, no input)

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dangjian.orgs.choices import Sector

from .snapshot import MAX_HOLDERS, MONTHS, ORGS_SCHEMA, write_meta

SEED = 20261123
#: organizations at full size (2024 statistics bulletin)
COMMITTEES = 306_000
GENERAL_BRANCHES = 330_000
BRANCHES = 4_614_000
PROVINCES = 31
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: meeting types of a branch: (type, "m" monthly | "q" a chance each month | "y" once a year, p)
MEETINGS = (
    ("主题党日", "m", 0.93),
    ("支委会", "m", 0.9),
    ("支部党员大会", "q", 0.5),
    ("党课", "q", 0.5),
    ("组织生活会", "y", 0.85),
    ("民主评议党员", "y", 0.8),
    ("谈心谈话", "y", 0.9),
)


def _macros(con: Any, seed: int, committees: int, generals: int) -> None:
    a = ALPHABET
    con.execute(f"CREATE MACRO rnd(i, s) AS (hash(i, s, {int(seed)}) % 1000003) / 1000003.0")
    con.execute(
        f"CREATE MACRO step(k) AS substr('{a}', CAST((k // 46656) % 36 + 1 AS INTEGER), 1) || "
        f"substr('{a}', CAST((k // 1296) % 36 + 1 AS INTEGER), 1) || "
        f"substr('{a}', CAST((k // 36) % 36 + 1 AS INTEGER), 1) || "
        f"substr('{a}', CAST(k % 36 + 1 AS INTEGER), 1)"
    )
    con.execute(
        f"CREATE MACRO cpath(j) AS '0001' || step(j % {PROVINCES} + 1) || "
        f"step(j // {PROVINCES} + 1)"
    )
    con.execute(f"CREATE MACRO gpath(g) AS cpath(g % {committees}) || step(g // {committees} + 1)")
    # a branch: one in four under a 党总支, the others under a 党委 (steps from 1000 on, after
    # the 党总支 of that committee)
    con.execute(
        "CREATE MACRO bpath(b) AS CASE WHEN b % 4 = 0 "
        f"THEN gpath((b // 4) % {generals}) || step((b // 4) // {generals} + 1) "
        f"ELSE cpath(((b // 4) * 3 + b % 4 - 1) % {committees}) || "
        f"step(1000 + ((b // 4) * 3 + b % 4 - 1) // {committees}) END"
    )
    sectors = ", ".join(f"'{s}'" for s in Sector.values)
    con.execute(f"CREATE MACRO sector_of(u) AS ([{sectors}])[CAST(floor(u * 11) AS INTEGER) + 1]")


def _columns(values: dict[str, str]) -> str:
    """The SELECT list in the order and types of :data:`ORGS_SCHEMA` (NULL where not given)."""
    types = {"int64": "BIGINT", "int32": "INTEGER", "string": "VARCHAR", "date32[day]": "DATE"}
    return ", ".join(
        f"CAST({values.get(f.name, 'NULL')} AS {types[str(f.type)]}) AS {f.name}"
        for f in ORGS_SCHEMA
    )


def _upper(org_type: str, ident: str, path: str, depth: str, where: str) -> str:
    """党委 and 党总支: no roll of their own (their members are on their branches' rolls)."""
    values = {
        "org_id": ident,
        "code": f"'N' || lpad(CAST({ident} AS VARCHAR), 8, '0')",
        "path": path,
        "depth": depth,
        "org_type": f"'{org_type}'",
        "sector": f"sector_of(rnd({ident}, 2))",
        "region_code": "''",
        "term_started_on": f"DATE '2021-09-01' + CAST(floor(rnd({ident}, 5) * 1900) AS INTEGER)",
        "term_years": f"CASE WHEN rnd({ident}, 6) < 0.02 THEN 2 END",
        "delay_new_deadline": f"CASE WHEN rnd({ident}, 10) < 0.005 THEN DATE '2026-12-31' END",
        **{name: "0" for name in ("members", "full_members", "voters", "committee_posts")},
        **{name: "0" for name in ("secretaries", "ineligible", "participants")},
        **{name: "0" for name in ("participants_full", "mc_full", "mc_probationary")},
        **{name: "0" for name in ("mc_sub_full", "mc_sub_probationary")},
    }
    return f"SELECT {_columns(values)} FROM {where}"


BRANCH_BASE = """
SELECT id, u1, u11, u15, u16, u17,
  CASE WHEN u1 < 0.04 THEN '联合党支部' WHEN u1 < 0.05 THEN '临时党支部' ELSE '党支部' END
    AS org_type,
  CASE WHEN u1 < 0.04 OR u1 >= 0.05
    THEN 1 + CAST(floor(u11 * 40) AS INTEGER) + CASE WHEN u12 < 0.02 THEN 30 ELSE 0 END
    ELSE 0 END AS members,
  CAST(floor(u13 * 3) AS INTEGER) AS probationary
FROM (SELECT b, {first} + b AS id, rnd({first} + b, 1) AS u1, rnd({first} + b, 11) AS u11,
        rnd({first} + b, 12) AS u12, rnd({first} + b, 13) AS u13, rnd({first} + b, 15) AS u15,
        rnd({first} + b, 16) AS u16, rnd({first} + b, 17) AS u17
      FROM range({count}) r(b)) x
"""

BRANCH_FACTS = """
SELECT *,
  CASE WHEN full_members >= 7 THEN
    CASE WHEN u15 < 0.03 THEN 1 ELSE 3 + CAST(floor(u16 * 3) AS INTEGER) END
  WHEN org_type = '临时党支部' THEN 0
  ELSE CASE WHEN u15 < 0.05 THEN 3 ELSE 1 END END AS committee_posts
FROM (SELECT *, greatest(members - probationary, 0) AS full_members FROM ({base}) y) z
"""


def _branches(first: int, count: int) -> str:
    facts = BRANCH_FACTS.format(base=BRANCH_BASE.format(first=first, count=count))
    temp = "org_type = '临时党支部'"
    values = {
        "org_id": "id",
        "code": "'N' || lpad(CAST(id AS VARCHAR), 8, '0')",
        "path": f"bpath(id - {first})",
        "depth": f"CASE WHEN (id - {first}) % 4 = 0 THEN 5 ELSE 4 END",
        "org_type": "org_type",
        "sector": "sector_of(rnd(id, 2))",
        "region_code": "''",
        "founded_on": "CASE WHEN rnd(id, 3) < 0.03 THEN "
        "DATE '2025-01-01' + CAST(floor(rnd(id, 4) * 690) AS INTEGER) END",
        "term_started_on": f"CASE WHEN NOT {temp} THEN "
        "DATE '2023-09-01' + CAST(floor(rnd(id, 5) * 1180) AS INTEGER) END",
        "term_years": f"CASE WHEN NOT {temp} AND rnd(id, 6) < 0.02 THEN 5 END",
        "units_covered": "CASE WHEN org_type = '联合党支部' THEN "
        "2 + CAST(floor(rnd(id, 7) * 7) AS INTEGER) END",
        "secretary_vacant_since": "CASE WHEN rnd(id, 8) < 0.01 THEN "
        "DATE '2026-01-01' + CAST(floor(rnd(id, 9) * 300) AS INTEGER) END",
        "delay_new_deadline": f"CASE WHEN NOT {temp} AND rnd(id, 10) < 0.005 "
        "THEN DATE '2026-12-31' END",
        "members": "members",
        "full_members": "full_members",
        "voters": "greatest(full_members - CASE WHEN rnd(id, 14) < 0.01 THEN 1 ELSE 0 END, 0)",
        "committee_posts": "committee_posts",
        "secretaries": "CASE WHEN u17 < 0.02 THEN 0 ELSE 1 END",
        "secretary_joined_on": "CASE WHEN u17 >= 0.02 THEN "
        "DATE '1990-01-01' + CAST(floor(rnd(id, 18) * 12500) AS INTEGER) END",
        "secretary_confirmed_on": "CASE WHEN u17 >= 0.02 AND rnd(id, 19) >= 0.03 THEN "
        "DATE '1991-01-01' + CAST(floor(rnd(id, 18) * 12500) AS INTEGER) END",
        "ineligible": f"CASE WHEN NOT {temp} AND rnd(id, 20) < 0.005 THEN 1 ELSE 0 END",
        "participants": f"CASE WHEN {temp} THEN CAST(floor(u11 * 12) AS INTEGER) ELSE 0 END",
        "participants_full": f"CASE WHEN {temp} THEN CAST(floor(u11 * 10) AS INTEGER) ELSE 0 END",
        "mc_full": "full_members",
        "mc_probationary": "members - full_members",
        "mc_sub_full": "full_members",
        "mc_sub_probationary": "members - full_members",
    }
    for k in range(1, MAX_HOLDERS + 1):
        values[f"holder_from_{k}"] = (
            f"CASE WHEN committee_posts >= {k} THEN DATE '2005-01-01' + "
            f"CAST(floor(rnd(id, 21) * 7700) AS INTEGER) + {30 * k} END"
        )
    return f"SELECT {_columns(values)} FROM ({facts}) f"


def _months(first: int, count: int, at: dt.date) -> str:
    facts = BRANCH_FACTS.format(base=BRANCH_BASE.format(first=first, count=count))
    kinds = ", ".join(f"({i}, '{t}', '{k}', {p})" for i, (t, k, p) in enumerate(MEETINGS))
    cols = []
    for month in range(1, 13):
        if month > at.month:
            cols.append(f"0 AS {MONTHS[month - 1]}")
            continue
        monthly = f"CASE WHEN rnd(id * 8 + t, {100 + month}) < p THEN 1 ELSE 0 END"
        held_in = "CASE WHEN rnd(id * 8 + t, 99) < 0.5 THEN 10 ELSE 11 END"
        yearly = f"CASE WHEN rnd(id * 8 + t, 98) < p AND {held_in} = {month} THEN 1 ELSE 0 END"
        cols.append(f"CASE WHEN kind = 'y' THEN {yearly} ELSE {monthly} END AS {MONTHS[month - 1]}")
    total = " + ".join(MONTHS)
    mask = " + ".join(f"CASE WHEN {m} > 0 THEN {1 << i} ELSE 0 END" for i, m in enumerate(MONTHS))
    typed = ", ".join(f"CAST({m} AS INTEGER) AS {m}" for m in MONTHS)
    return (
        f"SELECT org_id, year, meeting_type, {typed}, CAST({total} AS INTEGER) AS counted, "
        f"CAST({mask} AS INTEGER) AS mask FROM (SELECT CAST(id AS BIGINT) AS org_id, "
        f"CAST({at.year} AS INTEGER) AS year, meeting_type, {', '.join(cols)} FROM ({facts}) f "
        f"CROSS JOIN (VALUES {kinds}) k(t, meeting_type, kind, p) "
        "WHERE (members > 0 OR org_type = '临时党支部') "
        "AND (meeting_type <> '支委会' OR committee_posts >= 3)) g"
    )


def generate_nation(
    out: Path,
    *,
    at: dt.date,
    scale: float = 1.0,
    seed: int = SEED,
    threads: int | None = None,
    memory_limit: str = "4GB",
) -> dict[str, int]:
    """Write the nation tier (``scale`` × full size) into ``out`` as a snapshot for ``at``;
    returns the rows written per file."""
    import duckdb

    if not 0.001 <= scale <= 1.0:
        raise ValueError("规模应在 0.001 到 1 之间")
    out.mkdir(parents=True, exist_ok=True)
    committees = max(1, round(COMMITTEES * scale) - 1 - PROVINCES)
    generals = max(1, round(GENERAL_BRANCHES * scale))
    branches = max(1, round(BRANCHES * scale))
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    _macros(con, seed, committees, generals)
    first_general = 1 + 1 + PROVINCES + committees
    first_branch = first_general + generals
    parts = [
        _upper("党委", "1", "'0001'", "1", "range(1) r(i)"),
        _upper("党委", "2 + i", "'0001' || step(i + 1)", "2", f"range({PROVINCES}) r(i)"),
        _upper("党委", f"{2 + PROVINCES} + i", "cpath(i)", "3", f"range({committees}) r(i)"),
        _upper("党总支", f"{first_general} + i", "gpath(i)", "4", f"range({generals}) r(i)"),
        _branches(first_branch, branches),
    ]
    target = str(out / "orgs.parquet").replace("'", "''")
    con.execute(
        f"COPY ({' UNION ALL '.join(parts)}) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 500000)"
    )
    target = str(out / "months.parquet").replace("'", "''")
    con.execute(
        f"COPY ({_months(first_branch, branches, at)}) TO '{target}' "
        "(FORMAT parquet, ROW_GROUP_SIZE 500000)"
    )
    # 党课 by each 党委's secretary: 85 % gave one, in June
    lecture_months = ", ".join(
        f"CASE WHEN held AND {m + 1} = 6 THEN 1 ELSE 0 END AS {name}"
        for m, name in enumerate(MONTHS)
    )
    target = str(out / "lectures.parquet").replace("'", "''")
    con.execute(
        f"COPY (SELECT CAST(i AS BIGINT) AS org_id, CAST({at.year} AS INTEGER) AS year, "
        f"'党课' AS meeting_type, {lecture_months}, CAST(held AS INTEGER) AS counted, "
        "CASE WHEN held THEN 32 ELSE 0 END AS mask FROM (SELECT i, rnd(i, 31) < 0.85 AND "
        f"{at.month} >= 6 AS held FROM range(1, {first_general}) r(i)) l WHERE held) "
        f"TO '{target}' (FORMAT parquet)"
    )
    counts = {}
    for name in ("orgs", "months", "lectures"):
        path = str(out / f"{name}.parquet").replace("'", "''")
        row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
        counts[name] = int(row[0]) if row else 0
    con.close()
    write_meta(out, at, counts, f"nation scale={scale} seed={seed}")
    return counts
