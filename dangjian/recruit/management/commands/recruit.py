"""``dangjian recruit check FILE.json [--at YYYY-MM-DD] --format json|table``.

Reads recruitment cases in the JSON format of formats.md (or ``{"cases": [...], "plans":
[...]}``, see :mod:`dangjian.recruit.checker`) and prints the ``RECRUIT-*`` findings
(``subject`` = case id; org code for RECRUIT-PLAN), with the rule parameters of
:func:`dangjian.recruit.config.rule_config` in force. JSON output is one object::

    {"findings": [<finding in the formats.md shape>, ...],
     "not_checked": {"R-001": ["RECRUIT-AGE-18", ...]}}

``not_checked`` lists, per case, the rules whose data is absent from the case (never passed
silently). Bad input (unreadable file, bad JSON, missing or invalid fields) gives a Chinese
message naming the case and the field on stderr and exit status 2; nothing is printed on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.dates import parse_date
from dangjian.recruit.checker import (
    CaseError,
    all_specs,
    check_cases,
    check_plans,
    configured,
    parse_input,
)
from dangjian.recruit.config import check, rule_config, versions

FORMATS = ("json", "table")
SEVERITIES = {"error": "错误", "warning": "提醒", "due": "待办"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = (
        "发展党员检查：recruit check FILE.json [--at YYYY-MM-DD] --format json|table。"
        'JSON 输出为 {"findings": [...], "not_checked": {案例编号: [规则编号...]}}，'
        "findings 中每条与 formats.md 的检查结果格式一致；not_checked 列出因数据缺失未检查的规则。"
        "输入有误时输出中文错误（含案例编号和字段）并以状态 2 退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"], help="check：检查案例文件")
        parser.add_argument("file", help="案例 JSON 文件（formats.md 发展党员案例格式）")
        parser.add_argument("--at", default=None, help="检查日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = str(options["format"]).strip().lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"未知输出格式“{options['format']}”，应为 json 或 table", returncode=2
            )
        at = dt.date.today()
        if options["at"]:
            try:
                at = parse_date(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at：{exc}", returncode=2) from None
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}", returncode=2) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {path}：{exc}", returncode=2) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}",
                returncode=2,
            ) from None
        try:
            config = rule_config()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            cases, plans = parse_input(data)
            if versions():
                # each rule judged by the rule set version in force on the date of its step
                report = check(cases, at, lenient=False)
                plan_only = {k: v for k, v in rule_config(at).items() if k == "RECRUIT-PLAN"}
                if plans and plan_only:
                    with configured(plan_only):
                        report.findings.extend(check_plans(plans, cases, at))
            else:
                report = check_cases(cases, at, config=config, plans=plans)
        except CaseError as exc:
            raise CommandError(f"{path}：{exc}", returncode=2) from None
        if fmt == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        titles = {spec.id: spec.title for spec in all_specs()}
        header = ["案例", "规则", "级别", "说明"]
        rows = [
            [f.subject, f"{f.rule} {titles.get(f.rule, '')}", SEVERITIES[f.severity], f.message]
            for f in report.findings
        ]
        widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
        self.stdout.write(
            "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()
        )
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(
                "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
        self.stdout.write(f"共 {len(report.findings)} 条（检查日期 {at.isoformat()}）")
        for case_id, rule_ids in report.not_checked.items():
            self.stdout.write(f"未检查（数据缺失）{case_id}：{'、'.join(rule_ids)}")
