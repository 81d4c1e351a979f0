"""The assessment rules of rules.md §6 the assessment app applies through its standards (veto
lines, 100-point scoring, stars, tiers), registered with the rules engine. They are not run by
the rules checker: the standards' scoring applies them (see :mod:`dangjian.assess.scoring`). The
service-order rules of §7 are the service app's (:mod:`dangjian.service.rules`). ASSESS-WEAK and
ASSESS-RECTIFY are registered by the rectify app (:mod:`dangjian.rectify.rules`)."""

from __future__ import annotations

from dangjian.rules.registry import register_family, register_not_checked

register_family("ASSESS", "考核评价", section=6, source="rules.md §6 默认值（地方标准）")

_BY_STANDARD = "不在规则检查中运行：由考核标准评分时执行（质量考核）"

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
