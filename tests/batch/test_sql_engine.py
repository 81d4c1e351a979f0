"""The ``sql`` engine runs the rule SQL inside the project's own database (temporary tables
loaded from the snapshot): the same findings as DuckDB and as the row path on the demo's data.
It runs on the test database of the session: SQLite by default, PostgreSQL when DATABASE_URL
points at one (the PostgreSQL-only test is skipped otherwise)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dangjian.batch.engines import DuckDBEngine, SQLEngine, make_engine, translate
from dangjian.batch.run import run_batch
from dangjian.batch.snapshot import export_snapshot
from dangjian.core.dates import add_months
from tests.batch.helpers import compare

DAYS = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2023, 12, 31), dt.date(2025, 3, 15)]


def test_translate_keeps_one_text_per_rule():
    sql = "SELECT CAST(NULL AS STRING) AS p WHERE add_months(d, 12) > DATE '2026-01-31'"
    assert translate(sql, "postgresql") == (
        "SELECT CAST(NULL AS TEXT) AS p WHERE pg_temp.add_months(d, 12) > DATE '2026-01-31'"
    )
    assert translate(sql, "sqlite") == (
        "SELECT CAST(NULL AS TEXT) AS p WHERE add_months(d, 12) > '2026-01-31'"
    )


def test_add_months_in_the_database_means_what_python_means(db):
    with SQLEngine() as engine:
        for day in DAYS:
            for n in (1, 12, 13, -1, 36, 60):
                got = engine.query(f"SELECT add_months(DATE '{day.isoformat()}', {n}) AS d")
                value = got.column("d")[0].as_py()
                assert str(value) == add_months(day, n).isoformat(), (day, n)


def test_sql_equals_duckdb_and_the_row_path_on_the_demo(demo, today, tmp_path):
    export_snapshot(tmp_path, today)
    with make_engine("sql") as engine:
        found = compare(engine, tmp_path, today)
        in_db = run_batch(engine, tmp_path)
    with DuckDBEngine() as duck:
        embedded = run_batch(duck, tmp_path)
    assert found > 100
    assert in_db.rows() == embedded.rows()
    assert in_db.engine == "sql"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="需要 PostgreSQL（设置 DATABASE_URL 后运行）"
)
def test_sql_on_postgresql_leaves_no_table_behind(demo, today, tmp_path):
    export_snapshot(tmp_path, today)
    with SQLEngine() as engine:
        result = run_batch(engine, tmp_path, families="SETUP")
        assert result.findings.num_rows > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'pg_temp%'")
        assert cursor.fetchone()[0] == 0
