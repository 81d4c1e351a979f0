"""``dangjian export orgs|members PATH``: write the exchange format (.xlsx or .csv by extension)."""

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
            "kind", choices=["orgs", "members"], help="orgs（组织）或 members（党员）"
        )
        parser.add_argument("path", help="输出文件路径（.xlsx 或 .csv）")

    def handle(self, *args: Any, **options: Any) -> None:
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
