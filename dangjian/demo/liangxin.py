"""A demo 两新 register (非公有制企业 and 社会组织) with coverage gaps, through the real services.

:func:`seed_demo_liangxin` registers, in the demo town and up to three more towns of the demo
district, the units whose party organizations exist in the roll (the 非公 and 社会组织 branches,
单独组建; a 联合党支部 covers several units, 联合组建), then units without one: some with a
党建指导员 or 联系人 of the town and a year of visits (enough for 工作覆盖, or too few), some with
nothing — the 空白点. Each town gets its own 12-digit region code (the district's code and the
town's number), so the coverage grid has a cell per town. 统一社会信用代码 are generated with a
fixed seed, their check character computed (:mod:`dangjian.liangxin.uscc`); nothing is real.
Deterministic from ``seed``; nothing is done when the register has a unit.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.liangxin import services
from dangjian.liangxin.choices import AdvisorRole, Industry, OrgMode, Size, UnitKind
from dangjian.liangxin.models import Advisor, Unit
from dangjian.liangxin.uscc import make_uscc
from dangjian.orgs.choices import ROLL_TYPES, OrgType, Sector
from dangjian.orgs.models import Organization

from .accounts import nodes_to_seed

TOWNS = 4
OWN_PER_TOWN = 6
_ENTERPRISE = [
    Industry.MANUFACTURING,
    Industry.CONSTRUCTION,
    Industry.TRADE,
    Industry.LOGISTICS,
    Industry.HOSPITALITY,
    Industry.IT,
    Industry.BUSINESS,
    Industry.PLATFORM,
]
_SOCIAL = [Industry.ASSOCIATION, Industry.PRIVATE_NONPROFIT]
_STEMS = [
    "恒达",
    "新丰",
    "宏远",
    "华兴",
    "永盛",
    "金桥",
    "联创",
    "瑞丰",
    "嘉禾",
    "天成",
    "安泰",
    "鼎盛",
]
_TAILS = {
    Industry.MANUFACTURING: "机械制造有限公司",
    Industry.CONSTRUCTION: "建筑工程有限公司",
    Industry.TRADE: "商贸有限公司",
    Industry.LOGISTICS: "物流有限公司",
    Industry.HOSPITALITY: "餐饮管理有限公司",
    Industry.IT: "网络科技有限公司",
    Industry.BUSINESS: "企业管理咨询有限公司",
    Industry.PLATFORM: "快递服务站",
    Industry.ASSOCIATION: "商会",
    Industry.PRIVATE_NONPROFIT: "社会工作服务中心",
}
_ADVISORS = ["陈建华", "王丽萍", "刘志强", "杨海燕", "赵国庆", "孙晓明", "周文斌", "吴秀英"]


def _towns(town: Organization) -> list[Organization]:
    parent_path = town.path[: -Organization.steplen]
    siblings = Organization.objects.filter(
        path__startswith=parent_path,
        depth=town.depth,
        org_type__in=[OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE],
    ).exclude(pk=town.pk)
    return [town, *siblings.order_by("path")[: TOWNS - 1]]


def _region(town: Organization, index: int) -> str:
    base = (town.region_code or "330102")[:6]
    return f"{base}{index + 1:03d}000"


def _unit(
    rng: random.Random,
    town: Organization,
    region: str,
    *,
    name: str = "",
    social: bool = False,
    mode: str = OrgMode.NONE,
    party_org: Organization | None = None,
    members: int = 0,
) -> Unit:
    industry = rng.choice(_SOCIAL if social else _ENTERPRISE)
    employees = rng.randint(12, 60) if social else rng.randint(15, 400)
    prefix = {Industry.ASSOCIATION: "51", Industry.PRIVATE_NONPROFIT: "52"}.get(industry, "91")
    return services.unit_create(
        actor=SYSTEM,
        data={
            "name": name or f"{town.name[:2]}{rng.choice(_STEMS)}{_TAILS[industry]}",
            "uscc": make_uscc(rng, region, prefix),
            "kind": UnitKind.SOCIAL_ORG if social else UnitKind.ENTERPRISE,
            "industry": industry,
            "size": Size.SMALL if employees < 100 else Size.MEDIUM,
            "address": "",
            "region_code": region,
            "org": town,
            "org_mode": mode,
            "party_org": party_org,
            "employees": employees,
            "members": min(members, employees),
        },
    )


def _advise(rng: random.Random, advisor: Advisor, unit: Unit, visits: int, today: dt.date) -> int:
    since = dt.date(today.year - 1, rng.randint(1, 12), 1)
    services.assign(
        actor=SYSTEM,
        advisor=advisor,
        unit=unit,
        role=rng.choice([AdvisorRole.ADVISOR, AdvisorRole.ADVISOR, AdvisorRole.CONTACT]),
        since=since,
        today=today,
    )
    start = dt.date(today.year, 1, 1)
    span = (today - start).days
    days = sorted(start + dt.timedelta(days=rng.randrange(max(span, 1))) for _ in range(visits))
    for day in days:
        services.visit_record(
            actor=SYSTEM,
            unit=unit,
            advisor=advisor,
            visited_on=day,
            note=rng.choice(["宣讲党的政策", "指导组织建设", "走访了解情况", "联合开展主题党日"]),
            today=today,
        )
    return visits


def seed_demo_liangxin(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo register; Chinese lines to print. Nothing if a unit exists."""
    nodes = nodes_to_seed(Unit)
    if nodes is None:
        return []
    rng = random.Random(f"liangxin-{seed}")
    counts = {"units": 0, "own": 0, "joint": 0, "advised": 0, "blank": 0, "visits": 0, "closed": 0}
    with transaction.atomic():
        for index, town in enumerate(_towns(nodes["town"])):
            region = _region(town, index)
            below = Organization.objects.filter(
                path__startswith=town.path,
                org_type__in=ROLL_TYPES,
                sector__in=[Sector.PRIVATE_ENTERPRISE, Sector.SOCIAL_ORG],
            ).order_by("path")
            for org in below.filter(org_type=OrgType.BRANCH)[:OWN_PER_TOWN]:
                social = org.sector == Sector.SOCIAL_ORG
                _unit(
                    rng,
                    town,
                    region,
                    name=org.name.removesuffix("党支部") or "",
                    social=social,
                    mode=OrgMode.OWN,
                    party_org=org,
                    members=rng.randint(3, 12),
                )
                counts["own"] += 1
            joint = below.filter(org_type=OrgType.JOINT_BRANCH).first() or below.first()
            if joint is not None:
                for _ in range(3):
                    _unit(rng, town, region, mode=OrgMode.JOINT, party_org=joint, members=1)
                    counts["joint"] += 1
            advisors = [
                services.advisor_create(actor=SYSTEM, name=rng.choice(_ADVISORS), org=town)
                for _ in range(2)
            ]
            # 工作覆盖: enough visits; too few; nothing at all (空白点)
            plan = [5, 4, 6, 2, 1, 0, 0, 0] if index else [6, 4, 1, 0, 0]
            for visits in plan:
                unit = _unit(rng, town, region, social=rng.random() < 0.3)
                if visits:
                    counts["visits"] += _advise(rng, rng.choice(advisors), unit, visits, today)
                    counts["advised"] += 1
                else:
                    counts["blank"] += 1
            if not index:  # a company gone this year: on the register, out of the coverage
                gone = _unit(rng, town, region)
                day = max(today.replace(month=1, day=1), today - dt.timedelta(days=40))
                services.unit_close(
                    actor=SYSTEM, unit=gone, closed_on=day, reason="企业注销", today=today
                )
                counts["closed"] += 1
        counts["units"] = Unit.objects.filter(closed_on__isnull=True).count()
    return [
        f"两新组织 {counts['units']} 家（单独建立党组织 {counts['own']}，联合建立 "
        f"{counts['joint']}，党建指导员联系 {counts['advised']}，"
        f"未建立党组织也未选派指导员 {counts['blank']}），"
        f"指导活动 {counts['visits']} 次；今年已注销 {counts['closed']} 家"
    ]
