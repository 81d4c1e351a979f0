"""A year of 述职评议 in the demo, through the real services.

:func:`seed_demo_review` opens last year's 述职评议 of the demo district (the town and street
committees report to it) and of the demo town (its 村 and 社区 branches report to it), with
a report from most secretaries, ballots of the three kinds of raters on every item, and the
grades set within the distribution rule (“好”不超过 30%); for the reports graded 一般 or 差
and a few others, the upper level gives back a problem list, which becomes tasks of the
organization's rectification plan (its open plan when it has one). Deterministic from
``seed``; nothing is done when a campaign exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization
from dangjian.review import services
from dangjian.review.choices import Grade
from dangjian.review.models import Campaign, Report
from dangjian.review.selectors import ballots_of, grade_limit

from .accounts import nodes_to_seed

_PROBLEMS = [
    "三会一课记录不完整，部分月份主题党日缺少记录",
    "发展党员工作计划执行不到位",
    "党员教育管理抓得不紧，流动党员联系不够",
    "为民服务工单办结后回访不及时",
    "党建阵地使用率不高",
    "支部书记抓党建精力投入不足",
]
_TEXT = (
    "一、履行第一责任人职责情况：全年主持召开支委会、党员大会，研究部署党建工作；"
    "二、抓基层党建主要做法和成效；三、存在的问题和原因分析；四、下一步工作打算。"
)


def _district(town: Organization) -> Organization | None:
    return Organization.objects.filter(path=town.path[: -Organization.steplen]).first()


def _season(
    org: Organization, year: int, today: dt.date, rng: random.Random, counts: dict[str, int]
) -> None:
    campaign = services.campaign_open(
        actor=SYSTEM, org=org, year=year, meeting_on=dt.date(year + 1, 1, 20)
    )
    counts["campaigns"] += 1
    reports = list(campaign.reports.select_related("org").order_by("org__path"))
    limit = grade_limit(campaign, Grade.GOOD, len(reports)) or 0
    good = 0
    deadline = today + dt.timedelta(days=90)
    for report in reports:
        if rng.random() < 0.9:
            services.report_submit(actor=SYSTEM, report=report, text=_TEXT)
        lean = rng.choice([0, 0, 1, 1, 1, 2, 3])  # most good or fairly good
        ballots = {}
        for kind in campaign.rater_kinds:
            for item in campaign.items:
                votes = [0, 0, 0, 0]
                for _ in range(rng.randint(5, 12)):
                    votes[min(3, max(0, lean + rng.choice([-1, 0, 0, 0, 1])))] += 1
                ballots[(kind, item)] = dict(zip(Grade.values, votes, strict=True))
        services.ratings_record(actor=SYSTEM, report=report, ballots=ballots)
        counts["tallies"] += len(ballots)
        grade = ballots_of(report).proposed or Grade.FAIRLY_GOOD
        if grade == Grade.GOOD:
            if good >= limit:
                grade = Grade.FAIRLY_GOOD
            else:
                good += 1
        report = services.grade_set(actor=SYSTEM, report=report, grade=grade)
        if grade in (Grade.AVERAGE, Grade.POOR) or rng.random() < 0.2:
            services.problems_give(
                actor=SYSTEM,
                report=report,
                problems=rng.sample(_PROBLEMS, rng.randint(1, 3)),
                owner="党组织书记",
                deadline=deadline,
            )
            counts["problems"] += 1


def seed_demo_review(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed last year's 述职评议 of the demo district and town; Chinese lines to print."""
    nodes = nodes_to_seed(Campaign)
    if nodes is None:
        return []
    town = nodes["town"]
    rng = random.Random(f"review-{seed}")
    counts = {"campaigns": 0, "tallies": 0, "problems": 0}
    year = today.year - 1
    with transaction.atomic():
        for org in [_district(town), town]:
            if org is not None:
                _season(org, year, today, rng, counts)
    grades = dict(
        Report.objects.values_list("grade").annotate(n=Count("pk")).order_by()  # type: ignore[arg-type]
    )
    spread = "，".join(f"{g} {grades.get(g, 0)} 个" for g in Grade.values)
    return [
        f"{year} 年度述职评议 {counts['campaigns']} 次，述职组织 {sum(grades.values())} 个"
        f"（{spread}），{counts['problems']} 个组织的问题清单已交办整改"
    ]
