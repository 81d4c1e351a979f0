"""``dangjian import orgs|members PATH [--dry-run]``: an all-or-nothing import as the operator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.core import context
from dangjian.exchange.importers import import_members, import_orgs


class Command(BaseCommand):
    help = (
        "导入组织或党员（.xlsx / .csv），全部成功或全部不写入；被拒绝时逐行报告问题并以状态 1 退出"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=["orgs", "members", "meetings"],
            help="orgs（组织）、members（党员）或 meetings（组织生活记录）",
        )
        parser.add_argument("path", help="文件路径（.xlsx 或 .csv）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        from dangjian.life.importers import import_meetings

        importers = {"orgs": import_orgs, "members": import_members, "meetings": import_meetings}
        importer = importers[options["kind"]]
        with context.bind(request_id=context.new_request_id(), client_addr=""):
            report = importer(options["path"], actor=SYSTEM, dry_run=options["dry_run"])
        for warning in report.warnings:
            self.stderr.write(f"提示：{warning}")
        if not report.ok:
            for line in report.error_lines():
                self.stderr.write(line)
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())
