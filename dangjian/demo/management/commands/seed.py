"""``dangjian seed --tier district|city|province --seed N`` — write deterministic synthetic data.

Refuses to run on a database that already holds organizations or members (synthetic data must
never mix with real rolls). ``--database-empty-check`` only reports whether the database is empty
(exit status 0 if it is, 1 if not) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.demo.seed import TIERS, NotEmpty, database_is_empty, seed_database
from dangjian.rules import store


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "生成确定性的合成数据（区县约 1,500 个组织、3 万党员；城市约 6 万个组织、120 万党员；"
        "省级约 30 万个组织、600 万党员）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="district", help="数据规模")
        parser.add_argument("--seed", type=int, default=42, help="随机种子（相同种子生成相同数据）")
        parser.add_argument(
            "--as-of", default="", help="基准日期 YYYY-MM-DD（默认今天；任期、党龄据此计算）"
        )
        parser.add_argument(
            "--database-empty-check",
            action="store_true",
            help="只检查数据库是否为空（空：退出码 0；非空：1），不写入数据",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_empty_check"]:
            if not database_is_empty():
                raise CommandError("数据库不为空：已有组织或党员数据。", returncode=1)
            self.stdout.write("数据库为空，可以生成合成数据。")
            return
        as_of = _date(options["as_of"]) if options["as_of"] else None
        if as_of and as_of > timezone.localdate():
            raise CommandError("基准日期不能晚于今天")
        try:
            # the findings store: refreshed once afterwards (dangjian findings refresh), not
            # after every write of the seed
            with store.paused():
                result = seed_database(
                    tier=options["tier"],
                    seed=options["seed"],
                    as_of=as_of,
                    progress=not options["no_progress"] and options["verbosity"] > 0,
                    stream=getattr(self.stderr, "_out", None),
                )
        except NotEmpty as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已生成 {result.organizations:,} 个组织、{result.members:,} 名党员"
            f"（规模 {result.tier}，种子 {result.seed}，基准日期 {result.as_of}），"
            f"用时 {result.seconds:.1f} 秒。"
        )
