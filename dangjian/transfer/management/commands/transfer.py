"""``dangjian transfer remind [--at 日期] [--enqueue]``, ``transfer import PATH [--dry-run]``,
``transfer export PATH``.

``remind`` sends the day's reminders of the transfers' deadlines (:func:`dangjian.transfer.jobs.
remind`; idempotent: run it daily from cron, ``0 8 * * * dangjian transfer remind``). ``import``
reads transfers from a .xlsx/.csv file, all or nothing (:mod:`dangjian.transfer.exchange`; exit
code 1 and every problem listed when a row is invalid). ``export`` writes every transfer.
Run as the command-line operator (full scope, audited under the OS user).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.transfer.exchange import export_transfers, import_transfers
from dangjian.transfer.jobs import remind, remind_task
from dangjian.transfer.selectors import transfers_for


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”无效，应为 YYYY-MM-DD", returncode=2) from None


class Command(BaseCommand):
    help = "组织关系转接：到期提醒（remind）、导入（import PATH）、导出（export PATH）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind", "import", "export"])
        parser.add_argument("path", nargs="?", default=None, help="导入或导出的 .xlsx/.csv 文件")
        parser.add_argument("--at", default=None, help="按该日期提醒（YYYY-MM-DD），默认今天")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务进程运行")
        parser.add_argument("--dry-run", action="store_true", help="导入时只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        action, path = options["action"], options["path"]
        if action == "remind":
            at = _day(options["at"])
            if options["enqueue"]:
                result = remind_task.enqueue(at.isoformat() if at else None)
                self.stdout.write(f"已提交后台任务 {result.id}")
                return
            told = remind(at)
            self.stdout.write(
                f"{told['at']}：即将到期提醒 {told['due_soon']} 条，超期提醒 {told['overdue']} 条"
            )
            return
        if not path or not str(path).lower().endswith((".csv", ".xlsx")):
            raise CommandError("请给出 .xlsx 或 .csv 文件路径", returncode=2)
        if action == "export":
            count = export_transfers(path, transfers_for(SYSTEM))
            self.stdout.write(f"已导出组织关系转接 {count} 件：{path}")
            return
        report = import_transfers(path, actor=SYSTEM, dry_run=options["dry_run"])
        for line in report.error_lines():
            self.stderr.write(line)
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError("导入被拒绝，未写入任何数据", returncode=1)
