"""The assessment rules of rules.md §6 the assessment app applies through its standards (veto
lines, 100-point scoring, stars, tiers) and the service-order rules of §7 (until a service app
owns them), registered with the rules engine. They are not run by the rules checker: the
standards' scoring applies the first ones (see :mod:`dangjian.assess.scoring`), and the service
orders are not recorded yet. ASSESS-WEAK and ASSESS-RECTIFY are registered by the rectify app
(:mod:`dangjian.rectify.rules`)."""

from __future__ import annotations

from dangjian.rules.registry import register_family, register_not_checked

register_family("ASSESS", "考核评价", section=6, source="rules.md §6 默认值（地方标准）")
register_family("SERVICE", "服务工单", section=7, source="rules.md §7 默认值（地方惯例）")

_BY_STANDARD = "不在规则检查中运行：由考核标准评分时执行（质量考核）"
_NO_ORDERS = "系统尚无服务工单数据"

register_not_checked(
    "ASSESS-VETO", "触及高压线的组织不得评为最高等次", "local default", "seed 001", _BY_STANDARD
)
register_not_checked(
    "ASSESS-SCORE-100", "百分制逐项考核", "local default", "seed 001", _BY_STANDARD
)
register_not_checked("ASSESS-STARS", "星级评定", "local default", "local practice", _BY_STANDARD)
register_not_checked(
    "ASSESS-TIERS",
    "先进、中间、后进分档",
    "local default",
    "local practice; seed 000",
    _BY_STANDARD,
)
register_not_checked(
    "SERVICE-DEADLINE",
    "工单按紧急程度在规定时限内反馈（2 小时、24 小时、7 天、15 天）",
    "local default",
    "北京市 12345 服务规范（2021 年征求意见稿）",
    _NO_ORDERS,
)
register_not_checked(
    "SERVICE-RATES",
    "响应率、解决率、满意率及综合评分",
    "local default",
    "实务数据分析服务的做法（官方权重未核实）",
    _NO_ORDERS,
)
register_not_checked(
    "SERVICE-ESCALATION",
    "村（社区）→ 片区 → 乡镇（街道）→ 跨层级联合（吹哨报到）逐级上报",
    "local default",
    "seed 002; 北京“吹哨报到”做法",
    _NO_ORDERS,
)
register_not_checked(
    "SERVICE-SOLVED-VS-CLOSED",
    "“已解决”与“已办结”是不同状态，群众可重新打开工单",
    "local default",
    "市民报修平台用户的长期诉求",
    _NO_ORDERS,
)
