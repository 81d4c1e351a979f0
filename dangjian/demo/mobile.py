"""Demo 流动党员 and 失联党员 in the demo town (the ``dw_admin`` account's; the ``zb_shuji`` branch
first), written through the real services (validated and audited like a user's entry),
deterministic for a seed, and run once (a database that has any outflow or lost-contact record is
left as it is).

The story on ``today``:

- members working away: one at a fixed place for 8 months (REL-TRANSFER: the transfer is due),
  one at a fixed place for 4 months, one moving from site to site for a year, one hosted by a
  流动党员 党组织 of the platform (a branch of another town, which records his activities), one
  with the name of an organization outside the platform, and one back home; each with a
  流动党员活动证 and a masked phone;
- members lost: one for 3 months (nothing to decide yet), one for 7 months (the branch is prompted
  to decide 停止党籍), one for 3 years whose branch decided 停止党籍 at 6 months (now prompted to
  decide 除名), and one found again; each with the steps taken to find him.
"""

from __future__ import annotations

import datetime as dt
import random

from dangjian.accounts.scope import SYSTEM
from dangjian.core.dates import add_months, add_years
from dangjian.members.models import Member
from dangjian.mobile.models import LostContact, Outflow
from dangjian.mobile.services import (
    DecisionInput,
    OutflowInput,
    host_activity_record,
    lost_contact_decide,
    lost_contact_found,
    lost_contact_record,
    outflow_return,
    outflow_start,
    search_step_add,
)
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization

#: (region code, place, employer) of the demo's destinations (GB/T 2260 codes)
PLACES = [
    ("330102", "浙江省杭州市上城区", "杭州某物流有限公司"),
    ("310101", "上海市黄浦区", "上海某建筑工程公司"),
    ("440305", "广东省深圳市南山区", "深圳某电子科技公司"),
    ("320102", "江苏省南京市玄武区", "南京某餐饮管理公司"),
    ("110105", "北京市朝阳区", "北京某家政服务公司"),
    ("350702", "福建省南平市延平区", "南平某茶叶合作社"),
]


def _candidates(town: Organization, first: Organization, today: dt.date) -> list[Member]:
    """Ordinary full members of the town's rolls without any standing, ``first``'s first."""
    qs = (
        Member.objects.filter(
            org__path__startswith=town.path,
            org__org_type__in=ROLL_TYPES,
            member_type="正式党员",
            post="",
            joined_on__lt=add_years(today, -5),
            statuses__isnull=True,
        )
        .select_related("org")
        .order_by("pk")
    )
    mine = [m for m in qs if m.org_id == first.pk]
    return mine[:6] + [m for m in qs[:400] if m.org_id != first.pk]


def _host(town: Organization) -> Organization | None:
    """A branch of another town of the district that serves as a 流动党员 党组织."""
    district = Organization.objects.get_parent(town) or town
    return (
        Organization.objects.filter(
            path__startswith=district.path, org_type__in=ROLL_TYPES, sector="社区"
        )
        .exclude(path__startswith=town.path)
        .order_by("path")
        .first()
    )


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def seed_demo_mobile(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's mobile and lost-contact members; returns what was done, in Chinese."""
    from dangjian.demo.accounts import nodes_to_seed

    nodes = nodes_to_seed(Outflow, LostContact)
    if nodes is None:
        return []
    town, branch = nodes["town"], nodes["weak_branch"]
    people = _candidates(town, branch, today)
    if len(people) < 10:
        return []
    rng = random.Random(f"mobile:{seed}")
    host = _host(town)
    away = people[:6]
    lost = people[6:10]
    # (months away, fixed place, hosted in the platform, outside host name, returned months ago)
    plan: list[tuple[int, bool, bool, str, int | None]] = [
        (8, True, False, "", None),
        (4, True, False, "", None),
        (12, False, False, "", None),
        (5, True, True, "", None),
        (9, False, False, "上海市黄浦区流动党员党支部", None),
        (14, True, False, "", 3),
    ]
    for i, (member, (months, fixed, hosted, outside, back)) in enumerate(
        zip(away, plan, strict=True)
    ):
        region, place, employer = PLACES[i % len(PLACES)]
        started = max(add_months(today, -months), member.joined_on + dt.timedelta(days=1))
        outflow = outflow_start(
            actor=SYSTEM,
            member=member,
            data=OutflowInput(
                region_code=region,
                place=place,
                employer=employer,
                started_on=started,
                fixed_place=fixed,
                phone=_phone(rng),
                host_org=host if hosted else None,
                host_name=outside,
                card_no=f"LD{today.year % 100:02d}{seed % 100:02d}{i + 1:03d}",
                card_issued_on=started,
                card_valid_to=add_years(started, 1),
            ),
            today=today,
        )
        if hosted and host is not None:
            for k in (1, 2, 3):
                held = add_months(started, k)
                if held <= today:
                    host_activity_record(
                        actor=SYSTEM,
                        outflow=outflow,
                        held_on=held,
                        subject=("主题党日活动", "集中学习", "志愿服务")[k - 1],
                        today=today,
                    )
        if back is not None:
            outflow_return(
                actor=SYSTEM, outflow=outflow, returned_on=add_months(today, -back), today=today
            )
    found_again = 0
    for member, months in zip(lost, (3, 7, 36, 10), strict=True):
        since = max(add_months(today, -months), member.joined_on + dt.timedelta(days=1))
        record = lost_contact_record(
            actor=SYSTEM,
            member=member,
            since=since,
            note="电话停机，家人不知去向" if months > 6 else "外出务工后电话无人接听",
            today=today,
        )
        for step, (how, who) in enumerate(
            [
                ("电话联系，无人接听", "支部组织委员"),
                ("上门走访家属，称长期未联系", "支部书记"),
                ("请原工作单位协助查找，无结果", "支部书记"),
            ]
        ):
            done = since + dt.timedelta(days=20 + 40 * step)
            if done <= today:
                search_step_add(
                    actor=SYSTEM, lost=record, done_on=done, how=how, done_by=who, today=today
                )
        if months == 36:  # the branch decided 停止党籍 on the day it was prompted
            lost_contact_decide(
                actor=SYSTEM,
                lost=record,
                data=DecisionInput(
                    kind="停止党籍",
                    started_on=add_months(since, 6),
                    decided_by=member.org.name,
                    decision_no=f"{member.org.name}〔{add_months(since, 6).year}〕1号",
                ),
                today=today,
            )
        if months == 10:
            lost_contact_found(
                actor=SYSTEM,
                lost=record,
                found_on=add_months(since, 4),
                note="本人来电，已恢复联系",
                today=today,
            )
            found_again += 1
    hosted_note = f"，其中 1 名在{host.name}参加活动" if host is not None else ""
    return [
        f"流动党员 {len(away)} 名（1 名已返回{hosted_note}），均发放流动党员活动证",
        f"失联党员 {len(lost)} 名（其中 {found_again} 名已恢复联系，1 名已停止党籍）",
    ]
