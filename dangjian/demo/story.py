"""The demo's story after the roll is seeded, in the order one record leads to the next:
standings and a 临时党支部, two years of organizational life, recruitment, last year's finished
assessment and this year's open one, then a rectification plan for every lagging organization
and every 软弱涣散 lead, and grids with a few months of service orders in the demo town. Used by
``dangjian demo`` and by the page walk of the tests, so both tell the same story.
Each step runs once (a second run reuses the data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator


def seed_demo_story(today: dt.date, *, seed: int = 42) -> Iterator[str]:
    """Seed every step for ``today``; yields what each step did, in Chinese."""
    from .assess import seed_demo_assess
    from .care import seed_demo_care
    from .dues import seed_demo_dues
    from .exemplar import seed_demo_exemplar
    from .inspection import seed_demo_inspection
    from .liangxin import seed_demo_liangxin
    from .life import seed_demo_life
    from .mobile import seed_demo_mobile
    from .recruit import seed_demo_recruit
    from .rectify import seed_demo_rectify
    from .review import seed_demo_review
    from .service import seed_demo_service
    from .standings import seed_demo_standings
    from .training import seed_demo_training
    from .transfer import seed_demo_transfers

    for line in seed_demo_standings(today, seed=seed):
        yield f"已生成演示数据：{line}"
    for done in seed_demo_life(today, seed=seed):
        took = f"用时 {done.seconds:.1f} 秒"
        yield f"已生成 {done.year} 年组织生活记录 {done.meetings:,} 条，{took}。"
    # recruitment before the assessment: its criteria and the 软弱涣散 leads read the cases
    yield from seed_demo_recruit(today, seed=seed)
    steps: list[tuple[Callable[..., list[str]], str]] = [
        (seed_demo_assess, "考核演示数据"),
        # rectification last: a plan for every lagging organization and every lead
        (seed_demo_rectify, "整改演示数据"),
        # service orders: grids and a few months of orders in the demo town
        (seed_demo_service, "为民服务演示数据"),
        # training courses: upper-level courses with participants in the demo district
        (seed_demo_training, "党员教育培训演示数据"),
        # relation transfers in every state (some overdue) in the demo town
        (seed_demo_transfers, "组织关系转接演示数据"),
        # 困难党员帮扶: a hardship register with help and visits in the demo town
        (seed_demo_care, "困难党员帮扶演示数据"),
        # party dues: a year of 核定, bank statements and remittances in the demo town
        (seed_demo_dues, "党费演示数据"),
        # 流动党员 and 失联党员 in the demo town (the branch of zb_shuji first)
        (seed_demo_mobile, "流动党员和失联党员演示数据"),
        # 两新组织: a register with its party organizations, 党建指导员 and coverage gaps
        (seed_demo_liangxin, "两新组织覆盖演示数据"),
        # 督查暗访: plans of the district, visits, findings turned into rectification tasks
        (seed_demo_inspection, "督查暗访演示数据"),
        # 典型: a brand, a named practice and a 示范点 being cultivated in the demo town
        (seed_demo_exemplar, "典型培育演示数据"),
        # 述职评议: last year's of the demo district and town, problems into rectification
        (seed_demo_review, "述职评议演示数据"),
    ]
    for step, what in steps:
        for line in step(today, seed=seed):
            yield f"已生成{what}：{line}"
