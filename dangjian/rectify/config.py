"""Local parameters of the 软弱涣散 leads (ASSESS-WEAK, a local standard: rules.md §6).

A city changes them without code in the rules file named by ``DANGJIAN_RULES_FILE`` (the
``DANGJIAN_RULES`` setting of :mod:`dangjian.rules.engine`), under the rule id, e.g.::

    {"ASSESS-WEAK": {"life_min_missed": 18, "last_place_min_peers": 5}}

Parameters (default in brackets):

- ``life_min_missed`` [12] — missed (LIFE frequency rule, period) pairs since 1 January of the
  previous year that make "meetings not held as 支部条例 requires" hold: about one requirement
  missed every two months; one missed month is a reminder, not a weak organization.
- ``last_place_min_peers`` [3] — "last place in the yearly assessment" is only named in a
  ranking of at least this many organizations.
- ``satisfaction_min`` [0.6] — 群众满意率 below this share (only a reliable rate counts).
- ``no_candidate_years`` [2] — a village without a development candidate (or an admission) for
  this many years.

The secretary vacancy (more than 3 months) is the SETUP rule's own parameter
(``SETUP-SECRETARY-VACANT.weak_after_months``). Unknown names and impossible values are
refused with a Chinese message naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

RULE_ID = "ASSESS-WEAK"


@dataclass(frozen=True)
class WeakParams:
    life_min_missed: int = 12
    last_place_min_peers: int = 3
    satisfaction_min: float = 0.6
    no_candidate_years: int = 2


DEFAULTS = WeakParams()


def weak_params() -> WeakParams:
    """The parameters in force (local overrides on the defaults); ``ValueError`` when invalid."""
    configured: dict[str, Any] = dict(
        (getattr(settings, "DANGJIAN_RULES", None) or {}).get(RULE_ID) or {}
    )
    known = set(WeakParams.__dataclass_fields__)
    unknown = sorted(set(configured) - known)
    if unknown:
        raise ValueError(
            f"规则 {RULE_ID} 的本地配置含未知参数：{'、'.join(unknown)}"
            f"（可配置参数：{'、'.join(sorted(known))}）"
        )

    def fail(name: str, message: str) -> None:
        raise ValueError(f"规则 {RULE_ID} 的本地配置参数 {name} 无效：{message}")

    for name in ("life_min_missed", "last_place_min_peers", "no_candidate_years"):
        value = configured.get(name, getattr(DEFAULTS, name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fail(name, "应为正整数")
    share = configured.get("satisfaction_min", DEFAULTS.satisfaction_min)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        fail("satisfaction_min", "应为大于 0、不超过 1 的比例，如 0.6")
    return WeakParams(**configured)
