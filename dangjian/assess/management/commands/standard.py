"""``dangjian standard validate FILE.yaml`` | ``standard list`` | ``standard indicators``.

``validate`` checks a standard file (YAML syntax with the line, unknown keys, points adding up
to 100 per sector and per item, indicators that exist, ordered thresholds …; the format is in
:mod:`dangjian.assess.standard`) and prints a summary; on any problem it prints every problem in
Chinese on stderr, each naming its place, and exits with status 1. ``list`` shows the standards
found (shipped defaults and ``DANGJIAN_STANDARDS_DIRS``); ``indicators`` the indicator registry.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.assess.indicators import REGISTRY
from dangjian.assess.standard import MODES, StandardError, available_standards, load_file


class Command(BaseCommand):
    help = "考核标准：standard validate FILE.yaml（检查标准文件）| list | indicators"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["validate", "list", "indicators"])
        parser.add_argument("file", nargs="?", help="标准 YAML 文件（validate）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            self._validate(options.get("file"))
        elif action == "list":
            self._list()
        else:
            units = {"rate": "比例", "bool": "是否", "count": "个数"}
            for ind in REGISTRY.values():
                kind = units.get(ind.unit, ind.unit) + ("，汇总多条规则" if ind.aggregate else "")
                self.stdout.write(f"{ind.name}  {ind.title}（{kind}；{'、'.join(ind.rules)}）")
                self.stdout.write(f"    {' '.join(ind.doc.split())}")

    def _validate(self, path: str | None) -> None:
        if not path:
            raise CommandError("请指定标准文件：dangjian standard validate FILE.yaml", returncode=1)
        try:
            std = load_file(path)
        except StandardError as exc:
            lines = "\n".join(f"  - {e}" for e in exc.errors)
            raise CommandError(
                f"标准文件 {path} 有 {len(exc.errors)} 处错误：\n{lines}", returncode=1
            ) from None
        modes: dict[str, int] = {}
        for c in std.criteria():
            modes[c.mode] = modes.get(c.mode, 0) + 1
        tally = "，".join(f"{MODES[m]} {n} 条" for m, n in modes.items())
        sets = ""
        if std.sector_sets:
            sets = "，个性条目组 " + "、".join(
                f"{s.title}（{'、'.join(s.sectors)}）" for s in std.sector_sets
            )
        self.stdout.write(
            f"标准有效：{std.name}（{std.key}，版本 {std.version}），"
            f"适用领域 {'、'.join(std.sectors)}；"
            f"共性 {len(std.items)} 项{sets}；{len(std.criteria())} 条评分标准（{tally}），"
            f"高压线 {len(std.veto)} 条"
        )

    def _list(self) -> None:
        try:
            found = available_standards()
        except StandardError as exc:
            raise CommandError(str(exc), returncode=1) from None
        for (key, version), std in sorted(found.items()):
            valid = f"{std.valid_from} 起" + (f"至 {std.valid_to}" if std.valid_to else "")
            self.stdout.write(f"{key}  {version}  {std.name}  {valid}  {'、'.join(std.sectors)}")
