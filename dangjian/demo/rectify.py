"""Demo rectification data (一支一策) that tells the same story as the demo's assessment.

:func:`seed_demo_rectify` runs after the assessment seed. It takes the last final (or scored)
campaign and opens, through the services (audited as the command-line operator):

- a 软弱涣散 plan for every organization on the 软弱涣散 leads page with that campaign — the
  ASSESS-WEAK conditions of :func:`dangjian.rectify.rules.weak_candidates` on the demo day
  (secretary vacant, meetings not held, village without a development candidate, last place of
  its town, 群众满意率 below 60 %), with the conditions and their evidence as the plan's reason;
- a 后进 plan for every organization the campaign put in the 后进 tier that is not already
  among them.

So every organization the campaign rates 后进 or the leads page names has a plan, in proportion
to what the records show, and no plan is opened for a 先进 organization. The one exception is
written down: an organization rated 先进 that also meets a condition gets no plan from the demo
(the upper level would weigh the lead against the result first); its lead stays on the page and
the returned summary counts it.

Each plan has two or three tasks chosen for its conditions. Some tasks are then moved along so
the pages show every state: progress reported, reported done, confirmed by the upper level, and
overdue (deadline moved into the past — the one direct write, since the service refuses a past
deadline for a new task). Deterministic from ``seed``; nothing is done when a plan exists.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization
from dangjian.rectify.choices import PlanReason, WeakCondition
from dangjian.rectify.models import RectificationPlan, RectificationTask
from dangjian.rectify.rules import weak_candidates
from dangjian.rectify.services import (
    TaskInput,
    plan_create,
    task_confirm,
    task_progress,
    task_report_done,
)

#: (what, how, owner) of the demo's tasks, by the condition they answer
_TASKS: dict[str, list[tuple[str, str, str]]] = {
    WeakCondition.SECRETARY_VACANT: [
        ("健全支部班子", "上级党委选派第一书记，补齐组织委员、纪检委员", "镇党委组织委员"),
        ("尽快选出支部书记", "召开党员大会补选书记，报上级党委审批", "镇党委组织委员"),
    ],
    WeakCondition.LIFE_NOT_HELD: [
        (
            "按期召开支部党员大会和支委会",
            "每季度第一个月召开党员大会，每月召开支委会，会后当周录入系统",
            "支部书记",
        ),
        ("规范开展主题党日", "固定每月第二周周五，结合志愿服务开展", "组织委员"),
    ],
    WeakCondition.NO_CANDIDATE: [
        (
            "做好发展党员工作",
            "从致富带头人、返乡青年中培养入党积极分子，明年确定发展对象",
            "支部书记",
        ),
    ],
    WeakCondition.LAST_PLACE: [
        ("对照考核标准逐条整改", "列出失分条目清单，逐条明确措施和时限", "支部书记"),
    ],
    WeakCondition.LOW_SATISFACTION: [
        ("建立联系服务群众台账", "党员每人联系 5 户群众，每月走访一次", "宣传委员"),
        ("开展一次群众意见征集", "召开群众座谈会，意见逐条答复并公开", "支部书记"),
    ],
    PlanReason.LAGGING: [
        ("对照考核标准逐条整改", "列出失分条目清单，逐条明确措施和时限", "支部书记"),
        ("开展一次组织生活会", "会前谈心谈话全覆盖，问题清单逐条整改", "支部书记"),
        ("补齐党员教育培训", "党课每季度一次，书记带头讲", "支部书记"),
    ],
}


def _tasks(codes: list[str], rng: random.Random, today: dt.date) -> list[TaskInput]:
    """Two or three tasks: those answering the plan's conditions first, then general ones."""
    specific: list[tuple[str, str, str]] = []
    for code in codes:
        for task in _TASKS.get(code, []):
            if task not in specific:
                specific.append(task)
    rng.shuffle(specific)
    pool = specific + [t for t in _TASKS[PlanReason.LAGGING] if t not in specific]
    return [
        TaskInput(what=w, how=h, owner=o, deadline=today + dt.timedelta(days=rng.randint(20, 90)))
        for w, h, o in pool[: rng.randint(2, 3)]
    ]


def _campaign() -> Any:
    from dangjian.assess.models import Campaign

    return (
        Campaign.objects.filter(status__in=["final", "scored"])
        .select_related("root")
        .order_by("-period_end", "-pk")
        .first()
    )


def seed_demo_rectify(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's rectification plans; returns what was done, in Chinese."""
    if RectificationPlan.objects.exists():
        return []
    from dangjian.assess.models import Result, Tier

    started = time.perf_counter()
    rng = random.Random(seed)
    campaign = _campaign()
    tiers: dict[int, tuple[str, Any]] = {}
    if campaign is not None:
        tiers = {
            org_id: (tier, total)
            for org_id, tier, total in Result.objects.filter(campaign=campaign).values_list(
                "org_id", "tier", "total"
            )
        }
    leads = weak_candidates(SYSTEM, at=today, campaign=campaign)
    lead_of = {c.org.pk: c for c in leads}
    skipped_advanced = sorted(
        pk for pk in lead_of if tiers.get(pk, ("",))[0] == Tier.ADVANCED.value
    )
    lagging = sorted(pk for pk, (tier, _t) in tiers.items() if tier == Tier.LAGGING.value)
    wanted = sorted((set(lead_of) - set(skipped_advanced)) | set(lagging))
    orgs = Organization.objects.in_bulk(wanted)
    plans: list[RectificationPlan] = []
    with transaction.atomic():
        for org_id in sorted(wanted, key=lambda pk: orgs[pk].path):
            org = orgs[org_id]
            lead = lead_of.get(org_id)
            in_campaign = campaign if org_id in tiers else None
            if lead is not None:
                codes = lead.codes
                labels = "、".join(dict.fromkeys(c["label"] for c in lead.conditions))
                plans.append(
                    plan_create(
                        actor=SYSTEM,
                        org=org,
                        reason=PlanReason.WEAK,
                        conditions=lead.conditions,
                        summary=f"{labels}，经研究列为软弱涣散基层党组织，限期整顿。",
                        tasks=_tasks(codes, rng, today),
                        campaign=in_campaign,
                    )
                )
                continue
            assert campaign is not None
            total = tiers[org_id][1]
            plans.append(
                plan_create(
                    actor=SYSTEM,
                    org=org,
                    reason=PlanReason.LAGGING,
                    summary=f"{campaign.name}总分 {total}，列为后进，按“一支一策”制定整改方案。",
                    tasks=_tasks([PlanReason.LAGGING], rng, today),
                    campaign=campaign,
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
    n_weak = sum(p.reason == PlanReason.WEAK for p in plans)
    note = (
        f"；{len(skipped_advanced)} 个考核先进但符合软弱涣散情形的组织未制定方案，留待上级研判"
        if skipped_advanced
        else ""
    )
    return [
        f"整改方案：{len(plans)} 个（软弱涣散 {n_weak}、考核后进 {len(plans) - n_weak}；"
        f"任务 {len(tasks)} 项，逾期 {overdue}、待确认 {reported}、已确认 {confirmed}）{note}，"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    ]
