"""Compliance of a subtree with the LIFE frequency rules, per rule and period (upper levels).

One LIFE run over the actor's scope (the same grouped queries as the checker) with a tally of
how many organizations each rule applied to in each period and how many met it. A period still
running at ``at`` is shown as in progress, never as missed. A yearly requirement may still be
met in the first ``next_year_months`` of the next year (所属年度): a past year's yearly cells
count the records held up to that deadline and stay in progress until it has passed.

A whole city takes seconds to compute, so the pages and the API read it through
:func:`compliance_cached` / :func:`missed_cached`: the result is cached per scope, filters, year
and day, under a key that also holds a *data version* (:func:`data_version`: the latest audited
write, and the highest id and latest change time of the meetings, organizations and members).
Any record written, changed or deleted changes the version, so a cached table is never stale;
the LIFE configuration in force is part of the key as well.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from dangjian.accounts.scope import Actor
from dangjian.core.scalars import first_value, read_at_once
from dangjian.life.rules import TALLY_ONLY, deadline, facts_from, grace_of, periods_between
from dangjian.rules.params import params_on
from dangjian.rules.registry import Finding, rule_title
from dangjian.rules.runner import CheckResult, run_check

from .rules import DEFAULTS, FREQUENCY_RULES

#: how long a cached table may live (it is replaced as soon as the data version changes)
CACHE_SECONDS = 24 * 3600


class _Rated:
    """Of the organizations ``checked``, those that ``met`` the rule: ``rate`` is their share in
    percent (``None`` when none was checked)."""

    checked: int
    met: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.met / self.checked) if self.checked else None


@dataclass
class Cell(_Rated):
    label: str
    checked: int
    met: int
    running: bool

    @property
    def title(self) -> str:
        """The period in Chinese (``2026年第1季度``)."""
        from dangjian.life.rules import period_title

        return period_title(self.label)

    @property
    def missed(self) -> int:
        return 0 if self.running else self.checked - self.met


@dataclass
class RuleRow:
    rule: str
    title: str
    frequency: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        """Whether any organization of the scope was held to the rule in the year."""
        return any(c.checked for c in self.cells)

    @property
    def chart(self) -> dict[str, list[Any]]:
        """Labels and completion rates (completed periods only) for the page's chart."""
        done = [c for c in self.cells if not c.running and c.checked]
        return {"labels": [c.title for c in done], "rates": [c.rate for c in done]}

    @property
    def chart_id(self) -> str:
        return f"chart-{self.rule.lower()}"


#: short column titles of the frequency rules
SHORT = {
    "LIFE-ASSEMBLY-QUARTERLY": "党员大会",
    "LIFE-COMMITTEE-MONTHLY": "支委会",
    "LIFE-GROUP-MONTHLY": "党小组会",
    "LIFE-LECTURE-QUARTERLY": "党课",
    "LIFE-SECRETARY-LECTURE-YEARLY": "书记讲党课",
    "LIFE-THEME-DAY-MONTHLY": "主题党日",
    "LIFE-ORG-LIFE-MEETING-YEARLY": "组织生活会",
    "LIFE-DEMOCRATIC-REVIEW-YEARLY": "民主评议",
    "LIFE-HEART-TALK-YEARLY": "谈心谈话",
}


@dataclass
class GroupRow(_Rated):
    """A sector or region: completion rate per frequency rule (completed periods, in
    ``FREQUENCY_RULES`` order) and the totals."""

    name: str
    rates: list[int | None]
    checked: int
    met: int
    label: str = ""


@dataclass
class Compliance:
    year: int
    at: dt.date
    since: dt.date
    rows: list[RuleRow]
    result: CheckResult
    groups: dict[str, list[GroupRow]] = field(default_factory=dict)

    @property
    def rule_titles(self) -> list[tuple[str, str]]:
        return [(r, SHORT.get(r, r)) for r in FREQUENCY_RULES]

    def missed(self, rule: str, period: str) -> list[Finding]:
        today = timezone.localdate()
        # ``due`` findings of a period that has ended (a past year's December) are misses too
        return [
            f
            for f in self.result.findings
            if f.rule == rule
            and f.period == period
            and (f.severity == "error" or (f.severity == "due" and (f.due_date or today) < today))
        ]


class NotCounted(Exception):
    """The counters of :mod:`dangjian.life.tally` do not answer for the scope."""


def from_counters(actor: Actor, **params: Any) -> Compliance | None:
    """:func:`compliance` from the counters the findings store keeps, ``None`` when they do
    not answer for the scope (the current year only, every organization of it evaluated today
    and no write since)."""
    try:
        return compliance(actor, counters=True, **params)
    except NotCounted:
        return None


def compliance(
    actor: Actor,
    *,
    year: int,
    org_code: str | None = None,
    sector: str | None = None,
    region: str | None = None,
    rule_ids: list[str] | None = None,
    org_type: str | None = None,
    source: str = "rollups",
    counters: bool = False,
) -> Compliance:
    """The compliance table of ``year`` (up to today) for the actor's scope or ``org_code``.

    The meeting counts come from the per-organization rollup ``life.MeetingMonths`` (``source``
    ``"rollups"``, one row per organization, year and type) or from the records themselves
    (``"records"``, the path of ``dangjian check``); both give the same table (tested). With
    ``counters``, the table of the current year comes from the counters the findings store's
    evaluations keep (:mod:`dangjian.life.tally`): the same counts, without the findings (the
    overview's table; tested equal), or :class:`NotCounted` when they do not answer for the
    scope (:func:`from_counters`).

    Raises ``Http404`` / ``ValueError`` like :func:`dangjian.rules.runner.run_check`.
    """
    today = timezone.localdate()
    since = dt.date(year, 1, 1)
    if since > today:
        raise ValueError(f"{year} 年尚未开始")
    at = min(dt.date(year, 12, 31), today)
    wanted = rule_ids or FREQUENCY_RULES
    graces = {rule: _grace_of(rule) for rule in wanted}
    # the yearly requirements of a past year may be met early in the next year: judge the year
    # with what was recorded up to the last such deadline (or today)
    last = deadline(periods_between("year", since, since)[0], max(graces.values(), default=0))
    if counters:
        stored = _from_counters(
            actor, year, today, org_code, sector, region, org_type, wanted, since, at
        )
        if stored is None:
            raise NotCounted
        counted, checked = stored
        result = CheckResult(at=min(last, today), findings=[], checked_orgs=checked)
        return _table(year, since, at, today, last, wanted, graces, counted, result)
    tally: dict[tuple[str, str, str, str, str], list[int]] = {}
    with facts_from(source):
        result = run_check(
            actor,
            rules="LIFE",
            org_code=org_code,
            at=min(last, today),
            since=since,
            sector=sector,
            region=region,
            rule_ids=wanted,
            tally=tally,
        )
    # only the periods of ``year`` (a run up to February of the next year sees its months too)
    tally = {key: value for key, value in tally.items() if key[1].startswith(str(year))}
    result.findings = [f for f in result.findings if (f.period or "").startswith(str(year))]
    if org_type:
        tally = {key: value for key, value in tally.items() if key[4] == org_type}
        result.findings = [
            f
            for f in result.findings
            if f.subject in result.facts and result.facts[f.subject].org_type == org_type
        ]
    return _table(year, since, at, today, last, wanted, graces, tally, result)


def _table(
    year: int,
    since: dt.date,
    at: dt.date,
    today: dt.date,
    last: dt.date,
    wanted: list[str],
    graces: dict[str, int],
    tally: dict[tuple[str, str, str, str, str], list[int]],
    result: CheckResult,
) -> Compliance:
    """The table of ``year`` from the ``tally`` of its periods (rule, period, sector, county,
    type) → [organizations checked, met]."""
    per_period: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (rule, label, _sector, _region, _type), (checked, met) in tally.items():
        per_period[(rule, label)][0] += checked
        per_period[(rule, label)][1] += met
    rows = []
    for rule in FREQUENCY_RULES:
        if rule not in wanted:
            continue
        # the frequency in force may be configured locally; read it from the tallied periods
        kind = _frequency_of(rule)
        row = RuleRow(rule, rule_title(rule), kind)
        for period in periods_between(kind, since, at):
            checked, met = per_period.get((rule, period.label), [0, 0])
            # a period whose deadline has not passed by today is running; a past year's last
            # periods (which contain ``at`` = 31 December) are over and count in full
            open_ = deadline(period, graces[rule]) >= today
            row.cells.append(Cell(period.label, checked, met, running=open_))
        rows.append(row)
    running = {(row.rule, cell.label) for row in rows for cell in row.cells if cell.running}
    return Compliance(
        year=year,
        at=min(last, today),
        since=since,
        rows=rows,
        result=result,
        groups={
            "sector": _groups(tally, running, 2),
            "region": _named_regions(_groups(tally, running, 3)),
        },
    )


def _from_counters(
    actor: Actor,
    year: int,
    today: dt.date,
    org_code: str | None,
    sector: str | None,
    region: str | None,
    org_type: str | None,
    wanted: list[str],
    since: dt.date,
    at: dt.date,
) -> tuple[dict[tuple[str, str, str, str, str], list[int]], int] | None:
    """The tally of the scope from the counters (:func:`dangjian.life.tally.stored_tally`),
    only the ``wanted`` rules; ``None`` when they do not answer (or the organization is not in
    the scope: the run says so)."""
    from dangjian.accounts.roles import Perm
    from dangjian.accounts.scope import scope_prefix
    from dangjian.orgs.selectors import orgs_for

    from .tally import stored_tally

    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    if prefix is None:
        return None
    if org_code:
        found = orgs_for(actor, Perm.FINDING_VIEW).filter(code=org_code)
        path = found.values_list("path", flat=True).first()
        if path is None:
            return None
        prefix = path
    periods = {
        rule: {p.start.month: p.label for p in periods_between(_frequency_of(rule), since, at)}
        for rule in wanted
    }
    stored = stored_tally(
        prefix, year, today, sector=sector, region=region, org_type=org_type, periods=periods
    )
    if stored is None:
        return None
    tally, checked = stored
    return {key: value for key, value in tally.items() if key[0] in wanted}, checked


def _named_regions(rows: list[GroupRow]) -> list[GroupRow]:
    from dangjian.orgs.models import Region

    names = dict(Region.objects.filter(code__in=[r.name for r in rows]).values_list("code", "name"))
    for row in rows:
        row.label = f"{names[row.name]}（{row.name}）" if row.name in names else row.name
    return rows


def _groups(
    tally: dict[tuple[str, str, str, str, str], list[int]], running: set[tuple[str, str]], at: int
) -> list[GroupRow]:
    """Completion over the year's completed periods per sector (``at`` 2) or region (3)."""
    sums: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for key, (checked, met) in tally.items():
        if (key[0], key[1]) in running:
            continue
        counts = sums[key[at] or "（未填）"][key[0]]
        counts[0] += checked
        counts[1] += met
    return [
        GroupRow(
            name,
            [
                round(100 * by_rule[r][1] / by_rule[r][0]) if by_rule[r][0] else None
                for r in FREQUENCY_RULES
            ],
            sum(c[0] for c in by_rule.values()),
            sum(c[1] for c in by_rule.values()),
        )
        for name, by_rule in sorted(sums.items())
    ]


def _grace_of(rule: str) -> int:
    return grace_of(params_on(rule))


def _frequency_of(rule: str) -> str:
    return str(params_on(rule).get("frequency", DEFAULTS[rule]["frequency"]))


# --- cached reads for the pages and the API ----------------------------------------------------


#: audited actions that change nothing (reads of personal data, exports, API tokens)
READ_ACTIONS = (
    "member.view_pii",
    "export",
    "life.ledger.export",
    "recruit.case_export",
    "api.token.issue",
    "api.token.revoke",
)


def data_version(*, organizations: bool = True) -> str:
    """A fingerprint of everything the frequency rules read, from a few index-only reads:

    * the sequence number of the latest audited write (every write of the project is audited in
      its own transaction, deletes and member changes included; reads and exports are skipped);
    * meetings: highest id and latest ``updated_at`` (both indexed; catch unaudited bulk
      inserts and saves);
    * organizations: count, highest id, latest ``updated_at`` (a small table);
    * members: highest id (bulk inserts of a seed).

    The index reads are one statement (:func:`dangjian.core.scalars.read_at_once`), the
    organizations' aggregate another.

    Without ``organizations`` the organizations are left out (a scan of the table at province
    size: the findings store's state stands for them, :func:`dangjian.rules.store.version`).
    """
    from dangjian.core.models import AuditEntry
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    from .models import Meeting

    read = read_at_once(
        last_write=first_value(
            AuditEntry.objects.exclude(action__in=READ_ACTIONS).order_by("-seq").values("seq")
        ),
        meeting_top=first_value(Meeting.objects.order_by("-pk").values("pk")),
        meeting_changed=first_value(Meeting.objects.order_by("-updated_at").values("updated_at")),
        member_top=first_value(Member.objects.order_by("-pk").values("pk")),
    )
    last_write = read["last_write"]
    meetings = [read["meeting_top"], read["meeting_changed"]]
    orgs = (
        Organization.objects.order_by().aggregate(
            n=Count("pk"), top=Max("pk"), changed=Max("updated_at")
        )
        if organizations
        else None
    )
    members = {"top": read["member_top"]}
    parts = [last_write, meetings, orgs, members]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _key(actor: Actor, kind: str, params: dict[str, Any]) -> str | None:
    from dangjian.accounts.roles import Perm
    from dangjian.accounts.scope import scope_prefix

    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    if prefix is None:
        return None
    config = json.dumps(
        getattr(settings, "DANGJIAN_RULES", None) or {}, sort_keys=True, default=str
    )
    material = json.dumps(
        [kind, prefix, timezone.localdate().isoformat(), config, data_version(), params],
        sort_keys=True,
        default=str,
    )
    return "life:compliance:" + hashlib.sha256(material.encode()).hexdigest()


def compliance_cached(actor: Actor, **params: Any) -> Compliance:
    """:func:`compliance` for the overview page and API, through the cache (module docstring).

    The cached table keeps the counts and groups but neither the findings nor the facts (use
    :func:`missed_cached` for the names behind a count)."""
    counted = from_counters(actor, **params)
    if counted is not None:
        return counted  # a few rows read, nothing to cache
    key = _key(actor, "table", params)
    if key is not None:
        found = cache.get(key)
        if found is not None:
            return cast(Compliance, found)
    token = TALLY_ONLY.set(True)
    collecting = gc.isenabled()
    gc.disable()  # ~100,000 short-lived containers for a city: no cyclic garbage to find
    try:
        table = compliance(actor, **params)
    finally:
        TALLY_ONLY.reset(token)
        if collecting:
            gc.enable()
    table.result = CheckResult(
        at=table.result.at, findings=[], checked_orgs=table.result.checked_orgs
    )
    if key is not None:
        cache.set(key, table, CACHE_SECONDS)
    return table


@dataclass(frozen=True)
class MissedRow:
    """One organization that missed a rule in a period (the drill-down list)."""

    subject: str
    name: str
    message: str
    #: a branch or 党小组 (which has a to-do list and a ledger), not a 党委
    todo: bool = True


def missed_cached(actor: Actor, rule: str, period: str, **params: Any) -> list[MissedRow]:
    """The organizations that missed ``rule`` in ``period`` (cached like the table)."""
    key = _key(actor, "missed", {**params, "rule": rule, "period": period})
    if key is not None:
        found = cache.get(key)
        if found is not None:
            return cast(list[MissedRow], found)
    table = compliance(actor, rule_ids=[rule], **params)
    facts = table.result.facts
    from dangjian.orgs.choices import BRANCH_TYPES, OrgType

    rows = []
    for f in table.missed(rule, period):
        org = facts.get(f.subject)
        rows.append(
            MissedRow(
                f.subject,
                org.name if org else "",
                f.message,
                todo=org is None or org.org_type in (*BRANCH_TYPES, OrgType.GROUP),
            )
        )
    if key is not None:
        cache.set(key, rows, CACHE_SECONDS)
    return rows
