"""The nation tier at a small scale: written straight into the snapshot layout, the same for the
same seed, a well-formed tree, and the batch engine runs over it."""

from __future__ import annotations

# ruff: noqa: S608  (SQL over the test's own files)
import datetime as dt

import duckdb

from dangjian.batch.engines import DuckDBEngine
from dangjian.batch.nation import generate_nation
from dangjian.batch.run import run_batch

AT = dt.date(2026, 11, 23)


def _digest(path) -> tuple:
    con = duckdb.connect()
    orgs = con.execute(
        f"SELECT count(*), sum(hash(org_id, code, path, org_type, members, term_started_on)) "
        f"FROM read_parquet('{path}/orgs.parquet')"
    ).fetchone()
    months = con.execute(
        f"SELECT count(*), sum(hash(org_id, meeting_type, mask, counted)) "
        f"FROM read_parquet('{path}/months.parquet')"
    ).fetchone()
    return orgs, months


def test_the_nation_tier_is_deterministic_and_well_formed(tmp_path):
    counts = generate_nation(tmp_path / "a", at=AT, scale=0.001)
    generate_nation(tmp_path / "b", at=AT, scale=0.001)
    assert counts["orgs"] == 306 + 330 + 4614
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    con = duckdb.connect()
    orgs = f"read_parquet('{tmp_path}/a/orgs.parquet')"
    orphans, dup = con.execute(
        f"SELECT (SELECT count(*) FROM {orgs} o WHERE depth > 1 AND NOT EXISTS (SELECT 1 FROM "
        f"{orgs} p WHERE p.path = substr(o.path, 1, length(o.path) - 4))), "
        f"(SELECT count(*) - count(DISTINCT path) FROM {orgs})"
    ).fetchone()
    assert orphans == 0 and dup == 0
    with DuckDBEngine() as engine:
        result = run_batch(engine, tmp_path / "a", at=AT)
    rules = {r[0] for r in result.rows()}
    assert {"SETUP-BRANCH-MIN-FULL", "SETUP-TERM-EXPIRED", "LIFE-THEME-DAY-MONTHLY"} <= rules
    assert result.findings.num_rows > 1000
