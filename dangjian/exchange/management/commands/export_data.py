"""``dangjian export orgs|members PATH`` and ``dangjian export ledger --org C --year Y PATH``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.core import context
from dangjian.exchange.exporters import ExportError, export_members, export_orgs
from dangjian.exchange.readers import ReadError


class Command(BaseCommand):
    help = (
        "导出组织或党员（按扩展名写 .xlsx 或 .csv）；党员导出含完整身份证号和电话，并记入审计日志"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=["orgs", "members", "ledger"],
            help="orgs（组织）、members（党员）或 ledger（组织生活台账，需 --org 和 --year）",
        )
        parser.add_argument(
            "path", help="输出文件路径（.xlsx 或 .csv；台账为 .xlsx、.docx 或 .pdf）"
        )
        parser.add_argument("--org", default=None, help="台账：党支部编码")
        parser.add_argument("--year", type=int, default=None, help="台账：年份")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "ledger":
            self._ledger(options)
            return
        exporter = export_orgs if options["kind"] == "orgs" else export_members
        try:
            with context.bind(request_id=context.new_request_id(), client_addr=""):
                count = exporter(options["path"], actor=SYSTEM)
        except (ReadError, ExportError) as exc:
            raise CommandError(f"导出失败：{exc}", returncode=1) from exc
        except OSError as exc:
            raise CommandError(
                f"导出失败：无法写入 {options['path']}（目录不存在、没有写权限或磁盘已满）",
                returncode=1,
            ) from exc
        label = "组织" if options["kind"] == "orgs" else "党员"
        self.stdout.write(f"已导出{label} {count} 条到 {options['path']}")

    def _ledger(self, options: dict[str, Any]) -> None:
        from django.core.management import call_command

        if not options["org"] or not options["year"]:
            raise CommandError("导出台账需要 --org 组织编码 和 --year 年份", returncode=2)
        call_command(
            "export_ledger",
            "--org",
            options["org"],
            "--year",
            str(options["year"]),
            options["path"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
