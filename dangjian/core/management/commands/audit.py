"""``dangjian audit verify`` — recompute the audit hash chain and report the first broken entry."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.audit import audit_verify


class Command(BaseCommand):
    help = "审计日志：verify（校验哈希链）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验审计日志哈希链")
        verify.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "first_broken_seq": result.first_broken_seq,
                        "reason": result.reason,
                    },
                    ensure_ascii=False,
                )
            )
        elif result.ok:
            self.stdout.write(f"审计日志完整：已校验 {result.checked} 条记录，哈希链无断裂。")
        if not result.ok:
            raise CommandError(
                f"审计日志被破坏：第一条异常记录序号 {result.first_broken_seq}（{result.reason}），"
                f"此前 {result.checked} 条完好。",
                returncode=1,
            )
