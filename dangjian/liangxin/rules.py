"""The LIANGXIN rules (两新组织覆盖), registered with the rules engine, their parameters as data.

- LIANGXIN-WORK-COVERAGE: a unit is 工作覆盖 when it has a 党建指导员 or 联系人 and the
  advisors' visits (指导、活动) of the year reach ``min_visits_per_year``; a unit with neither a
  party organization nor work coverage is a 空白点. The coverage figures
  (:mod:`dangjian.liangxin.selectors`) read the parameter in force on the day they count, so a
  city changes it through ``DANGJIAN_RULES`` without code. Source: 中组部《关于加强和改进非公有制
  企业党的建设工作的意见（试行）》（2012）、《关于加强社会组织党的建设工作的意见（试行）》（2015）
  "党的组织覆盖和工作覆盖"; the yearly minimum is a local default (每季度至少一次).

The subject of a finding is the unit's register entry (``两新组织 #id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dangjian.rules.params import register_validator
from dangjian.rules.registry import Context, Finding, RuleSpec, register_family, rule

register_family(
    "LIANGXIN",
    "两新组织覆盖",
    section=31,
    source="《关于加强和改进非公有制企业党的建设工作的意见（试行）》（2012）",
)

WORK_COVERAGE = RuleSpec(
    "LIANGXIN-WORK-COVERAGE",
    "两新组织应有党组织或党建指导员（联系人），且指导员每年开展规定次数的指导活动",
    "local default",
    "中组部《关于加强和改进非公有制企业党的建设工作的意见（试行）》（2012）、"
    "《关于加强社会组织党的建设工作的意见（试行）》（2015）组织覆盖和工作覆盖",
    {"min_visits_per_year": 4},
)


def validate_params(rule_id: str, params: Mapping[str, Any]) -> None:
    """Refuse impossible values of the LIANGXIN rules (Chinese ``ValueError``)."""
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
            raise ValueError(f"规则 {rule_id} 的参数 {name} 无效：应为 0 到 366 之间的整数（次数）")


register_validator("LIANGXIN", validate_params)


@dataclass(frozen=True)
class CoverageFacts:
    """One unit's coverage in a year."""

    unit: int
    has_party_org: bool
    has_advisor: bool
    visits: int


def subject_of(unit_id: int) -> str:
    return f"两新组织 #{unit_id}"


def work_covered(facts: CoverageFacts, minimum: int) -> bool:
    return facts.has_advisor and facts.visits >= minimum


@rule(WORK_COVERAGE)
def liangxin_work_coverage(facts: CoverageFacts, ctx: Context) -> list[Finding] | None:
    """A unit with neither a party organization nor work coverage is a 空白点 (``warning``);
    one with an advisor whose visits fall short, without a party organization, is ``due``."""
    minimum = int(ctx.params["min_visits_per_year"])
    if facts.has_party_org or work_covered(facts, minimum):
        return []
    evidence = {"visits": facts.visits, "min_visits_per_year": minimum}
    if facts.has_advisor:
        message = f"已选派党建指导员，但本年度指导活动 {facts.visits} 次，少于 {minimum} 次"
    else:
        message = "未建立党组织，也未选派党建指导员或联系人（空白点）"
    return [WORK_COVERAGE.finding(subject_of(facts.unit), "warning", message, evidence)]
