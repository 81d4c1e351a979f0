"""The ``SERVICE-*`` rules of rules.md §7 over service orders, with their parameters in the one
parameter system (:mod:`dangjian.rules.params`; a city changes them in ``DANGJIAN_RULES``).

- SERVICE-DEADLINE: an open order past its response or resolution limit (the limits come from the
  order's category, copied when it came in; the parameters are the defaults of a category file
  that names none, whether a breach escalates automatically — ``auto_escalate``, applied by
  :func:`dangjian.service.jobs.escalate_overdue` — and how many hours before each limit whoever
  holds the order is reminded: ``remind_response_hours``, ``remind_resolution_hours``).
- SERVICE-RATES: how 响应率、解决率、满意率 are computed (:mod:`dangjian.service.stats` reads the
  weight of 基本满意 and the composite weights from here); it has no finding of its own.
- SERVICE-SOLVED-VS-CLOSED: 已解决 is not 已办结; a resident who is not satisfied may reopen
  the order within ``reopen_days`` of its resolution.
- SERVICE-ESCALATION: the ladder 村 → 片区 → 乡镇 → 跨级联合 is applied by hand in the services
  (:func:`dangjian.service.services.order_escalate`); registered as not checked.
- SERVICE-AREA (复杂矛盾片区化): an order escalated to a 片区 with registered leaders (片区长,
  :class:`~dangjian.service.models.ServiceArea`) is dispatched to them; not checked.
- SERVICE-LINKED-DEPARTMENT (跨级线索联合摸, 先锋共同体): the town refers an order to linked
  departments (:func:`dangjian.service.linked.order_refer`); not checked.
- SERVICE-DOOR-KNOCK (敲门行动): visits, needs turned into orders, follow-ups
  (:mod:`dangjian.service.linked`); not checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.rules.registry import (
    Context,
    Finding,
    RuleSpec,
    register_family,
    register_not_checked,
    rule,
)

register_family("SERVICE", "服务工单", section=7, source="rules.md §7 默认值（地方惯例）")

DEADLINE = RuleSpec(
    "SERVICE-DEADLINE",
    "工单按紧急程度在规定时限内反馈（2 小时、24 小时、7 天、15 天）",
    "local default",
    "北京市 12345 服务规范（2021 年征求意见稿）",
    {
        "response_hours": 24,
        "resolution_days": 7,
        "auto_escalate": False,
        # reminders to whoever holds the order, this many hours before each limit (at most half
        # the time the limit gives: a 2-hour response limit is reminded of after 1 hour)
        "remind_response_hours": 1,
        "remind_resolution_hours": 24,
    },
)
RATES = RuleSpec(
    "SERVICE-RATES",
    "响应率、解决率、满意率及综合评分",
    "local default",
    "实务数据分析服务的做法（官方权重未核实）",
    {
        "basic_weight": 0.9,
        "weight_response": 0.1,
        "weight_resolution": 0.5,
        "weight_satisfaction": 0.4,
    },
)
SOLVED_VS_CLOSED = RuleSpec(
    "SERVICE-SOLVED-VS-CLOSED",
    "“已解决”与“已办结”是不同状态，群众可重新打开工单",
    "local default",
    "市民报修平台用户的长期诉求",
    {"reopen_days": 7},
)


@dataclass(frozen=True)
class OrderFacts:
    """What the SERVICE rules read of one order."""

    code: str
    state: str
    open: bool
    resolved: bool
    response_due: dt.datetime
    resolution_due: dt.datetime
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    rated: bool


@rule(DEADLINE)
def service_deadline(facts: OrderFacts, ctx: Context) -> list[Finding] | None:
    """An open order past its response or resolution limit is overdue.

    Source: 北京市 12345 服务规范（2021 年征求意见稿）; the limits per category."""
    at = ctx.at if isinstance(ctx.at, dt.datetime) else None
    if at is None or not facts.open:
        return []
    found: list[Finding] = []
    if facts.responded_at is None and at > facts.response_due:
        found.append(
            DEADLINE.finding(
                facts.code,
                "warning",
                f"工单 {facts.code} 超过响应时限未受理",
                {"due": facts.response_due.isoformat()},
            )
        )
    if facts.resolved_at is None and at > facts.resolution_due:
        found.append(
            DEADLINE.finding(
                facts.code,
                "warning",
                f"工单 {facts.code} 超过办结时限未解决",
                {"due": facts.resolution_due.isoformat()},
            )
        )
    return found


@rule(RATES)
def service_rates(facts: OrderFacts, ctx: Context) -> list[Finding] | None:
    """The figures are computed over many orders (:mod:`dangjian.service.stats`) with these
    parameters; one order gives no finding.

    Source: rules.md SERVICE-RATES (满意率 = (满意 + 0.9 × 基本满意) ÷ 有效回访)."""
    return []


register_not_checked(
    "SERVICE-ESCALATION",
    "村（社区）→ 片区 → 乡镇（街道）→ 跨层级联合（吹哨报到）逐级上报",
    "local default",
    "seed 002; 北京“吹哨报到”做法",
    "不在规则检查中运行：由派单人在工单上逐级上报（服务工单）",
)
register_not_checked(
    "SERVICE-AREA",
    "复杂矛盾片区化：上报到片区的工单由片区长接单办理",
    "local default",
    "seed 002 松溪：“日常纠纷村级调、复杂矛盾片区化、专业问题乡级解、跨级线索联合摸”",
    "不在规则检查中运行：登记了片区长的片区，上报的工单直接派给片区长（服务工单）",
)
register_not_checked(
    "SERVICE-LINKED-DEPARTMENT",
    "跨级联合：乡镇（街道）把工单转给联动部门（先锋共同体）牵头办理",
    "local default",
    "seed 002 松溪：“创新成立‘先锋共同体’，吸纳公安、民政等26个部门作为联动部门”",
    "不在规则检查中运行：由乡镇（街道）派单人转联动部门，部门联络人接单办理（服务工单）",
)
register_not_checked(
    "SERVICE-DOOR-KNOCK",
    "敲门行动：入户走访发现的需求一键转为工单，按期回访",
    "local default",
    "seed 002 松溪：“围绕‘知邻事、察邻苦、解邻难’目标，常态化开展‘敲门行动’”",
    "不在规则检查中运行：走访记录只登记门牌号或户编号，不建个人档案（敲门行动）",
)


@rule(SOLVED_VS_CLOSED)
def service_solved_vs_closed(facts: OrderFacts, ctx: Context) -> list[Finding] | None:
    """A resolved order waits for the resident's rating; it is not closed until rated or until
    the reopening window has passed.

    Source: FixMyStreet users' long-standing request (rules.md SERVICE-SOLVED-VS-CLOSED)."""
    if facts.resolved and not facts.rated:
        return [
            SOLVED_VS_CLOSED.finding(
                facts.code,
                "due",
                f"工单 {facts.code} 已解决，待群众评价",
            )
        ]
    return []


register_not_checked(
    "SERVICE-DOUBLE-REPORT",
    "在职党员到居住地村（社区）报到（双报到），服务情况由村（社区）年度评价",
    "local practice",
    "seed 003、seed 004：在职党员到社区报到（双报到）",
    "不在规则检查中运行：由党员所在党组织登记，考核指标“双报到党员人数”计数",
)
PHONE_RETENTION = RuleSpec(
    "SERVICE-PHONE-RETENTION",
    "群众联系电话在工单办结后保存期满即删除",
    "local default",
    "《个人信息保护法》第十九条（保存期限应当为实现处理目的所必要的最短时间）；"
    "本地默认：办结、不予受理或合并后 90 天",
    {"retention_days": 90},
)


@rule(PHONE_RETENTION)
def service_phone_retention(facts: OrderFacts, ctx: Context) -> list[Finding] | None:
    """The resident's phone is needed to call back until the order is finished and its rating
    can no longer be disputed; ``retention_days`` after it is closed (办结、不予受理、合并)
    :func:`dangjian.service.retention.purge_expired_phones` deletes it. One order gives no
    finding: the purge is the rule's whole effect.

    Source: 《个人信息保护法》第十九条; the period is a local default."""
    return []
