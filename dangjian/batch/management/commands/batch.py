"""``dangjian batch export --out DIR [--at D]``, ``dangjian batch nation --out DIR`` and
``dangjian batch run [--engine duckdb|spark|sql] [--snapshot DIR] [--at D] [--since D]
[--rules SETUP,LIFE] [--format table|json|parquet] [--out F]``.

``nation --out DIR [--scale 0.1] [--at D]`` writes the synthetic nation tier
(:mod:`dangjian.batch.nation`) in the same layout, for the benchmark.
``export`` writes the snapshot of :mod:`dangjian.batch.snapshot` (Parquet, one transaction).
``run`` evaluates the covered rules over a snapshot (or over one exported first into a temporary
directory) on DuckDB (default), Spark or the project's own database (``sql``: PostgreSQL or
SQLite, temporary tables loaded from the snapshot) and prints the findings: a table with a
count per rule, JSON ``{"at", "engine", "findings": [{"rule", "title", "subject", "severity",
"period"}], "not_covered": [{"rule", "title", "reason"}]}``, or, with ``--format parquet
--out F``, the findings as a Parquet file (the count and the rules left out on stdout). Rules
without a columnar form are listed as 不在批量引擎中 with the reason. Bad arguments: a Chinese
message and exit status 2.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.core.console import date_option, table_lines
from dangjian.rules.registry import SEVERITIES, rule_titles

from ...engines import ENGINES, make_engine
from ...run import BatchResult, run_batch
from ...snapshot import export_snapshot
from ...sql import NOT_IN_BATCH

FORMATS = ("table", "json", "parquet")


class Command(BaseCommand):
    help = (
        "批量检查：导出列式快照（export），"
        "用 DuckDB、Spark 或本系统数据库（sql）按快照运行规则（run）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["export", "run", "nation"],
            help="export：导出快照；run：运行规则；nation：生成全国规模的合成快照（基准测试用）",
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="nation：规模（1 为 525 万个组织）"
        )
        parser.add_argument("--out", default=None, help="export：快照目录；run：输出文件")
        parser.add_argument(
            "--at", default=None, help="检查日期 YYYY-MM-DD，默认今天（或快照日期）"
        )
        parser.add_argument(
            "--since",
            default=None,
            help="组织生活（LIFE）检查的起始日期，默认检查日期所在年 1 月 1 日",
        )
        parser.add_argument(
            "--engine", default="duckdb", help=f"引擎：{'、'.join(ENGINES)}（默认 duckdb）"
        )
        parser.add_argument("--snapshot", default=None, help="快照目录；不指定时先导出到临时目录")
        parser.add_argument(
            "--rules", default="SETUP,LIFE", help="规则族，逗号分隔（默认 SETUP,LIFE）"
        )
        parser.add_argument(
            "--format", default="table", help="输出格式：table（默认）、json、parquet"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = date_option(options, "at")
        if options["action"] == "export":
            if not options["out"]:
                raise CommandError("export 需要 --out 快照目录", returncode=2)
            at = at or timezone.localdate()
            started = time.perf_counter()
            counts = export_snapshot(Path(options["out"]), at)
            took = time.perf_counter() - started
            self.stdout.write(
                f"已导出 {at.isoformat()} 的快照到 {options['out']}：组织 {counts['orgs']:,} 个，"
                f"组织生活按月汇总 {counts['months']:,} 行，书记党课 {counts['lectures']:,} 行，"
                f"用时 {took:.2f} 秒"
            )
            return
        if options["action"] == "nation":
            self._nation(options, at)
            return
        self._run(options, at)

    def _nation(self, options: dict[str, Any], at: Any) -> None:
        from ...nation import generate_nation

        if not options["out"]:
            raise CommandError("nation 需要 --out 快照目录", returncode=2)
        at = at or timezone.localdate()
        started = time.perf_counter()
        try:
            counts = generate_nation(Path(options["out"]), at=at, scale=options["scale"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"已生成全国规模合成快照（{at.isoformat()}）到 {options['out']}：组织 "
            f"{counts['orgs']:,} 个，组织生活按月汇总 {counts['months']:,} 行，"
            f"用时 {time.perf_counter() - started:.1f} 秒"
        )

    def _run(self, options: dict[str, Any], at: Any) -> None:
        fmt = str(options["format"]).strip().lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"未知输出格式“{options['format']}”，应为 {'、'.join(FORMATS)}", returncode=2
            )
        if fmt == "parquet" and not options["out"]:
            raise CommandError("--format parquet 需要 --out 输出文件", returncode=2)
        since = date_option(options, "since")
        try:
            engine = make_engine(str(options["engine"]).strip().lower())
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            with tempfile.TemporaryDirectory(prefix="dangjian-snapshot-") as tmp:
                if options["snapshot"]:
                    snapshot = Path(options["snapshot"])
                else:
                    snapshot = Path(tmp)
                    export_snapshot(snapshot, at or timezone.localdate())
                started = time.perf_counter()
                result = run_batch(engine, snapshot, families=options["rules"], at=at, since=since)
                took = time.perf_counter() - started
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        finally:
            engine.close()
        self._print(result, fmt, options["out"], took)

    def _print(self, result: BatchResult, fmt: str, out: str | None, took: float) -> None:
        titles = rule_titles()
        keys = result.rows()
        if fmt == "parquet":
            assert out is not None
            pq.write_table(result.findings, out)
        if fmt == "json":
            data = {
                "at": result.at.isoformat(),
                "engine": result.engine,
                "findings": [
                    {
                        "rule": r,
                        "title": titles.get(r, r),
                        "subject": s,
                        "severity": sev,
                        "period": p,
                    }
                    for r, s, sev, p in keys
                ],
                "not_covered": [
                    {
                        "rule": n.rule_id,
                        "title": titles.get(n.rule_id, n.rule_id),
                        "reason": n.reason,
                    }
                    for n in result.not_covered
                ],
            }
            text = json.dumps(data, ensure_ascii=False, indent=1)
            if out:
                Path(out).write_text(text + "\n", "utf-8")
            else:
                self.stdout.write(text)
            return
        if fmt == "table":
            rows = [
                [s, f"{titles.get(r, r)}（{r}）", SEVERITIES.get(sev, sev), p or ""]
                for r, s, sev, p in keys
            ]
            lines = table_lines(rows, ["组织编码", "规则", "级别", "周期"]) if rows else []
            text = "\n".join(lines)
            if out:
                Path(out).write_text(text + "\n", "utf-8")
            elif text:
                self.stdout.write(text)
        per_rule = Counter(r for r, *_ in keys)
        self.stdout.write(
            f"{result.at.isoformat()}，引擎 {result.engine}：共 {len(keys):,} 条检查结果，"
            f"用时 {took:.2f} 秒"
        )
        for rule_id, count in sorted(per_rule.items()):
            self.stdout.write(f"  {titles.get(rule_id, rule_id)}（{rule_id}）：{count:,} 条")
        for left in result.not_covered:
            title = titles.get(left.rule_id, left.rule_id)
            self.stdout.write(f"  {NOT_IN_BATCH}：{title}（{left.rule_id}）—— {left.reason}")
