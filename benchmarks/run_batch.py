"""Batch engine benchmark: the SETUP and LIFE rules over the nation tier on DuckDB.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_batch.py --part nation --scale 0.1      # 525,000 orgs
    nice -n 10 .venv/bin/python benchmarks/run_batch.py --part nation       # 5.25 M orgs
    .venv/bin/python benchmarks/run_batch.py --part nation --dir /tmp/nation --reuse

``--part nation`` generates the nation tier straight into the snapshot's Parquet layout
(:mod:`dangjian.batch.nation`, fixed seed, DuckDB ``COPY``, bounded memory; into a temporary
directory unless ``--dir``; never committed), then measures, each in a fresh child process so
that every peak memory figure is its own:

- ``batch``: :func:`dangjian.batch.run.run_batch` on DuckDB with ``SETUP,LIFE`` as of ``--at``:
  the plan with the parameters in force, the views, the rules' queries in one ``UNION ALL``,
  every finding brought back as an Arrow table (``ordered=False``: as ``batch run --format
  parquet`` writes them);
- ``ordered``: the same with the findings ordered by organization, rule and period (as the
  table and JSON outputs print them);
- ``bare``: the same rule predicates as one bare DuckDB query over the same Parquet columns that
  only counts the rows (no findings handed back, no engine layer);
- ``rows``: that bare query handing its rows back as Arrow (no codes looked up, no engine layer);
- ``scan``: one DuckDB query that reads every column the rules read and sums it (the floor).

``--part spark`` runs the same job (``run_batch``) on Spark (``local[*]``) and on DuckDB over a
tier (``--scale 0.012``: about 63,000 organizations, a city) and prints the times (twice each:
the first Spark run warms the JVM) and whether the findings are identical.

``--part engines`` exports a snapshot of the database of ``DATABASE_URL`` (the demo district or
a seeded city, as of ``--at``, default today) and runs on each engine — DuckDB, Spark
(``local[*]``) and ``sql`` (the same SQL inside that database: PostgreSQL, or SQLite without
``DATABASE_URL``) — the SETUP and LIFE rules (``run_batch``, loading included) and the
automatic indicators of the 质量 standard (``run_indicators``, window 1 January to ``--at``),
three times each (median printed; Spark's first run warms the JVM and is not counted), and
whether the findings and the values are identical across the engines:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_batch_demo \
        .venv/bin/python benchmarks/run_batch.py --part engines

or over a snapshot already written (``--dir D --reuse``: the nation tier at city scale, written by
``--part nation --scale 0.012 --dir D``; the ``sql`` engine loads it into temporary tables of the
database, which need hold nothing).

Prints the times, the peak resident memory of each child and the ratio batch / bare (target for
the nation: ≤ 60 s, ≤ 8 GB, ≤ 1.5×). Timings are printed, never asserted.
"""

# ruff: noqa: S608  (SQL of our own rules and files)

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

AT = dt.date(2026, 11, 23)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
    import django

    django.setup()


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: its own since it started, unlike
    ``ru_maxrss``, which a child inherits from the parent that forked it)."""
    try:
        for text in Path("/proc/self/status").read_text().splitlines():
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, snapshot: Path, threads: int) -> dict[str, float]:
    """One measurement in this (child) process: seconds, findings or rows, peak memory."""
    _setup_django()
    from dangjian.batch.engines import DuckDBEngine
    from dangjian.batch.run import run_batch, snapshot_date
    from dangjian.batch.sql import plan
    from dangjian.rules.runner import resolve_rules

    at = snapshot_date(snapshot)
    if kind in ("batch", "ordered"):
        with DuckDBEngine(threads=threads) as engine:
            started = time.perf_counter()
            result = run_batch(
                engine, snapshot, families="SETUP,LIFE", at=at, ordered=kind == "ordered"
            )
            took = time.perf_counter() - started
        return {"seconds": took, "rows": result.findings.num_rows, "peak_mb": _peak_mb()}
    import duckdb
    import pyarrow as pa

    from dangjian.batch.sql import PERIODS_SCHEMA

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("CREATE MACRO add_months(d, n) AS CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)")
    for name in ("orgs", "months", "lectures"):
        source = f"read_parquet('{snapshot / name}.parquet')"
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM {source}")
    if kind == "scan":
        started = time.perf_counter()
        row = con.execute(
            "SELECT (SELECT sum(length(code)) + sum(length(path)) + sum(depth) + "
            "sum(length(org_type)) + sum(length(sector)) + count(founded_on) + "
            "count(term_started_on) + sum(term_years) + sum(units_covered) + "
            "count(secretary_vacant_since) + count(delay_new_deadline) + sum(members) + "
            "sum(full_members) + sum(committee_posts) + sum(secretaries) + "
            "count(secretary_joined_on) + count(secretary_confirmed_on) + sum(ineligible) + "
            "sum(participants) + sum(participants_full) + count(holder_from_3) FROM orgs) + "
            "(SELECT sum(org_id) + sum(year) + sum(length(meeting_type)) + "
            "sum(m01 + m02 + m03 + m04 + m05 + m06 + m07 + m08 + m09 + m10 + m11 + m12) + "
            "sum(counted) FROM months)"
        ).fetchone()
        took = time.perf_counter() - started
        return {"seconds": took, "rows": float(row[0] if row else 0), "peak_mb": _peak_mb()}
    work = plan(resolve_rules("SETUP,LIFE"), at)
    periods = pa.Table.from_pylist(work.periods, schema=PERIODS_SCHEMA)
    con.register("periods", periods)
    con.register("levels", pa.table({"k": pa.array(range(1, 65), type=pa.int32())}))
    union = " UNION ALL ".join(f"SELECT * FROM ({q.sql}) q{i}" for i, q in enumerate(work.queries))
    started = time.perf_counter()
    if kind == "rows":
        rows = con.sql(union).to_arrow_table().num_rows
    else:
        found = con.execute(f"SELECT count(*) FROM ({union}) u").fetchone()
        rows = int(found[0]) if found else 0
    took = time.perf_counter() - started
    return {"seconds": took, "rows": rows, "peak_mb": _peak_mb()}


def _child(kind: str, snapshot: Path, threads: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", kind, "--dir", str(snapshot)]
    command += ["--threads", str(threads)]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _spark(snapshot: Path) -> int:
    """The same job on Spark (local[*]) and on DuckDB: times, and whether the findings agree."""
    _setup_django()
    from dangjian.batch.engines import DuckDBEngine, SparkEngine
    from dangjian.batch.run import run_batch

    def key(table: Any) -> Any:
        cols = ["rule_id", "org_id", "severity", "period"]
        return table.select(cols).sort_by([(c, "ascending") for c in cols])

    started = time.perf_counter()
    spark = SparkEngine()
    common.line("spark session (local[*])", f"{time.perf_counter() - started:.1f} s")
    found = {}
    for engine in (DuckDBEngine(), spark, DuckDBEngine(), spark):
        started = time.perf_counter()
        result = run_batch(engine, snapshot, ordered=False)
        took = time.perf_counter() - started
        found[engine.name] = key(result.findings)
        common.line(
            f"{engine.name:<6} SETUP+LIFE", f"{took:.2f} s, {result.findings.num_rows:,} findings"
        )
    same = found["duckdb"].equals(found["spark"])
    common.line("identical findings", "yes" if same else "NO")
    return 0 if same else 1


def _engines(at_text: str | None, tier: str | None, which: str) -> int:
    """DuckDB, Spark and sql over one export of the database, or over the snapshot in ``tier``
    (e.g. the nation tier at city scale; the ``sql`` engine loads it into temporary tables of
    the database, which need hold nothing) — see the module docstring."""
    _setup_django()
    import statistics

    from django.db import connection
    from django.utils import timezone

    from dangjian.assess.standard import get_standard
    from dangjian.batch.engines import make_engine
    from dangjian.batch.indicators import run_indicators
    from dangjian.batch.run import run_batch, snapshot_date
    from dangjian.batch.snapshot import export_snapshot

    at = dt.date.fromisoformat(at_text) if at_text else timezone.localdate()
    names = get_standard("zhiliang").indicators()
    with tempfile.TemporaryDirectory(prefix="dangjian-engines-") as tmp:
        snapshot = Path(tier or tmp)
        if tier:
            at = snapshot_date(snapshot)
            common.line("snapshot", f"{tier} ({at}), sql engine on {connection.vendor}")
        else:
            started = time.perf_counter()
            counts = export_snapshot(snapshot, at)
            common.line(
                f"export ({connection.vendor}, {at})",
                f"{time.perf_counter() - started:.2f} s, {counts['orgs']:,} orgs, "
                f"{counts['months']:,} month rows",
            )
        start = dt.date(at.year, 1, 1)
        findings: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for name in which.split(","):
            started = time.perf_counter()
            engine = make_engine(name)
            common.line(f"{name:<6} start", f"{time.perf_counter() - started:.2f} s")
            if name == "spark":  # warm the JVM
                run_batch(engine, snapshot, ordered=False)
            rules, scores = [], []
            for _ in range(3):
                started = time.perf_counter()
                result = run_batch(engine, snapshot, ordered=True)
                rules.append(time.perf_counter() - started)
                started = time.perf_counter()
                scored = run_indicators(engine, snapshot, names, start=start, at=at)
                scores.append(time.perf_counter() - started)
            engine.close()
            findings[name], values[name] = result.rows(), scored.as_dict()
            common.line(
                f"{name:<6} SETUP+LIFE",
                f"{statistics.median(rules):.2f} s (median of 3), "
                f"{result.findings.num_rows:,} findings",
            )
            common.line(
                f"{name:<6} indicators",
                f"{statistics.median(scores):.2f} s (median of 3), "
                f"{len(scored.covered)} indicators × {scored.values.num_rows:,} orgs",
            )
    same = all(findings[n] == findings["duckdb"] for n in findings)
    same_values = all(values[n] == values["duckdb"] for n in values)
    common.line("identical findings", "yes" if same else "NO")
    common.line("identical indicator values", "yes" if same_values else "NO")
    return 0 if same and same_values else 1


def main() -> int:
    parser = common.argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", default="nation", choices=["nation", "spark", "engines"])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 5.25 M organizations")
    parser.add_argument("--dir", default=None, help="where the tier is written (default: temp)")
    parser.add_argument("--reuse", action="store_true", help="use the tier already in --dir")
    parser.add_argument("--at", default=None, help=f"default {AT} (engines: today)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", default="duckdb,spark,sql", help="engines: the engines run")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB's limit while generating")
    kinds = ["batch", "ordered", "bare", "rows", "scan"]
    parser.add_argument("--measure", default=None, choices=kinds)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.dir), args.threads)))
        return 0
    if args.part == "engines":
        return _engines(args.at, args.dir if args.reuse else None, args.engines)
    args.at = args.at or AT.isoformat()

    with tempfile.TemporaryDirectory(prefix="dangjian-nation-") as tmp:
        snapshot = Path(args.dir or tmp)
        if not args.reuse:
            _setup_django()
            from dangjian.batch.nation import generate_nation

            started = time.perf_counter()
            counts = generate_nation(
                snapshot,
                at=dt.date.fromisoformat(args.at),
                scale=args.scale,
                threads=args.threads,
                memory_limit=args.memory_limit,
            )
            took = time.perf_counter() - started
            common.line(
                "nation tier written (Parquet)",
                f"{took:.1f} s, {counts['orgs']:,} orgs, {counts['months']:,} month rows, "
                f"peak {_peak_mb():,.0f} MB",
            )
            size = sum(p.stat().st_size for p in snapshot.glob("*.parquet"))
            common.line("  on disk", f"{size / 2**20:,.0f} MB")
        if args.part == "spark":
            return _spark(snapshot)
        results = {}
        for kind in ("scan", "bare", "rows", "batch", "ordered"):
            results[kind] = r = _child(kind, snapshot, args.threads)
            what = "findings" if kind != "scan" else "checksum"
            common.line(
                f"{kind:<6} SETUP+LIFE on DuckDB ({args.threads} threads)",
                f"{r['seconds']:.2f} s, {what} {r['rows']:,.0f}, peak {r['peak_mb']:,.0f} MB",
            )
        ratio = results["batch"]["seconds"] / max(results["bare"]["seconds"], 1e-9)
        common.line("batch / bare", f"{ratio:.2f}×")
        for other in ("rows", "scan"):
            ratio = results["batch"]["seconds"] / max(results[other]["seconds"], 1e-9)
            common.line(f"batch / {other}", f"{ratio:.2f}×")
        if results["batch"]["rows"] != results["bare"]["rows"]:
            common.line("WARNING", "batch and bare counts differ")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
