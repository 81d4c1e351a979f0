"""The rule catalogue as code: findings, rule specifications and the registry.

A rule is one small pure function named after its rule id (``SETUP-BRANCH-MIN-FULL`` →
``setup_branch_min_full``), registered with its source and parameters. Rules read *facts*
computed by set-based queries and return findings in the format of formats.md; they never write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class RuleSpec:
    """A rule's identity, source and default parameters (rules.md)."""

    id: str
    title: str
    kind: str  # "national", "national (soft)", "local default", ...
    source: str
    params: dict[str, Any] = field(default_factory=dict)


RuleFunc = Callable[..., Any]

REGISTRY: dict[str, tuple[RuleSpec, RuleFunc]] = {}


def rule(spec: RuleSpec) -> Callable[[RuleFunc], RuleFunc]:
    """Register ``func`` as the implementation of ``spec``."""

    def wrap(func: RuleFunc) -> RuleFunc:
        if spec.id in REGISTRY:
            raise RuntimeError(f"rule {spec.id} registered twice")
        REGISTRY[spec.id] = (spec, func)
        func.spec = spec  # type: ignore[attr-defined]
        return func

    return wrap
