"""``dangjian rollups rebuild [--org CODE]`` and ``dangjian rollups check [--org CODE]``.

The rollup tables (organizations in each subtree, member counts per organization, meetings per
organization, year and type by month) are kept up to date by every write; ``rebuild``
recomputes them from the records (after a bulk load that bypassed the services, or to repair),
``check`` compares them with a rebuild without writing and exits with status 1, listing the
differences, when they disagree.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.life.rollups import months_differences, months_rebuild
from dangjian.members.rollups import counts_differences, counts_rebuild
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import org_counts_differences, org_counts_rebuild

#: at most this many differences are listed
SHOWN = 50


class Command(BaseCommand):
    help = "汇总表：按记录重建（rebuild）或与记录核对（check）组织数、党员人数和组织生活按月汇总"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "check"], help="rebuild 或 check")
        parser.add_argument("--org", default="", help="只处理该组织编码及其下级组织")

    def handle(self, *args: Any, **options: Any) -> None:
        org = None
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"组织编码“{options['org']}”不存在", returncode=2)
        where = f"{org.name}（{org.code}）及其下级组织" if org else "全部组织"
        if options["action"] == "rebuild":
            org_counts_rebuild(org)  # the subtree sizes, from the tree itself
            counts = counts_rebuild(org)
            months = months_rebuild(org)
            self.stdout.write(
                f"已按记录重建{where}的汇总表：党员人数 {counts:,} 行，"
                f"组织生活按月汇总 {months:,} 行。"
            )
            return
        found = [str(d) for d in org_counts_differences(org)]
        found += [str(d) for d in counts_differences(org)]
        found += [str(d) for d in months_differences(org)]
        if not found:
            self.stdout.write(f"{where}的汇总表与记录一致。")
            return
        for line in found[:SHOWN]:
            self.stdout.write(line)
        if len(found) > SHOWN:
            self.stdout.write(f"……另有 {len(found) - SHOWN:,} 处不一致未列出")
        raise CommandError(
            f"{where}的汇总表有 {len(found):,} 处与记录不一致；"
            "可运行 dangjian rollups rebuild 按记录重建",
            returncode=1,
        )
