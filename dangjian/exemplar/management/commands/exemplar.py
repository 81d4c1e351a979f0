"""``dangjian exemplar remind [--at 日期] [--enqueue]``: the reminders of the reviews (复核) of
named examples (:func:`dangjian.exemplar.jobs.remind_reviews`), in this process or handed to the
``db_worker``. Schedule it daily (cron ``0 8 * * *``); a second run tells nobody twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.exemplar.jobs import remind_reviews, remind_task


class Command(BaseCommand):
    help = "典型复核提醒（exemplar remind [--at 日期] [--enqueue]）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["remind"], help="remind：逾期和即将到期的典型复核提醒"
        )
        parser.add_argument("--at", default=None, help="按该日期运行（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--enqueue", action="store_true", help="交给后台任务进程（db_worker）运行"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options["at"]:
            try:
                at = dt.date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    f"日期“{options['at']}”无效，应为 YYYY-MM-DD", returncode=2
                ) from None
        if options["enqueue"]:
            result = remind_task.enqueue(at.isoformat() if at else None)
            self.stdout.write(f"已提交后台任务 {result.id}")
            return
        report = remind_reviews(at)
        self.stdout.write(
            f"{report.at:%Y-%m-%d}：逾期复核 {report.overdue} 项，即将到期 {report.due_soon} 项，"
            f"发出提醒 {report.messages} 条"
        )
        if report.failed:
            self.stderr.write("处理失败：" + "；".join(report.failed))
            raise CommandError("部分提醒处理失败，详见日志", returncode=1)
