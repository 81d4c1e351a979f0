"""A few typical examples (典型) in the demo town, through the real services.

:func:`seed_demo_exemplar` gives the demo town a 党建品牌 named by the district (一乡一特色),
a named 支部工作法 of one of its branches, and a 示范点 being cultivated in the branch of
``zb_shuji``, each with evidence from the records already seeded: the latest assessment it took
part in, this year's service orders and its latest meeting. Deterministic; nothing is done
when the library has an example.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.exemplar import services
from dangjian.exemplar.models import Exemplar
from dangjian.exemplar.selectors import campaigns_for_evidence, meetings_for_evidence
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization

from .accounts import nodes_to_seed


def _evidence(item: Exemplar, today: dt.date) -> int:
    """Link what the records hold for ``item``'s organization; the number of links."""
    n = 0
    campaign = campaigns_for_evidence(item).first()
    if campaign is not None:
        services.evidence_add(actor=SYSTEM, item=item, kind="考核结果", campaign=campaign)
        n += 1
    meeting = meetings_for_evidence(item).first()
    if meeting is not None:
        services.evidence_add(actor=SYSTEM, item=item, kind="组织生活", meeting=meeting)
        n += 1
    services.evidence_add(actor=SYSTEM, item=item, kind="为民服务", year=today.year, today=today)
    return n + 1


def seed_demo_exemplar(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo library; Chinese lines to print. Nothing if an example exists."""
    nodes = nodes_to_seed(Exemplar)
    if nodes is None:
        return []
    town, weak = nodes["town"], nodes["weak_branch"]
    other = (
        Organization.objects.filter(path__startswith=town.path, org_type__in=ROLL_TYPES)
        .exclude(pk=weak.pk)
        .order_by("path")
        .first()
    )
    site_org, practice_org = weak, other or weak
    proposed = today - dt.timedelta(days=200)
    links = 0
    with transaction.atomic():
        brand = services.exemplar_propose(
            actor=SYSTEM,
            org=town,
            kind="党建品牌",
            title=f"{town.name[:20]}“红领堡垒”",
            summary=(
                "以星级“红领堡垒”评定为抓手，推进党支部标准化规范化建设，"
                "打造一乡一特色，形成可推广、可复制的工作机制。"
            ),
            themes=["红领堡垒", "标准化规范化", "乡村振兴"],
            level="县级",
            today=proposed,
        )
        services.exemplar_name(
            actor=SYSTEM, item=brand, named_on=proposed + dt.timedelta(days=60), today=today
        )
        links += _evidence(brand, today)
        practice = services.exemplar_propose(
            actor=SYSTEM,
            org=practice_org,
            kind="工作法",
            title="“吃茶话事”议事工作法",
            summary=(
                "党员问事、群众说事、代表议事、支部办事：在茶香小院里议村事、解民忧，"
                "日常纠纷村级调、复杂矛盾片区化。"
            ),
            themes=["基层治理", "为民服务"],
            level="县级",
            today=proposed,
        )
        services.exemplar_name(
            actor=SYSTEM, item=practice, named_on=proposed + dt.timedelta(days=90), today=today
        )
        links += _evidence(practice, today)
        site = services.exemplar_propose(
            actor=SYSTEM,
            org=site_org,
            kind="示范点",
            title=f"{site_org.name[:30]}高品质党建点",
            summary=(
                "对照“12248”高品质基层党建点创建标准，找准“主攻点”，抓好关键人、抓到关键处，"
                "力争创建一个、成功一个、带动一片。"
            ),
            themes=["示范点创建", "乡村振兴"],
            level="市级",
            today=today - dt.timedelta(days=30),
        )
        links += _evidence(site, today)
    return [f"典型 3 个（党建品牌、支部工作法已命名，示范点培育中），关联佐证 {links} 条"]
