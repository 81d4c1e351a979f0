"""Reads of 述职评议, restricted to the actor's scope (``Perm.REVIEW_VIEW``).

- a campaign is seen by its organizing level and above, and by the organizations below it
  (a secretary sees the campaign they report in);
- a report is seen by its organization and the levels above it (the organizing level is one).

:func:`reporters_of` derives who reports from the posts model: the 书记 post (``PostTerm``) in
force in each organization directly under the organizing one that reports to it — the
党委/党工委/党总支 below it, and the 村/社区 党支部 under a 乡镇 党委.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.members.choices import Post
from dangjian.members.models import PostTerm
from dangjian.orgs.choices import BRANCH_TYPES, OrgType, Sector
from dangjian.orgs.models import Organization

from .choices import GRADE_POINTS, GRADE_THRESHOLDS, Grade
from .models import Campaign, RatingTally, Report

STEPLEN = 4
#: the kinds of organizations whose secretary reports to the level above
REPORTING_TYPES = frozenset({OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE, OrgType.GENERAL_BRANCH})
#: the sectors of the branches whose secretary reports to the 乡镇 党委 (村、社区)
VILLAGE_SECTORS = frozenset({Sector.RURAL, Sector.COMMUNITY})


def _ancestors(path: str) -> list[str]:
    return [path[: STEPLEN * k] for k in range(1, len(path) // STEPLEN + 1)]


def reports_to_upper(org: Organization) -> bool:
    """Whether ``org``'s secretary reports to the organization directly above it."""
    if org.org_type in REPORTING_TYPES:
        return True
    return (
        org.org_type in BRANCH_TYPES
        and org.org_type != OrgType.TEMP_BRANCH
        and (org.sector in VILLAGE_SECTORS)
    )


def reporters_of(org: Organization, day: dt.date) -> list[tuple[Organization, str]]:
    """The organizations directly under ``org`` whose secretaries report to it, each with the
    name of the secretary in post on ``day`` (``""``: the post is vacant)."""
    children = [
        o
        for o in Organization.objects.filter(
            depth=org.depth + 1, path__startswith=org.path
        ).order_by("path")
        if reports_to_upper(o)
    ]
    terms = (
        PostTerm.objects.filter(org__in=children, post=Post.SECRETARY, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("member")
        .order_by("started_on", "pk")
    )
    names = {t.org_id: t.member.name for t in terms}
    return [(o, names.get(o.pk, "")) for o in children]


def campaigns_for(actor: Actor) -> QuerySet[Campaign]:
    """Campaigns the actor sees: organized in its subtree or by one of its ancestors."""
    prefix = scope_prefix(actor, Perm.REVIEW_VIEW)
    if prefix is None:
        return Campaign.objects.none()
    qs = Campaign.objects.select_related("org")
    if prefix == "":
        return qs
    return qs.filter(Q(org__path__startswith=prefix) | Q(org__path__in=_ancestors(prefix)))


def campaign_get(actor: Actor, pk: int) -> Campaign:
    campaign = campaigns_for(actor).filter(pk=pk).first()
    if campaign is None:
        raise Http404("述职评议不存在或不在您的管辖范围内")
    return campaign


def reports_for(actor: Actor, campaign: Campaign | None = None) -> QuerySet[Report]:
    """Reports of organizations in the actor's subtree (of ``campaign`` when given)."""
    prefix = scope_prefix(actor, Perm.REVIEW_VIEW)
    if prefix is None:
        return Report.objects.none()
    qs = Report.objects.select_related("org", "campaign", "campaign__org")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs.order_by("org__path")


def report_get(actor: Actor, pk: int) -> Report:
    report = reports_for(actor).filter(pk=pk).first()
    if report is None:
        raise Http404("述职不存在或不在您的管辖范围内")
    return report


# --- the ratings and the result -----------------------------------------------------------------


@dataclass
class Ballots:
    """The ballots of a report summed up: counts per grade, per item, and the proposed grade."""

    counts: dict[str, int] = field(default_factory=lambda: {g: 0 for g in Grade.values})
    by_item: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        """The mean points of the ballots (好 4, 较好 3, 一般 2, 差 1), ``None`` without any."""
        if not self.total:
            return None
        return sum(GRADE_POINTS[g] * n for g, n in self.counts.items()) / self.total

    @property
    def proposed(self) -> str:
        """The grade the ballots suggest (``""`` without any)."""
        avg = self.average
        if avg is None:
            return ""
        return next(g for g, low in GRADE_THRESHOLDS if avg >= low)


def ballots_of(report: Report) -> Ballots:
    out = Ballots()
    for t in RatingTally.objects.filter(report=report).order_by("item", "rater_kind"):
        item = out.by_item.setdefault(t.item, {g: 0 for g in Grade.values})
        for g, n in t.counts.items():
            out.counts[g] += n
            item[g] += n
    return out


def ballots_by_report(campaign: Campaign) -> dict[int, Ballots]:
    """Report pk → its ballots summed up, for every report of ``campaign`` (one grouped query)."""
    from django.db.models import Sum

    out: dict[int, Ballots] = {}
    rows = (
        RatingTally.objects.filter(report__campaign=campaign)
        .values("report_id")
        .annotate(g=Sum("good"), f=Sum("fairly_good"), a=Sum("average"), p=Sum("poor"))
        .order_by()
    )
    for r in rows:
        out[r["report_id"]] = Ballots(
            counts={
                Grade.GOOD: r["g"] or 0,
                Grade.FAIRLY_GOOD: r["f"] or 0,
                Grade.AVERAGE: r["a"] or 0,
                Grade.POOR: r["p"] or 0,
            }
        )
    return out


def grade_limit(campaign: Campaign, grade: str, reporters: int) -> int | None:
    """The most reports ``grade`` may be given under the campaign's rule (``None``: no limit)."""
    share = (campaign.grade_rule or {}).get(grade)
    if share is None:
        return None
    return math.floor(float(share) * reporters + 1e-9)


def distribution(campaign: Campaign, reports: QuerySet[Report] | None = None) -> dict[str, int]:
    """Grade → number of organizations graded so (and ``""``: not graded yet)."""
    qs = reports if reports is not None else Report.objects.filter(campaign=campaign)
    counts: Counter[str] = Counter(
        {r["grade"]: r["n"] for r in qs.values("grade").annotate(n=Count("pk")).order_by()}
    )
    return {g: counts.get(g, 0) for g in [*Grade.values, ""]}


def rule_text(campaign: Campaign) -> str:
    """The distribution rule in words ("“好”不超过 30%")."""
    parts = [
        f"“{g}”不超过 {round(float(share) * 100)}%"
        for g, share in sorted((campaign.grade_rule or {}).items())
    ]
    return "，".join(parts) or "不限比例"


# --- the 述职 meeting: the organization's figures from the platform ------------------------------


def meeting_figures(report: Report, actor: Actor | None = None) -> dict[str, Any]:
    """What the platform records of the reporting organization's subtree, so that the evaluation
    rests on records: open findings by rule, the latest assessment result (stars, tier), the
    service 三率 of the campaign's year, the progress of its rectification tasks and, for an
    ``actor``, the inspections of the year whose results the actor reads (visits, findings,
    photos and clips)."""
    from dangjian.assess.models import Result
    from dangjian.inspection.selectors import visits_about
    from dangjian.rectify.models import RectificationTask
    from dangjian.rules.models import OPEN, StoredFinding
    from dangjian.rules.registry import rule_title
    from dangjian.service.models import Order
    from dangjian.service.stats import rates

    org = report.org
    year = report.campaign.year
    findings = (
        StoredFinding.objects.filter(OPEN, org_path__startswith=org.path)
        .values("rule")
        .annotate(n=Count("pk"))
        .order_by("-n", "rule")
    )
    result = (
        Result.objects.filter(org=org).select_related("campaign").order_by("-computed_at").first()
    )
    orders = Order.objects.filter(org__path__startswith=org.path, submitted_at__year=year)
    tasks = RectificationTask.objects.filter(plan__org__path__startswith=org.path)
    task_counts = {
        r["status"]: r["n"] for r in tasks.values("status").annotate(n=Count("pk")).order_by()
    }
    return {
        "findings": [{"title": rule_title(f["rule"]), "n": f["n"]} for f in findings[:20]],
        "findings_total": sum(f["n"] for f in findings),
        "result": result,
        "rates": rates(orders),
        "tasks": task_counts,
        "tasks_total": sum(task_counts.values()),
        "visits": list(visits_about(actor, org, year)[:20]) if actor is not None else [],
    }


@dataclass
class CampaignResults:
    """The results of one campaign from its ballots: reports rated, the grades the ballots
    suggest (counts per grade) and the grades over the campaign's rule."""

    reports: int = 0
    proposed: Counter[str] = field(default_factory=Counter)
    over_rule: dict[str, int] = field(default_factory=dict)


def results_from_ballots(campaigns: QuerySet[Campaign]) -> dict[int, CampaignResults]:
    """Campaign pk → its results from the ballots, for every campaign of ``campaigns`` at once.

    One grouped query in the database: the ballots summed per report, each report's grade from
    its mean points (the same thresholds as :attr:`Ballots.proposed`), counted per campaign and
    grade — so only campaigns × grades rows come back, whatever the number of reports; then
    each campaign's distribution is checked against its rule."""
    from django.db import connection

    tally, report = RatingTally._meta.db_table, Report._meta.db_table
    points = " + ".join(
        f"{GRADE_POINTS[g]} * {col}"
        for g, col in zip(Grade.values, ("g", "f", "a", "p"), strict=True)
    )
    cases = " ".join(f"WHEN {points} >= %s * n THEN %s" for _g, _low in GRADE_THRESHOLDS[:-1])
    case_params: list[Any] = []
    for grade, low in GRADE_THRESHOLDS[:-1]:
        case_params += [low, str(grade)]
    ids_sql, ids_params = campaigns.values("pk").query.sql_with_params()
    # the table names come from the models and every value is a parameter
    sql = (
        f"SELECT r.campaign_id, CASE WHEN n = 0 THEN '' {cases} ELSE %s END AS grade, COUNT(*) "  # noqa: S608
        f"FROM (SELECT report_id, SUM(good) AS g, SUM(fairly_good) AS f, SUM(average) AS a, "
        f"SUM(poor) AS p, SUM(good + fairly_good + average + poor) AS n "
        f"FROM {tally} GROUP BY report_id) AS t "
        f"JOIN {report} AS r ON r.id = t.report_id "
        f"WHERE r.campaign_id IN ({ids_sql}) GROUP BY 1, 2"
    )
    out: dict[int, CampaignResults] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, str(GRADE_THRESHOLDS[-1][0]), *ids_params])
        for campaign_id, grade, n in cursor.fetchall():
            res = out.setdefault(campaign_id, CampaignResults())
            res.reports += n
            if grade:
                res.proposed[grade] += n
    rules = dict(campaigns.filter(pk__in=list(out)).values_list("pk", "grade_rule"))
    totals = dict(
        Report.objects.filter(campaign__in=campaigns)
        .values_list("campaign_id")
        .annotate(Count("pk"))
        .order_by()
    )
    for pk, res in out.items():
        for grade, share in (rules.get(pk) or {}).items():
            limit = math.floor(float(share) * totals.get(pk, 0) + 1e-9)
            if res.proposed[grade] > limit:
                res.over_rule[grade] = res.proposed[grade] - limit
    return out
