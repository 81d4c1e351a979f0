"""The engines that run the rule SQL of :mod:`dangjian.batch.sql` over Parquet files.

One interface, :class:`Engine`: ``load`` a Parquet file as a table, run a ``query`` and get an
Arrow table back. :class:`DuckDBEngine` (embedded, the default) and :class:`SparkEngine`
(pyspark, ``local[*]`` on one machine or a cluster's master) run the same text; the only
function DuckDB lacks, ``add_months``, is defined on it as a macro with Spark's meaning.
:class:`SQLEngine` runs it inside the project's own database (PostgreSQL or SQLite) over
temporary tables loaded from the snapshot, through the small translation of :func:`translate`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

ENGINES = ("duckdb", "spark", "sql")


class Engine:
    """A SQL engine over Parquet files."""

    name = ""

    def load(self, table: str, path: Path) -> None:
        raise NotImplementedError

    def query(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine's resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        import duckdb

        self.con = duckdb.connect()
        # the order of the findings is asked for explicitly (ORDER BY) when it matters
        self.con.execute("SET preserve_insertion_order = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(
            "CREATE MACRO add_months(d, n) AS CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)"
        )

    def load(self, table: str, path: Path) -> None:
        quoted = str(path).replace("'", "''")
        view = f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{quoted}')"  # noqa: S608  (a table name of ours and an escaped path)
        self.con.execute(view)

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()


class SparkEngine(Engine):
    """pyspark (needs Java 17). ``master``: ``local[*]`` by default, ``local[1]`` in tests, or a
    cluster's URL; the environment variable ``DANGJIAN_SPARK_MASTER`` overrides the default."""

    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        from pyspark.sql import SparkSession

        master = master or os.environ.get("DANGJIAN_SPARK_MASTER") or "local[*]"
        self.spark: Any = (
            SparkSession.builder.master(master)
            .appName("dangjian-batch")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, table: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(table)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def close(self) -> None:
        """The session is kept for the process (a JVM start costs seconds); it stops at exit."""


#: the column types of the temporary tables, per Arrow type and database
_TYPES = {
    "postgresql": {"int32": "INTEGER", "int64": "BIGINT", "string": "TEXT", "date32[day]": "DATE"},
    "sqlite": {"int32": "INTEGER", "int64": "INTEGER", "string": "TEXT", "date32[day]": "TEXT"},
}
#: rows sent to the database per batch when loading a temporary table
LOAD_BATCH = 50000
#: the oldest SQLite that reads the rule SQL (``TRUE``/``FALSE`` literals)
SQLITE_MIN = (3, 23, 0)

_DATE = re.compile(r"\bDATE '(\d{4}-\d{2}-\d{2})'")
_STRING = re.compile(r"\bAS STRING\)")
_ADD_MONTHS = re.compile(r"\badd_months\(")


def translate(sql: str, vendor: str) -> str:
    """The rule SQL (written for DuckDB and Spark) in the dialect of ``vendor``: the string
    type is ``TEXT``; on PostgreSQL ``add_months`` is the session's own function
    (``pg_temp.add_months``); SQLite keeps dates as ISO text, so a date literal is the text."""
    sql = _STRING.sub("AS TEXT)", sql)
    if vendor == "postgresql":
        return _ADD_MONTHS.sub("pg_temp.add_months(", sql)
    if vendor == "sqlite":
        return _DATE.sub(r"'\1'", sql)
    return sql


def sqlite_add_months(day: str | None, months: int | None) -> str | None:
    """``add_months`` for SQLite (dates as ISO text), :func:`dangjian.core.dates.add_months`."""
    from dangjian.core.dates import add_months

    if day is None or months is None:
        return None
    return add_months(dt.date.fromisoformat(day), int(months)).isoformat()


PG_ADD_MONTHS = (
    "CREATE OR REPLACE FUNCTION pg_temp.add_months(d date, n bigint) RETURNS date "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT CAST(d + make_interval(months => CAST(n AS integer)) "
    "AS date) $$"
)


class SQLEngine(Engine):
    """The project's own database (Django's connection ``using``): the snapshot's Parquet
    files are loaded into temporary tables of the session (COPY on PostgreSQL), the rule SQL
    runs translated by :func:`translate`. PostgreSQL or SQLite ≥ 3.23; ``ValueError``
    (Chinese) for another database."""

    name = "sql"

    def __init__(self, using: str = "default") -> None:
        from django.db import connections

        self.connection = connections[using]
        self.vendor = self.connection.vendor
        if self.vendor not in _TYPES:
            raise ValueError(
                f"sql 引擎只支持 PostgreSQL 和 SQLite，当前数据库为 {self.vendor}；"
                "请改用 --engine duckdb"
            )
        self.connection.ensure_connection()
        if self.vendor == "sqlite":
            import sqlite3

            if sqlite3.sqlite_version_info < SQLITE_MIN:
                raise ValueError(
                    f"sql 引擎需要 SQLite 3.23 或更高版本（当前 {sqlite3.sqlite_version}）；"
                    "请改用 --engine duckdb"
                )
            raw = self.connection.connection
            raw.create_function("add_months", 2, sqlite_add_months, deterministic=True)
        else:
            with self.connection.cursor() as cursor:
                cursor.execute(PG_ADD_MONTHS)
        self.tables: list[str] = []

    def _drop(self, cursor: Any, table: str) -> None:
        schema = "pg_temp" if self.vendor == "postgresql" else "temp"
        cursor.execute(f"DROP TABLE IF EXISTS {schema}.{table}")

    def load(self, table: str, path: Path) -> None:
        import pyarrow.csv as csv
        import pyarrow.parquet as pq

        types = _TYPES[self.vendor]
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        names = schema.names
        columns = ", ".join(f"{n} {types[str(schema.field(n).type)]}" for n in names)
        with self.connection.cursor() as cursor:
            self._drop(cursor, table)
            cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
            for batch in parquet.iter_batches(batch_size=LOAD_BATCH):
                if self.vendor == "postgresql":
                    # CSV written by Arrow: a null is an empty field, an empty string ""
                    text = io.BytesIO()
                    csv.write_csv(batch, text, csv.WriteOptions(include_header=False))
                    copy_sql = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)"
                    with cursor.copy(copy_sql) as copy:
                        copy.write(text.getvalue())
                else:
                    rows = zip(*(c.to_pylist() for c in batch.columns), strict=True)
                    marks = ", ".join("%s" for _ in names)
                    cursor.executemany(
                        f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608  (our table name)
                        [tuple(_sqlite_value(v) for v in row) for row in rows],
                    )
            # the joins of the rule SQL: an organization's rows by its id (and year and type),
            # the subtree totals by path
            keys = [c for c in ("org_id", "year", "meeting_type") if c in names]
            if keys:
                cursor.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(keys)})")
            if "path" in names:
                cursor.execute(f"CREATE INDEX {table}_path ON {table} (path)")
            cursor.execute(f"ANALYZE {table}")
        if table not in self.tables:
            self.tables.append(table)

    def query(self, sql: str) -> pa.Table:
        with self.connection.cursor() as cursor:
            cursor.execute(translate(sql, self.vendor))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})

    def close(self) -> None:
        """Drop the temporary tables (the connection stays Django's)."""
        if not self.tables:
            return
        with self.connection.cursor() as cursor:
            for table in self.tables:
                self._drop(cursor, table)
        self.tables = []


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def make_engine(name: str, **options: Any) -> Engine:
    """The engine called ``name``; ``ValueError`` (Chinese) for an unknown one or a missing
    Java or pyspark for Spark."""
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise ValueError("未安装 pyspark：请安装可选依赖 dangjian[spark]") from None
        import shutil

        if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
            raise ValueError("Spark 需要 Java 17：请安装 openjdk-17-jre-headless")
        return SparkEngine(**options)
    if name == "sql":
        return SQLEngine(**options)
    raise ValueError(f"未知引擎“{name}”，可用：{'、'.join(ENGINES)}")
