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
