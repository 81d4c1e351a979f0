"""``dangjian batch export --out DIR [--at D]``, ``dangjian batch nation --out DIR`` and
``dangjian batch run [--engine duckdb|spark|sql] [--snapshot DIR] [--at D] [--since D]
[--rules SETUP,LIFE] [--format table|json|parquet] [--out F]``, and ``dangjian batch run
--indicators CAMPAIGN|STANDARD [--engine …] [--snapshot DIR] [--at D] [--since D]``.

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

``run --indicators`` computes the automatic indicators (:mod:`dangjian.batch.indicators`) of a
campaign (its id or name: its standard's indicators, its participants, its window, scored on
``--at``) or of a standard (its key, e.g. ``zhiliang``: every organization, window ``--since``
(default 1 January) to ``--at``) and prints per indicator the organizations with a value, those
without data, and those short of it (0 for a yes/no indicator, below 100% for a rate, above 0
for a count), or, with ``--format json``, every organization's values. The snapshot must be of
the window's end (exported there when ``--snapshot`` is not given).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.assess.indicators import REGISTRY
from dangjian.core.console import date_option, table_lines
from dangjian.rules.registry import SEVERITIES, rule_titles

from ...engines import ENGINES, Engine, make_engine
from ...run import BatchResult, run_batch
from ...snapshot import export_snapshot, read_meta
from ...sql import NOT_IN_BATCH

FORMATS = ("table", "json", "parquet")
T = TypeVar("T")


def _indicator_target(
    text: str, at: dt.date, since: dt.date | None
) -> tuple[str, list[str], list[int] | None, dt.date, dt.date]:
    """(what, indicator names, organizations scored or ``None`` for all, window start, window
    end) of a campaign (id or name) or a standard (key); ``CommandError`` (Chinese) when there
    is none such."""
    from dangjian.assess.models import Campaign, CampaignOrg
    from dangjian.assess.services import campaign_standard
    from dangjian.assess.standard import get_standard

    found = Campaign.objects.filter(name=text)
    if text.isdigit():
        found = Campaign.objects.filter(pk=int(text)) | found
    campaign = found.order_by("pk").first()
    if campaign is not None:
        end = min(campaign.period_end, at)
        if campaign.period_start > end:
            raise CommandError(f"考核“{campaign.name}”的考核期尚未开始", returncode=2)
        org_ids = list(
            CampaignOrg.objects.filter(campaign=campaign).values_list("org_id", flat=True)
        )
        names = campaign_standard(campaign).indicators()
        return f"考核“{campaign.name}”", names, org_ids, campaign.period_start, end
    try:
        std = get_standard(text)
    except KeyError:
        raise CommandError(f"没有找到考核或考核标准“{text}”", returncode=2) from None
    start = since or dt.date(at.year, 1, 1)
    if start > at:
        raise CommandError(f"起始日期 {start} 晚于评分日期 {at}", returncode=2)
    return f"标准“{std.name}”", std.indicators(), None, start, at


def _on_snapshot(
    options: dict[str, Any],
    day: dt.date,
    job: Callable[[Engine, Path], T],
    not_of_day: str | None = None,
) -> tuple[T, float]:
    """``job`` on the engine of ``--engine`` over the snapshot of ``--snapshot`` (when given
    and ``not_of_day`` is, it must be of ``day``, else that message) or one exported as of
    ``day`` into a temporary directory, and the seconds it took; the engine's ``ValueError``
    as a ``CommandError`` (exit status 2)."""
    try:
        engine = make_engine(str(options["engine"]).strip().lower())
    except ValueError as exc:
        raise CommandError(str(exc), returncode=2) from None
    try:
        with tempfile.TemporaryDirectory(prefix="dangjian-snapshot-") as tmp:
            snapshot = Path(options["snapshot"] or tmp)
            if not options["snapshot"]:
                export_snapshot(snapshot, day)
            elif not_of_day and read_meta(snapshot)["at"] != day.isoformat():
                raise ValueError(not_of_day)
            started = time.perf_counter()
            result = job(engine, snapshot)
            return result, time.perf_counter() - started
    except ValueError as exc:
        raise CommandError(str(exc), returncode=2) from None
    finally:
        engine.close()


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
        parser.add_argument(
            "--indicators",
            default=None,
            help="run：计算考核（编号或名称）或考核标准（如 zhiliang）的自动计分指标，而非规则",
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
        if options["indicators"]:
            self._indicators(options, at)
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
        result, took = _on_snapshot(
            options,
            at or timezone.localdate(),
            lambda engine, snapshot: run_batch(
                engine, snapshot, families=options["rules"], at=at, since=since
            ),
        )
        self._print(result, fmt, options["out"], took)

    def _indicators(self, options: dict[str, Any], at: Any) -> None:
        from ...indicators import run_indicators

        fmt = str(options["format"]).strip().lower()
        if fmt not in ("table", "json"):
            raise CommandError("--indicators 的输出格式应为 table 或 json", returncode=2)
        at = at or timezone.localdate()
        what, names, org_ids, start, end = _indicator_target(
            str(options["indicators"]).strip(), at, date_option(options, "since")
        )
        result, took = _on_snapshot(
            options,
            end,
            lambda engine, snapshot: run_indicators(
                engine, snapshot, names, start=start, at=at, org_ids=org_ids
            ),
            f"{what}的考核期截至 {end.isoformat()}，快照应按该日期导出"
            f"（batch export --at {end.isoformat()}）",
        )
        values = result.as_dict()
        if fmt == "json":
            codes = result.values.column("subject").to_pylist()
            ids = result.values.column("org_id").to_pylist()
            data = {
                "target": what,
                "window": [start.isoformat(), end.isoformat()],
                "at": at.isoformat(),
                "engine": result.engine,
                "values": [
                    {"subject": code, **{n: values[n][pk] for n in result.covered}}
                    for pk, code in zip(ids, codes, strict=True)
                ],
                "not_covered": [
                    {"indicator": n, "title": REGISTRY[n].title, "reason": r}
                    for n, r in sorted(result.not_covered.items())
                ],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        rows = []
        for name in result.covered:
            got = [v for v in values[name].values() if v is not None]
            unit = REGISTRY[name].unit
            short = sum(1 for v in got if (v > 0 if unit == "count" else v < 1))
            rows.append(
                [
                    REGISTRY[name].title,
                    f"{len(got):,}",
                    f"{len(values[name]) - len(got):,}",
                    f"{short:,}",
                ]
            )
        self.stdout.write(
            f"{what}：考核期 {start.isoformat()} 至 {end.isoformat()}，评分日期 {at.isoformat()}，"
            f"引擎 {result.engine}，{result.values.num_rows:,} 个组织，用时 {took:.2f} 秒"
        )
        if rows:
            self.stdout.write("\n".join(table_lines(rows, ["指标", "有值", "无数据", "未达标"])))
        for name, reason in sorted(result.not_covered.items()):
            self.stdout.write(f"  {NOT_IN_BATCH}：{REGISTRY[name].title} —— {reason}")

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
