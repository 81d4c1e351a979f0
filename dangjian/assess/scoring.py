"""Scoring a whole campaign, set-based and reproducible (ASSESS-SCORE-100, -VETO, -STARS, -TIERS).

Entry points (stable):

- :func:`campaign_compute` ``(campaign, *, at=None) -> ScoreRun`` reads everything once —
  the standard from the campaign's own snapshot, the indicators of all participants
  (:mod:`dangjian.assess.indicators`), the self- and spot-check scores, the veto events, the
  survey rates (``dangjian.survey.selectors.rates_for("campaign:<id>")``) and the previous
  campaign's results — and returns one :class:`OrgScore` per participant. It writes nothing.
- :func:`campaign_save` ``(campaign, run)`` replaces the campaign's :class:`~.models.Result`
  rows with the run (the caller holds the transaction and writes the audit entry; see
  :func:`dangjian.assess.services.campaign_score`).

Same data → same result: nothing depends on the order rows come back in, ties are never broken
arbitrarily, and ``at`` (default today) only decides which LIFE periods are over.

How the grade follows from the total:

- **veto** (ASSESS-VETO): a recorded, not withdrawn :class:`~.models.VetoEvent` of the
  organization dated inside the campaign period on a veto line of the standard caps its stars at
  ``stars.veto_max`` (default 0) and its tier at ``tiers.veto_max`` (default 中间), whatever
  its score.
- **stars** (ASSESS-STARS): the highest level whose threshold the total reaches; then the veto
  cap; then the quotas, highest level first: a quota is a ceiling of ``floor(share × N)``
  organizations (N = organizations scored; with ``quota_per: sector`` or ``region`` the
  ceilings apply inside each sector or region, N counted there). When more qualify, the best
  totals keep the level; organizations tied with the last one admitted are *all* moved down
  when the tie crosses the ceiling (no arbitrary tie-break), to the next lower level, where
  that level's quota applies.
- **tiers** (ASSESS-TIERS): ``by: score`` — advanced at ``total ≥ advanced``, lagging at
  ``total < lagging``; ``by: share`` — the best ``floor(advanced × N)`` totals among
  organizations not capped by a veto are advanced, the worst ``floor(lagging × N)`` of the rest
  are lagging, again leaving out a tie that crosses the cut.
- **change**: against the previous campaign's result of the same organization: tier first
  (后进 < 中间 < 先进), then stars: 晋位升级, 持平, 降级, or 首次参评.

``breakdown`` (stored in :attr:`Result.breakdown`, printed by ``dangjian assess run``)::

    {"standard": {"key", "name", "version"}, "sector", "sector_set": {"id", "title"}, "as_of",
     "items": [{"id", "title", "points", "score",
                "criteria": [{"id", "text", "mode", "points", "score", "source": {...}}]}],
     "veto": [{"line", "text", "events": [{"id", "date", "note"}]}],
     "stars": {"by_score", "final", "notes": [...]},
     "tier": {"by", "final", "notes": [...]}}

``source`` says where the points come from: ``{"kind": "indicator", "indicator", "title",
"rules", "value", "display", "evidence", "scoring"}``, ``{"kind": "survey", "rate", "label",
"value", "n", "low", "high", "reliable", "scoring"}`` or ``{"kind": "check", "self": {points,
note, by, at[, late]} | null, "spot": {…} | null, "combine", "combine_label", "spot_checked",
"used"}``; when a value was missing, ``"no_data": true``, ``"missing"`` and
``"missing_label"`` tell which rule applied (``"fallback"`` holds the check source; with
``missing: prorate``, ``"prorate": {"rate", "basis_score", "basis_points"}`` the organization's
rate on its other criteria). ``breakdown["spot_checked"]`` says whether the organization was
drawn or picked for the spot-check; ``sector_set`` (when the standard has sector sets) which
set of sector-specific items it was scored on.

Speed: a city's campaign (41,711 branches) computes in 24–55 s and stores in 14–24 s on a
loaded 2-vCPU machine (benchmarks/README.md); one branch's preview takes about 0.1 s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from .indicators import REGISTRY, IndicatorContext, IndicatorValue, compute_all
from .models import (
    Campaign,
    CampaignOrg,
    Change,
    Result,
    SelfCheckScore,
    SpotCheckScore,
    Tier,
    VetoEvent,
)
from .standard import COMBINES, MISSING, RATES, Criterion, Standard, parse_standard

TIER_RANK = {Tier.LAGGING.value: 0, Tier.MIDDLE.value: 1, Tier.ADVANCED.value: 2}
STAR_LABELS = {0: "未评星", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}


@dataclass
class OrgScore:
    """The computed assessment of one organization (what a :class:`Result` row stores)."""

    org_id: int
    code: str
    name: str
    sector: str
    path: str
    total: float
    veto: bool
    veto_lines: list[str]
    stars: int
    tier: str
    breakdown: dict[str, Any]
    previous_total: float | None = None
    previous_stars: int | None = None
    previous_tier: str = ""
    change: str = Change.NEW.value
    by_score_stars: int = 0
    region: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``dangjian assess run`` (one object per organization)."""
        return {
            "org": self.code,
            "name": self.name,
            "sector": self.sector,
            "total": self.total,
            "veto": self.veto,
            "veto_lines": self.veto_lines,
            "stars": self.stars,
            "tier": self.tier,
            "tier_label": Tier(self.tier).label,
            "previous": {
                "total": self.previous_total,
                "stars": self.previous_stars,
                "tier": self.previous_tier or None,
            },
            "change": self.change,
            "change_label": Change(self.change).label,
            "breakdown": self.breakdown,
        }


@dataclass
class ScoreRun:
    campaign_id: int
    at: dt.date
    standard: Standard
    scores: list[OrgScore]
    #: participants not scored, with the reason (e.g. the standard has no items for the sector)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        stars: dict[int, int] = defaultdict(int)
        tiers: dict[str, int] = defaultdict(int)
        for s in self.scores:
            stars[s.stars] += 1
            tiers[s.tier] += 1
        return {
            "campaign": self.campaign_id,
            "at": self.at.isoformat(),
            "scored": len(self.scores),
            "skipped": len(self.skipped),
            "veto": sum(1 for s in self.scores if s.veto),
            "stars": {str(k): stars[k] for k in sorted(stars, reverse=True)},
            "tiers": {t.value: tiers[t.value] for t in (Tier.ADVANCED, Tier.MIDDLE, Tier.LAGGING)},
        }


def _r(value: float) -> float:
    return round(value + 0.0, 2)


def _check_entry(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    entry = {
        "points": float(row["points"]),
        "note": row["note"],
        "by": row["by_name"],
        "at": row["at"].isoformat() if row["at"] else None,
    }
    if row.get("late"):
        entry["late"] = True
    return entry


def _person_points(
    crit: Criterion,
    self_row: dict[str, Any] | None,
    spot_row: dict[str, Any] | None,
    spot_checked: bool,
) -> tuple[float, dict[str, Any]]:
    """Points of a self/spot criterion (or a fallback) and the source that explains them."""
    own, spot = _check_entry(self_row), _check_entry(spot_row) if spot_checked else None
    source: dict[str, Any] = {
        "kind": "check",
        "self": own,
        "spot": spot,
        "combine": crit.combine,
        "combine_label": COMBINES[crit.combine],
        "spot_checked": spot_checked,
    }
    if own is not None and spot is not None:
        a, b = own["points"], spot["points"]
        if crit.combine == "override":
            pts, used = b, "抽查评分"
        elif crit.combine == "average":
            pts, used = (a + b) / 2, "自查与抽查平均"
        else:
            pts, used = min(a, b), "自查与抽查取低"
    elif spot is not None:
        pts, used = spot["points"], "抽查评分（未自查）"
    elif own is not None:
        pts = own["points"]
        used = "自查评分（未抽查）" if crit.mode == "spot" and not spot_checked else "自查评分"
        if spot_checked and crit.mode == "spot":
            used = "自查评分（抽查未评此条）"
    else:
        pts, used = 0.0, "未评分"
    source["used"] = used
    return _r(min(max(pts, 0.0), crit.points)), source


@dataclass
class _Inputs:
    standard: Standard
    indicators: dict[str, dict[int, IndicatorValue]]
    selfs: dict[tuple[int, str], dict[str, Any]]
    spots: dict[tuple[int, str], dict[str, Any]]
    rates: dict[int, Any]


def _missing(
    crit: Criterion,
    inputs: _Inputs,
    org_id: int,
    spot_checked: bool,
    source: dict[str, Any],
) -> tuple[float, dict[str, Any]]:
    """Points of a criterion without a value (``missing``); ``prorate`` is filled in by
    :func:`_prorate` once the organization's other criteria are scored."""
    source["no_data"] = True
    source["missing"] = crit.missing
    source["missing_label"] = MISSING[crit.missing]
    if crit.missing == "full":
        return crit.points, source
    if crit.missing == "prorate":
        return 0.0, source
    if crit.missing == "self":
        pts, fallback = _person_points(
            crit,
            inputs.selfs.get((org_id, crit.id)),
            inputs.spots.get((org_id, crit.id)),
            spot_checked,
        )
        source["fallback"] = fallback
        return pts, source
    return 0.0, source


def _criterion_points(
    crit: Criterion, inputs: _Inputs, org_id: int, spot_checked: bool
) -> tuple[float, dict[str, Any]]:
    if crit.mode in ("self", "spot"):
        return _person_points(
            crit,
            inputs.selfs.get((org_id, crit.id)),
            inputs.spots.get((org_id, crit.id)),
            spot_checked,
        )
    assert crit.scoring is not None
    if crit.mode == "automatic":
        ind = REGISTRY[crit.indicator]
        iv = inputs.indicators.get(crit.indicator, {}).get(org_id)
        source: dict[str, Any] = {
            "kind": "indicator",
            "indicator": ind.name,
            "title": ind.title,
            "rules": list(ind.rules),
            "value": None if iv is None else iv.value,
            "display": "无数据" if iv is None else iv.display,
            "evidence": {} if iv is None else iv.evidence,
            "scoring": crit.scoring.describe(),
        }
        if iv is None or iv.value is None:
            return _missing(crit, inputs, org_id, spot_checked, source)
        return _r(crit.scoring.points(iv.value, crit.points)), source
    # survey
    rates = inputs.rates.get(org_id)
    rate = getattr(rates, crit.rate, None) if rates is not None else None
    source = {
        "kind": "survey",
        "rate": crit.rate,
        "label": RATES[crit.rate],
        "value": getattr(rate, "value", None),
        "n": getattr(rate, "n", 0),
        "low": getattr(rate, "low", None),
        "high": getattr(rate, "high", None),
        "reliable": bool(getattr(rate, "reliable", False)),
        "scoring": crit.scoring.describe(),
    }
    if rate is None or source["value"] is None or not source["reliable"]:
        return _missing(crit, inputs, org_id, spot_checked, source)
    return _r(crit.scoring.points(float(source["value"]), crit.points)), source


def _prorate(items_out: list[dict[str, Any]]) -> None:
    """``missing: prorate``: each such criterion scores its points times the organization's rate
    on the other criteria (their score ÷ their points), then item scores are summed again."""
    waiting = [
        c
        for item in items_out
        for c in item["criteria"]
        if c["source"].get("no_data") and c["source"].get("missing") == "prorate"
    ]
    if not waiting:
        return
    ids = {id(c) for c in waiting}
    others = [c for item in items_out for c in item["criteria"] if id(c) not in ids]
    basis_points = sum(c["points"] for c in others)
    basis_score = sum(c["score"] for c in others)
    rate = basis_score / basis_points if basis_points else 0.0
    for c in waiting:
        c["score"] = _r(c["points"] * rate)
        c["source"]["prorate"] = {
            "rate": round(rate, 4),
            "basis_score": _r(basis_score),
            "basis_points": _r(basis_points),
        }
    for item in items_out:
        item["score"] = _r(sum(c["score"] for c in item["criteria"]))


def survey_rates(campaign_id: int) -> dict[int, Any]:
    """The survey rates per organization for the campaign (key ``"campaign:<id>"``), or ``{}``
    while the survey app offers no ``rates_for`` (see dangjian/survey/selectors.py)."""
    try:
        from dangjian.survey.selectors import rates_for  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return dict(rates_for(f"campaign:{campaign_id}"))


def _take(ordered: Sequence[OrgScore], n: int) -> list[OrgScore]:
    """The first ``n`` of ``ordered`` (best first by total), leaving out a tie across the cut."""
    if n <= 0:
        return []
    if len(ordered) <= n:
        return list(ordered)
    cut = ordered[n - 1].total
    if ordered[n].total == cut:
        return [o for o in ordered[:n] if o.total != cut]
    return list(ordered[:n])


def _floor(share: float, n: int) -> int:
    return math.floor(share * n + 1e-9)


def quota_groups(scores: list[OrgScore], std: Standard) -> dict[str, list[OrgScore]]:
    """The groups a star quota applies to, by a label in Chinese: the whole campaign (``""``),
    each sector, or each region (the first ``quota_region_digits`` of the region code)."""
    per = std.stars.quota_per
    if per == "campaign":
        return {"": scores}
    groups: dict[str, list[OrgScore]] = defaultdict(list)
    for s in scores:
        if per == "sector":
            groups[f"{s.sector}领域"].append(s)
        else:
            region = s.region[: std.stars.quota_region_digits]
            groups[f"地区 {region}" if region else "未登记地区"].append(s)
    return dict(groups)


def _apply_quotas(
    scores: list[OrgScore],
    std: Standard,
    levels: list[int],
    label: str,
    notes: dict[int, list[str]],
) -> None:
    """Quota ceilings, highest level first, over one group of ``scores``."""
    n = len(scores)
    where = f"{label}参评组织" if label else "参评组织"
    for i, level in enumerate(levels):
        share = std.stars.quotas.get(level)
        if share is None:
            continue
        ceiling = _floor(share, n)
        at_level = sorted((s for s in scores if s.stars == level), key=lambda s: (-s.total, s.path))
        if len(at_level) <= ceiling:
            continue
        kept = {s.org_id for s in _take(at_level, ceiling)}
        lower = levels[i + 1] if i + 1 < len(levels) else 0
        for s in at_level:
            if s.org_id not in kept:
                s.stars = lower
                notes[s.org_id].append(
                    f"{STAR_LABELS[level]}名额为{where}的 {share:.0%}（{n} 个中 {ceiling} 个），"
                    f"按总分未进入名额，顺延为{STAR_LABELS[lower]}"
                )


def assign_stars(scores: list[OrgScore], std: Standard) -> None:
    """Stars by threshold, veto cap, then quota ceilings (see the module docstring)."""
    levels = [s for s, _t in std.stars.thresholds]  # highest first
    notes: dict[int, list[str]] = defaultdict(list)
    for s in scores:
        s.by_score_stars = next((lv for lv, t in std.stars.thresholds if s.total >= t - 1e-9), 0)
        s.stars = s.by_score_stars
        if s.veto and s.stars > std.stars.veto_max:
            s.stars = std.stars.veto_max
            notes[s.org_id].append(f"触及高压线，星级最高为{STAR_LABELS[std.stars.veto_max]}")
    for label, group in quota_groups(scores, std).items():
        _apply_quotas(group, std, levels, label, notes)
    for s in scores:
        s.breakdown["stars"] = {
            "by_score": s.by_score_stars,
            "final": s.stars,
            "label": STAR_LABELS[s.stars],
            "thresholds": {str(k): v for k, v in std.stars.thresholds},
            "quotas": {str(k): v for k, v in std.stars.quotas.items()},
            "quota_per": std.stars.quota_per,
            "notes": notes.get(s.org_id, []),
        }


def assign_tiers(scores: list[OrgScore], std: Standard) -> None:
    """Tiers by score or by share, with the veto cap (see the module docstring)."""
    t = std.tiers
    notes: dict[int, list[str]] = defaultdict(list)
    if t.by == "score":
        for s in scores:
            if s.total >= t.advanced - 1e-9:
                s.tier = Tier.ADVANCED
            elif s.total < t.lagging - 1e-9:
                s.tier = Tier.LAGGING
            else:
                s.tier = Tier.MIDDLE
    else:
        n = len(scores)
        ordered = sorted(scores, key=lambda s: (-s.total, s.path))
        candidates = [s for s in ordered if not s.veto]
        advanced = {s.org_id for s in _take(candidates, _floor(t.advanced, n))}
        rest = [s for s in reversed(ordered) if s.org_id not in advanced]  # worst first
        lagging = {s.org_id for s in _take(rest, _floor(t.lagging, n))}
        for s in scores:
            s.tier = (
                Tier.ADVANCED
                if s.org_id in advanced
                else Tier.LAGGING
                if s.org_id in lagging
                else Tier.MIDDLE
            )
    for s in scores:
        if not s.veto:
            continue
        cap = Tier(t.veto_max)
        if TIER_RANK[s.tier] > TIER_RANK[cap]:
            notes[s.org_id].append(f"触及高压线，档次最高为{cap.label}")
            s.tier = cap
    for s in scores:
        s.tier = Tier(s.tier).value
        s.breakdown["tier"] = {
            "by": t.by,
            "advanced": t.advanced,
            "lagging": t.lagging,
            "final": s.tier,
            "label": Tier(s.tier).label,
            "notes": notes.get(s.org_id, []),
        }


def _change(s: OrgScore) -> str:
    if not s.previous_tier:
        return Change.NEW.value
    now = (TIER_RANK[s.tier], s.stars)
    before = (TIER_RANK[s.previous_tier], s.previous_stars or 0)
    if now > before:
        return Change.UP.value
    if now < before:
        return Change.DOWN.value
    return Change.SAME.value


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small dicts are built.

    Scoring a city allocates a few million containers that stay alive until the end; the
    collector's full passes over them cost about four times the work itself (measured: 80 s
    against 20 s for 41,711 organizations). Nothing built here forms reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def campaign_compute(campaign: Campaign, *, at: dt.date | None = None) -> ScoreRun:
    """Score every participant of ``campaign`` as of ``at`` (default today); writes nothing.

    Queries: the participants, the SETUP facts (2), the LIFE checker's grouped queries, one per
    other indicator at most, the self- and spot-check scores, the veto events, the survey rates
    and the previous results — a constant number, whatever the number of organizations.
    """
    at = at or timezone.localdate()
    std = parse_standard(campaign.standard_text, path=f"{campaign.standard_key}")
    with gc_paused():
        scores, skipped = campaign_compute_orgs(campaign, prefix=campaign.root.path, at=at, std=std)
        assign_stars(scores, std)
        assign_tiers(scores, std)
        for s in scores:
            s.change = _change(s)
    return ScoreRun(campaign.pk, at, std, scores, skipped)


def campaign_compute_orgs(
    campaign: Campaign,
    *,
    prefix: str,
    at: dt.date | None = None,
    only: Sequence[int] | None = None,
    std: Standard | None = None,
) -> tuple[list[OrgScore], list[dict[str, str]]]:
    """Totals and breakdowns (no stars, tiers or change) of the participants under ``prefix``
    (or just the pks ``only``); what :func:`campaign_compute` ranks, and what one
    organization's self-check page previews."""
    at = at or timezone.localdate()
    std = std or parse_standard(campaign.standard_text, path=f"{campaign.standard_key}")
    participants_qs = CampaignOrg.objects.filter(campaign=campaign, org__path__startswith=prefix)
    if only is not None:
        participants_qs = participants_qs.filter(org_id__in=list(only))
    participants = list(
        participants_qs.order_by("org__path").values(
            "org_id",
            "sampled",
            "hand_picked",
            "org__code",
            "org__name",
            "org__sector",
            "org__org_type",
            "org__path",
            "org__region_code",
        )
    )
    ctx = IndicatorContext(
        org_ids=[p["org_id"] for p in participants],
        prefix=prefix,
        start=campaign.period_start,
        end=campaign.period_end,
        at=at,
    )
    score_filter: dict[str, Any] = {"org_id__in": list(only)} if only is not None else {}
    inputs = _Inputs(
        standard=std,
        indicators=compute_all(ctx, std.indicators()),
        selfs=_scores(SelfCheckScore, campaign, score_filter),
        spots=_scores(SpotCheckScore, campaign, score_filter),
        rates=survey_rates(campaign.pk) if any(c.mode == "survey" for c in std.criteria()) else {},
    )
    vetoes = _vetoes(campaign, std, prefix)
    previous = _previous(campaign)

    scores: list[OrgScore] = []
    skipped: list[dict[str, str]] = []
    for p in participants:
        sector = p["org__sector"]
        if sector not in std.sectors:
            skipped.append({"org": p["org__code"], "reason": f"标准不适用于{sector}领域"})
            continue
        spot_checked = bool(p["sampled"] or p["hand_picked"])
        items_out: list[dict[str, Any]] = []
        for item in std.items_for(sector):
            crit_out = []
            item_score = 0.0
            for crit in item.criteria:
                pts, source = _criterion_points(crit, inputs, p["org_id"], spot_checked)
                item_score += pts
                crit_out.append(
                    {
                        "id": crit.id,
                        "text": crit.text,
                        "mode": crit.mode,
                        "points": crit.points,
                        "score": pts,
                        "source": source,
                    }
                )
            item_score = _r(item_score)
            items_out.append(
                {
                    "id": item.id,
                    "title": item.title,
                    "points": item.points,
                    "score": item_score,
                    "criteria": crit_out,
                }
            )
        _prorate(items_out)
        total = sum(item["score"] for item in items_out)
        events = vetoes.get(p["org_id"], {})
        veto_out = [
            {"line": line, "text": std.veto_line(line).text, "events": evs}  # type: ignore[union-attr]
            for line, evs in sorted(events.items())
        ]
        score = OrgScore(
            org_id=p["org_id"],
            code=p["org__code"],
            name=p["org__name"],
            sector=sector,
            path=p["org__path"],
            region=p["org__region_code"] or "",
            total=_r(total),
            veto=bool(veto_out),
            veto_lines=sorted(events),
            stars=0,
            tier=Tier.MIDDLE.value,
            breakdown={
                "standard": {"key": std.key, "name": std.name, "version": std.version},
                "sector": sector,
                **_sector_set(std, sector),
                "as_of": at.isoformat(),
                "spot_checked": spot_checked,
                "items": items_out,
                "veto": veto_out,
            },
        )
        prev = previous.get(p["org_id"])
        if prev is not None:
            score.previous_total = float(prev["total"])
            score.previous_stars = prev["stars"]
            score.previous_tier = prev["tier"]
        scores.append(score)

    return scores, skipped


def _sector_set(std: Standard, sector: str) -> dict[str, Any]:
    own = std.set_for(sector)
    return {"sector_set": {"id": own.id, "title": own.title}} if own else {}


def _scores(
    model: Any, campaign: Campaign, extra: dict[str, Any]
) -> dict[tuple[int, str], dict[str, Any]]:
    rows = model.objects.filter(campaign=campaign, **extra).values(
        "org_id", "criterion", "points", "note", "by_name", "at", "late"
    )
    return {(r["org_id"], r["criterion"]): r for r in rows}


def _vetoes(
    campaign: Campaign, std: Standard, prefix: str
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    lines = [v.id for v in std.veto]
    if not lines:
        return {}
    rows = (
        VetoEvent.objects.filter(
            org__path__startswith=prefix,
            occurred_on__gte=campaign.period_start,
            occurred_on__lte=campaign.period_end,
            withdrawn=False,
            line__in=lines,
        )
        .order_by("occurred_on", "pk")
        .values("pk", "org_id", "line", "occurred_on", "note")
    )
    out: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        out[r["org_id"]][r["line"]].append(
            {"id": r["pk"], "date": r["occurred_on"].isoformat(), "note": r["note"]}
        )
    return out


def _previous(campaign: Campaign) -> dict[int, dict[str, Any]]:
    if campaign.previous_id is None:
        return {}
    rows = Result.objects.filter(campaign_id=campaign.previous_id).values(
        "org_id", "total", "stars", "tier"
    )
    return {r["org_id"]: dict(r) for r in rows}


def campaign_save(campaign: Campaign, run: ScoreRun) -> int:
    """Replace the campaign's results with ``run``; call inside the caller's transaction."""
    now = timezone.now()
    Result.objects.filter(campaign=campaign).delete()
    with gc_paused():
        _bulk_results(campaign, run, now)
    return len(run.scores)


def _bulk_results(campaign: Campaign, run: ScoreRun, now: dt.datetime) -> None:
    rows = [
        Result(
            campaign=campaign,
            org_id=s.org_id,
            total=Decimal(str(s.total)),
            veto=s.veto,
            veto_lines=s.veto_lines,
            stars=s.stars,
            tier=s.tier,
            breakdown=s.breakdown,
            previous_total=None if s.previous_total is None else Decimal(str(s.previous_total)),
            previous_stars=s.previous_stars,
            previous_tier=s.previous_tier,
            change=s.change,
            computed_at=now,
        )
        for s in run.scores
    ]
    if connection.vendor == "postgresql":
        _insert_server_bound(rows)
    else:
        Result.objects.bulk_create(rows, batch_size=1000)


def _insert_server_bound(rows: list[Result]) -> None:
    """PostgreSQL: insert with server-side parameters (psycopg ``executemany`` in pipeline
    mode). Django's bulk insert binds on the client, which escapes every quote of the large JSON
    breakdowns; this is several times faster for a city and writes the same rows."""
    import psycopg

    fields = [f for f in Result._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # only the model's own table and column names, quoted by the backend
    table = quote(Result._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    params = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({params})"  # noqa: S608
    values = [[f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields] for r in rows]
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])
