"""Indicators: named, documented measures of an organization computed from its records.

An automatic criterion of a standard names one indicator (see :mod:`dangjian.assess.standard`).
Each indicator is a function registered with :func:`indicator`, citing the rule ids it rests
on, and computes its value for **every** organization of a campaign at once from an
:class:`IndicatorContext`: the context runs the SETUP and LIFE checkers of
:mod:`dangjian.rules` once (their grouped queries, never one query per organization) and caches
the results, so ten indicators over 60,000 organizations still cost a handful of queries.

Every value carries its evidence — the findings or counts behind it — so a score explains itself.
``value`` is ``None`` when the indicator does not apply or has no data (e.g. a term never
recorded); the criterion's ``missing`` setting then decides the points.

Registered indicators (``dangjian standard indicators`` lists them with their documentation):

- ``life_compliance_rate`` — share of (frequency rule, completed period) pairs met (LIFE-*);
- ``life_org_life_meeting`` / ``life_democratic_review`` — yearly 组织生活会 / 民主评议党员 held;
- ``life_absent_members`` — members absent 6 months without good reason (LIFE-ABSENT-6-MONTHS);
- ``attendance_rate`` — present / expected over meetings with attendance recorded;
- ``setup_errors`` — SETUP-* errors at the end of the period;
- ``term_in_force`` — the committee's term has not expired (SETUP-TERM-EXPIRED);
- ``secretary_in_post`` — a secretary holds the post (SETUP-SECRETARY-VACANT);
- ``committee_in_place`` — a branch of 7+ full members has its 支委会 (SETUP-COMMITTEE-REQUIRED);
- ``full_members_enough`` — at least 3 full members (SETUP-BRANCH-MIN-FULL);
- ``recruit_procedure_errors`` — RECRUIT-* errors on the recruitment cases active in the window;
- ``recruit_candidate_2_years`` — a development candidate determined in the last two years
  (ASSESS-WEAK: a village without one for 2+ years).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Sum

from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.rules.base import Finding
from dangjian.rules.engine import RULE_TITLES, evaluate, resolve_rules, rule_params
from dangjian.rules.facts import OrgFacts, collect_facts
from dangjian.rules.life import evaluate_life, periods_between


@dataclass(frozen=True)
class IndicatorValue:
    """The value of an indicator for one organization, how to read it, and what it rests on."""

    value: float | None
    display: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    name: str
    title: str
    unit: str  # "rate" (0–1), "bool" (1 yes / 0 no), "count"
    rules: tuple[str, ...]
    doc: str
    func: Callable[[IndicatorContext], dict[int, IndicatorValue]]


REGISTRY: dict[str, Indicator] = {}

#: the LIFE rules whose per-period compliance ``life_compliance_rate`` counts
LIFE_FREQUENCY_RULES = (
    "LIFE-ASSEMBLY-QUARTERLY",
    "LIFE-COMMITTEE-MONTHLY",
    "LIFE-GROUP-MONTHLY",
    "LIFE-LECTURE-QUARTERLY",
    "LIFE-THEME-DAY-MONTHLY",
    "LIFE-ORG-LIFE-MEETING-YEARLY",
    "LIFE-DEMOCRATIC-REVIEW-YEARLY",
    "LIFE-HEART-TALK-YEARLY",
)


def indicator(
    name: str, title: str, unit: str, rules: Iterable[str], *, life: Iterable[str] = ()
) -> Callable[[Callable[[IndicatorContext], dict[int, IndicatorValue]]], Any]:
    """Register an indicator; ``life`` names the LIFE rules the context must run for it."""

    def wrap(
        func: Callable[[IndicatorContext], dict[int, IndicatorValue]],
    ) -> Callable[[IndicatorContext], dict[int, IndicatorValue]]:
        if name in REGISTRY:
            raise RuntimeError(f"indicator {name} registered twice")
        REGISTRY[name] = Indicator(
            name, title, unit, tuple(rules), (func.__doc__ or "").strip(), func
        )
        _LIFE_NEEDS[name] = tuple(life)
        return func

    return wrap


_LIFE_NEEDS: dict[str, tuple[str, ...]] = {}


@dataclass
class LifeTally:
    """Per organization: LIFE findings, and for each frequency rule the completed periods
    checked and met."""

    findings: dict[str, list[Finding]]
    #: org pk → rule id → [checked, met] over completed periods
    per_org: dict[int, dict[str, list[int]]]
    #: org pk → [(rule id, period label)] not met among completed periods
    missed: dict[int, list[tuple[str, str]]]
    #: the LIFE rules the run covered
    rules: set[str] = field(default_factory=set)


class IndicatorContext:
    """Everything indicators read for one campaign, computed once and cached.

    ``org_ids`` are the organizations scored, all under the materialized path ``prefix``;
    ``start``..``end`` is the assessed window (the campaign period, cut at the scoring date
    ``at``). A LIFE period counts for compliance only once it is over at ``at``.
    """

    def __init__(
        self,
        *,
        org_ids: Iterable[int],
        prefix: str,
        start: dt.date,
        end: dt.date,
        at: dt.date,
        wanted: Iterable[str] = (),
    ) -> None:
        self.org_ids = set(org_ids)
        self.prefix = prefix
        self.start = start
        self.end = min(end, at)
        self.at = at
        self.wanted = set(wanted)

    @functools.cached_property
    def facts(self) -> dict[int, OrgFacts]:
        """SETUP facts (two grouped queries over the subtree) of the scored organizations."""
        orgs = Organization.objects.filter(path__startswith=self.prefix)
        # an id subquery lets SQLite read members through their org index (its LIKE cannot)
        members = Member.objects.filter(org_id__in=orgs.values("pk"))
        if not self.prefix:
            orgs, members = Organization.objects.all(), Member.objects.all()
        return {f.pk: f for f in collect_facts(orgs, members, self.end) if f.pk in self.org_ids}

    @functools.cached_property
    def setup(self) -> dict[str, list[Finding]]:
        """SETUP findings at the end of the window, by organization code."""
        out: dict[str, list[Finding]] = defaultdict(list)
        for f in evaluate(self.facts.values(), self.end, resolve_rules("SETUP")):
            out[f.subject].append(f)
        return out

    def setup_of(self, pk: int, rule_id: str) -> list[Finding]:
        return [f for f in self.setup.get(self.facts[pk].code, []) if f.rule == rule_id]

    @functools.cached_property
    def life(self) -> LifeTally:
        """One LIFE checker run over the scored organizations for the rules the wanted
        indicators need, with the per-organization tally of the frequency rules.

        The checker's tally is keyed by (rule, period, sector, region, type); to get it per
        organization the subjects are passed with their region replaced by their index (no
        LIFE rule reads the region), which keeps the run to the checker's grouped queries.
        """
        needed = sorted({r for name in self.wanted for r in _LIFE_NEEDS.get(name, ())})
        if not needed or self.start > self.end:
            return LifeTally({}, {}, {}, set(needed))
        subjects = sorted(self.facts.values(), key=lambda f: f.path)
        tagged = [dataclasses.replace(f, region_code=f"{i:06d}") for i, f in enumerate(subjects)]
        tally: dict[tuple[str, str, str, str, str], list[int]] = {}
        specs = resolve_rules("LIFE", needed)
        findings = evaluate_life(tagged, self.prefix, self.end, self.start, specs, tally)
        by_code: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            by_code[f.subject].append(f)
        ended: dict[str, set[str]] = {}
        for spec in specs:
            kind = rule_params(spec).get("frequency")
            if kind:
                ended[spec.id] = {
                    p.label
                    for p in periods_between(kind, self.start, self.end)
                    if p.end < self.at and p.start >= self.start
                }
        per_org: dict[int, dict[str, list[int]]] = defaultdict(dict)
        missed: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for (rule_id, label, _s, tag, _t), (checked, met) in sorted(tally.items()):
            if label not in ended.get(rule_id, ()):
                continue
            pk = subjects[int(tag)].pk
            counts = per_org[pk].setdefault(rule_id, [0, 0])
            counts[0] += checked
            counts[1] += met
            if checked > met:
                missed[pk].append((rule_id, label))
        return LifeTally(by_code, dict(per_org), dict(missed), set(needed))

    def compute(self, name: str) -> dict[int, IndicatorValue]:
        self.wanted.add(name)
        cached = self.__dict__.get("life")
        if cached is not None and not set(_LIFE_NEEDS.get(name, ())) <= cached.rules:
            del self.__dict__["life"]  # computed for fewer rules: run the checker again
        return REGISTRY[name].func(self)


def compute_all(
    ctx: IndicatorContext, names: Iterable[str]
) -> dict[str, dict[int, IndicatorValue]]:
    """The values of ``names`` for every organization of the context (each computed once)."""
    names = sorted(set(names))
    ctx.wanted.update(names)
    return {name: ctx.compute(name) for name in names}


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _yes(ok: bool, yes: str, no: str) -> str:
    return yes if ok else no


# --- LIFE -------------------------------------------------------------------------------------


@indicator(
    "life_compliance_rate",
    "组织生活制度落实率",
    "rate",
    LIFE_FREQUENCY_RULES,
    life=LIFE_FREQUENCY_RULES,
)
def life_compliance_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Share of (frequency rule, completed period) pairs in which the organization held what the
    rule requires: 支部党员大会 and 党课 each quarter, 支委会, 党小组会 and 主题党日 each month,
    组织生活会, 民主评议党员 and 谈心谈话 each year (LIFE-*, 支部条例). Counted by the LIFE
    checker itself; a period still running at the scoring date does not count. ``None`` when no
    rule applied (e.g. an organization founded after the last completed period)."""
    out: dict[int, IndicatorValue] = {}
    life = ctx.life
    for pk in ctx.facts:
        rules = life.per_org.get(pk, {})
        checked = sum(c for c, _m in rules.values())
        met = sum(m for _c, m in rules.values())
        if not checked:
            out[pk] = IndicatorValue(None, "考核期内无已结束的检查周期", {})
            continue
        rate = met / checked
        grouped: dict[str, list[str]] = defaultdict(list)
        for r, p in life.missed.get(pk, []):
            grouped[r].append(p)
        missed = [
            {"rule": r, "title": RULE_TITLES.get(r, r), "periods": periods}
            for r, periods in sorted(grouped.items())
        ]
        out[pk] = IndicatorValue(
            rate,
            f"{_pct(rate)}（应落实 {checked} 次，已落实 {met} 次）",
            {"checked": checked, "met": met, "missed": missed},
        )
    return out


def _yearly(ctx: IndicatorContext, rule_id: str, what: str) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    life = ctx.life
    for pk in ctx.facts:
        checked, met = life.per_org.get(pk, {}).get(rule_id, [0, 0])
        if not checked:
            out[pk] = IndicatorValue(None, f"考核期内无须{what}或年度未结束", {})
            continue
        missed = [p for r, p in life.missed.get(pk, []) if r == rule_id]
        ok = met == checked
        out[pk] = IndicatorValue(
            1.0 if ok else 0.0,
            _yes(ok, f"已{what}", f"未{what}（{'、'.join(missed)}）"),
            {"rule": rule_id, "years": checked, "held_years": met, "missed": missed},
        )
    return out


@indicator(
    "life_org_life_meeting",
    "按年召开组织生活会",
    "bool",
    ["LIFE-ORG-LIFE-MEETING-YEARLY"],
    life=["LIFE-ORG-LIFE-MEETING-YEARLY"],
)
def life_org_life_meeting(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when the 组织生活会 was held in every completed year of the window, else 0
    (LIFE-ORG-LIFE-MEETING-YEARLY, 支部条例)."""
    return _yearly(ctx, "LIFE-ORG-LIFE-MEETING-YEARLY", "召开组织生活会")


@indicator(
    "life_democratic_review",
    "按年开展民主评议党员",
    "bool",
    ["LIFE-DEMOCRATIC-REVIEW-YEARLY"],
    life=["LIFE-DEMOCRATIC-REVIEW-YEARLY"],
)
def life_democratic_review(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when 民主评议党员 was held in every completed year of the window, else 0
    (LIFE-DEMOCRATIC-REVIEW-YEARLY)."""
    return _yearly(ctx, "LIFE-DEMOCRATIC-REVIEW-YEARLY", "开展民主评议党员")


@indicator(
    "life_absent_members",
    "无正当理由连续 6 个月不参加组织生活的党员数",
    "count",
    ["LIFE-ABSENT-6-MONTHS"],
    life=["LIFE-ABSENT-6-MONTHS"],
)
def life_absent_members(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Number of LIFE-ABSENT-6-MONTHS findings of the organization in the window (党章 art. 9:
    members absent 6 months in a row without good reason). Names are not carried into the
    assessment; the count and the finding messages' periods are."""
    out: dict[int, IndicatorValue] = {}
    life = ctx.life
    for pk, facts in ctx.facts.items():
        found = [f for f in life.findings.get(facts.code, []) if f.rule == "LIFE-ABSENT-6-MONTHS"]
        n = len(found)
        out[pk] = IndicatorValue(
            float(n),
            f"{n} 人" if n else "无",
            {"findings": n, "periods": sorted({f.period or "" for f in found})},
        )
    return out


#: meeting types whose attendance counts in ``attendance_rate``
ATTENDANCE_TYPES = ("支部党员大会", "党课", "主题党日", "组织生活会", "民主评议党员")


@indicator(
    "attendance_rate",
    "党员参加组织生活比例",
    "rate",
    ["LIFE-ASSEMBLY-QUORUM", "LIFE-ABSENT-6-MONTHS"],
)
def attendance_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Present / expected summed over the window's 支部党员大会, 党课, 主题党日, 组织生活会 and
    民主评议党员 with attendance recorded (one grouped query). ``None`` without such meetings."""
    from dangjian.life.models import Meeting

    meetings = Meeting.objects.filter(
        held_on__gte=ctx.start,
        held_on__lte=ctx.end,
        meeting_type__in=ATTENDANCE_TYPES,
        expected__gt=0,
        present__isnull=False,
    )
    if ctx.prefix:
        subtree = Organization.objects.filter(path__startswith=ctx.prefix).values("pk")
        meetings = meetings.filter(org_id__in=subtree)
    rows = (
        meetings.order_by()
        .values("org_id")
        .annotate(n=Count("id"), expected=Sum("expected"), present=Sum("present"))
    )
    found = {r["org_id"]: r for r in rows}
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.facts:
        r = found.get(pk)
        if not r or not r["expected"]:
            out[pk] = IndicatorValue(None, "考核期内无登记出席人数的会议", {})
            continue
        rate = r["present"] / r["expected"]
        out[pk] = IndicatorValue(
            rate,
            f"{_pct(rate)}（{r['n']} 次会议，应到 {r['expected']} 人次，实到 {r['present']} 人次）",
            {"meetings": r["n"], "expected": r["expected"], "present": r["present"]},
        )
    return out


# --- SETUP ------------------------------------------------------------------------------------


def _brief(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "message": f.message}


@indicator("setup_errors", "组织设置问题数", "count", ["SETUP-*"])
def setup_errors(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Number of SETUP-* errors (rules broken, not reminders) at the end of the window: branch
    size, committee, secretary, term (支部条例, 选举条例; rules.md §1)."""
    out: dict[int, IndicatorValue] = {}
    for pk, facts in ctx.facts.items():
        errors = [f for f in ctx.setup.get(facts.code, []) if f.severity == "error"]
        out[pk] = IndicatorValue(
            float(len(errors)),
            f"{len(errors)} 项" if errors else "无",
            {"at": ctx.end.isoformat(), "findings": [_brief(f) for f in errors]},
        )
    return out


@indicator("term_in_force", "按期换届", "bool", ["SETUP-TERM-EXPIRED"])
def term_in_force(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when the committee's term had not expired at the end of the window, 0 when it had
    (SETUP-TERM-EXPIRED, 选举条例 art. 3), ``None`` when no term start is recorded."""
    out: dict[int, IndicatorValue] = {}
    for pk, facts in ctx.facts.items():
        if facts.term_started_on is None:
            out[pk] = IndicatorValue(None, "未登记本届任期开始日期", {})
            continue
        expired = ctx.setup_of(pk, "SETUP-TERM-EXPIRED")
        evidence: dict[str, Any] = {"term_started_on": facts.term_started_on.isoformat()}
        if expired:
            evidence.update(expired[0].evidence)
        out[pk] = IndicatorValue(
            0.0 if expired else 1.0,
            expired[0].message if expired else f"任期内（{facts.term_started_on} 起）",
            evidence,
        )
    return out


@indicator("secretary_in_post", "书记在岗", "bool", ["SETUP-SECRETARY-VACANT"])
def secretary_in_post(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when a member holds 书记 and no vacancy is recorded at the end of the window, else 0
    (SETUP-SECRETARY-VACANT; a vacancy over 3 months is 软弱涣散, ASSESS-WEAK)."""
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.facts:
        vacant = ctx.setup_of(pk, "SETUP-SECRETARY-VACANT")
        out[pk] = IndicatorValue(
            0.0 if vacant else 1.0,
            vacant[0].message if vacant else "书记在岗",
            dict(vacant[0].evidence) if vacant else {},
        )
    return out


def _no_finding(ctx: IndicatorContext, rule_id: str, ok_text: str) -> dict[int, IndicatorValue]:
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.facts:
        found = [f for f in ctx.setup_of(pk, rule_id) if f.severity == "error"]
        out[pk] = IndicatorValue(
            0.0 if found else 1.0,
            found[0].message if found else ok_text,
            {"finding": _brief(found[0])} if found else {},
        )
    return out


@indicator("committee_in_place", "按规定设立支委会", "bool", ["SETUP-COMMITTEE-REQUIRED"])
def committee_in_place(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 unless SETUP-COMMITTEE-REQUIRED is broken: a branch of 7 or more full members must
    have a 支部委员会 (支部条例 art. 8)."""
    return _no_finding(ctx, "SETUP-COMMITTEE-REQUIRED", "符合设立支委会的规定")


@indicator("full_members_enough", "正式党员人数达标", "bool", ["SETUP-BRANCH-MIN-FULL"])
def full_members_enough(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 unless SETUP-BRANCH-MIN-FULL is broken: a branch needs at least 3 full members
    (支部条例 art. 4)."""
    return _no_finding(ctx, "SETUP-BRANCH-MIN-FULL", "正式党员 3 名以上")


# --- RECRUIT ----------------------------------------------------------------------------------

#: step 7 of the recruitment procedure: 确定发展对象 (see rules.md, section 3)
CANDIDATE_STEP = 7
CANDIDATE_YEARS = 2
EVIDENCE_MAX = 10


@indicator(
    "recruit_procedure_errors",
    "发展党员程序差错",
    "count",
    [
        "RECRUIT-ORDER",
        "RECRUIT-TALK-1-MONTH",
        "RECRUIT-ACTIVIST-1-YEAR",
        "RECRUIT-INTRODUCERS",
        "RECRUIT-POLITICAL-REVIEW",
        "RECRUIT-VOTE-MAJORITY",
    ],
)
def recruit_procedure_errors(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Number of ``error`` findings of the RECRUIT checker (every implemented RECRUIT-* rule,
    the rule set version in force on each step) on the organization's recruitment cases that
    had a step in the assessed window, judged at the end of the window. ``None`` when the
    organization had no such case (nothing to judge: the criterion's ``missing`` applies).
    Bulk read: the cases of the subtree with their steps in a constant number of queries
    (:func:`dangjian.recruit.adapter.load`), one checker run. Cost: 0.05 s, 6 queries for the
    demo district (84 cases); the same checker over a city with one case per branch (47,072
    cases) takes 11–19 s (benchmarks/README.md, recruitment), an upper bound of what this
    criterion adds to a city's scoring (only cases with a step in the window are read)."""
    from dangjian.recruit.adapter import load
    from dangjian.recruit.models import RecruitCase, RecruitStep
    from dangjian.recruit.selectors import findings_by_loaded

    active = RecruitStep.objects.filter(
        done_on__gte=ctx.start, done_on__lte=ctx.end, case_id=models.OuterRef("pk")
    )
    qs = RecruitCase.objects.filter(models.Exists(active))
    if ctx.prefix:
        qs = qs.filter(org__path__startswith=ctx.prefix)
    loaded = [i for i in load(qs.order_by("case_no")) if i.case.org_id in ctx.org_ids]
    if not loaded:
        return {}
    findings = findings_by_loaded(loaded, ctx.end)
    cases: dict[int, list[str]] = defaultdict(list)
    errors: dict[int, list[dict[str, str]]] = defaultdict(list)
    for item in loaded:
        case = item.case
        cases[case.org_id].append(case.case_no)
        for f in findings.get(case.case_no, []):
            if f.severity == "error":
                errors[case.org_id].append(
                    {"case": case.case_no, "rule": f.rule, "message": f.message}
                )
    out: dict[int, IndicatorValue] = {}
    for pk, nos in cases.items():
        errs = errors.get(pk, [])
        display = (
            f"{len(nos)} 个发展党员案例，无程序差错"
            if not errs
            else f"{len(nos)} 个发展党员案例，{len(errs)} 处程序差错"
        )
        out[pk] = IndicatorValue(
            float(len(errs)),
            display,
            {"cases": nos[:EVIDENCE_MAX], "n_cases": len(nos), "errors": errs[:EVIDENCE_MAX]},
        )
    return out


@indicator("recruit_candidate_2_years", "近两年确定过发展对象", "bool", ["ASSESS-WEAK"])
def recruit_candidate_2_years(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when the organization determined a development candidate (step 7, 确定发展对象) or
    admitted a member (the roll's joining date, for recruitment kept outside the system) in the
    two years up to the end of the window, else 0 — a village without one for 2+ years is
    软弱涣散 (ASSESS-WEAK; same reading as :mod:`dangjian.rectify.weak`). Two grouped queries
    over the subtree."""
    from dangjian.core.dates import add_years
    from dangjian.recruit.models import RecruitStep

    since = add_years(ctx.end, -CANDIDATE_YEARS)
    steps = RecruitStep.objects.filter(
        number=CANDIDATE_STEP, done_on__gt=since, done_on__lte=ctx.end
    )
    joined = Member.objects.filter(joined_on__gt=since, joined_on__lte=ctx.end)
    if ctx.prefix:
        steps = steps.filter(case__org__path__startswith=ctx.prefix)
        joined = joined.filter(org__path__startswith=ctx.prefix)
    candidates = {
        r["case__org_id"]: r
        for r in steps.values("case__org_id")
        .annotate(n=Count("pk"), last=models.Max("done_on"))
        .order_by()
    }
    admitted = {
        r["org_id"]: r
        for r in joined.values("org_id")
        .annotate(n=Count("pk"), last=models.Max("joined_on"))
        .order_by()
    }
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.org_ids:
        cand, adm = candidates.get(pk), admitted.get(pk)
        evidence: dict[str, Any] = {
            "since": since.isoformat(),
            "candidates": cand["n"] if cand else 0,
            "admitted": adm["n"] if adm else 0,
        }
        if cand is None and adm is None:
            out[pk] = IndicatorValue(0.0, f"{since} 以来未确定发展对象，也未接收新党员", evidence)
            continue
        parts = []
        if cand is not None:
            parts.append(f"确定发展对象 {cand['n']} 名（最近 {cand['last']}）")
            evidence["last_candidate"] = cand["last"].isoformat()
        if adm is not None:
            parts.append(f"接收新党员 {adm['n']} 名（最近 {adm['last']}）")
            evidence["last_admitted"] = adm["last"].isoformat()
        out[pk] = IndicatorValue(1.0, f"{since} 以来" + "，".join(parts), evidence)
    return out
