"""``dangjian seed_meetings --year 2026 [--seed N] [--until D] [--org CODE] [--no-attendance]
[--no-signatures]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.console import date_option
from dangjian.demo.life import AlreadySeeded, seed_meetings
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "为演示或基准测试生成一年的组织生活记录（同样的参数总是生成同样的记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年份")
        parser.add_argument("--seed", type=int, default=42, help="随机种子")
        parser.add_argument("--until", default=None, help="只生成到该日期 YYYY-MM-DD")
        parser.add_argument("--org", default=None, help="只为该组织编码下的支部生成")
        parser.add_argument(
            "--no-attendance", action="store_true", help="不生成逐人出席记录（城市规模）"
        )
        parser.add_argument(
            "--no-signatures",
            action="store_true",
            help="不计算会议记录签名（查找相似记录将逐条读取记录正文，"
            "直到运行 dangjian rollups rebuild）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = date_option(options, "until")
        prefix = ""
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2)
            prefix = org.path
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("--year 应为 2000–2100", returncode=2)
        try:
            result = seed_meetings(
                year=options["year"],
                seed=options["seed"],
                until=until,
                attendance=not options["no_attendance"],
                prefix=prefix,
                signatures=not options["no_signatures"],
            )
        except AlreadySeeded as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(
            f"已生成 {result.year} 年组织生活记录 {result.meetings:,} 条"
            f"（补录 {result.late:,} 条），出席登记 {result.attendance:,} 条，"
            f"用时 {result.seconds:.1f} 秒"
        )
