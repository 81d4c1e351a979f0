"""The registry of rules: findings, rule specifications, the families and the rules of rules.md
that are registered as not checked.

A rule is one small function named after its rule id (``SETUP-BRANCH-MIN-FULL`` →
``setup_branch_min_full``) registered with :func:`rule` by the domain app that owns it, in its
``<app>/rules.py`` (imported in the app's ``AppConfig.ready()``). Every rule has the one
signature ``(facts, ctx)`` (:data:`RuleFunc`): ``facts`` is what its family knows of one subject
(an organization's facts, a recruitment case, a scope to search), computed by set-based
queries; ``ctx`` is a :class:`Context`: the checking date, the rule's spec and its parameters in
force then (a family may subclass it to add what all its rules share, e.g. LIFE's window). Rules
return findings in the format of formats.md (or ``None``); they never write. A rule of
rules.md whose data the model does not hold is registered with :func:`register_not_checked`, so
the catalogue lists it as not checked instead of silently passing it.

The engine imports no domain app: it only knows what the apps register here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "FAMILIES",
    "NOT_CHECKED",
    "ORDER",
    "REGISTRY",
    "SEVERITIES",
    "Context",
    "Family",
    "Finding",
    "NotChecked",
    "RuleFunc",
    "RuleSpec",
    "family_of",
    "register_family",
    "register_not_checked",
    "register_order",
    "rule",
    "rule_title",
    "rule_titles",
    "rule_with_id",
    "spec_of",
]

#: severity code → Chinese label
SEVERITIES = {"error": "错误", "warning": "提醒", "due": "待办"}


@dataclass(frozen=True)
class Finding:
    """One result of a checker, in the exchange format of formats.md."""

    rule: str
    subject: str
    severity: str  # "error" | "warning" | "due"
    message: str
    source: str
    evidence: dict[str, Any] = field(default_factory=dict)
    period: str | None = None
    due_date: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "subject": self.subject,
            "severity": self.severity,
        }
        if self.period is not None:
            data["period"] = self.period
        data["message"] = self.message
        data["source"] = self.source
        data["evidence"] = self.evidence
        if self.due_date is not None:
            data["due_date"] = self.due_date.isoformat()
        return data


def family_of(rule_id: str) -> str:
    """The family of a rule id: its prefix (``LIFE-LATE-ENTRY`` → ``LIFE``)."""
    return str(rule_id).split("-", 1)[0]


@dataclass(frozen=True)
class RuleSpec:
    """A rule's identity, source and default parameters (rules.md)."""

    id: str
    title: str
    kind: str  # "national", "national (soft)", "local default", ...
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return family_of(self.id)

    def finding(
        self,
        subject: str,
        severity: str,
        message: str,
        evidence: dict[str, Any] | None = None,
        **more: Any,
    ) -> Finding:
        """A finding of this rule quoting its source (``more``: ``period``, ``due_date``)."""
        return Finding(self.id, subject, severity, message, self.source, evidence or {}, **more)


@dataclass(frozen=True)
class NotChecked:
    """A rule of rules.md that is registered but not checked, with the Chinese reason."""

    spec: RuleSpec
    reason: str

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Family:
    """A family of rules.md (``SETUP`` 组织设置 …) with the default version and source of its
    parameters, quoted when no local configuration names them."""

    code: str
    title: str
    #: the section of rules.md (the order of the families in lists)
    section: int = 99
    version: str = "rules.md-2026.1"
    source: str = "rules.md 默认值"


@dataclass(frozen=True)
class Context:
    """What a rule judges with: the checking date, the rule's spec and its parameters in force
    on that date. A family whose rules share more (LIFE: the window, the tally) subclasses it."""

    at: dt.date
    spec: RuleSpec
    params: Mapping[str, Any]

    @classmethod
    def defaults(cls, spec: RuleSpec, at: dt.date) -> Context:
        """The context of ``spec`` on ``at`` with its default parameters (no configuration)."""
        return cls(at=at, spec=spec, params=spec.params)


#: a rule: ``(facts, ctx) -> finding(s) or None``; the facts' type is its family's
RuleFunc = Callable[[Any, Any], Any]
_F = TypeVar("_F", bound=RuleFunc)

#: rule id → (spec, function) of every checked rule
REGISTRY: dict[str, tuple[RuleSpec, RuleFunc]] = {}
#: rule id → entry of every rule registered as not checked
NOT_CHECKED: dict[str, NotChecked] = {}
#: family code → family, in the order of rules.md's sections
FAMILIES: dict[str, Family] = {}
#: every registered rule id, checked or not, in the order of registration (rules.md's order)
ORDER: list[str] = []
#: family code → its rule ids in the order of rules.md, for a family whose rules several apps
#: register (the order of registration then follows the apps, not rules.md)
FAMILY_ORDER: dict[str, tuple[str, ...]] = {}


def register_family(
    code: str,
    title: str,
    *,
    section: int = 99,
    version: str = "rules.md-2026.1",
    source: str = "rules.md 默认值",
) -> Family:
    """Register a family (idempotent for the same values)."""
    family = Family(code, title, section, version, source)
    known = FAMILIES.get(code)
    if known is not None and known != family:
        raise RuntimeError(f"rule family {code} registered twice with different values")
    FAMILIES[code] = family
    ordered = sorted(FAMILIES.values(), key=lambda f: f.section)
    FAMILIES.clear()
    FAMILIES.update((f.code, f) for f in ordered)
    return family


def _check_new(rule_id: str) -> None:
    if rule_id in REGISTRY or rule_id in NOT_CHECKED:
        raise RuntimeError(f"rule {rule_id} registered twice")
    ORDER.append(rule_id)


def rule(spec: RuleSpec) -> Callable[[_F], _F]:
    """Register ``func``, a rule ``(facts, ctx)``, as the implementation of ``spec``."""

    def wrap(func: _F) -> _F:
        _check_new(spec.id)
        REGISTRY[spec.id] = (spec, func)
        func.spec = spec  # type: ignore[attr-defined]
        return func

    return wrap


def register_not_checked(id: str, title: str, kind: str, source: str, reason: str) -> NotChecked:
    """Register a rule of rules.md whose data the model lacks; ``reason`` (Chinese) says why."""
    _check_new(id)
    entry = NotChecked(RuleSpec(id, title, kind, source), reason)
    NOT_CHECKED[id] = entry
    return entry


def register_order(family: str, rule_ids: tuple[str, ...]) -> None:
    """Declare the order of ``family``'s rules in rules.md (the catalogue lists them so)."""
    FAMILY_ORDER[family] = tuple(rule_ids)


def spec_of(rule_id: str) -> RuleSpec:
    """The spec of a registered rule, checked or not; ``KeyError`` for an unknown id."""
    if rule_id in REGISTRY:
        return REGISTRY[rule_id][0]
    return NOT_CHECKED[rule_id].spec


def rule_titles() -> dict[str, str]:
    """Every registered rule id → its Chinese title."""
    titles = {rid: entry.spec.title for rid, entry in NOT_CHECKED.items()}
    titles.update({rid: spec.title for rid, (spec, _f) in REGISTRY.items()})
    return titles


def rule_title(rule_id: str) -> str:
    """The Chinese title of ``rule_id``; "SETUP-*" → "组织设置各项规则"; a family code → its
    title; unknown → the id."""
    rule_id = str(rule_id or "").strip()
    if rule_id.endswith("-*") and rule_id[:-2] in FAMILIES:
        return f"{FAMILIES[rule_id[:-2]].title}各项规则"
    if rule_id in FAMILIES:
        return FAMILIES[rule_id].title
    try:
        return spec_of(rule_id).title
    except KeyError:
        return rule_id


def rule_with_id(rule_id: str) -> str:
    """ "标题（RULE-ID）" — the form for a cell of a file, where no tag can be drawn."""
    title = rule_title(rule_id)
    return f"{title}（{rule_id}）" if title != rule_id else rule_id
