"""One parameter system for every family of rules, with versions in force by date.

The defaults are the ``params`` of each rule's spec (rules.md: months, days, shares, the local
defaults). A city changes them without code through the setting ``DANGJIAN_RULES`` (the JSON
file named by ``DANGJIAN_RULES_FILE``):

* keyed by rule id, parameter overrides and ``"enabled": false`` to switch a rule off, e.g.
  ``{"SETUP-SECRETARY-VACANT": {"weak_after_months": 6}, "SETUP-BRANCH-MAX": {"enabled": false},
  "LIFE-LATE-ENTRY": {"late_days": 15}}``;
* keyed by family (``"LIFE"``, ``"RECRUIT"`` …): the ``version`` and ``source`` of the local
  configuration (quoted by :func:`config_info`, which findings carry in their evidence), the
  family-level values its app reads with :func:`family_value` (RECRUIT ``late_days``,
  ``retention_years``), and ``versions``: later rule set versions, each
  ``{"valid_from": "2026-01-01", "version": "…", "source": "…", "rules": {rule id: {…}}}`` where
  ``rules`` has the shape of the per-rule overrides. The settings above are the version in force
  before the first ``valid_from``; each version applies from its ``valid_from`` on, on top of the
  one before it (a version names only what changes).

:func:`params_on` and :func:`enabled_on` give a rule's parameters and switch in force on a date
(``None``: the base configuration, before any later version). Which date a caller passes is the
rule's business (RECRUIT judges by the date of the step a rule judges; the others by the
checking date). Unknown names and impossible values are refused with a Chinese message naming
the rule and the parameter: the generic checks here, the values by the validator the owning app
registers with :func:`register_validator`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .registry import FAMILIES, REGISTRY, RuleSpec, family_of

__all__ = [
    "ConfigInfo",
    "Version",
    "config_info",
    "enabled_on",
    "family_value",
    "params_for",
    "params_on",
    "register_validator",
    "rule_config",
    "validate",
    "version_index",
    "versions",
]

#: validator of a family's parameter values: (rule id, parameters) → None, or ValueError
Validator = Callable[[str, Mapping[str, Any]], None]
_VALIDATORS: dict[str, Validator] = {}


@dataclass(frozen=True)
class ConfigInfo:
    version: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "source": self.source}


@dataclass(frozen=True)
class Version:
    """A later rule set version of a family (see the module docstring)."""

    valid_from: dt.date
    version: str
    source: str
    rules: Mapping[str, Mapping[str, Any]]


def register_validator(family: str, func: Validator) -> None:
    """The owning app's check of its rules' parameter values (Chinese ``ValueError``)."""
    _VALIDATORS[family] = func


def validate(rule_id: str, params: Mapping[str, Any]) -> None:
    """Refuse impossible values of ``rule_id`` with the validator of its family, if any."""
    func = _VALIDATORS.get(family_of(rule_id))
    if func is not None:
        func(rule_id, params)


def _configured() -> Mapping[str, Any]:
    return getattr(settings, "DANGJIAN_RULES", None) or {}


def _family(family: str) -> dict[str, Any]:
    return dict(_configured().get(family) or {})


def _overrides(spec: RuleSpec) -> dict[str, Any]:
    return dict(_configured().get(spec.id) or {})


def family_value(
    family: str,
    name: str,
    default: Any,
    validate: Callable[[Any], bool] | None = None,
    expect: str = "",
) -> Any:
    """A family-level value of the local configuration (``DANGJIAN_RULES[family][name]``);
    refused with a Chinese message (``expect``: what it should be) when ``validate`` says no."""
    value = _family(family).get(name, default)
    if validate is not None and not validate(value):
        raise ValueError(f"规则族 {family} 的本地配置参数 {name} 无效：{expect}")
    return value


def config_info(family: str, on: dt.date | None = None) -> ConfigInfo:
    """The version and source of ``family``'s parameters in force on ``on`` (default: the base
    configuration): the later version in force, else the local configuration, else the
    defaults the family registered."""
    known = FAMILIES.get(family)
    default_version = known.version if known else "rules.md-2026.1"
    default_source = known.source if known else "rules.md 默认值"
    if on is not None:
        chain = versions(family)
        index = version_index(on, chain)
        if index:
            v = chain[index - 1]
            return ConfigInfo(version=v.version, source=v.source or default_source)
    configured = _family(family)
    return ConfigInfo(
        version=str(configured.get("version") or default_version),
        source=str(configured.get("source") or default_source),
    )


def _family_specs(family: str) -> dict[str, RuleSpec]:
    return {rid: spec for rid, (spec, _f) in REGISTRY.items() if spec.family == family}


def versions(family: str, specs: Mapping[str, RuleSpec] | None = None) -> list[Version]:
    """The later versions of ``family``, by ``valid_from``; ``ValueError`` (Chinese) when
    malformed. ``specs``: the family's rules (default: those registered)."""
    raw = _family(family).get("versions") or []
    if not isinstance(raw, list):
        raise ValueError(f"规则族 {family} 的 versions 应为列表")
    known = _family_specs(family) if specs is None else dict(specs)
    found: list[Version] = []
    for i, item in enumerate(raw, start=1):
        where = f"规则族 {family} 的第 {i} 个版本"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}应为对象")
        try:
            start = dt.date.fromisoformat(str(item.get("valid_from", "")))
        except ValueError:
            raise ValueError(f"{where}的 valid_from 无效：应为 YYYY-MM-DD 日期") from None
        rules = item.get("rules") or {}
        if not isinstance(rules, Mapping):
            raise ValueError(f"{where}的 rules 应为对象")
        for rule_id, values in rules.items():
            spec = known.get(rule_id)
            if spec is None:
                raise ValueError(f"{where}含未知规则：{rule_id}")
            if not isinstance(values, Mapping):
                raise ValueError(f"{where}中规则 {rule_id} 的参数应为对象")
            unknown = sorted(set(values) - set(spec.params) - {"enabled"})
            if unknown:
                raise ValueError(f"{where}中规则 {rule_id} 没有参数：{'、'.join(unknown)}")
        found.append(
            Version(
                valid_from=start,
                version=str(item.get("version") or f"{start.isoformat()} 起"),
                source=str(item.get("source") or ""),
                rules={k: dict(v) for k, v in rules.items()},
            )
        )
    found.sort(key=lambda v: v.valid_from)
    starts = [v.valid_from for v in found]
    if len(set(starts)) != len(starts):
        raise ValueError(f"规则族 {family} 的 versions 中有两个版本的 valid_from 相同")
    return found


def version_index(on: dt.date, chain: list[Version]) -> int:
    """0 for the base configuration, else 1 + the index of the last version in force on ``on``."""
    index = 0
    for i, v in enumerate(chain, start=1):
        if v.valid_from <= on:
            index = i
    return index


def base_enabled(spec: RuleSpec) -> bool:
    """Whether the base configuration leaves the rule switched on (the default)."""
    return bool(_overrides(spec).get("enabled", True))


def base_params(spec: RuleSpec) -> dict[str, Any]:
    """The spec's parameters with the base local overrides; unknown names are refused."""
    overrides = _overrides(spec)
    overrides.pop("enabled", None)
    unknown = sorted(set(overrides) - set(spec.params))
    if unknown:
        known = "、".join(spec.params) or "无"
        raise ValueError(
            f"规则 {spec.id} 的本地配置含未知参数：{'、'.join(unknown)}（可配置参数：{known}）"
        )
    return {**spec.params, **overrides}


def params_for(
    spec: RuleSpec, on: dt.date | None = None, chain: list[Version] | None = None
) -> tuple[bool, dict[str, Any]]:
    """(switched on, parameters) of ``spec`` in force on ``on`` (``None``: the base), validated.

    ``chain``: the family's versions when the caller has read them already."""
    enabled = base_enabled(spec)
    params = base_params(spec) if enabled else dict(spec.params)
    if enabled:
        validate(spec.id, params)
    if on is None:
        return enabled, params
    chain = versions(spec.family) if chain is None else chain
    for v in chain[: version_index(on, chain)]:
        if spec.id not in v.rules:
            continue
        values = dict(v.rules[spec.id])
        switch = values.pop("enabled", None)
        if switch is False:
            enabled = False
            continue
        if enabled or switch is True:
            current = params if enabled else dict(spec.params)
            params = {**current, **values}
            enabled = True
            validate(spec.id, params)
    return enabled, params


def _spec(rule_id: str) -> RuleSpec:
    try:
        return REGISTRY[rule_id][0]
    except KeyError:
        raise KeyError(f"未注册的规则：{rule_id}") from None


def params_on(rule_id: str, on: dt.date | None = None) -> dict[str, Any]:
    """The parameters of ``rule_id`` in force on ``on`` (defaults plus local configuration)."""
    return params_for(_spec(rule_id), on)[1]


def enabled_on(rule_id: str, on: dt.date | None = None) -> bool:
    """Whether ``rule_id`` is switched on on ``on`` (local configuration, default on)."""
    return params_for(_spec(rule_id), on)[0]


def rule_config(
    family: str, on: dt.date | None = None, specs: Mapping[str, RuleSpec] | None = None
) -> dict[str, dict[str, Any]]:
    """rule id → parameters in force on ``on`` of ``family``'s enabled rules (a switched-off
    rule is absent). ``specs``: the family's rules (default: those registered)."""
    known = _family_specs(family) if specs is None else dict(specs)
    chain = versions(family, known) if on is not None else []
    config = {}
    for rule_id, spec in known.items():
        enabled, params = params_for(spec, on, chain)
        if enabled:
            config[rule_id] = params
    return config
