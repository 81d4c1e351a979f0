"""Compliance of a subtree with the LIFE frequency rules, per rule and period (upper levels).

One LIFE run over the actor's scope (the same grouped queries as the checker) with a tally of
how many organizations each rule applied to in each period and how many met it. A period still
running at ``at`` is shown as in progress, never as missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dangjian.rules.base import Finding
from dangjian.rules.engine import RULE_TITLES
from dangjian.rules.life import periods_between
from dangjian.rules.selectors import CheckResult, run_check

from .config import DEFAULTS, FREQUENCY_RULES


@dataclass
class Cell:
    label: str
    checked: int
    met: int
    running: bool

    @property
    def missed(self) -> int:
        return 0 if self.running else self.checked - self.met

    @property
    def rate(self) -> int | None:
        return round(100 * self.met / self.checked) if self.checked else None


@dataclass
class RuleRow:
    rule: str
    title: str
    frequency: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def chart(self) -> dict[str, list[Any]]:
        """Labels and completion rates (completed periods only) for the page's chart."""
        done = [c for c in self.cells if not c.running and c.checked]
        return {"labels": [c.label for c in done], "rates": [c.rate for c in done]}

    @property
    def chart_id(self) -> str:
        return f"chart-{self.rule.lower()}"


@dataclass
class Compliance:
    year: int
    at: dt.date
    since: dt.date
    rows: list[RuleRow]
    result: CheckResult

    def missed(self, rule: str, period: str) -> list[Finding]:
        return [
            f
            for f in self.result.findings
            if f.rule == rule and f.period == period and f.severity == "error"
        ]


def compliance(
    actor: Any,
    *,
    year: int,
    org_code: str | None = None,
    sector: str | None = None,
    region: str | None = None,
    rule_ids: list[str] | None = None,
) -> Compliance:
    """The compliance table of ``year`` (up to today) for the actor's scope or ``org_code``.

    Raises ``Http404`` / ``ValueError`` like :func:`dangjian.rules.selectors.run_check`.
    """
    today = timezone.localdate()
    since = dt.date(year, 1, 1)
    if since > today:
        raise ValueError(f"{year} 年尚未开始")
    at = min(dt.date(year, 12, 31), today)
    tally: dict[tuple[str, str], list[int]] = {}
    wanted = rule_ids or FREQUENCY_RULES
    result = run_check(
        actor,
        rules="LIFE",
        org_code=org_code,
        at=at,
        since=since,
        sector=sector,
        region=region,
        rule_ids=wanted,
        tally=tally,
    )
    rows = []
    for rule in FREQUENCY_RULES:
        if rule not in wanted:
            continue
        # the frequency in force may be configured locally; read it from the tallied periods
        kind = _frequency_of(rule)
        row = RuleRow(rule, RULE_TITLES.get(rule, rule), kind)
        for period in periods_between(kind, since, at):
            checked, met = tally.get((rule, period.label), [0, 0])
            row.cells.append(Cell(period.label, checked, met, running=period.end >= at))
        rows.append(row)
    return Compliance(year=year, at=at, since=since, rows=rows, result=result)


def _frequency_of(rule: str) -> str:
    from dangjian.rules.engine import REGISTRY, rule_params

    spec = REGISTRY[rule][0]
    return str(rule_params(spec).get("frequency", DEFAULTS[rule]["frequency"]))
