"""``dangjian findings refresh [--org CODE] [--at YYYY-MM-DD]``: re-evaluate the stored findings.

Evaluates the rules over every organization (or the subtree of ``--org``) as the command-line
operator and writes the difference to the findings store (:func:`dangjian.rules.store.refresh`);
prints what changed and how long it took. Run it nightly (a scheduler calling this command, or
:data:`dangjian.rules.tasks.refresh_all_task`), after a period closes and after a rule's
parameters change.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.console import date_option
from dangjian.orgs.models import Organization
from dangjian.rules.store import CHUNK, refresh


class Command(BaseCommand):
    help = "检查发现存储：重新评估并更新（findings refresh [--org 组织编码] [--at 日期]）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh"], help="refresh：重新评估并更新")
        parser.add_argument("--org", default=None, help="只评估该组织编码及其下级")
        parser.add_argument("--at", default=None, help="检查日期 YYYY-MM-DD，默认今天")
        parser.add_argument(
            "--chunk",
            type=int,
            default=None,
            help=f"每次评估并提交的组织数上限（按下级子树分批，默认 {CHUNK}），决定内存占用",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = date_option(options, "at")
        ids = None
        if options["org"]:
            pk = Organization.objects.filter(code=options["org"]).values_list("pk", flat=True)
            if not pk:
                raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2)
            ids = list(pk)
        if options["chunk"] is not None and options["chunk"] < 1:
            raise CommandError("--chunk 须为正整数", returncode=2)
        report = refresh(ids, at=at, trees=False, chunk=options["chunk"])
        self.stdout.write(
            f"检查日期 {report.at.isoformat()}：评估组织 {report.orgs} 个，"
            f"现有问题 {report.found} 条（新发现 {report.created} 条，"
            f"内容更新 {report.updated} 条，已消除 {report.resolved} 条），"
            f"用时 {report.seconds:.2f} 秒"
        )
        if report.skipped:
            self.stderr.write(f"有 {report.skipped} 条检查发现无法对应到组织，未存储")
