"""``dangjian life_hints --year YYYY [--org CODE] [--format json|table]``: formalism hints."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from dangjian.accounts.scope import SYSTEM
from dangjian.life.rules.hints import formalism_hints


class Command(BaseCommand):
    help = "列出形式主义线索（记录高度相似、会议集中在月末、出席人数每次相同），供人工核实"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年份")
        parser.add_argument("--org", default=None, help="只查该组织编码及其下级")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = str(options["format"]).lower()
        if fmt not in ("json", "table"):
            raise CommandError("输出格式应为 json 或 table", returncode=2)
        if not 1900 <= options["year"] <= 2100:
            raise CommandError("--year 应为 1900–2100", returncode=2)
        try:
            found = formalism_hints(SYSTEM, year=options["year"], org_code=options["org"])
        except Http404:
            raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2) from None
        if fmt == "json":
            self.stdout.write(
                json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=2)
            )
            return
        for f in found:
            self.stdout.write(f"{f.subject}  {f.rule}  {f.period or ''}  {f.message}")
        self.stdout.write(f"共 {len(found)} 条线索")
