"""Choices of the service app: the states of an order, the handling levels, ratings, reasons."""

from __future__ import annotations

from django.db import models


class OrderState(models.TextChoices):
    """The order's life (SERVICE-SOLVED-VS-CLOSED: 已解决 and 已办结 are different states)."""

    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理，待派单"
    DISPATCHED = "dispatched", "已派单，待接单"
    TAKEN = "taken", "办理中"
    RESOLVED = "resolved", "已解决，待评价"
    RATED = "rated", "已评价（不满意）"
    CLOSED = "closed", "已办结"
    REFUSED = "refused", "不予受理"
    MERGED = "merged", "已合并（重复工单）"


#: states in which someone still has to act (the order can be overdue, escalated)
OPEN_STATES = (
    OrderState.SUBMITTED,
    OrderState.ACCEPTED,
    OrderState.DISPATCHED,
    OrderState.TAKEN,
)
#: states after which nothing happens (a 不满意 order can still be reopened within the window)
FINAL_STATES = (OrderState.CLOSED, OrderState.REFUSED, OrderState.MERGED)


class Level(models.TextChoices):
    """SERVICE-ESCALATION: 日常纠纷村级调、复杂矛盾片区化、专业问题乡级解、跨级线索联合摸."""

    VILLAGE = "village", "村（社区）"
    AREA = "area", "片区"
    TOWN = "town", "乡镇（街道）"
    CROSS = "cross", "跨级联合"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class RefuseReason(models.TextChoices):
    NOT_OURS = "not_ours", "不属于受理范围"
    UNLAWFUL = "unlawful", "诉求不合法"
    NO_CONTENT = "no_content", "内容无法核实或无实际诉求"


class EventKind(models.TextChoices):
    """What happened to an order: one row of its history per transition."""

    SUBMIT = "submit", "群众点单"
    ACCEPT = "accept", "受理"
    REFUSE = "refuse", "不予受理"
    MERGE = "merge", "合并为重复工单"
    DISPATCH = "dispatch", "派单"
    ESCALATE = "escalate", "上报上级"
    TAKE = "take", "接单"
    RESOLVE = "resolve", "办结反馈"
    RATE = "rate", "群众评单"
    REOPEN = "reopen", "重新办理"
    CLOSE = "close", "办结归档"
    REFER = "refer", "转联动部门"


class DepartmentKind(models.TextChoices):
    """The kind of a linked department (联动部门, 先锋共同体; SERVICE-LINKED-DEPARTMENT)."""

    POLICE = "police", "公安"
    CIVIL = "civil", "民政"
    JUSTICE = "justice", "司法"
    HUMAN = "human", "人社"
    LAND = "land", "自然资源"
    HOUSING = "housing", "住建"
    TRANSPORT = "transport", "交通"
    WATER = "water", "水利"
    HEALTH = "health", "卫健"
    MARKET = "market", "市场监管"
    POWER = "power", "供电"
    OTHER = "other", "其他"


class MemberKind(models.TextChoices):
    """The four kinds of members in a 红色志愿服务队 (seed 002: 在职、无职、退休、流动党员)."""

    EMPLOYED = "在职", "在职党员"
    NO_POST = "无职", "无职党员"
    RETIRED = "退休", "退休党员"
    MOBILE = "流动", "流动党员"


class ReportRating(models.TextChoices):
    """The community's yearly rating of a 双报到 member's service."""

    EXCELLENT = "优秀", "优秀"
    GOOD = "合格", "合格"
    BASIC = "基本合格", "基本合格"
    POOR = "不合格", "不合格"
