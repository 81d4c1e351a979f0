"""``dangjian export_ledger --org CODE --year YYYY PATH``: a 台账 as .xlsx, .docx or .pdf."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.core import context
from dangjian.life.ledger import export_ledger


class Command(BaseCommand):
    help = (
        "导出党支部某年的组织生活台账（.xlsx、.docx 或 .pdf，按扩展名），由记录自动生成并记入审计"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="党支部（或党小组）编码")
        parser.add_argument("--year", type=int, required=True, help="年份")
        parser.add_argument("path", help="输出文件路径（.xlsx、.docx 或 .pdf）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with context.bind(request_id=context.new_request_id(), client_addr=""):
                ledger = export_ledger(
                    options["path"], actor=SYSTEM, code=options["org"], year=options["year"]
                )
        except (ValueError, PermissionDenied) as exc:
            raise CommandError(f"导出失败：{exc}", returncode=1) from None
        except OSError as exc:
            raise CommandError(f"导出失败：无法写入 {options['path']}", returncode=1) from exc
        self.stdout.write(
            f"已导出 {ledger.org.name} {ledger.year} 年台账（{ledger.total} 条记录）"
            f"到 {options['path']}"
        )
