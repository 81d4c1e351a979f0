"""On the demo's data (the tiny tier of the district seed with the demo's standings and two
years of organizational life), the batch engine finds exactly what the row path finds for the
rules it covers, and lists the others as not in the batch engine."""

from __future__ import annotations

from dangjian.batch.engines import DuckDBEngine
from dangjian.batch.run import run_batch
from dangjian.batch.snapshot import export_snapshot
from tests.batch.helpers import compare


def test_duckdb_equals_row_path_on_the_demo(demo, today, tmp_path):
    counts = export_snapshot(tmp_path, today)
    assert counts["orgs"] > 50 and counts["months"] > 100
    with DuckDBEngine() as engine:
        found = compare(engine, tmp_path, today)
        result = run_batch(engine, tmp_path, families="SETUP,LIFE")
    assert found > 100
    rules = {k[0] for k in result.rows()}
    assert {"SETUP-BRANCH-MIN-FULL", "LIFE-THEME-DAY-MONTHLY"} <= rules
    assert {n.rule_id for n in result.not_covered} == {
        "LIFE-ASSEMBLY-QUORUM",
        "LIFE-LATE-ENTRY",
        "LIFE-ABSENT-6-MONTHS",
    }
