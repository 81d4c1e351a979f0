"""Helpers for rectification tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.rectify.models import RectificationPlan
from dangjian.rectify.services import TaskInput, plan_create


def task_input(days: int = 30, **extra) -> TaskInput:
    data = {
        "what": extra.pop("what", "按期召开支部党员大会"),
        "owner": extra.pop("owner", "支部书记"),
        "deadline": timezone.localdate() + dt.timedelta(days=days),
        "how": extra.pop("how", "每季度第一个月召开，会前一周通知"),
    }
    data.update(extra)
    return TaskInput(**data)


def weak_plan(org, actor=SYSTEM, tasks: int = 2) -> RectificationPlan:
    return plan_create(
        actor=actor,
        org=org,
        reason="weak",
        conditions=[
            {
                "condition": "secretary_vacant",
                "rule": "SETUP-SECRETARY-VACANT",
                "message": "书记空缺 120 天",
                "evidence": {"vacant_days": 120},
            }
        ],
        summary="书记长期空缺，组织生活不正常",
        tasks=[task_input(30 + n, what=f"整改任务{n}") for n in range(tasks)],
    )


def make_campaign(root, name: str = "2025 年度星级评定", **extra):
    """A campaign row for tests that only need results (no standard, no scoring)."""
    from dangjian.assess.models import Campaign

    data = {
        "standard_key": "wuhao",
        "standard_version": "1",
        "standard_text": "",
        "period_start": dt.date(2025, 1, 1),
        "period_end": dt.date(2025, 12, 31),
    }
    data.update(extra)
    return Campaign.objects.create(name=name, root=root, **data)


def add_result(campaign, org, total, tier: str = "middle", stars: int = 3, veto: bool = False):
    from decimal import Decimal

    from dangjian.assess.models import Result

    return Result.objects.create(
        campaign=campaign,
        org=org,
        total=Decimal(str(total)),
        tier=tier,
        stars=stars,
        veto=veto,
        computed_at=timezone.now(),
    )
