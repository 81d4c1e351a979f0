"""The parameters of the RECRUIT-* rules as configuration, with a version and a source, and the
rule set version in force by date.

The defaults are the ``params`` of each rule's spec in
:mod:`dangjian.recruit.rules` (rules.md §3: months, days, hours, the
notices required, the local defaults). A city overrides them
without code through the ``DANGJIAN_RULES`` setting of :mod:`dangjian.rules.engine` (reused,
not duplicated: :func:`dangjian.rules.engine.rule_params` and ``rule_enabled``), keyed by rule id,
e.g. ``{"RECRUIT-APPLICATION-6-MONTHS": {"enabled": False},
"RECRUIT-PUBLICITY-5-WORKDAYS": {"workdays": 7, "notices": ["admission", "conversion"]},
"RECRUIT-ARCHIVE": {"days": 14}}``. The key ``"RECRUIT"`` may carry the ``version`` and
``source`` of the local configuration (quoted by :func:`config_info`) and ``late_days``: a step
recorded more than that many days after its date is marked late (default 30, never refused), and
``retention_years``: how long after the end of a case whose applicant was not admitted or
withdrew the ID and phone numbers are kept (default 2, :func:`retention_years`).

Versions by date. ``DANGJIAN_RULES["RECRUIT"]["versions"]`` lists later rule set versions, each
``{"valid_from": "2026-01-01", "version": "…", "source": "…", "rules": {rule id: {…}}}`` where
``rules`` has the same shape as the per-rule overrides above (parameters, ``"enabled"``). The
settings above are the version in force before the first ``valid_from``; each version applies
from its ``valid_from`` on, on top of the one before it (so a version names only what changes).
Which version judges a case is decided per rule by the date of the act the rule judges
(:data:`dangjian.recruit.rules.JUDGED_STEP`: the talk for RECRUIT-TALK-1-MONTH, the approval for
RECRUIT-APPROVAL-3-MONTHS, …); while that step is not done yet, by the checking date (a deadline
still running follows the rules in force now). :func:`rule_config` (``on``) gives the parameters
in force on a date; :func:`check` runs the checker with the right version for every rule and case.
Without ``versions`` everything works as before with one configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from .case import Case
    from .rules import CheckReport

DEFAULT_VERSION = "rules.md-2026.1"
DEFAULT_SOURCE = "rules.md §3 默认值（发展党员工作细则、党章、地方惯例）"
DEFAULT_LATE_DAYS = 30
DEFAULT_RETENTION_YEARS = 2


@dataclass(frozen=True)
class ConfigInfo:
    version: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"version": self.version, "source": self.source}


@dataclass(frozen=True)
class Version:
    """A later rule set version (see the module docstring)."""

    valid_from: dt.date
    version: str
    source: str
    rules: Mapping[str, Mapping[str, Any]]


def _family() -> dict[str, Any]:
    return dict((getattr(settings, "DANGJIAN_RULES", None) or {}).get("RECRUIT") or {})


def versions() -> list[Version]:
    """The later versions configured, by ``valid_from``; ``ValueError`` (Chinese) when malformed."""
    raw = _family().get("versions") or []
    if not isinstance(raw, list):
        raise ValueError("规则族 RECRUIT 的 versions 应为列表")
    from .rules import all_specs

    known = {s.id: s for s in all_specs()}
    found: list[Version] = []
    for i, item in enumerate(raw, start=1):
        where = f"规则族 RECRUIT 的第 {i} 个版本"
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
        raise ValueError("规则族 RECRUIT 的 versions 中有两个版本的 valid_from 相同")
    return found


def version_index(on: dt.date, chain: list[Version] | None = None) -> int:
    """0 for the base configuration, else 1 + the index of the last version in force on ``on``."""
    chain = versions() if chain is None else chain
    index = 0
    for i, v in enumerate(chain, start=1):
        if v.valid_from <= on:
            index = i
    return index


def config_info(on: dt.date | None = None) -> ConfigInfo:
    """The version and source of the RECRUIT parameters in force (on ``on``, default the base)."""
    if on is not None:
        chain = versions()
        index = version_index(on, chain)
        if index:
            v = chain[index - 1]
            return ConfigInfo(version=v.version, source=v.source or DEFAULT_SOURCE)
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


def retention_years() -> int:
    """Years after the end of a case (not admitted, withdrawn) that the applicant's ID and phone
    numbers are kept before :func:`dangjian.recruit.services.purge_expired_numbers` deletes them
    (``DANGJIAN_RULES["RECRUIT"]["retention_years"]``, default 2)."""
    value = _family().get("retention_years", DEFAULT_RETENTION_YEARS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("规则族 RECRUIT 的本地配置参数 retention_years 无效：应为正整数（年）")
    return value


def _base() -> dict[str, dict[str, Any]]:
    from dangjian.rules.engine import rule_enabled, rule_params

    from .rules import all_specs, validate_params

    config = {spec.id: rule_params(spec) for spec in all_specs() if rule_enabled(spec)}
    for rule_id, values in config.items():
        validate_params(rule_id, values)
    return config


def _at_index(index: int, chain: list[Version]) -> dict[str, dict[str, Any]]:
    from .rules import all_specs, validate_params

    config = _base()
    if not index:
        return config
    specs = {s.id: s for s in all_specs()}
    for v in chain[:index]:
        for rule_id, values in v.rules.items():
            values = dict(values)
            enabled = values.pop("enabled", None)
            if enabled is False:
                config.pop(rule_id, None)
                continue
            if rule_id in config or enabled is True:
                current = config.get(rule_id) or dict(specs[rule_id].params)
                config[rule_id] = {**current, **values}
                validate_params(rule_id, config[rule_id])
    return config


def rule_config(on: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """rule id → parameters in force (defaults plus local overrides) for the enabled rules, on
    ``on`` (default: the base configuration, before any later version).

    A switched-off rule is absent. Unknown parameter names are refused (Chinese message).
    """
    if on is None:
        return _base()
    chain = versions()
    return _at_index(version_index(on, chain), chain)


def check(cases: list[Case], at: dt.date) -> CheckReport:
    """The rules over ``cases`` as of ``at``, each rule judged by the version in force on the
    date of the step it judges (:data:`dangjian.recruit.rules.JUDGED_STEP`), or on ``at`` while
    that step is not done.

    One run with one configuration when no later versions are configured."""
    from .rules import JUDGED_STEP, CheckReport, check_case, check_cases

    chain = versions()
    if not chain:
        return check_cases(cases, at, config=rule_config())
    configs = [_at_index(i, chain) for i in range(len(chain) + 1)]
    rule_ids = sorted(set().union(*configs))
    report = CheckReport()
    for case in cases:
        groups: dict[int, list[str]] = {}
        for rule_id in rule_ids:
            step = JUDGED_STEP.get(rule_id)
            day = case.steps.get(step, at) if step is not None else at
            groups.setdefault(version_index(min(day, at), chain), []).append(rule_id)
        findings = []
        missing: list[str] = []
        reasons: dict[str, str] = {}
        for index, ids in sorted(groups.items()):
            chosen = {r: p for r, p in configs[index].items() if r in ids}
            if not chosen:
                continue
            one = check_case(case, at, chosen)
            findings.extend(one.findings)
            missing.extend(one.not_checked.get(case.id, []))
            reasons.update(one.reasons.get(case.id, {}))
        report.findings.extend(sorted(findings, key=lambda f: f.rule))
        if missing:
            report.not_checked[case.id] = sorted(missing)
            report.reasons[case.id] = reasons
    return report
