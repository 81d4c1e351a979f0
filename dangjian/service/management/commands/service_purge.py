"""``dangjian service-purge [--at YYYY-MM-DD] [--dry-run] [--format json|table]``.

Deletes the residents' phone numbers of service orders ended more than the retention period ago
(SERVICE-PHONE-RETENTION, :func:`dangjian.service.retention.purge_expired_phones`, one audit
entry per order); ``--dry-run`` only lists them. Run it daily (cron or a systemd timer).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.console import date_option, format_option
from dangjian.service.retention import purge_expired_phones, retention_days


class Command(BaseCommand):
    help = "删除办结超过保存期限的服务工单群众联系电话（--at YYYY-MM-DD，--dry-run 只列出）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default=None, help="日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")
        parser.add_argument("--dry-run", action="store_true", help="只列出到期的工单，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = format_option(options)
        at = date_option(options, "at") or timezone.localdate()
        dry_run = bool(options["dry_run"])
        try:
            days = retention_days(at)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        orders = purge_expired_phones(actor=SYSTEM, at=at, dry_run=dry_run)
        rows = [
            {
                "order": o.tracking_code,
                "org": o.org.name,
                "state": o.get_state_display(),
                "closed_on": timezone.localdate(o.closed_at).isoformat() if o.closed_at else None,
            }
            for o in orders
        ]
        if fmt == "json":
            body = {"at": at.isoformat(), "dry_run": dry_run, "retention_days": days}
            self.stdout.write(json.dumps(body | {"orders": rows}, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['order']}  {row['org']}  {row['state']}，{row['closed_on']} 结束"
            )
        verb = "到期待删除电话" if dry_run else "已删除群众电话"
        self.stdout.write(
            f"{verb}的工单 {len(rows)} 张（保存期限：办结后 {days} 天；日期 {at.isoformat()}）"
            + ("；未删除任何数据" if dry_run else "")
        )
