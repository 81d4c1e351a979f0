"""The parameters of the LIFE-* rules: their defaults, their validation and the readings the
life app asks of them. The values in force come from the engine's one parameter system
(:mod:`dangjian.rules.params`), with versions by date like every family.

The defaults are those of rules.md §2 (支部条例, 党章 and this project's local defaults). A city
changes them without code through the ``DANGJIAN_RULES`` setting (:mod:`dangjian.rules.params`),
keyed by rule id, e.g. ``{"LIFE-LECTURE-QUARTERLY": {"frequency": "month"},
"LIFE-LATE-ENTRY": {"late_days": 15}}``; the key ``"LIFE"`` may carry the ``version`` and
``source`` of the local configuration, which every LIFE finding quotes in its evidence.

Two parameters of the yearly rules (those whose ``frequency`` is ``"year"``) concern the edges of
a year:

* ``next_year_months`` (default 2): a record held in the first N months of the next year may
  count for the year before (所属年度): the 组织生活会 for 2026 held in January 2027. The year's
  requirement is then ``due`` until the end of that month of the next year, an ``error`` after;
  0 allows no carry-over.
* ``founded_by`` (default ``"07-01"``): an organization founded on or before this day of a year
  is held to the yearly rules for that year (it existed for at least half of it); one founded
  later is held to them from the next year. Monthly and quarterly rules judge every month or
  quarter that began on or after the founding day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from dangjian.rules.params import ConfigInfo, enabled_on, params_on
from dangjian.rules.params import config_info as family_config_info

from ..choices import AbsenceReason, MeetingType

DEFAULT_VERSION = "rules.md-2026.1"
DEFAULT_SOURCE = "rules.md §2 默认值（支部条例、党章）"

#: the granularity of a frequency rule's periods
FREQUENCIES = {"month": "每月", "quarter": "每季度", "year": "每年"}

#: a yearly rule without the parameter (a rule configured locally to be yearly)
DEFAULT_FOUNDED_BY = "07-01"


def _every(kind: str, meeting_type: MeetingType, **more: Any) -> dict[str, Any]:
    """The defaults of a frequency rule: at least one ``meeting_type`` meeting per ``kind``
    period; a yearly rule also counts the first two months of the next year (所属年度) and
    judges an organization founded by 1 July for that year."""
    params: dict[str, Any] = {"frequency": kind, "types": [meeting_type.value], "min_count": 1}
    if kind == "year":
        params.update(next_year_months=2, founded_by=DEFAULT_FOUNDED_BY)
    return params | more


#: rule id → default parameters (rules.md §2)
DEFAULTS: dict[str, dict[str, Any]] = {
    "LIFE-ASSEMBLY-QUARTERLY": _every("quarter", MeetingType.ASSEMBLY),
    "LIFE-COMMITTEE-MONTHLY": _every("month", MeetingType.COMMITTEE, min_committee_posts=3),
    "LIFE-GROUP-MONTHLY": _every("month", MeetingType.GROUP),
    "LIFE-LECTURE-QUARTERLY": _every("quarter", MeetingType.LECTURE),
    "LIFE-SECRETARY-LECTURE-YEARLY": _every("year", MeetingType.LECTURE),
    "LIFE-THEME-DAY-MONTHLY": _every("month", MeetingType.THEME_DAY),
    "LIFE-ORG-LIFE-MEETING-YEARLY": _every("year", MeetingType.ORG_LIFE),
    "LIFE-DEMOCRATIC-REVIEW-YEARLY": _every("year", MeetingType.DEMOCRATIC_REVIEW),
    "LIFE-HEART-TALK-YEARLY": _every("year", MeetingType.HEART_TALK),
    "LIFE-ASSEMBLY-QUORUM": {"types": [MeetingType.ASSEMBLY.value]},
    "LIFE-LATE-ENTRY": {"late_days": 30},
    "LIFE-ABSENT-6-MONTHS": {
        "months": 6,
        "good_reasons": [
            AbsenceReason.OFFICIAL.value,
            AbsenceReason.ILLNESS.value,
            AbsenceReason.LEAVE.value,
        ],
    },
}

#: the frequency rules: evaluated per period from grouped meeting counts
FREQUENCY_RULES = [rule_id for rule_id, p in DEFAULTS.items() if "frequency" in p]
#: the rule whose 党课 count only when given by an upper committee's secretary
SECRETARY_LECTURE_RULE = "LIFE-SECRETARY-LECTURE-YEARLY"


def config_info(on: dt.date | None = None) -> ConfigInfo:
    """The version and source of the LIFE parameters in force (local or the defaults)."""
    return family_config_info("LIFE", on)


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
    if "next_year_months" in params:
        value = params["next_year_months"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
            fail("next_year_months", "应为 0 到 6 的整数（次年前几个月召开的可计入上一年度）")
    if "founded_by" in params:
        try:
            founded_by(params)
        except ValueError:
            fail("founded_by", "应为“月-日”，如 07-01（不能是 02-29）")
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


def founded_by(params: Mapping[str, Any]) -> tuple[int, int]:
    """(month, day) of ``founded_by``: founded on or before it, a yearly rule judges that year."""
    return _month_day(str(params.get("founded_by", DEFAULT_FOUNDED_BY)))


@functools.lru_cache(maxsize=64)
def _month_day(text: str) -> tuple[int, int]:
    month, sep, day = text.partition("-")
    if not sep or not month.isdigit() or not day.isdigit() or len(month) != 2 or len(day) != 2:
        raise ValueError(text)
    dt.date(2001, int(month), int(day))  # a non-leap year: 02-29 is refused
    return int(month), int(day)


def _params(rule_id: str, on: dt.date | None = None) -> dict[str, Any]:
    return params_on(rule_id, on)


def good_reasons(on: dt.date | None = None) -> frozenset[str]:
    """Absence reasons that are good reasons (LIFE-ABSENT-6-MONTHS ``good_reasons``)."""
    return frozenset(_params("LIFE-ABSENT-6-MONTHS", on)["good_reasons"])


def carry_months(
    types: Sequence[str], *, upper_secretary: bool = False, on: dt.date | None = None
) -> int:
    """For how many months of the next year a record of ``types`` may still count for the year
    before (所属年度): the largest ``next_year_months`` of the enabled yearly rules that count
    one of ``types``; a 党课 counts for LIFE-SECRETARY-LECTURE-YEARLY only when an upper
    committee's secretary gave it (``upper_secretary``). 0: the record counts for its date's year.
    """
    months = 0
    for rule_id in FREQUENCY_RULES:
        if rule_id == SECRETARY_LECTURE_RULE and not upper_secretary:
            continue
        if not enabled_on(rule_id, on):
            continue
        params = _params(rule_id, on)
        if params["frequency"] != "year" or not set(params["types"]) & set(types):
            continue
        months = max(months, int(params.get("next_year_months", 0)))
    return months


def yearly_types(on: dt.date | None = None) -> list[str]:
    """The meeting types some enabled yearly rule counts (those that may carry a 所属年度)."""
    found: set[str] = set()
    for rule_id in FREQUENCY_RULES:
        if rule_id == SECRETARY_LECTURE_RULE or not enabled_on(rule_id, on):
            continue
        params = _params(rule_id, on)
        if params["frequency"] == "year" and params.get("next_year_months", 0):
            found.update(params["types"])
    return [t for t in MeetingType.values if t in found]


def late_days(on: dt.date | None = None) -> int:
    """LIFE-LATE-ENTRY: a record entered more than this many days after its date is late."""
    return int(_params("LIFE-LATE-ENTRY", on)["late_days"])
