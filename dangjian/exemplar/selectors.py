"""Reads of the library of typical examples (典型), with its evidence resolved live.

- Inside the platform (``Perm.EXEMPLAR_VIEW``): every example of the actor's subtree, whatever
  its status, and every named (命名) example anywhere — a named example is public anyway, and
  the point of a library is that others learn from it.
- The public (no login): named examples only (:func:`published_get`); anything else is a 404
  that says nothing of whether it exists.

Evidence is stored as a reference and resolved here (:func:`resolve`) each time a page is shown,
into organization-level figures only: a score, stars, the service 三率, a meeting's date, type
and attendance counts — never a member's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, SystemActor, can, restrict
from dangjian.assess.models import Campaign, Result
from dangjian.life.models import Meeting
from dangjian.orgs.models import Organization
from dangjian.service import stats
from dangjian.service.models import Order

from .choices import EvidenceKind, Status
from .models import Evidence, Exemplar

#: the key of the "12248"-style 示范点 standard (dangjian/assess/standards/shifandian.yaml)
SITE_STANDARD = "shifandian"
#: a review (复核) due within this many days is shown as due soon and reminded of
REVIEW_SOON_DAYS = 60
SEARCH_MAX = 100


def own_org(actor: Actor) -> Organization | None:
    """The organization the actor acts for; ``None`` for the command-line operator."""
    if isinstance(actor, SystemActor):
        return None
    return getattr(actor, "org", None)


def exemplars_for(actor: Actor) -> QuerySet[Exemplar]:
    """The examples the actor may read (see the module docstring)."""
    qs = Exemplar.objects.select_related("org", "named_by")
    if not can(actor, Perm.EXEMPLAR_VIEW):
        return qs.none()
    mine = restrict(Exemplar.objects.all(), actor, Perm.EXEMPLAR_VIEW, "org__path")
    return qs.filter(Q(pk__in=mine.values("pk")) | Q(status=Status.NAMED))


def exemplar_get(actor: Actor, pk: int) -> Exemplar:
    item = exemplars_for(actor).filter(pk=pk).first()
    if item is None:
        raise Http404("典型不存在或不在您的管辖范围内")
    return item


def published() -> QuerySet[Exemplar]:
    """The named examples: what the public pages show."""
    return Exemplar.objects.select_related("org", "named_by").filter(status=Status.NAMED)


def published_get(pk: int) -> Exemplar:
    item = published().filter(pk=pk).first()
    if item is None:
        raise Http404("该典型不存在或尚未命名公布")
    return item


@dataclass
class Search:
    """A library search: every field optional; ``q`` matches the title, summary and the
    organization's name."""

    q: str = ""
    sector: str = ""
    theme: str = ""
    level: str = ""
    status: str = ""
    kind: str = ""

    def apply(self, qs: QuerySet[Exemplar]) -> QuerySet[Exemplar]:
        q = self.q.strip()[:SEARCH_MAX]
        if q:
            qs = qs.filter(
                Q(title__icontains=q) | Q(summary__icontains=q) | Q(org__name__icontains=q)
            )
        theme = self.theme.strip().replace("|", "")[:SEARCH_MAX]
        if theme:
            qs = qs.filter(themes__contains=f"|{theme}|")
        for name in ("sector", "level", "status", "kind"):
            value = getattr(self, name).strip()[:SEARCH_MAX]
            if value:
                qs = qs.filter(**{name: value})
        return qs


def search(actor: Actor, query: Search) -> QuerySet[Exemplar]:
    return query.apply(exemplars_for(actor))


def themes_in(qs: QuerySet[Exemplar]) -> list[str]:
    """The themes used by ``qs``'s examples, sorted (the search form's choices)."""
    seen: set[str] = set()
    for text in qs.values_list("themes", flat=True):
        seen.update(t for t in text.split("|") if t)
    return sorted(seen)


# --- evidence ---------------------------------------------------------------------------------


@dataclass
class Resolved:
    """One piece of evidence read live: a heading, (label, value) lines, and ``missing`` when the
    record it names no longer has what it stood for (e.g. the campaign is not scored yet)."""

    evidence: Evidence
    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    missing: str = ""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _assessment(ev: Evidence) -> Resolved:
    campaign = ev.campaign
    assert campaign is not None
    out = Resolved(ev, f"考核：{campaign.name}")
    result = Result.objects.filter(campaign=campaign, org_id=ev.exemplar.org_id).first()
    if result is None:
        out.missing = "该考核尚无本组织的评分结果"
        return out
    out.lines = [
        ("总分", f"{result.total}"),
        ("星级", f"{result.stars} 星" if result.stars else "未评星"),
        ("档次", result.get_tier_display()),
        ("考核期", f"{campaign.period_start:%Y-%m-%d} 至 {campaign.period_end:%Y-%m-%d}"),
    ]
    return out


def _service(ev: Evidence) -> Resolved:
    year = ev.year
    assert year is not None
    org = ev.exemplar.org
    out = Resolved(ev, f"为民服务：{year} 年")
    orders = Order.objects.filter(org__path__startswith=org.path, submitted_at__year=year)
    rates = stats.rates(orders)
    if not rates.total:
        out.missing = f"{year} 年本组织范围内没有服务工单"
        return out
    out.lines = [("工单数", str(rates.total))] + [
        (rate.label, _pct(rate.value)) for rate in rates.three
    ]
    return out


def _meeting(ev: Evidence, public: bool) -> Resolved:
    meeting = ev.meeting
    assert meeting is not None
    out = Resolved(ev, f"组织生活：{meeting.get_meeting_type_display()}")
    out.lines = [("日期", f"{meeting.held_on:%Y-%m-%d}"), ("组织", meeting.org.name)]
    if not public:
        out.lines.append(("主题", meeting.topic))
    if meeting.attendance_taken and meeting.expected:
        out.lines.append(("出席", f"应到 {meeting.expected} 人，实到 {meeting.present or 0} 人"))
    return out


def resolve(ev: Evidence, *, public: bool = False) -> Resolved:
    """``ev`` read from the records now (organization-level figures only)."""
    if ev.kind == EvidenceKind.ASSESSMENT:
        out = _assessment(ev)
    elif ev.kind == EvidenceKind.SERVICE:
        out = _service(ev)
    else:
        out = _meeting(ev, public)
    if ev.note:
        out.lines.append(("说明", ev.note))
    return out


def evidence_of(exemplar: Exemplar, *, public: bool = False) -> list[Resolved]:
    rows = exemplar.evidence.select_related("campaign", "meeting__org", "exemplar__org")
    return [resolve(ev, public=public) for ev in rows]


def latest_site_result(exemplar: Exemplar) -> Result | None:
    """The latest result of the example's organization against the 示范点 standard, if any."""
    return (
        Result.objects.filter(org_id=exemplar.org_id, campaign__standard_key=SITE_STANDARD)
        .select_related("campaign")
        .order_by("-campaign__period_end", "-pk")
        .first()
    )


def site_result_items(result: Result) -> list[dict[str, Any]]:
    """(title, score, points) per item of the breakdown, for the page."""
    items = result.breakdown.get("items", []) if isinstance(result.breakdown, dict) else []
    return [
        {"title": i.get("title", ""), "score": i.get("score"), "points": i.get("points")}
        for i in items
        if isinstance(i, dict)
    ]


# --- choices for the forms --------------------------------------------------------------------


def campaigns_for_evidence(exemplar: Exemplar) -> QuerySet[Any]:
    """The campaigns the example's organization takes part in (what may be linked)."""
    return Campaign.objects.filter(participants__org_id=exemplar.org_id).order_by("-period_end")


def meetings_for_evidence(exemplar: Exemplar) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(org__path__startswith=exemplar.org.path)
        .select_related("org")
        .order_by("-held_on", "-pk")
    )


def reviews_due(at: dt.date, within: int = REVIEW_SOON_DAYS) -> QuerySet[Exemplar]:
    """Named examples whose review (复核) is due by ``at + within`` days (overdue included)."""
    return published().filter(review_on__lte=at + dt.timedelta(days=within)).order_by("review_on")
