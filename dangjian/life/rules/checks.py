"""Organizational life rules (组织生活, ``LIFE-*`` of rules.md §2).

Periods are calendar months, quarters and years. A record counts for the month and quarter of
its date, and for the year of its 所属年度 (``Meeting.year``: the year of its date, or the year
before for a yearly meeting held in the first ``next_year_months`` months of the next year). A
record counts once for each of its types (main type and ``also_counts_as``) and once for a rule
however many of the rule's types it has.

For every period judged between ``since`` (default 1 January of the year of ``at``) and ``at``
a missed requirement is an ``error`` once its deadline has passed; until then it is ``due``
(deadline = the last day of the period, days left in the evidence). The deadline of a yearly
period is 31 December, extended by ``next_year_months`` for a record that may still come (the
organization may hold the 组织生活会 for 2026 until February 2027): in those months the past year
is ``due`` with the extended deadline, and a window starting on 1 January 2027 includes it.

A month or quarter is judged for an organization that existed on its first day (``founded_on``
empty or not later); a year for one founded on or before ``founded_by`` of that year (default
1 July: it existed for at least half the year). So a branch founded on 15 January holds its
yearly meetings that year and its monthly ones from February; one founded on 31 December holds
its yearly meetings from the next year.

A 临时党支部 keeps no roll (its participants stay on their own branches' rolls). Rules that count
the roll do not judge it: LIFE-COMMITTEE-MONTHLY (its committee is appointed, not found on a
roll), LIFE-ASSEMBLY-QUORUM (it takes no votes of its own members) and LIFE-ABSENT-6-MONTHS
(attendance at its meetings counts as participation for the member's own branch, an absence
there is not counted against anybody). The frequency rules that count meetings judge it as any
branch.

Facts come from a constant number of grouped queries over the whole scope, whatever the number
of organizations (see :func:`collect_life_facts`):

1. meetings per (organization, meeting type) with one filtered count per month of the window,
   and the same per (organization, type, additional types) for the few records of several types;
2. records per (organization, types, 所属年度) for the yearly rules;
3. committee post holders per branch with one filtered count per month (LIFE-COMMITTEE-MONTHLY);
4. the late records; 5. the assemblies that may be below quorum, then their rolls, standings
   and attendance (a few rows per finding);
6. 党课 given by the secretary of an upper 党委 per (党委, month) and per (党委, 所属年度);
7. attendance per (member, month) with unexcused-absence / participation counts, then the
   roll spans, standings, attendance and names of the few candidates (LIFE-ABSENT-6-MONTHS,
   judged per branch over the months the member was on its roll: :func:`_absences`).

A branch has a 支委会 in a month when, on the month's first day, at least ``min_committee_posts``
post holders (书记, 副书记, 委员 posts) held their posts that day (the dated terms,
:class:`dangjian.members.models.PostTerm`: the committee of that month, not today's) and its
current term (本届任期开始日期) had begun: so a branch that elects its 支委会 mid-year is held to a
monthly 支委会 from the next month on, and one whose committee shrank below the minimum is not
held to it while it was smaller. Months before the current term are not checked for this rule
(never reported as missed).

LIFE-SECRETARY-LECTURE-YEARLY counts, for each 党委 / 党工委, the 党课 recorded anywhere below it
whose lecturer is marked "上级党委书记" of that committee (``Meeting.lecturer_org``): a secretary
lecturing at a contact branch counts for the committee. Imported lectures count only when the
import file marks them so (columns 讲课人 and 讲课党委编码).
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When

from dangjian.members.choices import COMMITTEE_POSTS
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.facts import OrgFacts, scope_facts
from dangjian.rules.params import ConfigInfo, params_for, register_validator
from dangjian.rules.registry import REGISTRY, Context, Finding, RuleSpec, register_family, rule
from dangjian.rules.runner import CheckRequest, CheckResult, register_checker

from ..choices import SECRETARY_LECTURE_ORG_TYPES, split_types
from .params import (
    DEFAULT_SOURCE,
    DEFAULTS,
    FREQUENCIES,
    SECRETARY_LECTURE_RULE,
    check_params,
    config_info,
    founded_by,
)

register_family("LIFE", "组织生活", section=2, source=DEFAULT_SOURCE)
register_validator("LIFE", check_params)

FAMILY_PREFIX = "LIFE-"
#: set by :func:`dangjian.life.compliance.compliance` callers that need the tally and no
#: frequency findings (the cached overview table): skips building ~200,000 findings for a city
TALLY_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("life_tally_only", default=False)
#: where the frequency rules' meeting counts come from: ``"records"`` (grouped queries over the
#: meetings: ``dangjian check`` and every caller by default) or ``"rollups"`` (the per-organization
#: table :class:`~dangjian.life.models.MeetingMonths`, for the overview and the findings store;
#: see :func:`rollups_exact` for when it applies, the records otherwise)
FACTS_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar(
    "life_facts_source", default="records"
)


@contextlib.contextmanager
def facts_from(source: str) -> Iterator[None]:
    """Run the LIFE checker inside with its frequency counts from ``source`` (``"records"`` or
    ``"rollups"``, :data:`FACTS_SOURCE`); the findings are the same either way (tested)."""
    if source not in ("records", "rollups"):
        raise ValueError(source)
    token = FACTS_SOURCE.set(source)
    try:
        yield
    finally:
        FACTS_SOURCE.reset(token)


#: the longest span between ``since`` and ``at`` one run may cover
MAX_SPAN_YEARS = 5

Params = Mapping[str, Any]
#: (main type, additional types) of a record: the key of the counts of records of several types
TypeSet = tuple[str, frozenset[str]]


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: ``label`` is ``2026-03``, ``2026-Q1`` or ``2026``."""

    kind: str
    start: dt.date
    end: dt.date

    @functools.cached_property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def title(self) -> str:
        """Chinese name: ``2026年3月``, ``2026年第1季度``, ``2026年``."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"

    @property
    def current_title(self) -> str:
        return {"month": "本月", "quarter": "本季度", "year": "本年度"}[self.kind]

    @functools.cached_property
    def months(self) -> range:
        """Month indexes (``year * 12 + month - 1``) covered by the period."""
        first = month_index(self.start)
        return range(first, month_index(self.end) + 1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_bounds(index: int) -> tuple[dt.date, dt.date]:
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, 1), dt.date(year, month0 + 1, last)


@functools.lru_cache(maxsize=65536)
def period_of(kind: str, day: dt.date) -> Period:
    """The period of granularity ``kind`` that contains ``day``."""
    if kind == "month":
        start, end = _month_bounds(month_index(day))
    elif kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first, 1)
        end = _month_bounds(month_index(start) + 2)[1]
    elif kind == "year":
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    else:
        raise ValueError(f"未知周期“{kind}”，应为 {'、'.join(FREQUENCIES)}")
    return Period(kind, start, end)


def period_title(label: str) -> str:
    """The Chinese name of a period label (``2026-Q1`` → ``2026年第1季度``); other text as is."""
    year, sep, rest = (label or "").partition("-")
    if not year.isdigit() or len(year) != 4:
        return label
    if not sep:
        return f"{year}年"
    if rest.startswith("Q") and rest[1:].isdigit():
        return f"{year}年第{int(rest[1:])}季度"
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return f"{year}年{int(rest)}月"
    return label


@functools.lru_cache(maxsize=1024)
def periods_between(kind: str, since: dt.date, at: dt.date) -> tuple[Period, ...]:
    """Every period of ``kind`` that ends on or after ``since`` and starts on or before ``at``."""
    periods = []
    current = period_of(kind, since)
    while current.start <= at:
        periods.append(current)
        current = period_of(kind, current.end + dt.timedelta(days=1))
    return tuple(periods)


def deadline(period: Period, grace_months: int = 0) -> dt.date:
    """The last day on which a record may still meet ``period``'s requirement: its end, or for
    a yearly period the end of the ``grace_months``-th month of the next year."""
    if period.kind != "year" or not grace_months:
        return period.end
    return _month_bounds(month_index(period.end) + grace_months)[1]


def grace_of(params: Params) -> int:
    """``next_year_months`` of a yearly rule (0 for the others)."""
    if params.get("frequency") != "year":
        return 0
    return int(params.get("next_year_months", 0))


@functools.lru_cache(maxsize=1024)
def judged_periods(kind: str, since: dt.date, at: dt.date, grace: int = 0) -> tuple[Period, ...]:
    """The periods a rule judges in ``since``..``at``: those that end on or after ``since`` and
    start on or before ``at``, and the year before ``since`` while it is still due at ``at``
    (within its ``grace`` months of the next year)."""
    found = periods_between(kind, since, at)
    if kind != "year" or not grace:
        return found
    earlier = period_of(kind, dt.date(since.year - 1, 1, 1))
    if deadline(earlier, grace) >= at:
        return (earlier, *found)
    return found


def check_window(since: dt.date, at: dt.date) -> None:
    """Refuse ``since`` after ``at`` or a span over :data:`MAX_SPAN_YEARS` (Chinese message)."""
    if since > at:
        raise ValueError(f"起始日期 {since} 晚于检查日期 {at}")
    if (at.year - since.year) * 12 + at.month - since.month >= MAX_SPAN_YEARS * 12:
        raise ValueError(f"起始日期与检查日期相隔不能超过 {MAX_SPAN_YEARS} 年")


def is_judged(founded: dt.date | None, period: Period, params: Params) -> bool:
    """Whether an organization founded on ``founded`` is held to a rule in ``period``: a month
    or quarter that began on or after the founding day; a year when it was founded on or before
    ``founded_by`` of that year (module docstring)."""
    if founded is None:
        return True
    if period.kind == "year":
        month, day = founded_by(params)
        return founded <= dt.date(period.start.year, month, day)
    return founded <= period.start


# --- facts -----------------------------------------------------------------------------------


@dataclass
class LifeFacts:
    """What the LIFE rules know about one organization over the window of a run."""

    org: OrgFacts
    #: meeting type → meetings held per month of the window (index ``month - first``)
    counts: dict[str, list[int]] = field(default_factory=dict)
    #: (main type, additional types) → per month, for the records of several types
    also: dict[TypeSet, list[int]] = field(default_factory=dict)
    #: (main type, additional types) → 所属年度 → records, for the yearly rules
    years: dict[TypeSet, dict[int, int]] = field(default_factory=dict)
    #: month index of the window's first month
    first: int = 0
    #: month index → committee post holders on the roll on the month's first day
    committee: dict[int, int] = field(default_factory=dict)
    late: list[dict[str, Any]] = field(default_factory=list)
    quorum: list[dict[str, Any]] = field(default_factory=list)
    absent: list[dict[str, Any]] = field(default_factory=list)
    #: 党课 given by this committee's secretary per month of the window (from ``first``)
    secretary_lectures: list[int] = field(default_factory=list)
    #: the same per 所属年度
    secretary_years: dict[int, int] = field(default_factory=dict)

    @property
    def temporary(self) -> bool:
        return self.org.org_type == OrgType.TEMP_BRANCH

    def series(self, types: Sequence[str]) -> list[list[int]]:
        """The per-month counts to add up for a rule counting ``types``: each record once,
        whichever of the rule's types it has (main or additional)."""
        wanted = set(types)
        out = [self.counts[t] for t in types if t in self.counts]
        out += [
            c for (main, extra), c in self.also.items() if main not in wanted and extra & wanted
        ]
        return out

    def in_year(self, types: Sequence[str], year: int) -> int:
        """Records of ``types`` (main or additional, each once) whose 所属年度 is ``year``."""
        wanted = set(types)
        return sum(
            by_year.get(year, 0)
            for (main, extra), by_year in self.years.items()
            if main in wanted or extra & wanted
        )

    def held(self, types: Sequence[str], period: Period) -> int:
        if period.kind == "year":
            return self.in_year(types, period.start.year)
        start = period.months.start - self.first
        stop = period.months.stop - self.first
        return sum(sum(c[max(start, 0) : max(stop, 0)]) for c in self.series(types))


@dataclass(frozen=True)
class LifeContext(Context):
    """The engine's context of a LIFE rule plus what the LIFE rules share: the window
    ``since``..``at``, the version of the configuration and the compliance tally."""

    since: dt.date
    config: ConfigInfo
    #: when given, (rule id, period label, sector, 6-digit region, organization type) →
    #: [organizations checked, met], for the compliance tables
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None
    #: only the tally is wanted (the overview's counts): frequency findings are not built
    tally_only: bool = False
    #: when given, organization id → rule → [periods checked, met] of the year of ``at`` as
    #: bit masks (:attr:`dangjian.rules.runner.CheckRequest.marks`)
    marks: dict[int, dict[str, list[int]]] | None = None

    @functools.cached_property
    def config_evidence(self) -> dict[str, str]:
        return self.config.as_dict()


def _raw_rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` of ids and counts, read with a plain cursor: Django's
    per-value converters cost seconds over the ~400,000 grouped rows of a city, and ids and
    counts need none. The columns come in ``values_list`` order (fields, then annotations in
    the order given, as every caller here asks for them)."""
    from django.db import connections

    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _subtree_ids(prefix: str) -> Any:
    """The ids of the organizations under ``prefix`` as a subquery: the records are then read
    through their (org, …) indexes, on SQLite too (whose LIKE cannot use the path index)."""
    from dangjian.orgs.models import Organization

    return Organization.objects.filter(path__startswith=prefix).values("pk")


def types_q(types: Iterable[str], prefix: str = "") -> Q:
    """Records that count for one of ``types``: as main type or as an additional type (no type
    name is part of another, so a substring test on the additional types is exact)."""
    types = list(types)
    q = Q(**{f"{prefix}meeting_type__in": types})
    for t in types:
        q |= Q(**{f"{prefix}also_counts_as__contains": t})
    return q


def _type_set(main: str, also: str) -> TypeSet:
    return (main, frozenset(split_types(also)))


def _month_counts(months: list[int], date_field: str = "held_on") -> dict[str, Any]:
    return {
        f"m{m}": Count(
            "id",
            filter=Q(
                **{
                    f"{date_field}__gte": _month_bounds(m)[0],
                    f"{date_field}__lte": _month_bounds(m)[1],
                }
            ),
        )
        for m in months
    }


def collect_life_facts(
    subjects: Sequence[OrgFacts],
    prefix: str,
    at: dt.date,
    since: dt.date,
    params: dict[str, Params],
) -> dict[int, LifeFacts]:
    """LIFE facts of ``subjects`` (all under the path ``prefix``) for the enabled rules."""
    from dangjian.life.models import Attendance, Meeting
    from dangjian.members.models import Member

    facts = {s.pk: LifeFacts(org=s) for s in subjects}
    if not facts:
        return facts
    frequency = [p for p in params.values() if "frequency" in p]
    first = min(
        [judged_periods(p["frequency"], since, at, grace_of(p))[0].start for p in frequency]
        + [since]
    )
    months = list(range(month_index(first), month_index(at) + 1))
    for fact in facts.values():
        fact.first = months[0]
    meetings = Meeting.objects.filter(held_on__gte=first, held_on__lte=at)
    if prefix:
        meetings = meetings.filter(org_id__in=_subtree_ids(prefix))

    types = sorted({t for p in frequency for t in p["types"]})
    yearly = sorted({t for p in frequency if p["frequency"] == "year" for t in p["types"]})
    if FACTS_SOURCE.get() == "rollups" and rollups_exact(frequency, first):
        _rollup_counts(facts, prefix, first, at, types, yearly)
        types = yearly = []
    if types:
        aggregates = _month_counts(months)
        rows = (
            meetings.filter(meeting_type__in=types)
            .order_by()
            .values("org_id", "meeting_type")
            .annotate(**aggregates)
            .values_list("org_id", "meeting_type", *aggregates)
        )
        for org_id, meeting_type, *per_month in _raw_rows(rows):
            item = facts.get(org_id)
            if item is not None:
                item.counts[meeting_type] = per_month
        # the few records of several types, keyed by all their types
        rows = (
            meetings.exclude(also_counts_as="")
            .order_by()
            .values("org_id", "meeting_type", "also_counts_as")
            .annotate(**aggregates)
            .values_list("org_id", "meeting_type", "also_counts_as", *aggregates)
        )
        for org_id, meeting_type, also, *per_month in _raw_rows(rows):
            found = facts.get(org_id)
            if found is not None:
                found.also[_type_set(meeting_type, also)] = per_month

    if yearly:
        _year_counts(facts, meetings, first, at, yearly)

    if "LIFE-COMMITTEE-MONTHLY" in params:
        _committee_counts(facts, prefix, months, Member)

    if "LIFE-SECRETARY-LECTURE-YEARLY" in params:
        _secretary_lectures(
            facts, meetings, months, first, params["LIFE-SECRETARY-LECTURE-YEARLY"]["types"]
        )

    if "LIFE-LATE-ENTRY" in params:
        late = meetings.filter(late=True, held_on__gte=since, entered_on__lte=at).values(
            "id", "org_id", "meeting_type", "also_counts_as", "held_on", "entered_on", "topic"
        )
        for late_row in late.order_by("held_on", "id"):
            owner = facts.get(late_row["org_id"])
            if owner is not None:
                owner.late.append(dict(late_row))

    if "LIFE-ASSEMBLY-QUORUM" in params:
        _quorum(facts, meetings, since, params["LIFE-ASSEMBLY-QUORUM"], Attendance, Member)

    if "LIFE-ABSENT-6-MONTHS" in params:
        _absences(facts, prefix, since, at, params["LIFE-ABSENT-6-MONTHS"], Attendance, Member)
    return facts


def rollups_exact(frequency: Sequence[Params], first: dt.date) -> bool:
    """Whether the rollup counts (:func:`_rollup_counts`) give exactly the findings and tally of
    the grouped queries over the records: the window starts on the first of a month (the rollup
    has whole months), and every frequency rule counts one type or asks for one meeting (the
    rollup counts a record once per type: a record of two of a rule's types counts twice there,
    which changes only a count compared with a ``min_count`` above 1)."""
    return first.day == 1 and all(
        len(p["types"]) == 1 or int(p["min_count"]) == 1 for p in frequency
    )


def _rollup_counts(
    facts: dict[int, LifeFacts],
    prefix: str,
    first: dt.date,
    at: dt.date,
    types: Sequence[str],
    yearly: Sequence[str],
) -> None:
    """The monthly and yearly counts of the frequency rules from
    :class:`~dangjian.life.models.MeetingMonths`: one row per organization, year and type, so
    ``counts[type]`` holds every record of the type (main or additional) and ``years`` is keyed
    by the type alone (no ``also``). The rollup counts whole months and every 所属年度 however
    late the record: the few records held after ``at`` (later in its month; or in the next year
    for a year up to ``at``'s) are read through indexes and taken off."""
    from dangjian.life.models import Meeting, MeetingMonths
    from dangjian.life.rollups import MONTHS

    start, width = month_index(first), month_index(at) - month_index(first) + 1
    monthly, by_year = set(types), set(yearly)
    rows = MeetingMonths.objects.filter(
        year__gte=first.year, year__lte=at.year, meeting_type__in=sorted(monthly | by_year)
    )
    if prefix:
        rows = rows.filter(org_id__in=_subtree_ids(prefix))
    fields = rows.order_by().values_list("org_id", "year", "meeting_type", *MONTHS, "counted")

    def series(item: LifeFacts, kind: str) -> list[int]:
        found = item.counts.get(kind)
        if found is None:
            found = item.counts[kind] = [0] * width
        return found

    for org_id, year, kind, *per_month, counted in _raw_rows(fields):
        item = facts.get(org_id)
        if item is None:
            continue
        if kind in monthly:
            offset = year * 12 - start
            low, high = max(0, -offset), min(12, width - offset)
            if low < high:
                counts = series(item, kind)
                part = counts[offset + low : offset + high]
                counts[offset + low : offset + high] = [
                    a + b for a, b in zip(part, per_month[low:high], strict=True)
                ]
        if kind in by_year:
            years = item.years.setdefault((kind, frozenset()), {})
            years[year] = years.get(year, 0) + counted
    # records after ``at``: in its month (monthly counts), or counting for a year up to ``at``'s
    month_end = _month_bounds(month_index(at))[1]
    later = ("org_id", "meeting_type", "also_counts_as", "held_on", "year")
    for org_id, main, also, held_on, _year in Meeting.objects.filter(
        held_on__gt=at, held_on__lte=month_end
    ).values_list(*later):
        item = facts.get(org_id)
        if item is None:
            continue
        for kind in (main, *split_types(also)):
            if kind in monthly:
                series(item, kind)[month_index(held_on) - start] -= 1
    for year in range(first.year, at.year + 1):
        for org_id, main, also, _held, _ in Meeting.objects.filter(
            year=year, held_on__gt=at
        ).values_list(*later):
            item = facts.get(org_id)
            if item is None:
                continue
            for kind in (main, *split_types(also)):
                if kind in by_year:
                    years = item.years.setdefault((kind, frozenset()), {})
                    years[year] = years.get(year, 0) - 1


def _year_counts(
    facts: dict[int, LifeFacts], meetings: Any, first: dt.date, at: dt.date, types: list[str]
) -> None:
    """Records per (organization, types, 所属年度) for the yearly rules: one grouped query. A
    record held up to ``at`` counts for its 所属年度 (which may be the year before its date)."""
    rows = (
        meetings.filter(types_q(types), year__gte=first.year, year__lte=at.year)
        .order_by()
        .values("org_id", "meeting_type", "also_counts_as", "year")
        .annotate(n=Count("id"))
        .values_list("org_id", "meeting_type", "also_counts_as", "year", "n")
    )
    for org_id, meeting_type, also, year, n in _raw_rows(rows):
        item = facts.get(org_id)
        if item is not None:
            by_year = item.years.setdefault(_type_set(meeting_type, also), {})
            by_year[year] = by_year.get(year, 0) + n


def _voting_standings(
    members: dict[int, Any], days: dict[int, set[dt.date]]
) -> dict[tuple[int, dt.date], Any]:
    """The standing of each member on each of its days (:func:`standings_on`), read in bulk: a
    member without any decided status is only its type on the day; the few with a status are
    read through the selector, one query per day."""
    from dangjian.members.models import MemberStatus
    from dangjian.members.selectors import Standing, member_type_on, standings_on

    out: dict[tuple[int, dt.date], Any] = {}
    if not days:
        return out
    with_status = set(
        MemberStatus.objects.filter(member_id__in=list(days))
        .values_list("member_id", flat=True)
        .distinct()
    )
    by_day: dict[dt.date, list[Any]] = defaultdict(list)
    for pk, member_days in days.items():
        for day in member_days:
            if pk in with_status:
                by_day[day].append(members[pk])
            else:
                out[(pk, day)] = Standing(member_type_on(members[pk], day), None)
    for day, group in sorted(by_day.items()):
        for pk, standing in standings_on(group, day).items():
            out[(pk, day)] = standing
    return out


def _quorum(
    facts: dict[int, LifeFacts],
    meetings: Any,
    since: dt.date,
    params: Params,
    attendance_model: Any,
    member_model: Any,
) -> None:
    """Assemblies where no more than half of the members with voting rights were present.

    With attendance taken, the entitled are the members of the branch's roll who had the vote
    on the meeting date (:func:`dangjian.members.selectors.voters_on`: full members not under
    留党察看 or 停止党籍), the present those of them ticked present; otherwise the recorded
    expected and present figures stand in. A 临时党支部 is not judged (module docstring).

    One grouped query finds the candidates: ``2 × present full members ≤ full members on the
    roll + members with a decided status`` (a status can only take votes away, so no failing
    assembly is missed); the candidates' rolls, standings and attendance are then read in bulk
    (a few queries whatever their number) and judged exactly.
    """
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from dangjian.members.history import SPANS
    from dangjian.members.models import MemberStatus, RollEvent

    assemblies = meetings.filter(types_q(params["types"]), held_on__gte=since).exclude(
        org__org_type=OrgType.TEMP_BRANCH
    )

    def count(qs: Any, by: str) -> Any:
        grouped = qs.order_by().values(by).annotate(n=Count("id")).values("n")[:1]
        return Coalesce(Subquery(grouped), 0)

    # the roll of the meeting's date (dangjian.members.history: spans of the roll)
    roll_full = RollEvent.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("held_on")),
        kind__in=SPANS,
        org_id=OuterRef("org_id"),
        on__lte=OuterRef("held_on"),
        member__joined_on__lte=OuterRef("held_on"),
        member__confirmed_on__lte=OuterRef("held_on"),
    )
    # decided statuses of anyone ever on the roll (rows, so a member with two counts twice:
    # still an upper bound)
    statuses = MemberStatus.objects.filter(
        member__roll_events__org_id=OuterRef("org_id"),
        member__roll_events__kind__in=SPANS,
        started_on__lte=OuterRef("held_on"),
    )
    on_roll_then = RollEvent.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef(OuterRef("held_on"))),
        member_id=OuterRef("member_id"),
        kind__in=SPANS,
        org_id=OuterRef(OuterRef("org_id")),
        on__lte=OuterRef(OuterRef("held_on")),
    )
    here = attendance_model.objects.filter(
        Exists(on_roll_then),
        meeting_id=OuterRef("pk"),
        present=True,
        member__confirmed_on__lte=OuterRef("held_on"),
    )
    candidates = list(
        assemblies.filter(attendance_taken=True)
        .annotate(
            v=count(roll_full, "org_id"),
            s=count(statuses, "member__roll_events__org_id"),
            p=count(here, "meeting_id"),
        )
        .annotate(twice=F("p") * 2, room=F("v") + F("s"))
        .filter(room__gt=0, twice__lte=F("room"))
        .values("id", "org_id", "meeting_type", "also_counts_as", "held_on")
    )
    rows: list[dict[str, Any]] = []
    if candidates:
        orgs = {c["org_id"] for c in candidates}
        # every span of these rolls (a member may have several): on the roll of the meeting's
        # organization on its date
        spans = list(
            RollEvent.objects.filter(org_id__in=orgs, kind__in=SPANS)
            .select_related("member")
            .only(
                "org_id",
                "on",
                "ended_on",
                "member__id",
                "member__joined_on",
                "member__confirmed_on",
                "member__member_type",
                "member__name",
            )
        )
        members = {span.member.pk: span.member for span in spans}

        def roll_of(org_id: int, day: dt.date) -> list[Any]:
            return [
                s.member
                for s in spans
                if s.org_id == org_id
                and s.on <= day
                and (s.ended_on is None or s.ended_on > day)
                and s.member.joined_on <= day
            ]

        days: dict[int, set[dt.date]] = defaultdict(set)
        for c in candidates:
            for m in roll_of(c["org_id"], c["held_on"]):
                days[m.pk].add(c["held_on"])
        standings = _voting_standings(members, days)
        present: dict[int, set[int]] = defaultdict(set)
        for meeting_id, member_id in attendance_model.objects.filter(
            meeting_id__in=[c["id"] for c in candidates], present=True
        ).values_list("meeting_id", "member_id"):
            present[meeting_id].add(member_id)
        for c in candidates:
            day = c["held_on"]
            voters: set[int] = set()
            without: Counter[str] = Counter()
            for m in roll_of(c["org_id"], day):
                standing = standings[(m.pk, day)]
                if standing.votes:
                    voters.add(m.pk)
                elif standing.on_roll:
                    without[str(standing.status or standing.member_type)] += 1
            here_n = len(voters & present[c["id"]])
            if voters and here_n * 2 <= len(voters):
                rows.append(
                    {
                        **c,
                        "expected": len(voters),
                        "present": here_n,
                        "basis": "voters",
                        "without_vote": dict(sorted(without.items())),
                    }
                )
    by_figures = (
        assemblies.filter(attendance_taken=False, expected__gt=0, present__isnull=False)
        .annotate(twice=F("present") * 2)
        .filter(twice__lte=F("expected"))
        .values("id", "org_id", "meeting_type", "also_counts_as", "held_on", "expected", "present")
    )
    rows.extend({**r, "basis": "figures"} for r in by_figures)
    for row in sorted(rows, key=lambda r: (r["held_on"], r["id"])):
        item = facts.get(row["org_id"])
        if item is not None:
            item.quorum.append(row)


def _secretary_lectures(
    facts: dict[int, LifeFacts],
    meetings: Any,
    months: list[int],
    first: dt.date,
    types: Sequence[str],
) -> None:
    """党课 per (committee of the lecturing secretary, month) and per (committee, 所属年度): two
    grouped queries."""
    aggregates = _month_counts(months)
    lectures = meetings.filter(types_q(types), lecturer_org__isnull=False)
    rows = (
        lectures.order_by()
        .values("lecturer_org_id")
        .annotate(**aggregates)
        .values_list("lecturer_org_id", *aggregates)
    )
    for org_id, *per_month in _raw_rows(rows):
        item = facts.get(org_id)
        if item is not None:
            item.secretary_lectures = list(per_month)
    rows = (
        lectures.filter(year__gte=first.year)
        .order_by()
        .values("lecturer_org_id", "year")
        .annotate(n=Count("id"))
        .values_list("lecturer_org_id", "year", "n")
    )
    for org_id, year, n in _raw_rows(rows):
        item = facts.get(org_id)
        if item is not None:
            item.secretary_years[year] = n


def _committee_counts(
    facts: dict[int, LifeFacts], prefix: str, months: list[int], member_model: Any
) -> None:
    """支委会 post holders per branch on the first day of each month of the window, read from
    the dated terms (:class:`~dangjian.members.models.PostTerm`: the committee of month M, not
    today's) with one filtered count per month; a post on a record written outside the
    services (no term in its own branch at all) counts from the 入党日期, as before the terms
    were kept. Two grouped queries."""
    from dangjian.members.models import PostTerm

    terms = PostTerm.objects.filter(post__in=list(COMMITTEE_POSTS))
    holders = member_model.objects.filter(post__in=list(COMMITTEE_POSTS)).exclude(
        Exists(PostTerm.objects.filter(member_id=OuterRef("pk"), org_id=OuterRef("org_id")))
    )
    if prefix:
        terms = terms.filter(org_id__in=_subtree_ids(prefix))
        holders = holders.filter(org_id__in=_subtree_ids(prefix))

    def in_force(m: int) -> Q:
        day = _month_bounds(m)[0]
        return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    counted: dict[int, list[int]] = {}
    aggregates = {f"m{m}": Count("id", filter=in_force(m)) for m in months}
    rows = terms.order_by().values("org_id").annotate(**aggregates)
    for org_id, *per_month in _raw_rows(rows.values_list("org_id", *aggregates)):
        counted[org_id] = list(per_month)
    aggregates = {
        f"m{m}": Count("id", filter=Q(joined_on__lte=_month_bounds(m)[0])) for m in months
    }
    rows = holders.order_by().values("org_id").annotate(**aggregates)
    for org_id, *per_month in _raw_rows(rows.values_list("org_id", *aggregates)):
        base = counted.setdefault(org_id, [0] * len(months))
        counted[org_id] = [a + b for a, b in zip(base, per_month, strict=True)]
    for org_id, per_month in counted.items():
        item = facts.get(org_id)
        if item is not None:
            item.committee = dict(zip(months, per_month, strict=True))


def _absences(
    facts: dict[int, LifeFacts],
    prefix: str,
    since: dt.date,
    at: dt.date,
    params: Params,
    attendance_model: Any,
    member_model: Any,
) -> None:
    """Members absent without good reason from every meeting of ``months`` consecutive months,
    judged branch by branch over the dated roll (:mod:`dangjian.members.history`).

    A month is judged for a member and a branch when the member was on that branch's roll on
    every day of the month (a transfer on the 1st gives the month to the new branch; one on any
    later day gives it to neither: the member could attend in either; a member admitted
    mid-month is judged from the next month) and under no standing
    that suspends his duties on any day of it: 停止党籍 (教育管理条例 art. 24: a suspended member
    takes no part in organizational life) or a standing of ``LEAVING`` (出党, death, relation
    transferred out of the platform) whose roll event was not written. A member under 留党察看
    keeps his duties (党章 art. 40 takes rights away, not duties): his months are judged.

    A judged month is *bad* when the member was marked absent without a good reason at a
    meeting of that branch (or one of its 党小组; a 临时党支部 is never one), took part in no
    meeting that month (present at any meeting, a 临时党支部's or another branch's included) and
    had no good reason for any absence in it (approved leave is a good reason). A month not
    judged breaks the run. The branch is told when the run has ``months`` bad months, ends
    within the window and the member is on its roll at ``at`` with his duties (a member who
    transferred out, died, left the party, whose relation went out of the platform or who is
    under 停止党籍 by ``at`` is not flagged for it: nothing left for that branch to look into);
    a member who came back to a branch is judged there on the months since his return.

    Queries, whatever the size of the scope: one grouped query over the attendance of the
    window per member with two filtered counts per month, over the members with at least
    ``months`` unexcused absences in it (a subquery), whose ``HAVING`` keeps only the members
    with at least ``months`` months that may be bad (an upper bound: absences anywhere in the
    scope, presence in the scope only), so the rows fetched are the candidates, not the roll;
    then, for the candidates only, their roll spans (with names), standings and attendance in
    three bulk queries, judged exactly in Python.
    """
    from dangjian.members.choices import LEAVING, StatusKind
    from dangjian.members.history import SPANS
    from dangjian.members.models import MemberStatus, RollEvent

    needed = int(params["months"])
    good = list(params["good_reasons"])
    # complete months only: the run must end in a month that ended by ``at``
    last = month_index(at) if _month_bounds(month_index(at))[1] <= at else month_index(at) - 1
    first_end = month_index(since)
    if last < first_end:
        return
    window = list(range(first_end - needed + 1, last + 1))
    low, high = _month_bounds(window[0])[0], _month_bounds(window[-1])[1]
    rows = attendance_model.objects.filter(meeting__held_on__gte=low, meeting__held_on__lte=high)
    if prefix:
        rows = rows.filter(meeting__org_id__in=_subtree_ids(prefix))
    unexcused = Q(present=False) & ~Q(reason__in=good)
    excused_or_here = Q(present=True) | Q(reason__in=good)
    aggregates: dict[str, Any] = {}
    bad_months: Any = Value(0)
    for m in window:
        start, end = _month_bounds(m)
        in_month = Q(meeting__held_on__gte=start, meeting__held_on__lte=end)
        aggregates[f"b{m}"] = Count("id", filter=in_month & unexcused)
        aggregates[f"o{m}"] = Count("id", filter=in_month & excused_or_here)
        bad_months = bad_months + Case(
            When(Q(**{f"b{m}__gt": 0, f"o{m}": 0}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    # at least ``months`` unexcused absences: a cheap first cut, so that the filtered counts
    # below run over the rows of a few members, not over the whole window's attendance
    often = (
        rows.filter(unexcused)
        .order_by()
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n__gte=needed)
        .values("member_id")
    )
    candidates = list(
        rows.filter(member_id__in=often)
        .order_by()
        .values("member_id")
        .annotate(**aggregates)
        .annotate(bad_months=bad_months)
        .filter(bad_months__gte=needed)
        .values_list("member_id", flat=True)
    )
    if not candidates:
        return
    # the candidates' spans on a roll that reach into the window or ``at``
    spans: dict[int, dict[int, list[tuple[dt.date, dt.date | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    names: dict[int, str] = {}
    orgs: dict[int, tuple[str, str]] = {}
    for member_id, org_id, on, ended_on, name, path, org_name in (
        RollEvent.objects.filter(member_id__in=candidates, kind__in=SPANS, on__lte=at)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=low))
        .values_list(
            "member_id", "org_id", "on", "ended_on", "member__name", "org__path", "org__name"
        )
    ):
        if org_id in facts and not facts[org_id].temporary:
            spans[member_id][org_id].append((on, ended_on))
            names[member_id] = name
            orgs[org_id] = (path, org_name)
    if not spans:
        return
    # standings that take the duties away: 停止党籍 and those off the roll
    off_kinds = [*sorted(LEAVING), StatusKind.SUSPENDED]
    off: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for member_id, started_on, ends_on in MemberStatus.objects.filter(
        member_id__in=list(spans), kind__in=off_kinds, started_on__lte=at
    ).values_list("member_id", "started_on", "ends_on"):
        off[member_id].append((started_on, ends_on))
    attended = list(
        attendance_model.objects.filter(
            member_id__in=list(spans), meeting__held_on__gte=low, meeting__held_on__lte=high
        )
        .order_by("member_id", "meeting__held_on", "meeting_id")
        .values_list(
            "member_id",
            "present",
            "reason",
            "meeting_id",
            "meeting__held_on",
            "meeting__meeting_type",
            "meeting__org__path",
            "meeting__org__org_type",
        )
    )
    by_member: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in attended:
        by_member[row[0]].append(row)
    for member_id in sorted(spans):
        rows_of = by_member.get(member_id, [])
        # months in which the member took part somewhere (or had a good reason)
        took_part = {month_index(r[4]) for r in rows_of if r[1] or r[2] in good}
        off_periods = off.get(member_id, [])
        if _covers(off_periods, at, at):
            continue  # off the roll or suspended at ``at``: nothing for a branch to look into
        for org_id, org_spans in sorted(spans[member_id].items()):
            on_roll = _merged(org_spans)
            if not _covers(on_roll, at, at):
                continue  # no longer on this branch's roll
            path = orgs[org_id][0]
            bad: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
            for r in rows_of:
                if r[1] or r[2] in good or r[7] == OrgType.TEMP_BRANCH:
                    continue
                if r[6].startswith(path):
                    bad[month_index(r[4])].append(r)
            run: list[int] = []
            best: list[int] = []
            for index in window:
                start, end = _month_bounds(index)
                judged = _covers(on_roll, start, end) and not _overlaps(off_periods, start, end)
                if judged and bad.get(index) and index not in took_part:
                    run.append(index)
                    if len(run) >= needed and run[-1] >= first_end:
                        best = list(run)
                else:
                    run = []
            if not best:
                continue
            counted = [r for index in best for r in bad[index]]
            facts[org_id].absent.append(
                {
                    "member_id": member_id,
                    "name": names[member_id],
                    "branch": orgs[org_id][1],
                    "months": [Period("month", *_month_bounds(i)).label for i in best],
                    "absences": [
                        {
                            "meeting_id": r[3],
                            "held_on": r[4].isoformat(),
                            "meeting_type": r[5],
                            "reason": r[2] or "未说明",
                        }
                        for r in counted
                    ],
                }
            )


#: a span of days ``[on, end)``, open while ``end`` is empty
Span = tuple[dt.date, dt.date | None]


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Spans ``[on, ended_on)`` (open while ``ended_on`` is empty) joined where they touch or
    overlap (a 恢复党籍 on the day the previous span ended continues it)."""
    out: list[list[Any]] = []
    for on, ended in sorted(spans, key=lambda s: s[0]):
        if out and out[-1][1] is not None and on <= out[-1][1]:
            prev = out[-1][1]
            out[-1][1] = None if ended is None else max(prev, ended)
        elif out and out[-1][1] is None:
            continue
        else:
            out.append([on, ended])
    return [(on, ended) for on, ended in out]


def _covers(spans: Iterable[Span], first: dt.date, last: dt.date) -> bool:
    """Whether one of ``spans`` (``[on, end)``, merged) holds every day of ``first``..``last``."""
    return any(on <= first and (end is None or end > last) for on, end in spans)


def _overlaps(spans: Iterable[Span], first: dt.date, last: dt.date) -> bool:
    """Whether one of ``spans`` holds a day of ``first``..``last``."""
    return any(on <= last and (end is None or end > first) for on, end in spans)


# --- rules -----------------------------------------------------------------------------------


def _spec(rule_id: str, title: str, kind: str, source: str) -> RuleSpec:
    return RuleSpec(rule_id, title, kind, source, dict(DEFAULTS[rule_id]))


def _finding(
    item: LifeFacts,
    ctx: LifeContext,
    severity: str,
    message: str,
    evidence: dict[str, Any],
    *,
    period: str | None = None,
    due_date: dt.date | None = None,
) -> Finding:
    """A finding of the rule being run (``ctx.spec``) about the organization of ``item``."""
    return Finding(
        rule=ctx.spec.id,
        subject=item.org.code,
        severity=severity,
        message=message,
        source=ctx.spec.source,
        evidence={**evidence, "config": ctx.config_evidence},
        period=period,
        due_date=due_date,
    )


def _is_branch(item: LifeFacts) -> bool:
    return item.org.org_type in BRANCH_TYPES


def _type_text(main: str, also: str) -> str:
    return f"{main}（同时计为{also}）" if also else main


def _frequency(
    item: LifeFacts,
    ctx: LifeContext,
    *,
    what: str,
    applies: Callable[[Period], bool] | None = None,
    count: Callable[[Period], int] | None = None,
) -> list[Finding]:
    """The findings of a "at least ``min_count`` of ``types`` per period" rule; ``count``
    replaces the number of ``types`` meetings the organization held in a period.

    This loop runs for every organization, rule and period of a city (over a million times
    for the overview), so the monthly count is summed inline rather than through :meth:`held`."""
    spec, params = ctx.spec, ctx.params
    kind = params["frequency"]
    grace = grace_of(params)
    types = list(params["types"])
    minimum = int(params["min_count"])
    out = []
    org = item.org
    founded = org.founded_on
    tally, marks, year = ctx.tally, ctx.marks, ctx.at.year
    group = (org.sector, org.region_code[:6], org.org_type)
    per_type = item.series(types) if kind != "year" else []
    first = item.first
    for period in judged_periods(kind, ctx.since, ctx.at, grace):
        if founded is not None and not is_judged(founded, period, params):
            continue
        if applies is not None and not applies(period):
            continue
        if count is not None:
            held = count(period)
        elif kind == "year":
            held = item.in_year(types, period.start.year)
        else:
            months = period.months
            start = max(months.start - first, 0)
            stop = max(months.stop - first, 0)
            held = 0
            for per_month in per_type:
                held += sum(per_month[start:stop])
        if tally is not None:
            counts = tally.setdefault((spec.id, period.label, *group), [0, 0])
            counts[0] += 1
            counts[1] += held >= minimum
        if marks is not None and period.start.year == year:
            bit = 1 << (period.start.month - 1)
            mask = marks.setdefault(org.pk, {}).setdefault(spec.id, [0, 0])
            mask[0] |= bit
            if held >= minimum:
                mask[1] |= bit
        if held >= minimum or ctx.tally_only:
            continue
        evidence: dict[str, Any] = {
            "meeting_types": types,
            "frequency": kind,
            "required": minimum,
            "held": held,
        }
        times = f"（应至少 {minimum} 次，已 {held} 次）" if minimum > 1 or held else ""
        last_day = deadline(period, grace)
        if last_day < ctx.at:
            late = f"（次年 {grace} 月底前召开的也已计入）" if grace else ""
            out.append(
                _finding(
                    item,
                    ctx,
                    "error",
                    f"{period.title}未{what}{times}{late}",
                    evidence,
                    period=period.label,
                )
            )
        elif ctx.at <= period.end:
            days_left = (period.end - ctx.at).days
            evidence["days_left"] = days_left
            out.append(
                _finding(
                    item,
                    ctx,
                    "due",
                    f"{period.current_title}（{period.title}）尚未{what}{times}，"
                    f"截止 {period.end}，还剩 {days_left} 天",
                    evidence,
                    period=period.label,
                    due_date=period.end,
                )
            )
        else:
            # a past year still within the months of the next year that count for it
            days_left = (last_day - ctx.at).days
            evidence["days_left"] = days_left
            evidence["counts_for_year"] = period.start.year
            out.append(
                _finding(
                    item,
                    ctx,
                    "due",
                    f"{period.title}尚未{what}{times}：{last_day} 前召开、所属年度选"
                    f" {period.start.year} 年的仍计入该年度，还剩 {days_left} 天",
                    evidence,
                    period=period.label,
                    due_date=last_day,
                )
            )
    return out


def _branch_frequency(spec: RuleSpec, *, what: str, doc: str) -> Callable[..., list[Finding]]:
    """Register the rule of ``spec``: every branch (not a 党小组 or committee) ``what`` (the
    verb phrase of its messages) as often as the rule's parameters ask, by :func:`_frequency`.
    The function is named after the rule id, like every rule."""

    def check(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
        if not _is_branch(item):
            return []
        return _frequency(item, ctx, what=what)

    check.__name__ = check.__qualname__ = spec.id.lower().replace("-", "_")
    check.__doc__ = doc
    return rule(spec)(check)


life_assembly_quarterly = _branch_frequency(
    _spec(
        "LIFE-ASSEMBLY-QUARTERLY", "支部党员大会每季度至少召开 1 次", "national", "支部条例 art. 11"
    ),
    what="召开支部党员大会",
    doc="支部党员大会 at least once a quarter (支部条例 art. 11), for every branch.",
)


COMMITTEE_MONTHLY = _spec(
    "LIFE-COMMITTEE-MONTHLY", "支委会每月至少召开 1 次（设支委会的支部）", "national", "支部条例"
)


@rule(COMMITTEE_MONTHLY)
def life_committee_monthly(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """支委会 at least once a month, only in months when the branch had a 支委会 (module doc).

    A 临时党支部 is not judged: its committee is appointed by the organization that set it up
    and its members stay on their own branches' rolls, so the roll cannot tell."""
    params = ctx.params
    if not _is_branch(item) or item.temporary:
        return []
    needed = int(params["min_committee_posts"])
    term = item.org.term_started_on

    def has_committee(period: Period) -> bool:
        if term is not None and term > period.start:
            return False
        return all(item.committee.get(m, 0) >= needed for m in period.months)

    return _frequency(item, ctx, what="召开支委会", applies=has_committee)


GROUP_MONTHLY = _spec(
    "LIFE-GROUP-MONTHLY", "党小组每月至少召开 1 次党小组会", "national", "支部条例"
)


@rule(GROUP_MONTHLY)
def life_group_monthly(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """Each 党小组 meets at least once a month; subject is the 党小组 itself."""
    if item.org.org_type != OrgType.GROUP:
        return []
    return _frequency(item, ctx, what="召开党小组会")


life_lecture_quarterly = _branch_frequency(
    _spec(
        "LIFE-LECTURE-QUARTERLY",
        "党课每季度至少 1 次",
        "local default",
        "支部条例 art. 16 + local practice",
    ),
    what="上党课",
    doc='党课 at least once a quarter (local default; the national text says "at set intervals").',
)


SECRETARY_LECTURE_YEARLY = _spec(
    "LIFE-SECRETARY-LECTURE-YEARLY",
    "党委（党组）书记每年至少讲 1 次党课",
    "national",
    "支部条例 art. 16",
)


@rule(SECRETARY_LECTURE_YEARLY)
def life_secretary_lecture_yearly(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """The secretary of every 党委 / 党工委 gives at least 1 党课 a year, at any branch below
    it (recorded with the lecturer "上级党委书记" and this committee); counted by 所属年度."""
    if item.org.org_type not in SECRETARY_LECTURE_ORG_TYPES:
        return []

    def given(period: Period) -> int:
        if period.kind == "year":
            return item.secretary_years.get(period.start.year, 0)
        start = period.months.start - item.first
        stop = period.months.stop - item.first
        return sum(item.secretary_lectures[max(start, 0) : max(stop, 0)])

    return _frequency(item, ctx, what="由党委书记讲党课", count=given)


life_theme_day_monthly = _branch_frequency(
    _spec("LIFE-THEME-DAY-MONTHLY", "每月开展 1 次主题党日", "national", "支部条例"),
    what="开展主题党日",
    doc="主题党日 once a month.",
)


life_org_life_meeting_yearly = _branch_frequency(
    _spec(
        "LIFE-ORG-LIFE-MEETING-YEARLY",
        "组织生活会每年至少召开 1 次",
        "national",
        "支部条例 art. 17",
    ),
    what="召开组织生活会",
    doc="""组织生活会 at least once a year (usually in Q4; counted by 所属年度, so the one for 2026
    held in January 2027 counts for 2026).""",
)


life_democratic_review_yearly = _branch_frequency(
    _spec("LIFE-DEMOCRATIC-REVIEW-YEARLY", "民主评议党员一般每年 1 次", "national", "支部条例"),
    what="开展民主评议党员",
    doc="""民主评议党员 generally once a year (also when held at the 组织生活会, recorded there
    as an additional type; counted by 所属年度).""",
)


life_heart_talk_yearly = _branch_frequency(
    _spec("LIFE-HEART-TALK-YEARLY", "谈心谈话每年至少 1 次", "national", "支部条例"),
    what="开展谈心谈话",
    doc="谈心谈话 at least once a year (between committee members, and with the members).",
)


ASSEMBLY_QUORUM = _spec(
    "LIFE-ASSEMBLY-QUORUM",
    "党员大会表决须有半数以上有表决权的党员到会",
    "national",
    "支部条例 art. 11",
)


@rule(ASSEMBLY_QUORUM)
def life_assembly_quorum(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """An assembly where no more than half of those entitled to vote were present: the members
    of the roll with the vote on the meeting date (full members, not under 留党察看 or
    停止党籍) when attendance was taken, the recorded figures otherwise. A warning: whether a
    vote was taken is not recorded. A 临时党支部 is not judged (it takes no votes of its own
    members; their votes belong to their own branches)."""
    if item.temporary:
        return []
    out = []
    for row in item.quorum:
        what = _type_text(row["meeting_type"], row.get("also_counts_as") or "")
        evidence = {
            "meeting_id": row["id"],
            "held_on": row["held_on"].isoformat(),
            "expected": row["expected"],
            "present": row["present"],
            "basis": row["basis"],
        }
        if row["basis"] == "voters":
            without = row.get("without_vote") or {}
            evidence["without_vote"] = without
            others = "、".join(f"{k} {v} 人" for k, v in without.items())
            note = f"（没有表决权的不计：{others}）" if others else ""
            message = (
                f"{row['held_on']} {what}：有表决权的党员 {row['expected']} 人{note}，"
                f"到会 {row['present']} 人，未超过半数；如有表决事项，表决无效"
            )
        else:
            message = (
                f"{row['held_on']} {what}应到 {row['expected']} 人、实到 {row['present']} 人，"
                "未超过半数；如有表决事项，表决无效"
            )
        out.append(
            _finding(
                item,
                ctx,
                "warning",
                message,
                evidence,
                period=period_of("month", row["held_on"]).label,
            )
        )
    return out


LATE_ENTRY = _spec(
    "LIFE-LATE-ENTRY",
    "会议记录应在会后及时录入，超过规定天数的标记为补录",
    "local default",
    "this project's principle",
)


@rule(LATE_ENTRY)
def life_late_entry(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """One warning per record marked late when it was entered (never refused)."""
    params = ctx.params
    out = []
    for row in item.late:
        days = (row["entered_on"] - row["held_on"]).days
        what = _type_text(row["meeting_type"], row.get("also_counts_as") or "")
        out.append(
            _finding(
                item,
                ctx,
                "warning",
                f"{row['held_on']} 的{what}“{row['topic']}”于 {row['entered_on']} 录入，"
                f"会后 {days} 天补录（超过 {params['late_days']} 天）",
                {
                    "meeting_id": row["id"],
                    "held_on": row["held_on"].isoformat(),
                    "entered_on": row["entered_on"].isoformat(),
                    "days": days,
                    "late_days": params["late_days"],
                },
                period=period_of("month", row["held_on"]).label,
            )
        )
    return out


ABSENT_6_MONTHS = _spec(
    "LIFE-ABSENT-6-MONTHS",
    "党员连续 6 个月无正当理由不参加党的组织生活，提请支部了解情况",
    "national",
    "党章 art. 9",
)


@rule(ABSENT_6_MONTHS)
def life_absent_6_months(item: LifeFacts, ctx: LifeContext) -> list[Finding]:
    """A member absent without good reason from every meeting with attendance taken in
    ``months`` consecutive months: a flag for the branch to look into, never an action.

    Good reasons (``good_reasons``): 因公, 因病 and 请假（已批准） with its reason; 因事 without
    approved leave and 其他 are not. Each branch judges a member only over the whole months he
    was on its roll (the dated roll: one transferred in from his first whole month there, one
    who came back from his return) and not under 停止党籍; a member who left its roll by the
    day of the check (transferred out, died, 出党, relation out of the platform) is not flagged
    for it (:func:`_absences`). A 临时党支部 has no roll and is not judged (presence at its
    meetings counts as taking part). The evidence lists every absence counted."""
    if item.temporary:
        return []
    out = []
    for row in item.absent:
        months = row["months"]
        absences = row["absences"]
        reasons = Counter(a["reason"] for a in absences)
        why = "、".join(f"{r} {n} 次" for r, n in sorted(reasons.items()))
        out.append(
            _finding(
                item,
                ctx,
                "warning",
                f"{row['name']}（{row['branch']}）{period_title(months[0])}至"
                f"{period_title(months[-1])}连续 {len(months)} 个月无正当理由未参加组织生活："
                f"缺席 {len(absences)} 次（{why}），这些月份没有出席，也没有因公、因病或请假"
                "等正当理由。请支部了解情况（仅为提醒，不作自动处理）",
                {
                    "member_id": row["member_id"],
                    "name": row["name"],
                    "branch": row["branch"],
                    "months": months,
                    "absences": absences,
                },
                period=months[-1],
            )
        )
    return out


#: the rules that count the roll and do not judge a 临时党支部 (shown on its to-do page)
NOT_FOR_TEMPORARY = (
    "LIFE-COMMITTEE-MONTHLY",
    "LIFE-ASSEMBLY-QUORUM",
    "LIFE-ABSENT-6-MONTHS",
)


# --- running ---------------------------------------------------------------------------------


def is_life(spec: RuleSpec) -> bool:
    return spec.id.startswith(FAMILY_PREFIX)


def evaluate_life(
    subjects: Sequence[OrgFacts],
    prefix: str,
    at: dt.date,
    since: dt.date | None,
    specs: Sequence[RuleSpec],
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None,
    marks: dict[int, dict[str, list[int]]] | None = None,
) -> list[Finding]:
    """Findings of the enabled LIFE ``specs`` over ``subjects`` for ``since``..``at``; with
    ``tally``, also the number of organizations checked and meeting each rule per period; with
    ``marks``, the periods each organization was checked for and met (:class:`LifeContext`)."""
    since = since or dt.date(at.year, 1, 1)
    check_window(since, at)
    params: dict[str, Params] = {}
    for spec in specs:
        if is_life(spec):
            on, values = params_for(spec, at)
            if on:
                params[spec.id] = values
    enabled = [s for s in specs if s.id in params]
    if not enabled:
        return []
    config = config_info(at)
    tally_only = tally is not None and TALLY_ONLY.get()
    rules = [
        (
            REGISTRY[spec.id][1],
            LifeContext(at, spec, params[spec.id], since, config, tally, tally_only, marks),
        )
        for spec in enabled
    ]
    facts = collect_life_facts(subjects, prefix, at, since, params)
    findings: list[Finding] = []
    for item in facts.values():
        for func, ctx in rules:
            findings.extend(func(item, ctx))
    return findings


def year_known_until(year: int, today: dt.date) -> dt.date:
    """Up to which day the records of ``year`` may still come in: today, but not beyond the
    latest deadline of the year's yearly requirements (``next_year_months``); for the ledger
    and the overview of a past year."""
    period = period_of("year", dt.date(year, 1, 1))
    graces = []
    for rule_id, (spec, _f) in REGISTRY.items():
        if rule_id.startswith(FAMILY_PREFIX):
            on, params = params_for(spec, today)
            if on:
                graces.append(grace_of(params))
    return min(today, deadline(period, max(graces, default=0)))


def check_life(
    request: CheckRequest, specs: list[RuleSpec], rule_ids: list[str] | None, result: CheckResult
) -> None:
    """The LIFE checker of the rules engine: the rules over the periods of ``since``..``at`` of
    the scope's organizations (their rolls are not counted unless another family needs them)."""
    check_window(request.since or dt.date(request.at.year, 1, 1), request.at)
    subjects = scope_facts(request, result, roll=False)
    result.findings.extend(
        evaluate_life(
            subjects,
            request.prefix or "",
            request.at,
            request.since,
            specs,
            request.tally,
            request.marks,
        )
    )


register_checker("LIFE", check_life)


def secretary_lecture_progress(org_id: int, today: dt.date) -> dict[str, Any] | None:
    """LIFE-SECRETARY-LECTURE-YEARLY for one 党委 / 党工委 on ``today``: the 党课 its secretary
    gave this year (one count over the indexed lecturer column) against the rule's
    ``min_count``, and last year's while it may still be given for last year (所属年度,
    ``next_year_months``); ``None`` when the rule is switched off."""
    from dangjian.life.models import Meeting

    on, params = params_for(REGISTRY[SECRETARY_LECTURE_RULE][0], today)
    if not on:
        return None

    def given(year: int) -> int:
        return Meeting.objects.filter(
            types_q(params["types"]), lecturer_org_id=org_id, year=year, held_on__lte=today
        ).count()

    required = int(params["min_count"])
    year_end = dt.date(today.year, 12, 31)
    # early in the year, last year's lecture may still be given for last year (所属年度)
    last_year = period_of("year", dt.date(today.year - 1, 1, 1))
    last_deadline = deadline(last_year, grace_of(params))
    last_given = given(today.year - 1) if today <= last_deadline else required
    return {
        "given": given(today.year),
        "required": required,
        "deadline": year_end,
        "days_left": (year_end - today).days,
        "last_year": today.year - 1 if last_given < required else None,
        "last_given": last_given,
        "last_deadline": last_deadline,
        "last_days_left": (last_deadline - today).days,
    }
