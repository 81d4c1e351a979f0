"""Running rules: evaluate the registered rule functions over facts, in a stable order.

Local configuration (rules.md: a local default must stay configurable, a city may change or
switch it off) is the optional setting ``DANGJIAN_RULES``: rule id → parameter overrides, with
``"enabled": False`` to switch a rule off, e.g.
``{"SETUP-SECRETARY-VACANT": {"weak_after_months": 6}, "SETUP-BRANCH-MAX": {"enabled": False}}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings

from . import life, setup  # noqa: F401  (importing registers the SETUP and LIFE rules)
from .base import REGISTRY, Finding, RuleSpec
from .catalogue import FAMILIES, IMPLEMENTED_FAMILIES
from .facts import OrgFacts

__all__ = [
    "REGISTRY",
    "RULE_TITLES",
    "SEVERITIES",
    "evaluate",
    "resolve_rules",
    "rule_enabled",
    "rule_params",
]

#: rule id → Chinese title, for labels in pages, API and CLI
RULE_TITLES: dict[str, str] = {rule_id: spec.title for rule_id, (spec, _f) in REGISTRY.items()}

#: severity code → Chinese label
SEVERITIES = {"error": "错误", "warning": "提醒", "due": "待办"}


def _overrides(spec: RuleSpec) -> dict[str, Any]:
    configured = getattr(settings, "DANGJIAN_RULES", None) or {}
    return dict(configured.get(spec.id) or {})


def rule_enabled(spec: RuleSpec) -> bool:
    """Whether local configuration leaves the rule switched on (the default)."""
    return bool(_overrides(spec).get("enabled", True))


def rule_params(spec: RuleSpec) -> dict[str, Any]:
    """The spec's parameters with the local overrides; unknown names are refused."""
    overrides = _overrides(spec)
    overrides.pop("enabled", None)
    unknown = sorted(set(overrides) - set(spec.params))
    if unknown:
        known = "、".join(spec.params) or "无"
        raise ValueError(
            f"规则 {spec.id} 的本地配置含未知参数：{'、'.join(unknown)}（可配置参数：{known}）"
        )
    return {**spec.params, **overrides}


def resolve_rules(
    families: str | Sequence[str] = "SETUP", rule_ids: Iterable[str] | None = None
) -> list[RuleSpec]:
    """The specs to run for ``families`` (``"SETUP"`` or ``"SETUP,LIFE"``) and ``rule_ids``.

    Raises ``ValueError`` with a Chinese message for an unknown or not yet implemented family,
    or an unknown rule id.
    """
    if isinstance(families, str):
        families = [families]
    wanted: list[str] = []
    for item in families:
        for name in str(item).split(","):
            name = name.strip().upper()
            if not name:
                continue
            if name not in FAMILIES:
                known = "、".join(FAMILIES)
                raise ValueError(f"未知规则族“{name}”，可用：{known}")
            if name not in IMPLEMENTED_FAMILIES:
                raise ValueError(
                    f"规则族 {name}（{FAMILIES[name]}）的检查尚未实现，"
                    f"目前可用：{'、'.join(sorted(IMPLEMENTED_FAMILIES))}"
                )
            wanted.append(name)
    if not wanted:
        raise ValueError("未指定规则族，例如 --rules SETUP")
    specs = [spec for spec, _f in REGISTRY.values() if spec.id.split("-")[0] in wanted]
    if rule_ids:
        ids = {r.strip().upper() for r in rule_ids if r and r.strip()}
        unknown = sorted(ids - {s.id for s in specs})
        if unknown:
            raise ValueError(f"未知或未实现的规则：{'、'.join(unknown)}")
        specs = [s for s in specs if s.id in ids]
    return specs


def evaluate(facts: Iterable[OrgFacts], at: dt.date, specs: Sequence[RuleSpec]) -> list[Finding]:
    """Every finding of the enabled ``specs`` over ``facts``, sorted by subject then rule.

    LIFE specs are skipped here: they run over periods (:func:`.life.evaluate_life`).
    """
    funcs = [
        (REGISTRY[s.id][1], rule_params(s))
        for s in specs
        if rule_enabled(s) and not life.is_life(s)
    ]
    findings: list[Finding] = []
    for item in facts:
        for func, params in funcs:
            result = func(item, at, params)
            if result is None:
                continue
            if isinstance(result, Finding):
                findings.append(result)
            else:
                findings.extend(result)
    findings.sort(key=lambda f: (f.subject, f.rule))
    return findings
