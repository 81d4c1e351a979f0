"""ASSESS-WEAK (and ASSESS-RECTIFY) of rules.md §6, registered with the rules engine: which
organizations meet a 软弱涣散 condition the records can tell, with evidence.

This is a suggestion list for the upper level; opening a plan stays a human decision
(:func:`dangjian.rectify.services.plan_create`). Leads come **only** from the conditions of
rules.md §6, each with its evidence; the parameters are the rule's (local, see below):

- ``secretary_vacant`` — SETUP-SECRETARY-VACANT as an *error* (vacant more than the configured
  months, 3 by default) from the SETUP checker;
- ``life_not_held`` — errors of the LIFE frequency rules (支部条例: 党员大会, 支委会, 党课,
  主题党日, 组织生活会, 民主评议, 谈心谈话) over the previous and the current year; at least
  ``life_min_missed`` (12) missed (rule, period) pairs in that window — about one requirement
  missed every two months (one missed month is a reminder, not a weak organization);
- ``last_place`` — last place in a campaign's results (see :mod:`dangjian.rectify.campaign`:
  the lowest total of a ranking of at least ``last_place_min_peers`` organizations). Being in
  the 后进 tier is **not** a 软弱涣散 condition: 后进 is a tier of the standard (a lagging
  organization gets its own kind of plan, :class:`~.choices.PlanReason` ``lagging``), and a
  tier by share would label a fixed part of all branches every year;
- ``low_satisfaction`` — 群众满意率 below ``satisfaction_min`` (60%) from the campaign's survey,
  only when the rate is reliable (enough answers);
- ``no_candidate`` — a village branch (所属领域 农村, founded more than ``no_candidate_years``
  years ago) with no 确定发展对象 (recruitment step 7) recorded and no member admitted in that
  many years: the recruitment records, and the roll for candidates admitted since
  (recruitment kept outside the system still shows on the roll).

Parameters (default in brackets):

- ``life_min_missed`` [12] — missed (LIFE frequency rule, period) pairs since 1 January of the
  previous year that make "meetings not held as 支部条例 requires" hold: about one requirement
  missed every two months; one missed month is a reminder, not a weak organization.
- ``last_place_min_peers`` [3] — "last place in the yearly assessment" is only named in a
  ranking of at least this many organizations.
- ``satisfaction_min`` [0.6] — 群众满意率 below this share (only a reliable rate counts).
- ``no_candidate_years`` [2] — a village without a development candidate (or an admission) for
  this many years.

The secretary vacancy (more than 3 months) is the SETUP rule's own parameter
(``SETUP-SECRETARY-VACANT.weak_after_months``). Unknown names and impossible values are
refused with a Chinese message naming the parameter.

Set-based: the checkers compute facts for the whole scope in a constant number of queries; the
campaign results and survey rates are one grouped read each.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.life.rules import FREQUENCY_RULES
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.rules.params import params_on, register_validator
from dangjian.rules.registry import Context, RuleSpec, register_not_checked, rule, rule_title
from dangjian.rules.runner import run_check

from .choices import PlanStatus, WeakCondition
from .selectors import plans_for

RULE_ID = "ASSESS-WEAK"
WEAK = RuleSpec(
    RULE_ID,
    "软弱涣散基层党组织认定",
    "local standard",
    "local standard",
    {
        "life_min_missed": 12,
        "last_place_min_peers": 3,
        "satisfaction_min": 0.6,
        "no_candidate_years": 2,
    },
)


@dataclass(frozen=True)
class WeakParams:
    life_min_missed: int
    last_place_min_peers: int
    satisfaction_min: float
    no_candidate_years: int


def check_weak_params(rule_id: str, values: Mapping[str, Any]) -> None:
    """Refuse impossible values of ASSESS-WEAK with a Chinese message naming the parameter."""
    if rule_id != RULE_ID:
        return

    def fail(name: str, message: str) -> None:
        raise ValueError(f"规则 {RULE_ID} 的本地配置参数 {name} 无效：{message}")

    for name in ("life_min_missed", "last_place_min_peers", "no_candidate_years"):
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fail(name, "应为正整数")
    share = values.get("satisfaction_min")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        fail("satisfaction_min", "应为大于 0、不超过 1 的比例，如 0.6")


register_validator("ASSESS", check_weak_params)


def weak_params(on: dt.date | None = None) -> WeakParams:
    """The parameters in force (local overrides on the defaults); ``ValueError`` when invalid."""
    return WeakParams(**params_on(RULE_ID, on))


def weak_thresholds(on: dt.date | None = None) -> dict[str, Any]:
    """The values of the ASSESS-WEAK conditions in force on ``on``, for pages that state them:
    the secretary vacancy (SETUP-SECRETARY-VACANT ``weak_after_months``), the years without a
    development candidate and the satisfaction rate (as text, "60%")."""
    params = weak_params(on)
    return {
        "vacant_months": params_on("SETUP-SECRETARY-VACANT", on)["weak_after_months"],
        "no_candidate_years": params.no_candidate_years,
        "satisfaction_min": f"{params.satisfaction_min:.0%}",
    }


#: the recruitment step 确定发展对象 (rules.md §3)
CANDIDATE_STEP = 7


@dataclass
class WeakCandidate:
    """An organization meeting at least one ASSESS-WEAK condition."""

    org: Organization
    conditions: list[dict[str, Any]] = field(default_factory=list)
    open_plan_id: int | None = None

    @property
    def codes(self) -> list[str]:
        return [c["condition"] for c in self.conditions]


def condition_label(code: str, on: dt.date | None = None) -> str:
    """The condition's label with the values in force on ``on`` ("书记空缺超过 3 个月",
    "群众满意率低于 60%"); a plan keeps the label it was made with."""
    values = weak_thresholds(on)
    labels = {
        WeakCondition.SECRETARY_VACANT: f"书记空缺超过 {values['vacant_months']} 个月",
        WeakCondition.NO_CANDIDATE: f"村 {values['no_candidate_years']} 年以上未发展党员",
        WeakCondition.LOW_SATISFACTION: f"群众满意率低于 {values['satisfaction_min']}",
    }
    return labels.get(WeakCondition(code), WeakCondition(code).label)


def condition(
    code: WeakCondition,
    rule: str,
    message: str,
    evidence: dict[str, Any],
    on: dt.date | None = None,
) -> dict:
    return {
        "condition": code.value,
        "label": condition_label(code, on),
        "rule": rule,
        "message": message,
        "evidence": evidence,
    }


def _setup_and_life(
    actor: Actor, at: dt.date, org_code: str | None, life_min_missed: int
) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    vacant = run_check(
        actor,
        rules="SETUP",
        rule_ids=["SETUP-SECRETARY-VACANT"],
        severity="error",
        org_code=org_code,
        at=at,
    )
    for f in vacant.findings:
        found[f.subject].append(
            condition(
                WeakCondition.SECRETARY_VACANT, f.rule, f.message, f.as_dict()["evidence"], at
            )
        )
    life = run_check(
        actor,
        rules="LIFE",
        rule_ids=FREQUENCY_RULES,
        severity="error",
        org_code=org_code,
        at=at,
        since=dt.date(at.year - 1, 1, 1),
    )
    missed: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for f in life.findings:
        missed[f.subject][f.rule].append(f.period or "")
    for code, by_rule in missed.items():
        total = sum(len(p) for p in by_rule.values())
        if total < life_min_missed:
            continue
        worst = sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        parts = "、".join(f"{rule_title(rule)} {len(p)} 次" for rule, p in worst[:3])
        more = f"等 {len(worst)} 项" if len(worst) > 3 else ""
        found[code].append(
            condition(
                WeakCondition.LIFE_NOT_HELD,
                "ASSESS-WEAK",
                f"{at.year - 1}年以来有 {total} 个周期未按支部条例要求开展组织生活"
                f"（{parts}{more}；达到 {life_min_missed} 个即列为线索）",
                {"missed": {rule: sorted(periods) for rule, periods in sorted(by_rule.items())}},
                at,
            )
        )
    return found


def _no_candidate(
    actor: Actor, at: dt.date, root_path: str | None, years: int
) -> dict[int, dict[str, Any]]:
    """Villages without a development candidate or an admission for ``years`` years, keyed by
    the village's own organization (a 村党支部, or the 村党总支 / 村党委 above several branches:
    :mod:`dangjian.assess.villages`)."""
    from django.db.models import Max

    from dangjian.assess.villages import village_units
    from dangjian.core.dates import add_years
    from dangjian.members.models import Member
    from dangjian.orgs.choices import Sector

    since = add_years(at, -years)
    rural = orgs_for(actor, Perm.ASSESS_VIEW).filter(sector=Sector.RURAL)
    rows = list(rural.order_by().values_list("pk", "path", "region_code", "org_type"))
    unit_of = village_units(rows)
    paths = {pk: path for pk, path, _r, _t in rows}
    units: dict[int, list[int]] = defaultdict(list)
    for branch, unit in unit_of.items():
        units[unit].append(branch)
    if root_path:
        units = {u: b for u, b in units.items() if paths[u].startswith(root_path)}
    founded = dict(Organization.objects.filter(pk__in=list(units)).values_list("pk", "founded_on"))
    prefix = scope_prefix(actor, Perm.ASSESS_VIEW) or ""
    admitted = dict(
        Member.objects.filter(
            org__path__startswith=prefix, org__sector=Sector.RURAL, joined_on__lte=at
        )
        .values_list("org_id")
        .annotate(last=Max("joined_on"))
        .order_by()
    )
    candidates: dict[int, dt.date] = {}
    try:
        from dangjian.recruit.models import RecruitStep

        candidates = dict(
            RecruitStep.objects.filter(
                number=CANDIDATE_STEP,
                done_on__lte=at,
                case__org__path__startswith=prefix,
                case__org__sector=Sector.RURAL,
            )
            .values_list("case__org_id")
            .annotate(last=Max("done_on"))
            .order_by()
        )
    except ImportError:  # pragma: no cover - the recruit app is installed with this one
        pass
    out: dict[int, dict[str, Any]] = {}
    for unit, branches in sorted(units.items(), key=lambda kv: paths[kv[0]]):
        if founded.get(unit) and founded[unit] > since:
            continue  # founded less than ``years`` ago
        last_candidate = max((candidates[b] for b in branches if b in candidates), default=None)
        last_admitted = max((admitted[b] for b in branches if b in admitted), default=None)
        if (last_candidate and last_candidate > since) or (last_admitted and last_admitted > since):
            continue
        whole = f"全村 {len(branches)} 个党支部" if len(branches) > 1 or branches[0] != unit else ""
        evidence: dict[str, Any] = {
            "since": since.isoformat(),
            "last_candidate": last_candidate.isoformat() if last_candidate else None,
            "last_admitted": last_admitted.isoformat() if last_admitted else None,
        }
        if whole:
            evidence["village_branches"] = len(branches)
        out[unit] = condition(
            WeakCondition.NO_CANDIDATE,
            "ASSESS-WEAK",
            f"{since} 以来{whole}没有确定发展对象，也没有接收新党员",
            evidence,
            at,
        )
    return out


def _survey(key: str, org_ids: list[int], minimum: float) -> dict[int, dict[str, Any]]:
    try:
        from dangjian.survey.selectors import rates_for
    except ImportError:  # the survey app is optional for this helper
        return {}
    out: dict[int, dict[str, Any]] = {}
    for org_id, rates in rates_for(key, org_ids).items():
        rate = rates.satisfaction
        if rate.value is None or not rate.reliable or rate.value >= minimum:
            continue
        out[org_id] = condition(
            WeakCondition.LOW_SATISFACTION,
            "ASSESS-WEAK",
            f"群众满意率 {rate.value:.0%}（{rate.numerator}/{rate.n}），低于 {minimum:.0%}",
            {
                "survey": key,
                "satisfaction": round(rate.value, 4),
                "satisfied": rate.numerator,
                "answers": rate.n,
                "low": None if rate.low is None else round(rate.low, 4),
                "high": None if rate.high is None else round(rate.high, 4),
            },
        )
    return out


@dataclass(frozen=True)
class WeakScope:
    """The facts ASSESS-WEAK reads: whose subtree is searched (the actor's, or ``org_code``'s
    inside it) and the campaign whose results and survey (``survey_key``, default the
    campaign's) add conditions."""

    actor: Actor
    org_code: str | None = None
    campaign: Any = None
    survey_key: str | None = None


@rule(WEAK)
def assess_weak(facts: WeakScope, ctx: Context) -> list[WeakCandidate]:
    """Organizations of the scope meeting an ASSESS-WEAK condition, with the parameters of
    ``ctx``; sorted by number of conditions (most first), then by organization path."""
    actor, org_code = facts.actor, facts.org_code
    campaign, survey_key = facts.campaign, facts.survey_key
    at, params = ctx.at, WeakParams(**ctx.params)
    scope = orgs_for(actor, Perm.ASSESS_VIEW)
    found = _setup_and_life(actor, at, org_code, params.life_min_missed)
    by_id: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if campaign is not None:
        from .campaign import campaign_conditions, campaign_survey_key

        for org_id, items in campaign_conditions(campaign, params.last_place_min_peers).items():
            by_id[org_id].extend(items)
        survey_key = survey_key or campaign_survey_key(campaign)
    root_path = None
    if org_code:
        root_path = scope.filter(code=org_code).values_list("path", flat=True).first() or "-"
    for org_id, item in _no_candidate(actor, at, root_path, params.no_candidate_years).items():
        by_id[org_id].append(item)
    if survey_key:
        ids = list(scope.values_list("pk", flat=True))
        for org_id, item in _survey(survey_key, ids, params.satisfaction_min).items():
            by_id[org_id].append(item)
    orgs = scope.exclude(org_type=OrgType.GROUP)
    if org_code:
        root = orgs_for(actor, Perm.ASSESS_VIEW).filter(code=org_code).first()
        orgs = orgs.filter(path__startswith=root.path) if root else orgs.none()
    wanted_codes = set(found)
    wanted_ids = set(by_id)
    if not wanted_codes and not wanted_ids:
        return []
    selected = [
        o
        for o in orgs.order_by("path")
        .only("pk", "code", "name", "path", "depth", "org_type", "sector", "region_code")
        .iterator(chunk_size=5000)
        if o.code in wanted_codes or o.pk in wanted_ids
    ]
    open_plans = dict(plans_for(actor).filter(status=PlanStatus.OPEN).values_list("org_id", "pk"))
    out = [
        WeakCandidate(
            org=o,
            conditions=found.get(o.code, []) + by_id.get(o.pk, []),
            open_plan_id=open_plans.get(o.pk),
        )
        for o in selected
    ]
    out.sort(key=lambda c: (-len(c.conditions), c.org.path))
    return out


def weak_candidates(
    actor: Actor,
    *,
    at: dt.date | None = None,
    org_code: str | None = None,
    campaign: Any = None,
    survey_key: str | None = None,
    life_min_missed: int | None = None,
) -> list[WeakCandidate]:
    """Organizations of the actor's subtree (or of ``org_code``'s) meeting an ASSESS-WEAK condition.

    Needs ``Perm.ASSESS_VIEW`` and ``Perm.FINDING_VIEW`` (the conditions are findings). With a
    ``campaign`` (an :class:`dangjian.assess.models.Campaign`), its results add last place, and
    its survey (``survey_key``, default the campaign's) the satisfaction rate; its 后进 tier does
    not make a lead. Parameters in force on ``at`` (``life_min_missed`` overrides its value).
    Sorted by number of conditions (most first), then by organization path.
    """
    at = at or timezone.localdate()
    params = params_on(RULE_ID, at)
    if life_min_missed is not None:
        params = {**params, "life_min_missed": life_min_missed}
    scope = WeakScope(actor, org_code, campaign, survey_key)
    return assess_weak(scope, Context(at=at, spec=WEAK, params=params))


register_not_checked(
    "ASSESS-RECTIFY",
    "一支一策整改",
    "local default",
    "seed 000; seed 004",
    "不在规则检查中运行：整改计划由上级组织人工研究确定（一支一策）",
)
