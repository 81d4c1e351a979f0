"""``dangjian rollups rebuild [--org CODE]`` and ``dangjian rollups check [--org CODE]``.

The rollup tables (organizations in each subtree, member counts per organization, meetings per
organization, year and type by month, the committee of each organization, where each recruitment
case stands and the cases of each branch by stage, the stored findings of each subtree by rule,
the latest month each member paid dues) are kept up to date by every write;
``rebuild`` recomputes them from the records (after a bulk load that bypassed the services, or
to repair), ``check`` compares them with a rebuild without writing and exits with status 1,
listing the differences, when they disagree.
``rebuild`` also recomputes the MinHash signatures of the minutes (the near-duplicate hint's
index, :mod:`dangjian.life.signatures`): the backfill of the records written before them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.dues.rollup import last_paid_differences, last_paid_rebuild
from dangjian.life import tally as life_tally
from dangjian.life.rollups import months_differences, months_rebuild
from dangjian.life.signatures import signatures_rebuild
from dangjian.members.committee import committee_differences, committee_rebuild
from dangjian.members.rollups import counts_differences, counts_rebuild
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import org_counts_differences, org_counts_rebuild
from dangjian.recruit import rollups as recruit_rollups
from dangjian.rules.store import counts_differences as findings_differences
from dangjian.rules.store import counts_rebuild as findings_rebuild
from dangjian.service import rollup as service_rollup

#: at most this many differences are listed
SHOWN = 50


class Command(BaseCommand):
    help = (
        "汇总表：按记录重建（rebuild）或与记录核对（check）组织数、党员人数、组织生活按月汇总"
        "、支委会、发展党员案例状态和服务工单按月汇总"
    )

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
            committees = committee_rebuild(org)
            cases = recruit_rollups.rebuild(org)
            findings = findings_rebuild(org)
            life_tally.rebuild(org)
            tallies = service_rollup.rebuild(org)
            paid = last_paid_rebuild(org)
            self.stdout.write(
                f"已按记录重建{where}的汇总表：党员人数 {counts:,} 行，"
                f"组织生活按月汇总 {months:,} 行。"
            )
            signed = signatures_rebuild(org)
            if signed:
                self.stdout.write(f"已重新计算会议记录签名（查找相似记录用）{signed:,} 条。")
            # the tables added later on a line of their own (the first line stays as it was)
            self.stderr.write(
                f"另已按记录重建：支委会汇总 {committees:,} 行，发展党员案例状态 {cases:,} 件，"
                f"检查发现汇总 {findings:,} 行。"
            )
            self.stderr.write(f"另已按工单重建：服务工单按月汇总 {tallies:,} 行。")
            self.stderr.write(f"另已按党费记录重建：党员最近交纳月份 {paid:,} 行。")
            return
        found = [str(d) for d in org_counts_differences(org)]
        found += [str(d) for d in counts_differences(org)]
        found += [str(d) for d in months_differences(org)]
        found += [str(d) for d in committee_differences(org)]
        found += [str(d) for d in recruit_rollups.differences(org)]
        found += findings_differences(org)
        found += life_tally.differences(org)
        found += service_rollup.differences(org)
        found += [str(d) for d in last_paid_differences(org)]
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
