"""Demo inspections (督查暗访) in the demo district, through the real services.

:func:`seed_demo_inspection` makes three plans organized by the district (``zzb_admin``) with
the demo inspector (``ducha``) listed:

- a 督查 of the district's branches on the 基层党建 checklist: about six drawn by the stratified
  sampler (a fixed seed) plus the weak branch (``zb_shuji``) hand-picked, each visited with an
  observation per item; the findings (一般/较重/严重) turned into rectification tasks (added to
  the branch's open plan when it has one), some reported done and confirmed by the re-visit;
- a 暗访 of two branches of the demo town on the 阵地 checklist, published, its findings turned
  into tasks;
- a 暗访 still under way (not published): its findings are seen by the district only.

Deterministic from ``seed``; nothing is done when a plan exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.inspection import services
from dangjian.inspection.checklist import get_checklist
from dangjian.inspection.models import Finding, InspectionPlan
from dangjian.orgs.models import Organization
from dangjian.rectify import services as rectify

from .accounts import nodes_to_seed

#: what an inspector writes for an item not met, by checklist item
_PROBLEMS = {
    "D1": "近三个月支委会记录缺失，会议内容与签到不一致",
    "D2": "本季度未召开党员大会",
    "D3": "党课只有通知，没有讲稿或课件",
    "D4": "主题党日活动只有签到表，没有活动照片和记录",
    "D5": "支部班子任期已满，尚未启动换届",
    "D6": "党费台账未按月登记，有党员连续欠交",
    "D7": "发展对象政审材料不全",
    "D8": "支委分工不明确，议事规则未上墙",
    "A1": "公示开放时间内大门紧闭，无人值班",
    "A2": "群众诉求登记本近一个月无记录",
    "A3": "党员活动室制度牌缺失，资料柜空置",
    "A4": "主题党日照片为往年旧照",
}
_SEVERITIES = ["一般", "一般", "较重", "严重"]


def _recorder() -> User | None:
    return User.objects.filter(username="ducha", is_active=True).first()


def _visit(
    plan: InspectionPlan,
    org: Organization,
    day: dt.date,
    rng: random.Random,
    today: dt.date,
    problems: int,
) -> None:
    items = list(get_checklist(plan.checklist_key).items)
    bad = {i.code for i in rng.sample(items, min(problems, len(items)))}
    observations = [
        services.ObservationInput(
            code=i.code,
            result="不符合" if i.code in bad else rng.choice(["符合", "符合", "符合", "不适用"]),
            note=_PROBLEMS.get(i.code, "发现问题") if i.code in bad else "",
            severity=rng.choice(_SEVERITIES) if i.code in bad else "",
        )
        for i in items
    ]
    services.visit_record(
        actor=SYSTEM,
        plan=plan,
        org=org,
        visited_on=day,
        observations=observations,
        note="现场查看台账、活动室，与支部书记谈话",
        today=today,
    )


def _close_the_loop(plan: InspectionPlan, rng: random.Random, counts: dict[str, int]) -> None:
    """Every finding of ``plan`` becomes a task; about half are reported done, most of those
    confirmed by the re-visit, one sent back."""
    base = timezone.localdate()
    sent_back = False
    for finding in Finding.objects.filter(visit__plan=plan).order_by("pk"):
        task = services.finding_to_task(
            actor=SYSTEM,
            finding=finding,
            owner=rng.choice(["支部书记", "组织委员", "宣传委员"]),
            deadline=base + dt.timedelta(days=rng.choice([20, 30, 45, 60])),
        )
        counts["tasks"] += 1
        if rng.random() < 0.5:
            rectify.task_report_done(actor=SYSTEM, task=task, text="已按要求整改，补齐台账和照片")
            if not sent_back and rng.random() < 0.3:
                services.finding_revisit(
                    actor=SYSTEM, finding=finding, passed=False, note="复查时台账仍不完整"
                )
                sent_back = True
            else:
                services.finding_revisit(
                    actor=SYSTEM, finding=finding, passed=True, note="复查属实"
                )
                counts["confirmed"] += 1


def seed_demo_inspection(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo inspections; Chinese lines to print. Nothing if a plan exists."""
    nodes = nodes_to_seed(InspectionPlan)
    if nodes is None:
        return []
    root, town, weak = nodes["root"], nodes["town"], nodes.get("weak_branch")
    rng = random.Random(f"inspection-{seed}")
    inspector = _recorder()
    inspectors = [inspector] if inspector is not None else []
    counts = {"plans": 0, "visits": 0, "findings": 0, "tasks": 0, "confirmed": 0}
    pool = services.population(root)
    if not pool:
        return []
    with transaction.atomic():
        share = min(1.0, 6 / len(pool))
        picked = [weak] if weak is not None and weak.pk in {pk for pk, _c, _s in pool} else []
        ducha = services.plan_create(
            actor=SYSTEM,
            data=services.PlanInput(
                title=f"{today.year} 年基层党建工作督查",
                kind="督查",
                org=root,
                checklist_key="dangjian-ducha",
                starts_on=today - dt.timedelta(days=50),
                ends_on=today + dt.timedelta(days=40),
                sample_share=f"{share:.3f}",
                sampling_seed=seed,
                hand_picked=picked,
                inspectors=inspectors,
            ),
        )
        for n, target in enumerate(ducha.targets.select_related("org").order_by("org__path")):
            day = today - dt.timedelta(days=45 - 3 * n)
            _visit(ducha, target.org, min(day, today), rng, today, rng.randint(1, 3))
        counts["plans"] += 1
        _close_the_loop(ducha, rng, counts)

        town_pool = [pk for pk, _c, _s in services.population(town)] or [pk for pk, _c, _s in pool]
        chosen = Organization.objects.filter(pk__in=town_pool).order_by("path")
        first = list(chosen[:2])
        later = list(chosen[2:4]) or first
        published = services.plan_create(
            actor=SYSTEM,
            data=services.PlanInput(
                title="党群服务阵地暗访（上半年）",
                kind="暗访",
                org=root,
                checklist_key="zhendi-anfang",
                starts_on=today - dt.timedelta(days=40),
                ends_on=today - dt.timedelta(days=10),
                hand_picked=first,
                inspectors=inspectors,
            ),
        )
        for n, org in enumerate(first):
            _visit(published, org, today - dt.timedelta(days=35 - n), rng, today, 2)
        services.plan_publish(actor=SYSTEM, plan=published)
        _close_the_loop(published, rng, counts)

        current = services.plan_create(
            actor=SYSTEM,
            data=services.PlanInput(
                title="党群服务阵地暗访（进行中）",
                kind="暗访",
                org=root,
                checklist_key="zhendi-anfang",
                starts_on=today - dt.timedelta(days=5),
                ends_on=today + dt.timedelta(days=25),
                hand_picked=later,
                inspectors=inspectors,
            ),
        )
        _visit(current, later[0], today - dt.timedelta(days=2), rng, today, 1)
        counts["plans"] += 2
    counts["visits"] = sum(p.visits.count() for p in (ducha, published, current))
    counts["findings"] = Finding.objects.count()
    return [
        f"督查暗访计划 {counts['plans']} 个，现场检查 {counts['visits']} 次，"
        f"发现问题 {counts['findings']} 个，转为整改任务 {counts['tasks']} 个"
        f"（复查确认 {counts['confirmed']} 个）"
    ]
