"""The parameters of the RECRUIT-* rules as configuration, with a version and a source, and the
rule set version in force by date.

The defaults are the ``params`` of each rule's spec in
:mod:`dangjian.recruit.rules` (rules.md §3: months, days, hours, the
notices required, the local defaults). A city overrides them
without code through the ``DANGJIAN_RULES`` setting of the rules engine's one parameter system
(:mod:`dangjian.rules.params`, which these functions wrap), keyed by rule id,
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
from typing import TYPE_CHECKING, Any

from dangjian.rules import params
from dangjian.rules.params import ConfigInfo, Version

if TYPE_CHECKING:
    from .case import Case
    from .rules import CheckReport

DEFAULT_VERSION = "rules.md-2026.1"
DEFAULT_SOURCE = "rules.md §3 默认值（发展党员工作细则、党章、地方惯例）"
DEFAULT_LATE_DAYS = 30
DEFAULT_RETENTION_YEARS = 2


def _specs() -> dict[str, Any]:
    from .rules import all_specs

    return {s.id: s for s in all_specs()}


def versions() -> list[Version]:
    """The later versions configured, by ``valid_from``; ``ValueError`` (Chinese) when malformed."""
    return params.versions("RECRUIT", _specs())


def version_index(on: dt.date, chain: list[Version] | None = None) -> int:
    """0 for the base configuration, else 1 + the index of the last version in force on ``on``."""
    return params.version_index(on, versions() if chain is None else chain)


def config_info(on: dt.date | None = None) -> ConfigInfo:
    """The version and source of the RECRUIT parameters in force (on ``on``, default the base)."""
    return params.config_info("RECRUIT", on)


def _whole(name: str, default: int, least: int, expect: str) -> int:
    """An integer family value of RECRUIT of at least ``least``."""
    value = params.family_value(
        "RECRUIT",
        name,
        default,
        lambda v: not isinstance(v, bool) and isinstance(v, int) and v >= least,
        expect,
    )
    return int(value)


def late_days() -> int:
    """A step recorded more than this many days after its date is marked late."""
    return _whole("late_days", DEFAULT_LATE_DAYS, 0, "应为非负整数")


def retention_years() -> int:
    """Years after the end of a case (not admitted, withdrawn) that the applicant's ID and phone
    numbers are kept before :func:`dangjian.recruit.services.purge_expired_numbers` deletes them
    (``DANGJIAN_RULES["RECRUIT"]["retention_years"]``, default 2)."""
    return _whole("retention_years", DEFAULT_RETENTION_YEARS, 1, "应为正整数（年）")


def _at_index(index: int, chain: list[Version]) -> dict[str, dict[str, Any]]:
    """The configuration of the version ``index`` (0: the base)."""
    on = None if not index else chain[index - 1].valid_from
    return params.rule_config("RECRUIT", on, _specs())


def rule_config(on: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """rule id → parameters in force (defaults plus local overrides) for the enabled rules, on
    ``on`` (default: the base configuration, before any later version).

    A switched-off rule is absent. Unknown parameter names are refused (Chinese message).
    """
    return params.rule_config("RECRUIT", on, _specs())


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
