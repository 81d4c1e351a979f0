"""Choices of the rectification app: why a plan exists, and the states of plans and tasks."""

from __future__ import annotations

from django.db import models


class PlanReason(models.TextChoices):
    """ASSESS-RECTIFY: a plan for a lagging organization or for a weak and lax one; also the problem
    list of a secretary's 述职评议 and the findings of an inspection (issue 15), one closed loop."""

    LAGGING = "lagging", "考核后进"
    WEAK = "weak", "软弱涣散"
    REVIEW = "review", "述职评议问题"
    INSPECTION = "inspection", "督查暗访发现问题"


class WeakCondition(models.TextChoices):
    """The ASSESS-WEAK conditions (rules.md §6); any one makes an organization 软弱涣散.

    Being in the 后进 tier of an assessment is not one of them (a lagging organization gets a
    plan of reason ``lagging``); plans stored before keep their condition with its label. The
    labels here name a condition; the label with the values in force ("书记空缺超过 3 个月") is
    :func:`dangjian.rectify.rules.condition_label`, from the rule's parameters."""

    SECRETARY_VACANT = "secretary_vacant", "书记空缺超过规定期限"
    LIFE_NOT_HELD = "life_not_held", "未按支部条例要求开展组织生活"
    NO_CANDIDATE = "no_candidate", "村长期未发展党员"
    LAST_PLACE = "last_place", "年度考核排名末位"
    LOW_SATISFACTION = "low_satisfaction", "群众满意率低于规定比例"


class PlanStatus(models.TextChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已完成"


class TaskStatus(models.TextChoices):
    """open → reported (by the organization) → confirmed or reopened (by the upper level)."""

    OPEN = "open", "进行中"
    REPORTED = "reported", "已报完成，待上级确认"
    CONFIRMED = "confirmed", "上级已确认"
    REOPENED = "reopened", "上级退回"


#: task states in which the organization still has to act (a deadline can be missed)
ACTIVE_TASK = (TaskStatus.OPEN, TaskStatus.REOPENED)
