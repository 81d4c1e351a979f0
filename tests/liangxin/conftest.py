"""A district with two towns, a small known 两新 register and its advisors.

Town A (区划 330102): 甲 has its own branch, 乙 belongs to a 联合 branch, 丙 has an advisor with
four visits this year (工作覆盖), 丁 an advisor with two (short of four), 戊 nothing this year (its
advisor left in 2025 after four visits then). Town B (330103): 己 has its own branch and an
advisor with four visits. Year 2026, counted on the suite's day (2026-11-23):
total 6, 组织覆盖 3, 工作覆盖 2, 空白点 2 (丁, 戊).
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.liangxin import services
from dangjian.liangxin.uscc import make_uscc
from tests.factories import make_org, make_user

D = dt.date
TODAY = D(2026, 11, 23)


def unit_data(org, name, region, rng, **extra):
    data = {
        "name": name,
        "uscc": make_uscc(rng, region),
        "kind": "非公企业",
        "industry": "制造业",
        "size": "小型",
        "address": "",
        "region_code": region,
        "org": org,
        "org_mode": "未组建",
        "party_org": None,
        "employees": 50,
        "members": 3,
    }
    data.update(extra)
    return data


@pytest.fixture
def register(db):
    rng = random.Random(7)
    root = make_org(org_type="党委", sector="机关", name="青山区委组织部", region_code="330100")
    town_a = make_org(root, org_type="党委", sector="农村", name="溪口镇党委")
    town_b = make_org(root, org_type="党委", sector="农村", name="城关镇党委")
    own_a = make_org(town_a, org_type="党支部", sector="非公有制企业", name="甲公司党支部")
    joint = make_org(town_a, org_type="联合党支部", sector="非公有制企业", name="园区联合党支部")
    own_b = make_org(town_b, org_type="党支部", sector="非公有制企业", name="己公司党支部")

    def unit(org, name, region, **extra):
        return services.unit_create(actor=SYSTEM, data=unit_data(org, name, region, rng, **extra))

    jia = unit(town_a, "甲公司", "330102", org_mode="单独组建", party_org=own_a)
    yi = unit(town_a, "乙公司", "330102", org_mode="联合组建", party_org=joint, industry="信息技术")
    bing = unit(town_a, "丙公司", "330102", industry="信息技术")
    ding = unit(town_a, "丁协会", "330102", kind="社会组织", industry="社会团体")
    wu = unit(town_a, "戊公司", "330102")
    ji = unit(town_b, "己公司", "330103", org_mode="单独组建", party_org=own_b)
    zhang = services.advisor_create(actor=SYSTEM, name="张指导", org=town_a)
    li = services.advisor_create(actor=SYSTEM, name="李指导", org=town_b)

    def advise(advisor, u, since, days, until=None):
        a = services.assign(
            actor=SYSTEM, advisor=advisor, unit=u, role="党建指导员", since=since, today=TODAY
        )
        for day in days:
            services.visit_record(
                actor=SYSTEM, unit=u, advisor=advisor, visited_on=day, note="指导", today=TODAY
            )
        if until:
            services.assignment_end(actor=SYSTEM, assignment=a, until=until, today=TODAY)
        return a

    quarter = [D(2026, 2, 1), D(2026, 5, 1), D(2026, 8, 1), D(2026, 10, 1)]
    advise(zhang, bing, D(2026, 1, 1), quarter)
    advise(zhang, ding, D(2026, 1, 1), quarter[:2])
    advise(zhang, wu, D(2025, 1, 1), [D(2025, m, 1) for m in (2, 5, 8, 11)], until=D(2025, 12, 31))
    advise(li, ji, D(2026, 1, 1), quarter)
    return SimpleNamespace(
        root=root,
        town_a=town_a,
        town_b=town_b,
        own_a=own_a,
        joint=joint,
        units={u.name: u for u in (jia, yi, bing, ding, wu, ji)},
        zhang=zhang,
        li=li,
        rng=rng,
        root_admin=make_user(root, "org_admin"),
        town_a_admin=make_user(town_a, "committee_admin"),
        inspector=make_user(town_a, "inspector"),
        grid=make_user(town_a, "grid_worker"),
    )
