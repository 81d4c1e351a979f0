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
- ``attendance_rate`` — present / expected over meetings with attendance recorded (no such
  meeting: no data, never full marks);
- ``setup_errors`` — SETUP-* errors at the end of the period;
- ``term_in_force`` — the committee's term has not expired (SETUP-TERM-EXPIRED);
- ``secretary_in_post`` — a secretary holds the post (SETUP-SECRETARY-VACANT);
- ``committee_in_place`` — a branch of 7+ full members has its 支委会 (SETUP-COMMITTEE-REQUIRED);
- ``full_members_enough`` — at least 3 full members (SETUP-BRANCH-MIN-FULL);
- ``recruit_cases_correct_rate`` — share of the recruitment cases judged in the window that have
  no procedure error (per case, so a branch that recruits is not scored below one that does not);
- ``recruit_procedure_errors`` — RECRUIT-* errors on the recruitment cases judged in the window;
- ``recruit_candidate_2_years`` — a development candidate determined in the last two years
  (ASSESS-WEAK: a village without one for 2+ years).
- ``double_report_members`` — 双报到 registrations in force with the organization's villages
  and communities (per 100 households of its grids in the evidence).
  (ASSESS-WEAK: a village without one for 2+ years);
- ``service_response_rate`` / ``service_resolution_rate`` / ``service_satisfaction_rate`` — 为民服务
  三率 of the service orders of the subtree in the window (SERVICE-RATES).

**One defect, one deduction.** ``setup_errors`` and ``life_compliance_rate`` sum up several rules
(they are *aggregate* indicators). When the same standard also scores one of those rules through
its own indicator (``term_in_force`` for SETUP-TERM-EXPIRED, ``secretary_in_post`` for
SETUP-SECRETARY-VACANT, ``life_org_life_meeting`` for LIFE-ORG-LIFE-MEETING-YEARLY …), the
aggregate leaves that rule out, and says so in its evidence (``counted_elsewhere``): an expired
term costs the points of 按期换届 once, not those of 组织设置规范 as well. The context learns which
indicators the standard uses from :func:`compute_all`.
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

from dangjian.core.labels import period_label
from dangjian.life.rules import evaluate_life, periods_between
from dangjian.members.models import Member
from dangjian.orgs.facts import OrgFacts, collect_facts
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_for, params_on
from dangjian.rules.registry import Finding, rule_title
from dangjian.rules.runner import evaluate, resolve_rules


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
    #: sums up several rules; leaves out those another indicator of the standard scores
    aggregate: bool = False


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
    name: str,
    title: str,
    unit: str,
    rules: Iterable[str],
    *,
    life: Iterable[str] = (),
    aggregate: bool = False,
) -> Callable[[Callable[[IndicatorContext], dict[int, IndicatorValue]]], Any]:
    """Register an indicator; ``life`` names the LIFE rules the context must run for it;
    ``aggregate`` marks one that sums up several rules (see the module docstring)."""

    def wrap(
        func: Callable[[IndicatorContext], dict[int, IndicatorValue]],
    ) -> Callable[[IndicatorContext], dict[int, IndicatorValue]]:
        if name in REGISTRY:
            raise RuntimeError(f"indicator {name} registered twice")
        REGISTRY[name] = Indicator(
            name, title, unit, tuple(rules), (func.__doc__ or "").strip(), func, aggregate
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
            kind = params_for(spec, self.end)[1].get("frequency")
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

    def counted_elsewhere(self, name: str) -> dict[str, str]:
        """Rule id → the title of the other indicator of the standard that scores it, for the
        aggregate indicator ``name`` (it leaves those rules out: one defect, one deduction)."""
        out: dict[str, str] = {}
        for other in sorted(self.wanted - {name}):
            ind = REGISTRY.get(other)
            if ind is None or ind.aggregate:
                continue
            for rule in ind.rules:
                out.setdefault(rule, ind.title)
        return out

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


def _elsewhere(counted: dict[str, str], rules: Iterable[str]) -> list[dict[str, str]]:
    return [
        {"rule": r, "title": rule_title(r), "indicator": counted[r]}
        for r in sorted(set(rules) & set(counted))
    ]


@indicator(
    "life_compliance_rate",
    "组织生活制度落实率",
    "rate",
    LIFE_FREQUENCY_RULES,
    life=LIFE_FREQUENCY_RULES,
    aggregate=True,
)
def life_compliance_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Share of (frequency rule, completed period) pairs in which the organization held what the
    rule requires: 支部党员大会 and 党课 each quarter, 支委会, 党小组会 and 主题党日 each month,
    组织生活会, 民主评议党员 and 谈心谈话 each year (LIFE-*, 支部条例). Counted by the LIFE
    checker itself; a period still running at the scoring date does not count. A rule that the
    standard scores through its own indicator (e.g. the yearly 组织生活会) is left out here.
    ``None`` when no rule applied (e.g. an organization founded after the last completed
    period)."""
    out: dict[int, IndicatorValue] = {}
    life = ctx.life
    counted = ctx.counted_elsewhere("life_compliance_rate")
    elsewhere = _elsewhere(counted, LIFE_FREQUENCY_RULES)
    for pk in ctx.facts:
        rules = {r: v for r, v in life.per_org.get(pk, {}).items() if r not in counted}
        checked = sum(c for c, _m in rules.values())
        met = sum(m for _c, m in rules.values())
        if not checked:
            out[pk] = IndicatorValue(None, "考核期内无已结束的检查周期", {})
            continue
        rate = met / checked
        grouped: dict[str, list[str]] = defaultdict(list)
        for r, p in life.missed.get(pk, []):
            if r not in counted:
                grouped[r].append(p)
        missed = [
            {"rule": r, "title": rule_title(r), "periods": periods}
            for r, periods in sorted(grouped.items())
        ]
        evidence: dict[str, Any] = {"checked": checked, "met": met, "missed": missed}
        if elsewhere:
            evidence["counted_elsewhere"] = elsewhere
        out[pk] = IndicatorValue(
            rate, f"{_pct(rate)}（应落实 {checked} 次，已落实 {met} 次）", evidence
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
            _yes(ok, f"已{what}", f"未{what}（{'、'.join(period_label(p) for p in missed)}）"),
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
    民主评议党员 with attendance recorded (one grouped query). Meetings of those types held
    without attendance are counted and shown beside the rate. ``None`` — no data, shown as
    无数据 with the reason — when no such meeting has its attendance recorded: not recording
    attendance is never read as full attendance (the shipped standards score it 0)."""
    from django.db.models import Q

    from dangjian.life.models import Meeting

    meetings = Meeting.objects.filter(
        held_on__gte=ctx.start, held_on__lte=ctx.end, meeting_type__in=ATTENDANCE_TYPES
    )
    if ctx.prefix:
        subtree = Organization.objects.filter(path__startswith=ctx.prefix).values("pk")
        meetings = meetings.filter(org_id__in=subtree)
    recorded = Q(expected__gt=0, present__isnull=False)
    rows = (
        meetings.order_by()
        .values("org_id")
        .annotate(
            held=Count("id"),
            n=Count("id", filter=recorded),
            n_expected=Sum("expected", filter=recorded),
            n_present=Sum("present", filter=recorded),
        )
    )
    found = {r["org_id"]: r for r in rows}
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.facts:
        r = found.get(pk)
        held = r["held"] if r else 0
        if not r or not r["n"] or not r["n_expected"]:
            reason = (
                f"无数据：考核期内 {held} 次会议均未登记出席情况"
                if held
                else "无数据：考核期内没有党员大会、党课、主题党日等会议记录"
            )
            out[pk] = IndicatorValue(None, reason, {"held": held, "recorded": 0})
            continue
        rate = r["n_present"] / r["n_expected"]
        unrecorded = held - r["n"]
        note = f"；另有 {unrecorded} 次会议未登记出席情况，不计入" if unrecorded else ""
        out[pk] = IndicatorValue(
            rate,
            f"{_pct(rate)}（{r['n']} 次会议，应到 {r['n_expected']} 人次，"
            f"实到 {r['n_present']} 人次{note}）",
            {
                "meetings": r["n"],
                "expected": r["n_expected"],
                "present": r["n_present"],
                "unrecorded": unrecorded,
            },
        )
    return out


# --- SETUP ------------------------------------------------------------------------------------


def _brief(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "message": f.message}


@indicator("setup_errors", "组织设置问题数", "count", ["SETUP-*"], aggregate=True)
def setup_errors(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Number of SETUP-* errors (rules broken, not reminders) at the end of the window: branch
    size, committee, secretary, term (支部条例, 选举条例; rules.md §1). An error of a rule the
    standard scores through its own indicator (an expired term under 按期换届, a vacant
    secretary under 书记在岗 …) is left out here and listed as counted elsewhere."""
    out: dict[int, IndicatorValue] = {}
    counted = ctx.counted_elsewhere("setup_errors")
    for pk, facts in ctx.facts.items():
        all_errors = [f for f in ctx.setup.get(facts.code, []) if f.severity == "error"]
        errors = [f for f in all_errors if f.rule not in counted]
        evidence: dict[str, Any] = {
            "at": ctx.end.isoformat(),
            "findings": [_brief(f) for f in errors],
        }
        elsewhere = _elsewhere(counted, {f.rule for f in all_errors})
        if elsewhere:
            evidence["counted_elsewhere"] = elsewhere
        display = f"{len(errors)} 项" if errors else "无"
        if elsewhere:
            moved = "、".join(f"{e['title']}（计入“{e['indicator']}”）" for e in elsewhere)
            display += f"；{moved}，本条不重复扣分"
        out[pk] = IndicatorValue(float(len(errors)), display, evidence)
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
    least = params_on("SETUP-BRANCH-MIN-FULL", ctx.end)["min_full"]
    return _no_finding(ctx, "SETUP-BRANCH-MIN-FULL", f"正式党员 {least} 名以上")


# --- RECRUIT ----------------------------------------------------------------------------------

#: step 7 of the recruitment procedure: 确定发展对象 (see rules.md, section 3)
CANDIDATE_STEP = 7
EVIDENCE_MAX = 10


#: the rules whose errors count as procedure errors of a case (the whole RECRUIT checker runs)
RECRUIT_RULES = (
    "RECRUIT-ORDER",
    "RECRUIT-TALK-1-MONTH",
    "RECRUIT-ACTIVIST-1-YEAR",
    "RECRUIT-INTRODUCERS",
    "RECRUIT-POLITICAL-REVIEW",
    "RECRUIT-VOTE-MAJORITY",
)


@dataclass
class RecruitTally:
    """Per organization: the recruitment cases judged in the window and their errors."""

    #: org pk → case numbers judged (counted)
    cases: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: org pk → case numbers with at least one error
    faulty: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: org pk → [{case, rule, message}]
    errors: dict[int, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    #: org pk → [{case, reason}] of cases with a step in the window that do not count
    excluded: dict[int, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))


def _recruit_tally(ctx: IndicatorContext) -> RecruitTally:
    """The cases judged in the window, read and checked once per context.

    A case is judged when it had a step in the window. A withdrawn case (已终止) never counts.
    A case that ended without admission (未接收, 取消预备党员资格) is judged on the day of its last
    step, so a deadline that ran on after it ended costs nothing; it counts only when an error
    was made before it ended (ended with a fault) — ended without a fault, it does not count.
    Every other case is judged at the end of the window.
    """
    cached = ctx.__dict__.get("_recruit")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from dangjian.recruit.adapter import load
    from dangjian.recruit.models import CaseStatus, RecruitCase, RecruitStep
    from dangjian.recruit.selectors import findings_by_loaded

    active = RecruitStep.objects.filter(
        done_on__gte=ctx.start, done_on__lte=ctx.end, case_id=models.OuterRef("pk")
    )
    qs = RecruitCase.objects.filter(models.Exists(active))
    if ctx.prefix:
        qs = qs.filter(org__path__startswith=ctx.prefix)
    loaded = [i for i in load(qs.order_by("case_no")) if i.case.org_id in ctx.org_ids]
    tally = RecruitTally()
    ended = (CaseStatus.NOT_ADMITTED, CaseStatus.PROBATION_CANCELLED)
    judged_at: dict[dt.date, list[Any]] = defaultdict(list)
    for item in loaded:
        case = item.case
        if case.status == CaseStatus.WITHDRAWN:
            tally.excluded[case.org_id].append({"case": case.case_no, "reason": "已终止，不计入"})
            continue
        day = ctx.end
        if case.status in ended:
            last = max((s.done_on for s in item.steps.values() if s.done_on), default=None)
            day = min(last, ctx.end) if last else ctx.end
        judged_at[day].append(item)
    for day, items in sorted(judged_at.items()):
        findings = findings_by_loaded(items, day)
        for item in items:
            case = item.case
            errs = [
                {"case": case.case_no, "rule": f.rule, "message": f.message}
                for f in findings.get(case.case_no, [])
                if f.severity == "error"
            ]
            if case.status in ended and not errs:
                tally.excluded[case.org_id].append(
                    {
                        "case": case.case_no,
                        "reason": f"{case.get_status_display()}，程序无差错，不计入",
                    }
                )
                continue
            tally.cases[case.org_id].append(case.case_no)
            if errs:
                tally.faulty[case.org_id].add(case.case_no)
                tally.errors[case.org_id].extend(errs)
    ctx.__dict__["_recruit"] = tally
    return tally


def _recruit_evidence(tally: RecruitTally, pk: int) -> dict[str, Any]:
    nos = tally.cases.get(pk, [])
    evidence: dict[str, Any] = {
        "cases": nos[:EVIDENCE_MAX],
        "n_cases": len(nos),
        "faulty_cases": len(tally.faulty.get(pk, ())),
        "errors": tally.errors.get(pk, [])[:EVIDENCE_MAX],
    }
    if tally.excluded.get(pk):
        evidence["excluded"] = tally.excluded[pk][:EVIDENCE_MAX]
    return evidence


def _excluded_note(tally: RecruitTally, pk: int) -> str:
    n = len(tally.excluded.get(pk, ()))
    return f"；另有 {n} 个已终止或未接收且无差错的案例不计入" if n else ""


@indicator("recruit_cases_correct_rate", "发展党员案例程序规范率", "rate", RECRUIT_RULES)
def recruit_cases_correct_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Share of the organization's recruitment cases judged in the window that have no
    procedure error (``error`` findings of the RECRUIT checker, the rule set in force on each
    step). Scored per case, so one error in ten cases is not the same as one in one case, and a
    branch that recruits correctly scores full marks. Which cases are judged: a step in the
    window; withdrawn cases never, cases ended without admission only when an error was made
    before they ended (see :func:`_recruit_tally`). ``None`` when no case is judged — nothing to
    judge: the shipped standards prorate the criterion (``missing: prorate``), so not recruiting
    neither gains nor loses points by itself. Bulk read: the cases of the subtree with their
    steps in a constant number of queries, one checker run per distinct judging day."""
    tally = _recruit_tally(ctx)
    out: dict[int, IndicatorValue] = {}
    for pk, nos in tally.cases.items():
        faulty = len(tally.faulty.get(pk, ()))
        correct = len(nos) - faulty
        rate = correct / len(nos)
        display = (
            f"{len(nos)} 个发展党员案例，均无程序差错"
            if not faulty
            else f"{len(nos)} 个发展党员案例，{correct} 个无程序差错（{_pct(rate)}），"
            f"{faulty} 个有差错"
        )
        out[pk] = IndicatorValue(
            rate, display + _excluded_note(tally, pk), _recruit_evidence(tally, pk)
        )
    for pk in set(tally.excluded) - set(tally.cases):
        out[pk] = IndicatorValue(
            None,
            "无数据：考核期内没有需评判的发展党员案例" + _excluded_note(tally, pk),
            _recruit_evidence(tally, pk),
        )
    return out


@indicator("recruit_procedure_errors", "发展党员程序差错", "count", RECRUIT_RULES)
def recruit_procedure_errors(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """Number of ``error`` findings of the RECRUIT checker (every implemented RECRUIT-* rule,
    the rule set version in force on each step) on the organization's recruitment cases judged
    in the window — the same cases as ``recruit_cases_correct_rate`` (withdrawn cases never; cases
    ended without admission only with an error made before they ended). ``None`` when the
    organization had no such case. Prefer ``recruit_cases_correct_rate``: a raw count makes a
    branch with many cases look worse than one with few. Cost: 0.05 s, 6 queries for the demo
    district (84 cases); the same checker over a city with one case per branch (47,072 cases)
    takes 11–19 s (benchmarks/README.md, recruitment), an upper bound of what this criterion
    adds to a city's scoring (only cases with a step in the window are read)."""
    tally = _recruit_tally(ctx)
    out: dict[int, IndicatorValue] = {}
    for pk, nos in tally.cases.items():
        errs = tally.errors.get(pk, [])
        display = (
            f"{len(nos)} 个发展党员案例，无程序差错"
            if not errs
            else f"{len(nos)} 个发展党员案例，{len(errs)} 处程序差错"
        )
        out[pk] = IndicatorValue(
            float(len(errs)), display + _excluded_note(tally, pk), _recruit_evidence(tally, pk)
        )
    return out


@indicator("recruit_candidate_2_years", "近两年确定过发展对象", "bool", ["ASSESS-WEAK"])
def recruit_candidate_2_years(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """1 when the organization's village determined a development candidate (step 7, 确定发展对象)
    or admitted a member (the roll's joining date, for recruitment kept outside the system) in
    the two years up to the end of the window, else 0 — a village without one for 2+ years is
    软弱涣散 (ASSESS-WEAK; same reading as :mod:`dangjian.rectify.rules`). A branch of a village
    with several branches (村党总支, 村党委) counts the whole village
    (:mod:`dangjian.assess.villages`); any other organization counts itself. Three grouped
    queries over the subtree."""
    from dangjian.core.dates import add_years
    from dangjian.recruit.models import RecruitStep

    from .villages import rural_rows, village_units

    # ASSESS-WEAK's no_candidate_years in force at the end of the window
    since = add_years(ctx.end, -int(params_on("ASSESS-WEAK", ctx.end)["no_candidate_years"]))
    steps = RecruitStep.objects.filter(
        number=CANDIDATE_STEP, done_on__gt=since, done_on__lte=ctx.end
    )
    joined = Member.objects.filter(joined_on__gt=since, joined_on__lte=ctx.end)
    if ctx.prefix:
        steps = steps.filter(case__org__path__startswith=ctx.prefix)
        joined = joined.filter(org__path__startswith=ctx.prefix)
    rows = rural_rows(ctx.prefix)
    unit_of = village_units(rows)
    members: dict[int, int] = defaultdict(int)  # village → its branches
    for village in unit_of.values():
        members[village] += 1

    def unit(pk: int) -> int:
        return unit_of.get(pk, pk)

    candidates: dict[int, tuple[int, dt.date]] = {}
    for r in (
        steps.values("case__org_id").annotate(n=Count("pk"), last=models.Max("done_on")).order_by()
    ):
        u = unit(r["case__org_id"])
        n, last = candidates.get(u, (0, r["last"]))
        candidates[u] = (n + r["n"], max(last, r["last"]))
    admitted: dict[int, tuple[int, dt.date]] = {}
    for r in (
        joined.values("org_id").annotate(n=Count("pk"), last=models.Max("joined_on")).order_by()
    ):
        u = unit(r["org_id"])
        n, last = admitted.get(u, (0, r["last"]))
        admitted[u] = (n + r["n"], max(last, r["last"]))
    village_names = dict(
        Organization.objects.filter(
            pk__in={unit(pk) for pk in ctx.org_ids} - ctx.org_ids
        ).values_list("pk", "name")
    )
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.org_ids:
        u = unit(pk)
        cand, adm = candidates.get(u), admitted.get(u)
        evidence: dict[str, Any] = {
            "since": since.isoformat(),
            "candidates": cand[0] if cand else 0,
            "admitted": adm[0] if adm else 0,
        }
        who = ""
        if u != pk and u in village_names:
            who = f"全村（{village_names[u]}，{members[u]} 个党支部）"
            evidence["village"] = village_names[u]
            evidence["village_branches"] = members[u]
        if cand is None and adm is None:
            out[pk] = IndicatorValue(
                0.0, f"{who}{since} 以来未确定发展对象，也未接收新党员", evidence
            )
            continue
        parts = []
        if cand is not None:
            parts.append(f"确定发展对象 {cand[0]} 名（最近 {cand[1]}）")
            evidence["last_candidate"] = cand[1].isoformat()
        if adm is not None:
            parts.append(f"接收新党员 {adm[0]} 名（最近 {adm[1]}）")
            evidence["last_admitted"] = adm[1].isoformat()
        out[pk] = IndicatorValue(1.0, f"{who}{since} 以来" + "，".join(parts), evidence)
    return out


@indicator("double_report_members", "在职党员双报到人数", "count", ["SERVICE-DOUBLE-REPORT"])
def double_report_members(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """The number of 双报到 registrations in force at the end of the window with the
    organization's villages and communities (itself and its subtree: a 社区党委 counts the
    communities of its branches). The value is the count, so a standard can ask for "at least
    N"; the evidence adds the households of the organization's grids and the count per 100
    households (the comparable figure across communities of different sizes; none when no grid
    records its households). A member is counted where they serve, not in their own branch (the
    branch sees its members' registrations on the 双报到 page). Organizations that are neither a
    village or community nor above one (an office branch) have no value (不适用). Three queries
    over the subtree."""
    from dangjian.service.models import DoubleReport, Grid

    steplen = Organization.steplen
    orgs = {
        pk: (path, sector, org_type)
        for pk, path, sector, org_type in Organization.objects.filter(
            pk__in=ctx.org_ids
        ).values_list("pk", "path", "sector", "org_type")
    }
    reports = DoubleReport.objects.filter(registered_on__lte=ctx.end).exclude(ended_on__lte=ctx.end)
    grids = Grid.objects.filter(active=True)
    if ctx.prefix:
        reports = reports.filter(community__path__startswith=ctx.prefix)
        grids = grids.filter(org__path__startswith=ctx.prefix)
    per_path: dict[str, int] = defaultdict(int)
    for path in reports.values_list("community__path", flat=True):
        for k in range(steplen, len(path) + 1, steplen):
            per_path[path[:k]] += 1
    homes: dict[str, int] = defaultdict(int)
    for path, households in grids.values_list("org__path", "households"):
        for k in range(steplen, len(path) + 1, steplen):
            homes[path[:k]] += households
    out: dict[int, IndicatorValue] = {}
    for pk in ctx.org_ids:
        path, sector, org_type = orgs.get(pk, ("", "", ""))
        place = sector in ("社区", "农村") or org_type in ("党委", "党工委")
        n = per_path.get(path, 0)
        if not place and n == 0:
            out[pk] = IndicatorValue(None, "不适用：不是村（社区）或其上级党组织", {})
            continue
        evidence: dict[str, Any] = {"registrations": n, "households": homes.get(path, 0)}
        display = f"{ctx.end} 在册双报到党员 {n} 名"
        if evidence["households"]:
            per100 = round(n * 100 / evidence["households"], 2)
            evidence["per_100_households"] = per100
            display += f"（网格登记 {evidence['households']} 户，每百户 {per100} 名）"
        out[pk] = IndicatorValue(float(n), display, evidence)
    return out


# --- service orders (为民服务三率, SERVICE-RATES) ---------------------------------------------


def _service_tally(ctx: IndicatorContext) -> dict[int, dict[str, int]]:
    """Per scored organization: the counts of the service orders submitted in the window to the
    villages and communities of its subtree (itself included). One grouped query over the orders
    (per village), summed up the tree in Python; cached on the context."""
    cached = ctx.__dict__.get("_service")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from django.utils import timezone

    from dangjian.service.models import Order
    from dangjian.service.stats import COUNTS, counts_by

    start = timezone.make_aware(dt.datetime.combine(ctx.start, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(ctx.end + dt.timedelta(days=1), dt.time()))
    orders = Order.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if ctx.prefix:
        orders = orders.filter(org__path__startswith=ctx.prefix)
    scored = dict(Organization.objects.filter(pk__in=ctx.org_ids).values_list("path", "pk"))
    step = Organization.steplen
    out: dict[int, dict[str, int]] = {}
    for path, counts in counts_by(orders, models.F("org__path")).items():
        for i in range(step, len(path) + 1, step):
            pk = scored.get(path[:i])
            if pk is None:
                continue
            total = out.setdefault(pk, dict.fromkeys(COUNTS, 0))
            for k, v in counts.items():
                total[k] += v
    ctx.__dict__["_service"] = out
    return out


def _service_rate(ctx: IndicatorContext, which: str) -> dict[int, IndicatorValue]:
    from dangjian.service.stats import from_counts

    out: dict[int, IndicatorValue] = {}
    for pk, counts in _service_tally(ctx).items():
        figures = from_counts(counts, ctx.end)
        rate = getattr(figures, which)
        evidence: dict[str, Any] = {
            "rule": "SERVICE-RATES",
            "basis": rate.counts,
            "numerator": rate.numerator,
            "denominator": rate.n,
            "orders": figures.total,
        }
        if rate.n == 0:
            out[pk] = IndicatorValue(None, f"无数据：考核期内没有计入{rate.label}的工单", evidence)
            continue
        low, high = rate.interval
        evidence["low"], evidence["high"] = low, high
        out[pk] = IndicatorValue(
            rate.value,
            f"{rate.label} {_pct(rate.value)}（{rate.counts}；"
            f"95% 区间 {_pct(low)} ～ {_pct(high)}）",
            evidence,
        )
    return out


@indicator("service_response_rate", "为民服务响应率", "rate", ["SERVICE-RATES"])
def service_response_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """响应率 of the service orders submitted in the window to the villages and communities of
    the organization's subtree: orders responded to within their response limit ÷ orders
    submitted (merged duplicates excluded) (SERVICE-RATES, :mod:`dangjian.service.stats`).
    ``None`` when no order came in. One grouped query over the window's orders, summed up the
    tree."""
    return _service_rate(ctx, "response")


@indicator("service_resolution_rate", "为民服务解决率", "rate", ["SERVICE-RATES"])
def service_resolution_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """解决率 of the service orders submitted in the window in the organization's subtree:
    orders resolved ÷ orders accepted (refused and merged excluded) (SERVICE-RATES). ``None``
    when no order was accepted. Same query as ``service_response_rate``."""
    return _service_rate(ctx, "resolution")


@indicator("service_satisfaction_rate", "为民服务满意率", "rate", ["SERVICE-RATES"])
def service_satisfaction_rate(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """满意率 of the service orders submitted in the window in the organization's subtree and
    rated by the resident: (满意 + w × 基本满意) ÷ rated, w the SERVICE-RATES ``basic_weight``
    in force (default 0.9). ``None`` when no order was rated. Same query as
    ``service_response_rate``."""
    return _service_rate(ctx, "satisfaction")
