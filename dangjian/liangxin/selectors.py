"""Reading the 两新 register and its coverage, scoped to the reader's subtree.

A unit lies in the subtree of its managing organization (``Unit.org``). The coverage figures are
computed in the database — one grouped query per breakdown, the coverage conditions as
``EXISTS`` subqueries — so a city's 200,000 units are counted without loading them:

- 组织覆盖: the unit has or belongs to a party organization (its own or a 联合 one);
- 工作覆盖: the unit has a 党建指导员 or 联系人 on the day counted, and the advisors' visits of
  the year number at least ``min_visits_per_year`` (rule LIANGXIN-WORK-COVERAGE);
- 空白点: neither.

A unit deregistered (``closed_on``) on or before the day counted is not counted at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, one_in_scope, restrict
from dangjian.orgs.models import Region
from dangjian.rules.params import params_on

from .choices import Industry
from .models import Advisor, Assignment, Unit, Visit
from .rules import WORK_COVERAGE


def units_for(actor: Actor, perm: Perm = Perm.LIANGXIN_VIEW) -> QuerySet[Unit]:
    return restrict(Unit.objects.all(), actor, perm, "org__path")


def unit_get(actor: Actor, pk: int, perm: Perm = Perm.LIANGXIN_VIEW) -> Unit:
    return one_in_scope(units_for(actor, perm).select_related("org", "party_org"), pk, "两新组织")


def advisors_for(actor: Actor, perm: Perm = Perm.LIANGXIN_VIEW) -> QuerySet[Advisor]:
    return restrict(Advisor.objects.all(), actor, perm, "org__path")


def advisor_get(actor: Actor, pk: int, perm: Perm = Perm.LIANGXIN_VIEW) -> Advisor:
    return one_in_scope(advisors_for(actor, perm).select_related("org"), pk, "党建指导员")


def assignments_of(unit: Unit) -> QuerySet[Assignment]:
    return unit.assignments.select_related("advisor").order_by("-since", "-pk")


def visits_of(unit: Unit) -> QuerySet[Visit]:
    return unit.visits.select_related("advisor").order_by("-visited_on", "-pk")


def min_visits(at: dt.date) -> int:
    """The yearly minimum of advisors' visits for 工作覆盖, in force on ``at``."""
    return int(params_on(WORK_COVERAGE.id, at)["min_visits_per_year"])


def counting_day(year: int, today: dt.date) -> dt.date:
    """The day a year's coverage is counted on: today in the current year, else 31 December."""
    return min(today, dt.date(year, 12, 31))


def registered_on(at: dt.date) -> Q:
    """The units still on the register on ``at`` (not deregistered on or before it)."""
    return Q(closed_on__isnull=True) | Q(closed_on__gt=at)


def _advised(at: dt.date) -> Exists:
    return Exists(
        Assignment.objects.filter(unit=OuterRef("pk"), since__lte=at).filter(
            Q(until__isnull=True) | Q(until__gte=at)
        )
    )


def _visited(year: int, minimum: int) -> Exists:
    visits: QuerySet[Any, Any] = Visit.objects.filter(unit=OuterRef("pk"), visited_on__year=year)
    if minimum > 1:
        visits = (
            visits.order_by()
            .values("unit")
            .annotate(n=Count("pk"))
            .filter(n__gte=minimum)
            .values("unit")
        )
    return Exists(visits)


@dataclass(frozen=True)
class Conditions:
    """The coverage conditions of a year as filters over units."""

    organized: Q
    worked: Q
    blank: Q


def conditions(year: int, at: dt.date, minimum: int) -> Conditions:
    organized = Q(party_org__isnull=False)
    worked = Q(_advised(at))
    if minimum > 0:
        worked &= Q(_visited(year, minimum))
    return Conditions(organized, worked, ~organized & ~worked)


def _rate(part: int, total: int) -> Decimal | None:
    if not total:
        return None
    return (Decimal(part) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class CoverageRow:
    """The coverage of one group (a region, a sector) or of everything (``key`` empty)."""

    key: str
    label: str
    total: int
    organized: int
    worked: int
    blank: int
    employees: int
    members: int

    @property
    def organized_rate(self) -> Decimal | None:
        return _rate(self.organized, self.total)

    @property
    def worked_rate(self) -> Decimal | None:
        return _rate(self.worked, self.total)

    @property
    def blank_rate(self) -> Decimal | None:
        return _rate(self.blank, self.total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "organized": self.organized,
            "worked": self.worked,
            "blank": self.blank,
            "organized_rate": self.organized_rate,
            "worked_rate": self.worked_rate,
            "blank_rate": self.blank_rate,
            "employees": self.employees,
            "members": self.members,
        }


@dataclass
class Coverage:
    """A year's coverage: in all, by region, by sector; the parameter it was counted with."""

    year: int
    at: dt.date
    min_visits: int
    total: CoverageRow
    by_region: list[CoverageRow]
    by_industry: list[CoverageRow]


def region_names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


@dataclass
class _Tally:
    total: int = 0
    organized: int = 0
    worked: int = 0
    blank: int = 0
    employees: int = 0
    members: int = 0

    def add(self, organized: bool, worked: bool, n: int, employees: int, members: int) -> None:
        self.total += n
        self.organized += n if organized else 0
        self.worked += n if worked else 0
        self.blank += n if not organized and not worked else 0
        self.employees += employees
        self.members += members

    def row(self, key: str, label: str) -> CoverageRow:
        return CoverageRow(
            key,
            label,
            self.total,
            self.organized,
            self.worked,
            self.blank,
            self.employees,
            self.members,
        )


def coverage(
    units: QuerySet[Unit], year: int, today: dt.date, minimum: int | None = None
) -> Coverage:
    """The coverage of ``units`` (already scoped and filtered) in ``year``: one grouped query —
    the units counted by region, sector and their two coverage flags (each flag evaluated once
    per unit) — whatever the number of units; the breakdowns are sums of its few rows."""
    at = counting_day(year, today)
    minimum = min_visits(at) if minimum is None else minimum
    cond = conditions(year, at, minimum)
    groups = (
        units.filter(registered_on(at))
        .order_by()
        .annotate(
            c_org=ExpressionWrapper(cond.organized, output_field=BooleanField()),
            c_work=ExpressionWrapper(cond.worked, output_field=BooleanField()),
        )
        .values("region_code", "industry", "c_org", "c_work")
        .annotate(n=Count("pk"), n_employees=Sum("employees"), n_members=Sum("members"))
    )
    total = _Tally()
    regions: dict[str, _Tally] = defaultdict(_Tally)
    industries: dict[str, _Tally] = defaultdict(_Tally)
    for g in groups:
        args = (bool(g["c_org"]), bool(g["c_work"]), g["n"], g["n_employees"] or 0)
        for tally in (total, regions[g["region_code"]], industries[g["industry"]]):
            tally.add(*args, g["n_members"] or 0)
    names = region_names(list(regions))
    labels = dict(Industry.choices)
    return Coverage(
        year,
        at,
        minimum,
        total.row("", "合计"),
        [regions[c].row(c, names.get(c, c)) for c in sorted(regions)],
        [industries[v].row(v, str(labels[v])) for v in Industry.values if v in industries],
    )


def blanks(units: QuerySet[Unit], year: int, today: dt.date) -> QuerySet[Unit]:
    """The 空白点 of ``units`` in ``year``: no party organization, no work coverage."""
    at = counting_day(year, today)
    return units.filter(registered_on(at)).filter(conditions(year, at, min_visits(at)).blank)


def unit_status(unit: Unit, year: int, today: dt.date) -> dict[str, Any]:
    """One unit's coverage in ``year``: its advisors on the day counted and visits of the year."""
    at = counting_day(year, today)
    minimum = min_visits(at)
    advisors = [
        a
        for a in unit.assignments.select_related("advisor")
        if a.since <= at and (a.until is None or a.until >= at)
    ]
    visits = unit.visits.filter(visited_on__year=year).count()
    worked = bool(advisors) and visits >= minimum
    counted = unit.closed_on is None or unit.closed_on > at
    return {
        "counted": counted,
        "organized": unit.party_org_id is not None,
        "advisors": advisors,
        "visits": visits,
        "min_visits": minimum,
        "worked": worked,
        "blank": counted and unit.party_org_id is None and not worked,
    }
