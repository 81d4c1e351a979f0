"""The engines that run the rule SQL of :mod:`dangjian.batch.sql` over Parquet files.

One interface, :class:`Engine`: ``load`` a Parquet file as a table, run a ``query`` and get an
Arrow table back. :class:`DuckDBEngine` (embedded, the default) and :class:`SparkEngine`
(pyspark, ``local[*]`` on one machine or a cluster's master) run the same text; the only
function DuckDB lacks, ``add_months``, is defined on it as a macro with Spark's meaning.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

ENGINES = ("duckdb", "spark")


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
    raise ValueError(f"未知引擎“{name}”，可用：{'、'.join(ENGINES)}")
