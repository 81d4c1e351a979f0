"""Yearly study and training hours, derived (never stored) from what is already recorded, and
the organization-level figures built on them.

A member's hours in a calendar year (1 January to 31 December) are:

- the records of organizational life held that year that the member attended (attendance taken,
  ``present``), each counting the hours of its type (TRAINING-MEETING-HOURS; a record of several
  types counts once, for the largest);
- the courses whose last day falls in that year that list the member as a participant (their
  class hours, 学时).

The members counted are those on the roll on the figures' day (31 December, or the asked day
within the year) in the subtree, each once, in the branch that holds them that day — the dated
roll of that day (:mod:`dangjian.members.history`), not today's: the figures of a past year
do not change when a member transfers, dies or leaves afterwards. A member transferred during
the year is counted once, in the branch whose roll holds him on the figures' day, and brings
the hours recorded at the old branch along (attendance and participation belong to the member,
not the branch); one who left the rolls during the year (died, 出党, relation out of the
platform) is not counted that year. A member holding a committee post (``COMMITTEE_POSTS``) on
the figures' day (the dated terms, :class:`~dangjian.members.models.PostTerm`) is held to the
leaders' hours of TRAINING-YEARLY-HOURS.

Only organizations see figures (share of members meeting their hours by branch, by the
organizations under the one viewed, by sector, by region); the hours of persons are shown to
the branch they belong to (:func:`branch_member_hours`) and go no further up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest

from dangjian.life.models import Attendance, Meeting
from dangjian.members.choices import COMMITTEE_POSTS, LEAVING
from dangjian.members.history import spans_on, terms_on
from dangjian.members.models import Member, MemberStatus, PostTerm, RollEvent
from dangjian.orgs.models import Organization, Region
from dangjian.rules.params import params_on

from .models import Participant
from .rules import MEETING_HOURS, MEETING_TYPE_PARAMS, YEARLY_HOURS, OrgYear, hours_value

ZERO = Decimal("0")
HOURS_FIELD: Any = DecimalField(max_digits=7, decimal_places=1)


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def figures_day(year: int, today: dt.date) -> dt.date:
    """The day whose roll the figures of ``year`` count: 31 December, or ``today`` within the
    year (a year not begun yet counts its first day)."""
    first, last = year_span(year)
    return max(first, min(last, today))


@dataclass(frozen=True)
class Requirement:
    """The hours in force for ``year`` (TRAINING-YEARLY-HOURS) with their source."""

    member_hours: Decimal
    leader_hours: Decimal
    source: str
    meeting_hours: dict[str, Decimal]

    @property
    def text(self) -> str:
        return (
            f"党员每年集中学习培训不少于 {self.member_hours} 学时，"
            f"基层党组织书记和班子成员不少于 {self.leader_hours} 学时"
        )


def requirement(year: int) -> Requirement:
    """The parameters in force on 31 December of ``year``."""
    on = year_span(year)[1]
    yearly = params_on(YEARLY_HOURS.id, on)
    per_type = params_on(MEETING_HOURS.id, on)
    return Requirement(
        member_hours=hours_value(yearly["member_hours"]),
        leader_hours=hours_value(yearly["leader_hours"]),
        source=YEARLY_HOURS.source,
        meeting_hours={
            MEETING_TYPE_PARAMS[name]: hours_value(value)
            for name, value in per_type.items()
            if name in MEETING_TYPE_PARAMS
        },
    )


def roll_spans(org_ids: Any, day: dt.date) -> Any:
    """The spans of the dated roll (:class:`~dangjian.members.models.RollEvent`) in force on
    ``day`` in the organizations ``org_ids`` (ids or a subquery of them), of members joined by
    then and not out of the party that day (出党、死亡: a decided standing in force, whether or
    not its roll event was written). One member has at most one such span."""
    leaving = MemberStatus.objects.filter(kind__in=list(LEAVING), started_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=day)
    )
    return (
        RollEvent.objects.filter(spans_on(day), org_id__in=org_ids, member__joined_on__lte=day)
        .exclude(member_id__in=leaving.values("member_id"))
        .order_by()
    )


def on_roll(org_ids: Any, day: dt.date) -> QuerySet[Member]:
    """The members on the dated roll of ``org_ids`` on ``day`` (:func:`roll_spans`)."""
    return Member.objects.filter(pk__in=roll_spans(org_ids, day).values("member_id"))


def subtree_ids(org: Organization) -> Any:
    """The ids of ``org`` and the organizations under it, as a subquery."""
    return Organization.objects.filter(path__startswith=org.path).values("pk")


def leaders_on(spans: Any, day: dt.date) -> set[int]:
    """The members of ``spans`` holding a committee post on ``day`` (a term in force: the
    committee of that day); a post on a record written outside the services (no term at all)
    counts as held. Two queries."""
    members = spans.values("member_id")
    leaders = set(
        PostTerm.objects.filter(
            terms_on(day), post__in=list(COMMITTEE_POSTS), member_id__in=members
        ).values_list("member_id", flat=True)
    )
    leaders.update(
        Member.objects.filter(pk__in=members, post__in=list(COMMITTEE_POSTS))
        .exclude(Exists(PostTerm.objects.filter(member_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    return leaders


def _meeting_hours_expr(per_type: dict[str, Decimal]) -> Any:
    """SQL: the hours one attended record counts (the largest of its types')."""
    main = Case(
        *[When(meeting__meeting_type=t, then=Value(h)) for t, h in per_type.items()],
        default=Value(ZERO),
        output_field=HOURS_FIELD,
    )
    also = [
        Case(
            When(meeting__also_counts_as__contains=t, then=Value(h)),
            default=Value(ZERO),
            output_field=HOURS_FIELD,
        )
        for t, h in per_type.items()
        if h > 0
    ]
    return Greatest(main, *also) if also else main


def hours_of(where: Q, year: int, req: Requirement) -> dict[int, tuple[Decimal, Decimal]]:
    """member id → (hours from organizational life, hours from courses) in ``year`` for the
    members ``where`` selects (a condition on ``member__…``; two grouped queries, joined on the
    members rather than filtered by a list of them: the caller keeps those on its roll)."""
    first, last = year_span(year)
    out: dict[int, tuple[Decimal, Decimal]] = {}
    if any(h > 0 for h in req.meeting_hours.values()):
        rows = (
            Attendance.objects.filter(where, present=True, meeting__held_on__range=(first, last))
            .values("member_id")
            .annotate(h=Sum(_meeting_hours_expr(req.meeting_hours)))
        )
        for row in rows:
            out[row["member_id"]] = (Decimal(row["h"] or 0), ZERO)
    courses = (
        Participant.objects.filter(where, course__ends_on__range=(first, last))
        .values("member_id")
        .annotate(h=Sum("course__hours"))
    )
    for row in courses:
        meeting = out.get(row["member_id"], (ZERO, ZERO))[0]
        out[row["member_id"]] = (meeting, Decimal(row["h"] or 0))
    return out


@dataclass
class Tally:
    """Members counted and those who reached their hours, all and committee members."""

    label: str
    key: str = ""
    #: the organization's code when the tally is an organization's (a link to its figures)
    code: str = ""
    members: int = 0
    met: int = 0
    leaders: int = 0
    leaders_met: int = 0

    def add(self, leader: bool, met: bool) -> None:
        self.members += 1
        self.met += met
        if leader:
            self.leaders += 1
            self.leaders_met += met

    @property
    def share(self) -> float | None:
        """Share of members who reached their hours (0–1), ``None`` without members."""
        return self.met / self.members if self.members else None

    @property
    def percent(self) -> str:
        share = self.share
        return "—" if share is None else f"{share * 100:.1f}%"

    @property
    def leaders_percent(self) -> str:
        return "—" if not self.leaders else f"{self.leaders_met / self.leaders * 100:.1f}%"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "members": self.members,
            "met": self.met,
            "share": None if self.share is None else round(self.share, 4),
            "leaders": self.leaders,
            "leaders_met": self.leaders_met,
        }


@dataclass
class Figures:
    """The figures of one organization's subtree for one year."""

    org: Organization
    year: int
    day: dt.date
    requirement: Requirement
    total: Tally
    children: list[Tally] = field(default_factory=list)
    branches: list[Tally] = field(default_factory=list)
    sectors: list[Tally] = field(default_factory=list)
    regions: list[Tally] = field(default_factory=list)
    #: records of the year in the subtree held without attendance (their hours reach nobody)
    unrecorded: int = 0

    def org_year(self) -> OrgYear:
        return OrgYear(
            code=self.org.code,
            name=self.org.name,
            year=self.year,
            members=self.total.members,
            met=self.total.met,
            leaders=self.total.leaders,
            leaders_met=self.total.leaders_met,
            unrecorded=self.unrecorded,
        )


def required_of(leader: bool, req: Requirement) -> Decimal:
    return req.leader_hours if leader else req.member_hours


def _sorted(tallies: Iterable[Tally]) -> list[Tally]:
    return sorted(tallies, key=lambda t: t.key)


def subtree_figures(org: Organization, year: int, today: dt.date) -> Figures:
    """The figures of ``org``'s subtree for ``year`` (the caller has checked the scope)."""
    req = requirement(year)
    day = figures_day(year, today)
    spans = roll_spans(subtree_ids(org), day)
    roll = list(spans.values_list("member_id", "org_id"))
    leaders = leaders_on(spans, day)
    # the hours follow the member: wherever they were recorded
    hours = hours_of(Q(member_id__in=spans.values("member_id")), year, req)
    branch_ids = {org_id for _pk, org_id in roll}
    branches = {
        o.pk: o
        for o in Organization.objects.filter(pk__in=branch_ids).only(
            "pk", "path", "code", "name", "sector", "region_code"
        )
    }
    step = Organization.steplen
    child_paths = {
        o.path: o
        for o in Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).only(
            "pk", "path", "code", "name"
        )
    }
    total = Tally(org.name, org.code)
    by_branch: dict[int, Tally] = {}
    by_child: dict[str, Tally] = {}
    by_sector: dict[str, Tally] = {}
    by_region: dict[str, Tally] = {}
    for pk, org_id in roll:
        leader = pk in leaders
        meeting, course = hours.get(pk, (ZERO, ZERO))
        met = meeting + course >= required_of(leader, req)
        branch = branches[org_id]
        total.add(leader, met)
        if org_id not in by_branch:
            by_branch[org_id] = Tally(branch.name, branch.path, branch.code)
        by_branch[org_id].add(leader, met)
        if branch.path != org.path:
            child = child_paths.get(branch.path[: len(org.path) + step])
            if child is not None:
                tally = by_child.get(child.path)
                if tally is None:
                    tally = by_child[child.path] = Tally(child.name, child.path, child.code)
                tally.add(leader, met)
        by_sector.setdefault(branch.sector, Tally(branch.sector, branch.sector)).add(leader, met)
        region = (branch.region_code or "")[:6]
        by_region.setdefault(region, Tally("", region)).add(leader, met)
    names = dict(Region.objects.filter(code__in=list(by_region)).values_list("code", "name"))
    for code, tally in by_region.items():
        tally.label = names.get(code, code) if code else "未填行政区划"
    first, last = year_span(year)
    unrecorded = Meeting.objects.filter(
        org__path__startswith=org.path,
        held_on__range=(first, last),
        attendance_taken=False,
    ).filter(_typed_with_hours(req))
    return Figures(
        org=org,
        year=year,
        day=day,
        requirement=req,
        total=total,
        children=_sorted(by_child.values()),
        branches=_sorted(by_branch.values()),
        sectors=sorted(by_sector.values(), key=lambda t: t.label),
        regions=_sorted(by_region.values()),
        unrecorded=unrecorded.count(),
    )


def _typed_with_hours(req: Requirement) -> Q:
    """Records of a type that counts hours (as their main type or an additional one)."""
    types = [t for t, h in req.meeting_hours.items() if h > 0]
    q = Q(meeting_type__in=types)
    for t in types:
        q |= Q(also_counts_as__contains=t)
    return q if types else Q(pk__in=[])


@dataclass(frozen=True)
class MemberHours:
    """One member's hours of the year, for the branch's own planning (never sent upward)."""

    member: Member
    meeting_hours: Decimal
    course_hours: Decimal
    required: Decimal
    leader: bool

    @property
    def total(self) -> Decimal:
        return self.meeting_hours + self.course_hours

    @property
    def met(self) -> bool:
        return self.total >= self.required

    @property
    def missing(self) -> Decimal:
        return max(ZERO, self.required - self.total)


def branch_member_hours(branch: Organization, year: int, today: dt.date) -> list[MemberHours]:
    """The members on ``branch``'s own roll on the figures' day with their hours (wherever
    recorded), in the order of names (no ranking). The caller has checked that the actor is the
    branch's own."""
    req = requirement(year)
    day = figures_day(year, today)
    spans = roll_spans([branch.pk], day)
    leaders = leaders_on(spans, day)
    hours = hours_of(Q(member_id__in=spans.values("member_id")), year, req)
    out = []
    for m in Member.objects.filter(pk__in=spans.values("member_id")).order_by("name", "pk"):
        leader = m.pk in leaders
        meeting, course = hours.get(m.pk, (ZERO, ZERO))
        out.append(MemberHours(m, meeting, course, required_of(leader, req), leader))
    return out


__all__ = [
    "Figures",
    "MemberHours",
    "Requirement",
    "Tally",
    "branch_member_hours",
    "figures_day",
    "hours_of",
    "leaders_on",
    "on_roll",
    "requirement",
    "roll_spans",
    "subtree_figures",
    "subtree_ids",
    "year_span",
]
