"""Reads of checker findings, always restricted to the acting user's scope (Perm.FINDING_VIEW).

Findings are derived, never stored: they are recomputed from the records as of a date ``at`` with
a constant number of grouped queries (see :mod:`dangjian.rules.facts`), so a page, the API, the
CLI and a whole-city batch run give the same findings on the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers, scope_prefix
from dangjian.members.models import Member
from dangjian.orgs.choices import BRANCH_TYPES, Sector
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for

from .base import Finding
from .engine import SEVERITIES, evaluate, resolve_rules
from .facts import OrgFacts, collect_facts
from .life import check_window, evaluate_life, is_life


@dataclass
class CheckResult:
    """Findings of one run plus the facts of the organizations they are about (for labels)."""

    at: dt.date
    findings: list[Finding]
    facts: dict[str, OrgFacts] = field(default_factory=dict)
    checked_orgs: int = 0
    #: subject → label for subjects that are not organizations (RECRUIT: case_no → branch name)
    labels: dict[str, str] = field(default_factory=dict)
    checked_cases: int = 0


def _split_recruit(
    rules: str | Sequence[str], rule_ids: list[str]
) -> tuple[list[str], list[str], bool, list[str]]:
    """(other families, other rule ids, RECRUIT asked for, RECRUIT rule ids): the RECRUIT family
    is checked over recruitment cases by :mod:`dangjian.recruit.selectors`, not the engine."""
    families = _as_list(rules)
    recruit = any(f.upper() == "RECRUIT" for f in families)
    others = [f for f in families if f.upper() != "RECRUIT"]
    recruit_ids = [r for r in rule_ids if r.upper().startswith("RECRUIT-")]
    other_ids = [r for r in rule_ids if not r.upper().startswith("RECRUIT-")]
    if recruit_ids and not recruit:
        raise ValueError(
            f"规则 {'、'.join(recruit_ids)} 属于 RECRUIT 规则族，请加上 --rules RECRUIT"
        )
    return others, other_ids, recruit, recruit_ids


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _severities(value: str | Iterable[str] | None) -> set[str]:
    wanted = set(_as_list(value))
    unknown = sorted(wanted - set(SEVERITIES))
    if unknown:
        known = "、".join(f"{k}（{v}）" for k, v in SEVERITIES.items())
        raise ValueError(f"未知的级别“{'、'.join(unknown)}”，可用：{known}")
    return wanted


def run_check(
    actor: Any,
    *,
    rules: str | Sequence[str] = "SETUP",
    org_code: str | None = None,
    at: dt.date | None = None,
    rule_ids: Iterable[str] | None = None,
    severity: str | Iterable[str] | None = None,
    sector: str | None = None,
    region: str | None = None,
    since: dt.date | None = None,
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None,
) -> CheckResult:
    """Evaluate the rules over the actor's scope (or the subtree of ``org_code`` inside it).

    Raises ``Http404`` for an unknown ``org_code`` or one outside the scope, ``ValueError`` (with
    a Chinese message) for unknown rule families, rule ids, severities or sectors. LIFE rules
    cover the periods from ``since`` (default 1 January of the year of ``at``) to ``at``; a
    ``tally`` dict receives (rule, period, sector, region, type) → [organizations checked, met].
    """
    at = at or timezone.localdate()
    others, other_ids, recruit, recruit_ids = _split_recruit(rules, _as_list(rule_ids))
    if others or not recruit:
        specs = resolve_rules(others, other_ids or None)
        if recruit and recruit_ids and not other_ids:
            specs = []  # only RECRUIT rule ids were asked for
    else:
        if other_ids:
            raise ValueError(f"未知或未实现的规则：{'、'.join(other_ids)}")
        specs = []
    life_specs = [s for s in specs if is_life(s)]
    if life_specs:
        check_window(since or dt.date(at.year, 1, 1), at)
    severities = _severities(severity)
    if sector and sector not in Sector.values:
        raise ValueError(f"未知领域“{sector}”，可用：{'、'.join(Sector.values)}")
    region = (region or "").strip()

    orgs = orgs_for(actor, Perm.FINDING_VIEW)
    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    if org_code:
        root = orgs.filter(code=org_code).values_list("path", flat=True).first()
        if root is None:
            raise Http404("组织不存在或不在您的管辖范围内")
        prefix = root
        orgs = orgs.filter(path__startswith=root)
    if prefix is None:
        return CheckResult(at=at, findings=[])
    members = Member.objects.all()
    if prefix:
        members = members.filter(org__path__startswith=prefix)

    # LIFE rules read the organizations only; the rolls are counted when another family runs
    roll = any(not is_life(s) for s in specs)
    facts = collect_facts(orgs, members, at, roll=roll) if specs else []
    subjects = [
        f
        for f in facts
        if (not sector or f.sector == sector) and (not region or f.region_code.startswith(region))
    ]
    findings = evaluate(subjects, at, specs)
    if life_specs:
        findings.extend(evaluate_life(subjects, prefix, at, since, life_specs, tally))
        findings.sort(key=lambda f: (f.subject, f.rule))
    labels: dict[str, str] = {}
    checked_cases = 0
    if recruit:
        from dangjian.recruit.selectors import recruit_check

        recruit_findings, labels, checked_cases = recruit_check(
            actor,
            prefix=prefix,
            at=at,
            rule_ids=recruit_ids or None,
            sector=sector or None,
            region=region or None,
        )
        findings.extend(recruit_findings)
        findings.sort(key=lambda f: (f.subject, f.rule))
    if severities:
        findings = [f for f in findings if f.severity in severities]
    return CheckResult(
        at=at,
        findings=findings,
        facts={f.code: f for f in subjects},
        checked_orgs=len(subjects),
        labels=labels,
        checked_cases=checked_cases,
    )


def findings_for(
    actor: Any,
    *,
    rules: str | Sequence[str] = "SETUP",
    org_code: str | None = None,
    at: dt.date | None = None,
    rule_ids: Iterable[str] | None = None,
    severity: str | Iterable[str] | None = None,
    sector: str | None = None,
    region: str | None = None,
    since: dt.date | None = None,
) -> list[Finding]:
    """Findings in the actor's scope, sorted by subject then rule (see :func:`run_check`)."""
    return run_check(
        actor,
        rules=rules,
        org_code=org_code,
        at=at,
        rule_ids=rule_ids,
        severity=severity,
        sector=sector,
        region=region,
        since=since,
    ).findings


def findings_for_org(actor: Any, org: Organization, *, at: dt.date | None = None) -> list[Finding]:
    """The SETUP findings whose subject is ``org`` (for its page); 404 outside the scope.

    Reads only the organization itself and its own roll or, for a 党总支 or 党委, the roll of its
    subtree: the same facts a scope-wide run computes for it, so the findings are identical.
    """
    if not covers(actor, Perm.FINDING_VIEW, org.path):
        raise Http404("组织不存在或不在您的管辖范围内")
    at = at or timezone.localdate()
    single = Organization.objects.filter(pk=org.pk)
    if org.org_type in BRANCH_TYPES:
        facts = collect_facts(single, Member.objects.filter(org_id=org.pk), at)
    else:
        subtree = Member.objects.filter(org__path__startswith=org.path)
        facts = collect_facts(single, subtree, at, subtree_total=True)
    return evaluate(facts, at, resolve_rules("SETUP"))
