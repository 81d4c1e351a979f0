"""Running rules: choose the families and rules asked for, and let each family's checker find.

Every family that can be checked registers a *checker* (:func:`register_checker`): it gathers
its subjects' facts in bulk (the app's selectors) and calls its rule functions. The engine only
resolves what was asked for (families, rule ids, severities), lets the registered *preparer*
resolve the scope (:func:`register_preparer`: the acting user's organizations, the ``org_code``
subtree, the filters), runs the checkers in the order of rules.md's families and filters and
sorts the findings. So a page, the API, the CLI and a whole-city batch run give the same
findings on the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

from django.utils import timezone

from dangjian.accounts.scope import Actor

from .params import params_for
from .registry import FAMILIES, REGISTRY, SEVERITIES, Context, Finding, RuleSpec, family_of

__all__ = [
    "CheckRequest",
    "CheckResult",
    "checked_families",
    "evaluate",
    "findings_for",
    "register_checker",
    "register_preparer",
    "register_subject_orgs",
    "resolve_rules",
    "run_check",
    "subject_orgs",
]


@dataclass
class CheckRequest:
    """What one run was asked: the actor, the date, the window and the filters.

    ``prefix`` is set by the preparer: the materialized path of the scope ("" for the whole
    tree, ``None`` when the actor sees nothing). ``cache`` holds facts that several families'
    checkers share (the organizations' facts for SETUP and LIFE)."""

    actor: Actor
    at: dt.date
    since: dt.date | None = None
    org_code: str | None = None
    sector: str | None = None
    region: str = ""
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None
    #: when given, organization id → rule → [periods checked, periods met] of the year of
    #: ``at``, each a bit mask (bit ``m``: the period starting in month ``m + 1``)
    marks: dict[int, dict[str, list[int]]] | None = None
    #: the families of the run (a checker may read facts another family also needs)
    families: tuple[str, ...] = ()
    prefix: str | None = ""
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    """Findings of one run plus the facts of the organizations they are about (for labels)."""

    at: dt.date
    findings: list[Finding]
    facts: dict[str, Any] = field(default_factory=dict)
    checked_orgs: int = 0
    #: subject → label for subjects that are not organizations (RECRUIT: case_no → branch name)
    labels: dict[str, str] = field(default_factory=dict)
    checked_cases: int = 0
    #: the members on the rolls of the organizations checked (what their subtree adds to the
    #: member counts of the organizations above it)
    members: int = 0
    #: with ``run_check(marks=True)``: :attr:`CheckRequest.marks`
    marks: dict[int, dict[str, list[int]]] | None = None


#: (request, the family's specs to run, the rule ids asked for or None, result) → None; it adds
#: its findings (and labels, counts) to the result
Checker = Callable[[CheckRequest, list[RuleSpec], list[str] | None, CheckResult], None]
_CHECKERS: dict[str, Checker] = {}
#: family → (subjects that are not organizations → the id of the organization each belongs to)
_SUBJECT_ORGS: dict[str, Callable[[list[str]], dict[str, int]]] = {}
_PREPARERS: list[Callable[[CheckRequest], None]] = []


def register_checker(family: str, func: Checker) -> None:
    """Register the checker of ``family`` (its app's ``ready()``). A family whose rules several
    apps own (REL: the roll, the transfers, the mobile members) gets one checker per app: they
    run one after the other, each evaluating the specs it knows of those asked for."""
    known = _CHECKERS.get(family)
    if known is None or known is func:
        _CHECKERS[family] = func
        return

    def both(
        request: CheckRequest,
        specs: list[RuleSpec],
        asked: list[str] | None,
        result: CheckResult,
    ) -> None:
        known(request, specs, asked, result)
        func(request, specs, asked, result)

    _CHECKERS[family] = both


def register_subject_orgs(family: str, func: Callable[[list[str]], dict[str, int]]) -> None:
    """Register how the subjects of ``family`` that are not organizations (RECRUIT: case
    numbers) map to the organization each belongs to (the findings store keeps a finding
    under its organization)."""
    _SUBJECT_ORGS[family] = func


def subject_orgs(family: str, subjects: list[str]) -> dict[str, int]:
    """Subject → organization id for the ``subjects`` of ``family`` (empty when the family
    has no such subjects)."""
    func = _SUBJECT_ORGS.get(family)
    return func(subjects) if func is not None and subjects else {}


def register_preparer(func: Callable[[CheckRequest], None]) -> None:
    """Register a step that validates a request and resolves its scope (``prefix``) before the
    checkers run; it raises ``ValueError`` / ``Http404`` with a Chinese message."""
    if func not in _PREPARERS:
        _PREPARERS.append(func)


def checked_families() -> frozenset[str]:
    """The families a run can check (those with a registered checker)."""
    return frozenset(_CHECKERS)


def as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _families(families: str | Sequence[str]) -> list[str]:
    wanted: list[str] = []
    for name in as_list(families):
        name = name.upper()
        if name not in FAMILIES:
            known = "、".join(FAMILIES)
            raise ValueError(f"未知规则族“{name}”，可用：{known}")
        if name not in _CHECKERS:
            raise ValueError(
                f"规则族 {name}（{FAMILIES[name].title}）的检查尚未实现，"
                f"目前可用：{'、'.join(sorted(_CHECKERS))}"
            )
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise ValueError("未指定规则族，例如 --rules SETUP")
    return wanted


def resolve_rules(
    families: str | Sequence[str] = "SETUP", rule_ids: Iterable[str] | None = None
) -> list[RuleSpec]:
    """The registered specs to run for ``families`` (``"SETUP"`` or ``"SETUP,LIFE"``) and
    ``rule_ids``.

    Raises ``ValueError`` with a Chinese message for an unknown or not yet implemented family,
    or an unknown rule id.
    """
    wanted = _families(families)
    specs = [spec for spec, _f in REGISTRY.values() if spec.family in wanted]
    if rule_ids:
        ids = {r.strip().upper() for r in rule_ids if r and r.strip()}
        unknown = sorted(ids - {s.id for s in specs})
        if unknown:
            raise ValueError(f"未知或未实现的规则：{'、'.join(unknown)}")
        specs = [s for s in specs if s.id in ids]
    return specs


def evaluate(facts: Iterable[Any], at: dt.date, specs: Sequence[RuleSpec]) -> list[Finding]:
    """Every finding of the enabled ``specs`` over ``facts`` (each rule called as
    ``(facts, ctx)`` with the parameters in force on ``at``), sorted by subject then rule."""
    funcs = []
    for s in specs:
        enabled, params = params_for(s, at)
        if enabled:
            funcs.append((REGISTRY[s.id][1], Context(at=at, spec=s, params=params)))
    findings: list[Finding] = []
    for item in facts:
        for func, ctx in funcs:
            result = func(item, ctx)
            if result is None:
                continue
            if isinstance(result, Finding):
                findings.append(result)
            else:
                findings.extend(result)
    findings.sort(key=lambda f: (f.subject, f.rule))
    return findings


def _severities(value: str | Iterable[str] | None) -> set[str]:
    wanted = set(as_list(value))
    unknown = sorted(wanted - set(SEVERITIES))
    if unknown:
        known = "、".join(f"{k}（{v}）" for k, v in SEVERITIES.items())
        raise ValueError(f"未知的级别“{'、'.join(unknown)}”，可用：{known}")
    return wanted


def _plan(
    families: list[str], rule_ids: list[str]
) -> list[tuple[str, list[RuleSpec], list[str] | None]]:
    """(family, specs, rule ids asked for) to run. With rule ids, only the families they name
    run; an id of a family with registered rules must be one of them."""
    ids = [r.upper() for r in rule_ids]
    by_family: dict[str, list[str]] = {}
    for rule_id in ids:
        by_family.setdefault(family_of(rule_id), []).append(rule_id)
    for family, named in by_family.items():
        if family not in families and family in _CHECKERS:
            raise ValueError(
                f"规则 {'、'.join(named)} 属于 {family} 规则族，请加上 --rules {family}"
            )
    unknown = [r for f, named in by_family.items() if f not in families for r in named]
    plan: list[tuple[str, list[RuleSpec], list[str] | None]] = []
    for family in families:
        asked: list[str] | None = by_family.get(family)
        if ids and not asked:
            continue
        registered = [spec for spec, _f in REGISTRY.values() if spec.family == family]
        if asked and registered:
            names = {s.id for s in registered}
            unknown += [r for r in asked if r not in names]
            specs = [s for s in registered if s.id in asked]
        else:
            specs = registered
        plan.append((family, specs, asked))
    if unknown:
        raise ValueError(f"未知或未实现的规则：{'、'.join(sorted(unknown))}")
    return plan


class CheckFilters(TypedDict, total=False):
    """What :func:`run_check` narrows a check to, for :func:`findings_for`."""

    rules: str | Sequence[str]
    org_code: str | None
    at: dt.date | None
    rule_ids: Iterable[str] | None
    severity: str | Iterable[str] | None
    sector: str | None
    region: str | None
    since: dt.date | None


def run_check(
    actor: Actor,
    *,
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None,
    cache: dict[str, Any] | None = None,
    marks: bool = False,
    **filters: Unpack[CheckFilters],
) -> CheckResult:
    """Evaluate the rules over the actor's scope (or the subtree of ``org_code`` inside it).

    Raises ``Http404`` for an unknown ``org_code`` or one outside the scope, ``ValueError`` (with
    a Chinese message) for unknown rule families, rule ids, severities or filters. Periodic
    rules cover the periods from ``since`` (default 1 January of the year of ``at``) to ``at``;
    a ``tally`` dict receives (rule, period, sector, region, type) → [subjects checked, met];
    with ``marks`` the result has the periods checked and met per organization and rule
    (:attr:`CheckRequest.marks`). ``cache`` seeds :attr:`CheckRequest.cache` with facts
    computed beforehand (the findings store's chunked refresh gives the facts of the
    organizations above its chunks).
    """
    at = filters.get("at") or timezone.localdate()
    families = sorted(_families(filters.get("rules", "SETUP")), key=list(FAMILIES).index)
    plan = _plan(families, as_list(filters.get("rule_ids")))
    severities = _severities(filters.get("severity"))
    request = CheckRequest(
        actor=actor,
        at=at,
        since=filters.get("since"),
        org_code=filters.get("org_code"),
        sector=filters.get("sector") or None,
        region=(filters.get("region") or "").strip(),
        tally=tally,
        marks={} if marks else None,
        families=tuple(f for f, specs, asked in plan if specs or asked is not None),
        cache=dict(cache or {}),
    )
    for prepare in _PREPARERS:
        prepare(request)
    result = CheckResult(at=at, findings=[], marks=request.marks)
    if request.prefix is None:
        return result
    for family, specs, asked in plan:
        _CHECKERS[family](request, specs, asked, result)
    findings = result.findings
    if severities:
        findings = [f for f in findings if f.severity in severities]
    result.findings = sorted(findings, key=lambda f: (f.subject, f.rule))
    return result


def findings_for(actor: Actor, **filters: Unpack[CheckFilters]) -> list[Finding]:
    """Findings in the actor's scope, sorted by subject then rule (see :func:`run_check`)."""
    return run_check(actor, **filters).findings
