"""``dangjian demo [--port 8000] [--no-serve]`` — the one-command demo.

Migrates the database (SQLite ``var/dangjian.sqlite3`` with the dev settings), seeds the district
tier (seed 42) when the database has no organizations yet, creates the demo accounts that are
missing (passwords generated once, kept in ``var/demo-accounts.txt``, mode 0600), prints them as a
table, and serves the web UI on 127.0.0.1. A second run reuses everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.demo.accounts import accounts_file, accounts_table, ensure_demo_accounts
from dangjian.demo.seed import TIERS, database_is_empty, seed_database
from dangjian.demo.story import seed_demo_story
from dangjian.orgs.models import Organization
from dangjian.rules import store
from dangjian.service.jobs import tick as service_tick


class Command(BaseCommand):
    help = "准备演示数据库（迁移、生成演示区县、演示账号）并启动网页"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="网页端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据库，不启动网页")
        parser.add_argument(
            "--tier", choices=sorted(TIERS), default="district", help="空库时生成的数据规模"
        )
        parser.add_argument("--seed", type=int, default=42, help="空库时生成数据的随机种子")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError("端口应在 1 到 65535 之间")
        verbose = options["verbosity"] > 0
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
        self.stdout.write(f"数据库：{where}")
        call_command("migrate", interactive=False, verbosity=0)
        # the findings store is refreshed once below, not after every write of the seed
        with store.paused():
            if database_is_empty():
                self.stdout.write(
                    f"数据库为空，生成演示数据（{options['tier']}，种子 {options['seed']}）…"
                )
                result = seed_database(
                    tier=options["tier"],
                    seed=options["seed"],
                    progress=verbose,
                    stream=getattr(self.stderr, "_out", None),
                )
                self.stdout.write(
                    f"已生成 {result.organizations:,} 个组织、{result.members:,} 名党员，"
                    f"用时 {result.seconds:.1f} 秒。"
                )
            else:
                self.stdout.write(f"沿用已有数据：{Organization.objects.count():,} 个组织。")
            for line in seed_demo_story(timezone.localdate(), seed=options["seed"]):
                self.stdout.write(line)
        if store.enabled() and store.evaluation("", timezone.localdate()) is None:
            self.stdout.write("评估检查发现（组织设置、组织生活）…")
            report = store.refresh()
            self.stdout.write(f"已存储检查发现 {report.found:,} 条，用时 {report.seconds:.1f} 秒。")
        try:
            accounts = ensure_demo_accounts()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        # the service orders' reminders and overdue reports, to the accounts just made
        service_tick()
        self.stdout.write("")
        self.stdout.write("演示账号（密码保存在 " + str(accounts_file()) + "，仅本机用户可读）：")
        self.stdout.write(accounts_table(accounts))
        if options["no_serve"]:
            self.stdout.write("已准备就绪（--no-serve：不启动网页）。")
            return
        # whitenoise warns about a missing static root; the demo serves from the app folders
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"\n网页地址：http://127.0.0.1:{port}/   （Ctrl+C 退出）\n")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
