"""``dangjian notify tick [--at 时刻] [--enqueue]`` and ``dangjian notify send``.

``tick`` runs the service orders' timed jobs (:func:`dangjian.service.jobs.tick`: overdue orders
reported upwards and, when SERVICE-DEADLINE's ``auto_escalate`` is on, escalated; reminders
before each limit) as of now or ``--at``, in this process, and prints what it did; with
``--enqueue`` it hands them to the ``db_worker`` instead (:data:`dangjian.service.jobs.tick_task`).
Schedule it every few minutes, e.g. cron ``*/5 * * * * dangjian notify tick``; the jobs are
idempotent, so a run that overlaps or follows a missed one tells nobody twice.

``send`` sends again the outbound messages that failed (up to three attempts) or whose sending
task was lost (queued for more than ten minutes); schedule it like ``tick``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.notify.delivery import retry
from dangjian.service.jobs import tick, tick_task


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"时刻“{text}”无效，应为 YYYY-MM-DDTHH:MM（如 2026-11-23T08:00）", returncode=2
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "工单提醒与超时上报（notify tick [--at 时刻] [--enqueue]）；重发外发消息（notify send）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["tick", "send"], help="tick：到期提醒与超时上报；send：重发外发消息"
        )
        parser.add_argument("--at", default=None, help="按该时刻运行（YYYY-MM-DDTHH:MM），默认现在")
        parser.add_argument(
            "--enqueue", action="store_true", help="交给后台任务进程（db_worker）运行"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = _moment(options["at"])
        if options["action"] == "send":
            counts = retry()
            self.stdout.write(
                f"重发外发消息：成功 {counts['sent']} 条，失败 {counts['failed']} 条，"
                f"跳过 {counts['skipped']} 条"
            )
            return
        if options["enqueue"]:
            result = tick_task.enqueue(at.isoformat() if at else None)
            self.stdout.write(f"已提交后台任务 {result.id}")
            return
        report = tick(at)
        late, soon = report["overdue"], report["due_soon"]
        self.stdout.write(
            f"{timezone.localtime(dt.datetime.fromisoformat(late['at'])):%Y-%m-%d %H:%M}："
            f"超时工单 {late['overdue']} 件（自动上报 {late['escalated']} 件），"
            f"到期提醒 {soon['reminded']} 项"
        )
        failed = late["failed"] + soon["failed"]
        if failed:
            self.stderr.write("处理失败：" + "；".join(failed))
            raise CommandError("部分工单处理失败，详见日志", returncode=1)
