"""Findings of the recruitment checker as the pages show them: the rule's Chinese title beside
its id, the source as the regulation's name and article, and the evidence as Chinese lines —
all from the one vocabulary of :mod:`dangjian.core.labels`.

Used by the case page; the JSON of the command and the API keep the keys (formats.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dangjian.core import labels
from dangjian.rules.registry import Finding


@dataclass
class FindingView:
    """A finding as the pages show it."""

    rule: str
    title: str
    severity: str
    severity_label: str
    message: str
    source: str
    evidence: list[str] = field(default_factory=list)


def finding_views(findings: Iterable[Finding]) -> list[FindingView]:
    return [
        FindingView(
            rule=f.rule,
            title=labels.rule_title(f.rule),
            severity=f.severity,
            severity_label=labels.severity_label(f.severity),
            message=f.message,
            source=labels.source_label(f.source),
            evidence=labels.evidence_lines(f.evidence or {}),
        )
        for f in findings
    ]
