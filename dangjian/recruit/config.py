"""The parameters of the RECRUIT-* rules as configuration, with a version and a source.

The defaults are the ``params`` of each rule's spec in
:data:`dangjian.recruit.checker.RECRUIT_RULES` (rules.md §3: months, days, hours, the
notices required, the local defaults). A city overrides them
without code through the ``DANGJIAN_RULES`` setting of :mod:`dangjian.rules.engine` (reused,
not duplicated: :func:`dangjian.rules.engine.rule_params` and ``rule_enabled``), keyed by rule id,
e.g. ``{"RECRUIT-APPLICATION-6-MONTHS": {"enabled": False},
"RECRUIT-PUBLICITY-5-WORKDAYS": {"workdays": 7, "notices": ["admission", "conversion"]},
"RECRUIT-ARCHIVE": {"days": 14}}``. The key ``"RECRUIT"`` may carry the ``version`` and
``source`` of the local configuration (quoted by :func:`config_info`) and ``late_days``: a step
recorded more than that many days after its date is marked late (default 30, never refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULT_VERSION = "rules.md-2026.1"
DEFAULT_SOURCE = "rules.md §3 默认值（发展党员工作细则、党章、地方惯例）"
DEFAULT_LATE_DAYS = 30


@dataclass(frozen=True)
class ConfigInfo:
    version: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "source": self.source}


def _family() -> dict[str, Any]:
    return dict((getattr(settings, "DANGJIAN_RULES", None) or {}).get("RECRUIT") or {})


def config_info() -> ConfigInfo:
    """The version and source of the RECRUIT parameters in force (local or the defaults)."""
    configured = _family()
    return ConfigInfo(
        version=str(configured.get("version") or DEFAULT_VERSION),
        source=str(configured.get("source") or DEFAULT_SOURCE),
    )


def late_days() -> int:
    """A step recorded more than this many days after its date is marked late."""
    value = _family().get("late_days", DEFAULT_LATE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("规则族 RECRUIT 的本地配置参数 late_days 无效：应为非负整数")
    return value


def rule_config() -> dict[str, dict[str, Any]]:
    """rule id → parameters in force (defaults plus local overrides) for the enabled rules.

    A switched-off rule is absent. Unknown parameter names are refused (Chinese message).
    """
    from dangjian.rules.engine import rule_enabled, rule_params

    from .checker import all_specs

    return {spec.id: rule_params(spec) for spec in all_specs() if rule_enabled(spec)}
