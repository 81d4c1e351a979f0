"""Demo rectification data (一支一策) for the demo district, after the assessment seed.

:func:`seed_demo_rectify` opens a plan for part of the lagging organizations of the last final
(or scored) campaign, and a 软弱涣散 plan for organizations whose secretary has been vacant for
more than three months, each with two or three tasks, through the services (audited as the
command-line operator). It then moves some tasks along so the pages show every state: progress
reported, reported done, confirmed by the upper level, and overdue (deadline moved into the past
— the one direct write, since the service refuses a past deadline for a new task).

Deterministic from ``seed``; nothing is done when a plan already exists.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization

from .choices import PlanReason, WeakCondition
from .models import RectificationPlan, RectificationTask
from .services import TaskInput, plan_create, task_confirm, task_progress, task_report_done
from .weak import condition

#: lagging organizations that get a demo plan (the rest are left for the user to try)
LAGGING_PLANS = 12
VACANT_PLANS = 4

_TASKS = [
    (
        "按期召开支部党员大会和支委会",
        "每季度第一个月召开党员大会，每月召开支委会，会后当周录入系统",
        "支部书记",
    ),
    ("规范开展主题党日", "固定每月第二周周五，结合志愿服务开展", "组织委员"),
    ("健全支部班子", "镇党委选派第一书记，补齐组织委员、纪检委员", "镇党委组织委员"),
    ("开展一次组织生活会", "会前谈心谈话全覆盖，问题清单逐条整改", "支部书记"),
    ("建立联系服务群众台账", "党员每人联系 5 户群众，每月走访一次", "宣传委员"),
    ("补齐党员教育培训", "党课每季度一次，书记带头讲", "支部书记"),
]


def _tasks(rng: random.Random, today: dt.date) -> list[TaskInput]:
    picked = rng.sample(_TASKS, rng.randint(2, 3))
    return [
        TaskInput(what=w, how=h, owner=o, deadline=today + dt.timedelta(days=rng.randint(20, 90)))
        for w, h, o in picked
    ]


def seed_demo_rectify(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's rectification plans; returns what was done, in Chinese."""
    if RectificationPlan.objects.exists():
        return []
    started = time.perf_counter()
    rng = random.Random(seed)
    plans: list[RectificationPlan] = []
    with transaction.atomic():
        try:
            from dangjian.assess.models import Campaign, Result, Tier

            from .campaign import campaign_conditions

            campaign = (
                Campaign.objects.filter(status__in=["final", "scored"])
                .order_by("-period_end", "-pk")
                .first()
            )
        except ImportError:  # pragma: no cover - the assess app is installed with this one
            campaign = None
        if campaign is not None:
            found = campaign_conditions(campaign)
            lagging = list(
                Result.objects.filter(campaign=campaign, tier=Tier.LAGGING)
                .order_by("org__path")
                .values_list("org_id", flat=True)
            )
            for org_id in sorted(rng.sample(lagging, min(LAGGING_PLANS, len(lagging)))):
                org = Organization.objects.get(pk=org_id)
                plans.append(
                    plan_create(
                        actor=SYSTEM,
                        org=org,
                        reason=PlanReason.LAGGING,
                        conditions=found.get(org_id, []),
                        summary=f"{campaign.name}列为后进，按“一支一策”制定整改方案。",
                        tasks=_tasks(rng, today),
                        campaign=campaign,
                    )
                )
        taken = {p.org_id for p in plans}
        vacant = list(
            Organization.objects.filter(secretary_vacant_since__lt=today - dt.timedelta(days=100))
            .exclude(pk__in=taken)
            .order_by("path")[: VACANT_PLANS * 3]
        )
        for org in sorted(rng.sample(vacant, min(VACANT_PLANS, len(vacant))), key=lambda o: o.path):
            since = org.secretary_vacant_since
            assert since is not None
            plans.append(
                plan_create(
                    actor=SYSTEM,
                    org=org,
                    reason=PlanReason.WEAK,
                    conditions=[
                        condition(
                            WeakCondition.SECRETARY_VACANT,
                            "SETUP-SECRETARY-VACANT",
                            f"书记自 {since} 起空缺 {(today - since).days} 天",
                            {
                                "vacant_since": since.isoformat(),
                                "vacant_days": (today - since).days,
                            },
                        )
                    ],
                    summary="书记长期空缺，列为软弱涣散基层党组织，限期整顿。",
                    tasks=_tasks(rng, today),
                )
            )
        tasks = list(
            RectificationTask.objects.filter(plan__in=plans)
            .select_related("plan__org")
            .order_by("pk")
        )
        overdue = reported = confirmed = 0
        for task in tasks:
            roll = rng.random()
            if roll < 0.2:
                RectificationTask.objects.filter(pk=task.pk).update(
                    deadline=today - dt.timedelta(days=rng.randint(3, 30))
                )
                overdue += 1
            elif roll < 0.5:
                task_progress(actor=SYSTEM, task=task, text="已召开支委会研究部署，正在推进。")
            elif roll < 0.7:
                task_report_done(actor=SYSTEM, task=task, text="已按要求完成，相关记录已录入系统。")
                reported += 1
            elif roll < 0.85:
                task_report_done(actor=SYSTEM, task=task, text="已完成。")
                task_confirm(actor=SYSTEM, task=task, note="经核实已完成。")
                confirmed += 1
    return [
        f"整改方案：{len(plans)} 个（任务 {len(tasks)} 项，逾期 {overdue}、待确认 {reported}、"
        f"已确认 {confirmed}），用时 {time.perf_counter() - started:.1f} 秒"
    ]
