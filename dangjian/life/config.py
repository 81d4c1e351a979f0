"""The parameters of the LIFE-* rules as configuration, with a version and a source.

The defaults are those of rules.md §2 (支部条例, 党章 and this project's local defaults). A city
changes them without code through the ``DANGJIAN_RULES`` setting of :mod:`dangjian.rules.engine`,
keyed by rule id, e.g. ``{"LIFE-LECTURE-QUARTERLY": {"frequency": "month"},
"LIFE-LATE-ENTRY": {"late_days": 15}}``; the key ``"LIFE"`` may carry the ``version`` and
``source`` of the local configuration, which every LIFE finding quotes in its evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .choices import AbsenceReason, MeetingType

DEFAULT_VERSION = "rules.md-2026.1"
DEFAULT_SOURCE = "rules.md §2 默认值（支部条例、党章）"

#: the granularity of a frequency rule's periods
FREQUENCIES = {"month": "每月", "quarter": "每季度", "year": "每年"}

#: rule id → default parameters (rules.md §2)
DEFAULTS: dict[str, dict[str, Any]] = {
    "LIFE-ASSEMBLY-QUARTERLY": {
        "frequency": "quarter",
        "types": [MeetingType.ASSEMBLY.value],
        "min_count": 1,
    },
    "LIFE-COMMITTEE-MONTHLY": {
        "frequency": "month",
        "types": [MeetingType.COMMITTEE.value],
        "min_count": 1,
        "min_committee_posts": 3,
    },
    "LIFE-GROUP-MONTHLY": {
        "frequency": "month",
        "types": [MeetingType.GROUP.value],
        "min_count": 1,
    },
    "LIFE-LECTURE-QUARTERLY": {
        "frequency": "quarter",
        "types": [MeetingType.LECTURE.value],
        "min_count": 1,
    },
    "LIFE-SECRETARY-LECTURE-YEARLY": {
        "frequency": "year",
        "types": [MeetingType.LECTURE.value],
        "min_count": 1,
    },
    "LIFE-THEME-DAY-MONTHLY": {
        "frequency": "month",
        "types": [MeetingType.THEME_DAY.value],
        "min_count": 1,
    },
    "LIFE-ORG-LIFE-MEETING-YEARLY": {
        "frequency": "year",
        "types": [MeetingType.ORG_LIFE.value],
        "min_count": 1,
    },
    "LIFE-DEMOCRATIC-REVIEW-YEARLY": {
        "frequency": "year",
        "types": [MeetingType.DEMOCRATIC_REVIEW.value],
        "min_count": 1,
    },
    "LIFE-HEART-TALK-YEARLY": {
        "frequency": "year",
        "types": [MeetingType.HEART_TALK.value],
        "min_count": 1,
    },
    "LIFE-ASSEMBLY-QUORUM": {"types": [MeetingType.ASSEMBLY.value]},
    "LIFE-LATE-ENTRY": {"late_days": 30},
    "LIFE-ABSENT-6-MONTHS": {
        "months": 6,
        "good_reasons": [AbsenceReason.OFFICIAL.value, AbsenceReason.ILLNESS.value],
    },
}

#: the frequency rules: evaluated per period from grouped meeting counts
FREQUENCY_RULES = [rule_id for rule_id, p in DEFAULTS.items() if "frequency" in p]


@dataclass(frozen=True)
class ConfigInfo:
    version: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "source": self.source}


def config_info() -> ConfigInfo:
    """The version and source of the LIFE parameters in force (local or the defaults)."""
    configured = (getattr(settings, "DANGJIAN_RULES", None) or {}).get("LIFE") or {}
    return ConfigInfo(
        version=str(configured.get("version") or DEFAULT_VERSION),
        source=str(configured.get("source") or DEFAULT_SOURCE),
    )


def check_params(rule_id: str, params: Mapping[str, Any]) -> None:
    """Refuse impossible values with a Chinese message naming the rule and the parameter."""

    def fail(name: str, message: str) -> None:
        raise ValueError(f"规则 {rule_id} 的本地配置参数 {name} 无效：{message}")

    if "frequency" in params and params["frequency"] not in FREQUENCIES:
        fail("frequency", f"应为 {'、'.join(FREQUENCIES)} 之一")
    if "types" in params:
        types = params["types"]
        if not isinstance(types, list | tuple) or not types:
            fail("types", "应为会议类型的非空列表")
        unknown = [t for t in types if t not in MeetingType.values]
        if unknown:
            fail("types", f"未知会议类型 {'、'.join(map(str, unknown))}")
    for name in ("min_count", "min_committee_posts", "late_days", "months"):
        if name in params:
            value = params[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                fail(name, "应为正整数")
    if "months" in params and params["months"] > 24:
        fail("months", "不能超过 24")
    if "good_reasons" in params:
        reasons = params["good_reasons"]
        if not isinstance(reasons, list | tuple) or any(
            r not in AbsenceReason.values for r in reasons
        ):
            fail("good_reasons", f"应为 {'、'.join(AbsenceReason.values)} 中的若干项")


def late_days() -> int:
    """LIFE-LATE-ENTRY: a record entered more than this many days after its date is late."""
    from dangjian.rules.engine import REGISTRY, rule_params

    spec = REGISTRY["LIFE-LATE-ENTRY"][0]
    params = rule_params(spec)
    check_params(spec.id, params)
    return int(params["late_days"])
