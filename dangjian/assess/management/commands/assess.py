"""``dangjian assess run --campaign ID [--at YYYY-MM-DD] [--format json|table] [--save]``.

Scores the whole campaign (see :mod:`dangjian.assess.scoring`) from the records as of ``--at``
(default today) and prints, in JSON, one object per organization — ``org``, ``name``,
``sector``, ``total``, ``veto``, ``veto_lines``, ``stars``, ``tier``, ``previous``, ``change``
and the full ``breakdown`` — as ``{"campaign": …, "summary": …, "results": [...],
"skipped": [...]}``; the table shows one line per organization. With ``--save`` the results
are stored (replacing the campaign's earlier results) and audited, as the web's 评分 button
does. ``dangjian assess list`` lists the campaigns.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Campaign
from dangjian.assess.scoring import STAR_LABELS, campaign_compute
from dangjian.assess.services import campaign_score
from dangjian.assess.standard import StandardError
from dangjian.core.console import date_option, table_lines


class Command(BaseCommand):
    help = (
        "质量考核：assess run --campaign ID [--at YYYY-MM-DD] [--format json|table] [--save]；"
        "assess list"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "list"])
        parser.add_argument("--campaign", type=int, help="考核编号（assess list 可查）")
        parser.add_argument("--at", default=None, help="数据截至日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--format", default="table", help="输出格式：json 或 table（默认）")
        parser.add_argument("--save", action="store_true", help="保存评分结果（覆盖上次结果）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for c in Campaign.objects.select_related("root").order_by("pk"):
                self.stdout.write(
                    f"{c.pk}  {c.name}  {c.standard_key}@{c.standard_version}  {c.root.code}  "
                    f"{c.period_start}~{c.period_end}  {c.get_status_display()}"
                )
            return
        fmt = str(options["format"]).strip().lower()
        if fmt not in ("json", "table"):
            raise CommandError(f"未知输出格式“{options['format']}”，应为 json 或 table")
        if not options["campaign"]:
            raise CommandError("请指定 --campaign ID（dangjian assess list 可查看考核编号）")
        campaign = Campaign.objects.select_related("root").filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"考核 {options['campaign']} 不存在")
        at = date_option(options, "at", returncode=1)
        try:
            if options["save"]:
                run = campaign_score(actor=SYSTEM, campaign=campaign, at=at)
            else:
                run = campaign_compute(campaign, at=at)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except (StandardError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if fmt == "json":
            payload = {
                "campaign": {"id": campaign.pk, "name": campaign.name},
                "summary": run.summary(),
                "results": [s.as_dict() for s in run.scores],
                "skipped": run.skipped,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        header = ["组织", "名称", "领域", "总分", "高压线", "星级", "档次", "变化"]
        rows = [
            [
                s.code,
                s.name,
                s.sector,
                f"{s.total:.2f}",
                "、".join(s.veto_lines) or "-",
                STAR_LABELS[s.stars],
                s.as_dict()["tier_label"],
                s.as_dict()["change_label"],
            ]
            for s in sorted(run.scores, key=lambda s: s.path)
        ]
        for line in table_lines(rows, header):
            self.stdout.write(line)
        summary = run.summary()
        saved = "，已保存" if options["save"] else "（未保存，加 --save 保存）"
        self.stdout.write(
            f"共 {summary['scored']} 个组织（数据截至 {run.at.isoformat()}）{saved}；"
            f"触及高压线 {summary['veto']} 个"
        )
