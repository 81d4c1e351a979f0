"""The demo's story after the roll is seeded, in the order one record leads to the next:
standings and a 临时党支部, two years of organizational life, recruitment, last year's finished
assessment and this year's open one, then a rectification plan for every lagging organization
and every 软弱涣散 lead, and grids with a few months of service orders in the demo town. Used by
``dangjian demo`` and by the page walk of the tests, so both tell the same story.
Each step runs once (a second run reuses the data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator


def seed_demo_story(today: dt.date, *, seed: int = 42) -> Iterator[str]:
    """Seed every step for ``today``; yields what each step did, in Chinese."""
    from dangjian.demo.assess import seed_demo_assess
    from dangjian.demo.life import seed_demo_life
    from dangjian.demo.rectify import seed_demo_rectify

    from .recruit import seed_demo_recruit
    from .service import seed_demo_service
    from .standings import seed_demo_standings

    for line in seed_demo_standings(today, seed=seed):
        yield f"已生成演示数据：{line}"
    for done in seed_demo_life(today, seed=seed):
        took = f"用时 {done.seconds:.1f} 秒"
        yield f"已生成 {done.year} 年组织生活记录 {done.meetings:,} 条，{took}。"
    # recruitment before the assessment: its criteria and the 软弱涣散 leads read the cases
    yield from seed_demo_recruit(today, seed=seed)
    for line in seed_demo_assess(today, seed=seed):
        yield f"已生成考核演示数据：{line}"
    # rectification last: a plan for every lagging organization and every lead
    for line in seed_demo_rectify(today, seed=seed):
        yield f"已生成整改演示数据：{line}"
    # service orders: grids and a few months of orders in the demo town
    for line in seed_demo_service(today, seed=seed):
        yield f"已生成为民服务演示数据：{line}"
    # training courses: upper-level courses with participants in the demo district
    from .training import seed_demo_training

    for line in seed_demo_training(today, seed=seed):
        yield f"已生成党员教育培训演示数据：{line}"
    # relation transfers in every state (some overdue) in the demo town
    from .transfer import seed_demo_transfers

    for line in seed_demo_transfers(today, seed=seed):
        yield f"已生成组织关系转接演示数据：{line}"
    # 困难党员帮扶: a hardship register with help and visits in the demo town
    from .care import seed_demo_care

    for line in seed_demo_care(today, seed=seed):
        yield f"已生成困难党员帮扶演示数据：{line}"
    # party dues: a year of 核定, bank statements and remittances in the demo town
    from .dues import seed_demo_dues

    for line in seed_demo_dues(today, seed=seed):
        yield f"已生成党费演示数据：{line}"
    # 流动党员 and 失联党员 in the demo town (the branch of zb_shuji first)
    from .mobile import seed_demo_mobile

    for line in seed_demo_mobile(today, seed=seed):
        yield f"已生成流动党员和失联党员演示数据：{line}"
