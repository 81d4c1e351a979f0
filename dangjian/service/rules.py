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
- SERVICE-ESCALATION: the ladder 村 → 片区 → 乡镇 is applied by hand in the services
  (:func:`dangjian.service.services.order_escalate`); registered as not checked.
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
            Finding(
                DEADLINE.id,
                facts.code,
                "warning",
                f"工单 {facts.code} 超过响应时限未受理",
                DEADLINE.source,
                {"due": facts.response_due.isoformat()},
            )
        )
    if facts.resolved_at is None and at > facts.resolution_due:
        found.append(
            Finding(
                DEADLINE.id,
                facts.code,
                "warning",
                f"工单 {facts.code} 超过办结时限未解决",
                DEADLINE.source,
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


@rule(SOLVED_VS_CLOSED)
def service_solved_vs_closed(facts: OrderFacts, ctx: Context) -> list[Finding] | None:
    """A resolved order waits for the resident's rating; it is not closed until rated or until
    the reopening window has passed.

    Source: FixMyStreet users' long-standing request (rules.md SERVICE-SOLVED-VS-CLOSED)."""
    if facts.resolved and not facts.rated:
        return [
            Finding(
                SOLVED_VS_CLOSED.id,
                facts.code,
                "due",
                f"工单 {facts.code} 已解决，待群众评价",
                SOLVED_VS_CLOSED.source,
            )
        ]
    return []
