"""``dangjian check --rules SETUP|LIFE|RECRUIT [--org CODE] [--at YYYY-MM-DD] --format json|table``.

Runs the checker as the command-line operator (full scope) and prints the findings in the format
of formats.md (json), or as a readable table with a count per rule. Bad arguments give a Chinese
message on stderr and exit status 2.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from dangjian.accounts.scope import SYSTEM
from dangjian.core.console import date_option, format_option, table_lines
from dangjian.rules.catalogue import catalogue
from dangjian.rules.registry import SEVERITIES, rule_titles
from dangjian.rules.runner import CheckResult, run_check


def _families(rules: str) -> list[str]:
    return [name.strip().upper() for name in str(rules or "").split(",") if name.strip()]


class Command(BaseCommand):
    help = "运行规则检查（组织设置 SETUP-*、组织生活 LIFE-*、发展党员 RECRUIT-*），输出 JSON 或表格"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rules",
            default="SETUP",
            help="规则族：SETUP（组织设置）、LIFE（组织生活）、RECRUIT（发展党员，"
            "对象为案例编号，年度计划为组织编码），可用逗号分隔多个",
        )
        parser.add_argument("--org", default=None, help="只检查该组织编码及其下级")
        parser.add_argument("--at", default=None, help="检查日期 YYYY-MM-DD，默认今天")
        parser.add_argument(
            "--since",
            default=None,
            help="组织生活（LIFE）检查的起始日期 YYYY-MM-DD，默认检查日期所在年的 1 月 1 日",
        )
        parser.add_argument(
            "--rule", action="append", default=None, help="只运行该规则编号，可重复或用逗号分隔"
        )
        parser.add_argument("--severity", default=None, help="只输出该级别：error、warning、due")
        parser.add_argument("--sector", default=None, help="只输出该领域的组织，如 农村")
        parser.add_argument("--region", default=None, help="只输出行政区划代码以此开头的组织")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")
        parser.add_argument(
            "--list-rules", action="store_true", help="列出规则目录（含未检查的规则）后退出"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = format_option(options)
        if options["list_rules"]:
            self._list_rules(fmt, options["rules"])
            return
        at = date_option(options, "at")
        since = date_option(options, "since")
        try:
            result = run_check(
                SYSTEM,
                rules=options["rules"],
                org_code=options["org"],
                at=at,
                rule_ids=options["rule"],
                severity=options["severity"],
                sector=options["sector"],
                region=options["region"],
                since=since,
            )
        except Http404:
            raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2) from None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if fmt == "json":
            data = [f.as_dict() for f in result.findings]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._print_table(result, options["rules"])

    def _list_rules(self, fmt: str, rules: str = "SETUP") -> None:
        entries = [e for family in _families(rules) for e in catalogue(family)]
        if fmt == "json":
            data = [
                {
                    "rule": e.id,
                    "title": e.title,
                    "kind": e.kind,
                    "source": e.source,
                    "checked": e.checked,
                    "note": e.note,
                }
                for e in entries
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        rows = [[e.id, e.title, e.kind, e.source, "是" if e.checked else e.note] for e in entries]
        for line in table_lines(rows, ["规则", "内容", "类别", "依据", "检查"]):
            self.stdout.write(line)

    def _print_table(self, result: CheckResult, rules: str = "SETUP") -> None:
        rows = []
        for f in result.findings:
            facts = result.facts.get(f.subject)
            rows.append(
                [
                    f.subject,
                    facts.name if facts else result.labels.get(f.subject, ""),
                    f.rule,
                    SEVERITIES.get(f.severity, f.severity),
                    f.message,
                    f.due_date.isoformat() if f.due_date else "",
                ]
            )
        if rows:
            header = ["组织编码", "组织名称", "规则", "级别", "说明", "到期日"]
            for line in table_lines(rows, header):
                self.stdout.write(line)
            self.stdout.write("")
        counts: dict[str, Counter[str]] = {}
        for f in result.findings:
            counts.setdefault(f.rule, Counter())[f.severity] += 1
        summary = []
        for rule_id in sorted(counts):
            c = counts[rule_id]
            summary.append(
                [
                    rule_id,
                    rule_titles().get(rule_id, ""),
                    str(c["error"]),
                    str(c["warning"]),
                    str(c["due"]),
                    str(sum(c.values())),
                ]
            )
        cases = f"，发展党员案例 {result.checked_cases} 个" if "RECRUIT" in _families(rules) else ""
        self.stdout.write(
            f"检查日期 {result.at.isoformat()}，检查组织 {result.checked_orgs} 个{cases}，"
            f"发现问题 {len(result.findings)} 条"
        )
        if summary:
            header = ["规则", "内容", "错误", "提醒", "待办", "合计"]
            for line in table_lines(summary, header):
                self.stdout.write(line)
        skipped = [e for f in _families(rules) for e in catalogue(f) if not e.checked]
        if skipped:
            self.stdout.write("")
            for e in skipped:
                self.stdout.write(f"{e.id}（{e.title}）{e.note}")
