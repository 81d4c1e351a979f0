"""Organizational life rules (组织生活, ``LIFE-*`` of rules.md §2).

Periods are calendar months, quarters and years; a meeting counts for the period of its date.
For every complete period between ``since`` (default 1 January of the year of ``at``) and ``at`` a
missed requirement is an ``error``; for the period that contains ``at`` it is ``due`` (deadline =
the last day of the period, days left in the evidence) until met. A period is checked only for an
organization that existed on its first day (``founded_on`` empty or not later).

Facts come from a constant number of grouped queries over the whole scope, whatever the number
of organizations (see :func:`collect_life_facts`):

1. meetings per (organization, meeting type) with one filtered count per month of the window;
2. committee post holders per branch with one filtered count per month (LIFE-COMMITTEE-MONTHLY);
3. the late records, 4. the assemblies below quorum (row per finding, usually few);
5. 党课 given by the secretary of an upper 党委 per (党委, month) (LIFE-SECRETARY-LECTURE-YEARLY);
6. attendance per (member, month) with present / excused / unexcused counts (LIFE-ABSENT-6-MONTHS);
7. the names of the flagged members (masked in the evidence).

A branch has a 支委会 in a month when, on the month's first day, at least ``min_committee_posts``
current post holders (书记, 副书记, 委员 posts) were on its roll and its current term (本届任期开始
日期) had begun: so a branch that elects its 支委会 mid-year is held to a monthly 支委会 from the
next month on. The model keeps no history of earlier committees, so months before the current
term are not checked for this rule (never reported as missed).

LIFE-SECRETARY-LECTURE-YEARLY counts, for each 党委 / 党工委, the 党课 recorded anywhere below it
whose lecturer is marked "上级党委书记" of that committee (``Meeting.lecturer_org``): a secretary
lecturing at a contact branch counts for the committee. Imported lectures count only when the
import file marks them so (columns 讲课人 and 讲课党委编码).
"""

from __future__ import annotations

import calendar
import contextvars
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from dangjian.life.choices import SECRETARY_LECTURE_ORG_TYPES
from dangjian.life.config import DEFAULTS, FREQUENCIES, ConfigInfo, check_params, config_info
from dangjian.members.choices import COMMITTEE_POSTS, MemberType
from dangjian.orgs.choices import BRANCH_TYPES, OrgType

from .base import Finding, RuleSpec, rule
from .facts import OrgFacts

FAMILY_PREFIX = "LIFE-"
#: set by :func:`dangjian.life.compliance.compliance` callers that need the tally and no
#: frequency findings (the cached overview table): skips building ~200,000 findings for a city
TALLY_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("life_tally_only", default=False)
#: the longest span between ``since`` and ``at`` one run may cover
MAX_SPAN_YEARS = 5

Params = dict[str, Any]


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


@functools.lru_cache(maxsize=1024)
def periods_between(kind: str, since: dt.date, at: dt.date) -> tuple[Period, ...]:
    """Every period of ``kind`` that ends on or after ``since`` and starts on or before ``at``."""
    periods = []
    current = period_of(kind, since)
    while current.start <= at:
        periods.append(current)
        current = period_of(kind, current.end + dt.timedelta(days=1))
    return tuple(periods)


def check_window(since: dt.date, at: dt.date) -> None:
    """Refuse ``since`` after ``at`` or a span over :data:`MAX_SPAN_YEARS` (Chinese message)."""
    if since > at:
        raise ValueError(f"起始日期 {since} 晚于检查日期 {at}")
    if (at.year - since.year) * 12 + at.month - since.month >= MAX_SPAN_YEARS * 12:
        raise ValueError(f"起始日期与检查日期相隔不能超过 {MAX_SPAN_YEARS} 年")


# --- facts -----------------------------------------------------------------------------------


@dataclass
class LifeFacts:
    """What the LIFE rules know about one organization over the window of a run."""

    org: OrgFacts
    #: meeting type → meetings held per month of the window (index ``month - first``)
    counts: dict[str, list[int]] = field(default_factory=dict)
    #: month index of the window's first month
    first: int = 0
    #: month index → committee post holders on the roll on the month's first day
    committee: dict[int, int] = field(default_factory=dict)
    late: list[dict[str, Any]] = field(default_factory=list)
    quorum: list[dict[str, Any]] = field(default_factory=list)
    absent: list[dict[str, Any]] = field(default_factory=list)
    #: 党课 given by this committee's secretary per month of the window (from ``first``)
    secretary_lectures: list[int] = field(default_factory=list)

    def held(self, types: Sequence[str], period: Period) -> int:
        start = period.months.start - self.first
        stop = period.months.stop - self.first
        total = 0
        for t in types:
            per_month = self.counts.get(t)
            if per_month is not None:
                total += sum(per_month[max(start, 0) : max(stop, 0)])
        return total


@dataclass(frozen=True)
class LifeContext:
    at: dt.date
    since: dt.date
    config: ConfigInfo
    #: when given, (rule id, period label, sector, 6-digit region, organization type) →
    #: [organizations checked, met], for the compliance tables
    tally: dict[tuple[str, str, str, str, str], list[int]] | None = None
    #: only the tally is wanted (the overview's counts): frequency findings are not built
    tally_only: bool = False

    @functools.cached_property
    def config_evidence(self) -> dict[str, str]:
        return self.config.as_dict()


def _mask(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


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
    first = min(
        [period_of(p["frequency"], since).start for p in params.values() if "frequency" in p]
        + [since]
    )
    months = list(range(month_index(first), month_index(at) + 1))
    meetings = Meeting.objects.filter(held_on__gte=first, held_on__lte=at)
    if prefix:
        meetings = meetings.filter(org_id__in=_subtree_ids(prefix))

    types = sorted({t for p in params.values() if "frequency" in p for t in p["types"]})
    if types:
        aggregates = {
            f"m{m}": Count(
                "id",
                filter=Q(held_on__gte=_month_bounds(m)[0], held_on__lte=_month_bounds(m)[1]),
            )
            for m in months
        }
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
                item.first = months[0]
                item.counts[meeting_type] = per_month

    if "LIFE-COMMITTEE-MONTHLY" in params:
        _committee_counts(facts, prefix, months, Member)

    if "LIFE-SECRETARY-LECTURE-YEARLY" in params:
        _secretary_lectures(
            facts, meetings, months, params["LIFE-SECRETARY-LECTURE-YEARLY"]["types"]
        )

    if "LIFE-LATE-ENTRY" in params:
        late = meetings.filter(late=True, held_on__gte=since, entered_on__lte=at).values(
            "id", "org_id", "meeting_type", "held_on", "entered_on"
        )
        for late_row in late.order_by("held_on", "id"):
            item = facts.get(late_row["org_id"])
            if item is not None:
                item.late.append(dict(late_row))

    if "LIFE-ASSEMBLY-QUORUM" in params:
        _quorum(facts, meetings, since, params["LIFE-ASSEMBLY-QUORUM"], Attendance)

    if "LIFE-ABSENT-6-MONTHS" in params:
        _absences(facts, prefix, since, at, params["LIFE-ABSENT-6-MONTHS"], Attendance, Member)
    return facts


def _quorum(
    facts: dict[int, LifeFacts],
    meetings: Any,
    since: dt.date,
    params: Params,
    attendance_model: Any,
) -> None:
    """Assemblies where no more than half of those entitled to vote were present.

    With attendance taken, the entitled are the full members on the list (正式党员 confirmed by
    the meeting date: probationary members have no vote); otherwise the recorded expected and
    present figures stand in. Two queries, whatever the number of organizations.
    """
    assemblies = meetings.filter(meeting_type__in=params["types"], held_on__gte=since)
    full = Q(
        member__member_type=MemberType.FULL,
        member__confirmed_on__isnull=False,
        member__confirmed_on__lte=F("meeting__held_on"),
    )
    by_list = (
        attendance_model.objects.filter(meeting__in=assemblies.filter(attendance_taken=True))
        .order_by()
        .values("meeting_id", "meeting__org_id", "meeting__meeting_type", "meeting__held_on")
        .annotate(
            entitled=Count("id", filter=full), here=Count("id", filter=full & Q(present=True))
        )
        .annotate(twice=F("here") * 2)
        .filter(entitled__gt=0, twice__lte=F("entitled"))
    )
    rows = [
        {
            "id": r["meeting_id"],
            "org_id": r["meeting__org_id"],
            "meeting_type": r["meeting__meeting_type"],
            "held_on": r["meeting__held_on"],
            "expected": r["entitled"],
            "present": r["here"],
            "basis": "full_members",
        }
        for r in by_list
    ]
    by_figures = (
        assemblies.filter(attendance_taken=False, expected__gt=0, present__isnull=False)
        .annotate(twice=F("present") * 2)
        .filter(twice__lte=F("expected"))
        .values("id", "org_id", "meeting_type", "held_on", "expected", "present")
    )
    rows.extend({**r, "basis": "figures"} for r in by_figures)
    for row in sorted(rows, key=lambda r: (r["held_on"], r["id"])):
        item = facts.get(row["org_id"])
        if item is not None:
            item.quorum.append(row)


def _secretary_lectures(
    facts: dict[int, LifeFacts], meetings: Any, months: list[int], types: Sequence[str]
) -> None:
    """党课 per (committee of the lecturing secretary, month): one grouped query."""
    aggregates = {
        f"m{m}": Count(
            "id", filter=Q(held_on__gte=_month_bounds(m)[0], held_on__lte=_month_bounds(m)[1])
        )
        for m in months
    }
    rows = (
        meetings.filter(meeting_type__in=list(types), lecturer_org__isnull=False)
        .order_by()
        .values("lecturer_org_id")
        .annotate(**aggregates)
        .values_list("lecturer_org_id", *aggregates)
    )
    for org_id, *per_month in _raw_rows(rows):
        item = facts.get(org_id)
        if item is not None:
            item.first = months[0]
            item.secretary_lectures = list(per_month)


def _committee_counts(
    facts: dict[int, LifeFacts], prefix: str, months: list[int], member_model: Any
) -> None:
    holders = member_model.objects.filter(post__in=list(COMMITTEE_POSTS))
    if prefix:
        holders = holders.filter(org_id__in=_subtree_ids(prefix))
    aggregates = {
        f"m{m}": Count("id", filter=Q(joined_on__lte=_month_bounds(m)[0])) for m in months
    }
    rows = holders.order_by().values("org_id").annotate(**aggregates)
    for org_id, *per_month in _raw_rows(rows.values_list("org_id", *aggregates)):
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
    """Members absent without good reason from every meeting of ``months`` consecutive months.

    One grouped query per member with two filtered counts per month of the window (absences
    without good reason; attendances or excused absences); ``HAVING`` keeps only the members
    with at least ``months`` bad months, so the rows fetched are the candidates, not the roll.
    """
    needed = int(params["months"])
    good = list(params["good_reasons"])
    # complete months only: the run must end in a month that ended by ``at``
    last = month_index(at) if _month_bounds(month_index(at))[1] <= at else month_index(at) - 1
    first_end = month_index(since)
    if last < first_end:
        return
    window = list(range(first_end - needed + 1, last + 1))
    rows = attendance_model.objects.filter(
        meeting__held_on__gte=_month_bounds(window[0])[0],
        meeting__held_on__lte=_month_bounds(window[-1])[1],
    )
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
    rows = rows.order_by().values("member_id", "member__org_id").annotate(**aggregates)
    for m in window:
        bad_months = bad_months + Case(
            When(Q(**{f"b{m}__gt": 0, f"o{m}": 0}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    rows = rows.annotate(bad_months=bad_months).filter(bad_months__gte=needed)
    # member → month index → True (absent without reason) / False (attended or excused)
    months: dict[tuple[int, int], dict[int, bool]] = defaultdict(dict)
    for row in rows:
        key = (row["member_id"], row["member__org_id"])
        for m in window:
            months[key][m] = row[f"b{m}"] > 0 and row[f"o{m}"] == 0
    flagged: list[tuple[int, int, list[int]]] = []
    for (member_id, org_id), by_month in months.items():
        if org_id not in facts:
            continue
        run: list[int] = []
        best: list[int] = []
        for index in range(first_end - needed + 1, last + 1):
            if by_month.get(index):
                run.append(index)
                if len(run) >= needed and run[-1] >= first_end:
                    best = list(run)
            else:
                run = []
        if best:
            flagged.append((member_id, org_id, best))
    if not flagged:
        return
    names = dict(
        member_model.objects.filter(pk__in=[m for m, _o, _r in flagged]).values_list("pk", "name")
    )
    for member_id, org_id, run in sorted(flagged):
        labels = [Period("month", *_month_bounds(i)).label for i in run]
        facts[org_id].absent.append(
            {"member_id": member_id, "name": _mask(names.get(member_id, "")), "months": labels}
        )


# --- rules -----------------------------------------------------------------------------------


def _spec(rule_id: str, title: str, kind: str, source: str) -> RuleSpec:
    return RuleSpec(rule_id, title, kind, source, dict(DEFAULTS[rule_id]))


def _finding(
    spec: RuleSpec,
    item: LifeFacts,
    ctx: LifeContext,
    severity: str,
    message: str,
    evidence: dict[str, Any],
    *,
    period: str | None = None,
    due_date: dt.date | None = None,
) -> Finding:
    return Finding(
        rule=spec.id,
        subject=item.org.code,
        severity=severity,
        message=message,
        source=spec.source,
        evidence={**evidence, "config": ctx.config_evidence},
        period=period,
        due_date=due_date,
    )


def _existed(item: LifeFacts, period: Period) -> bool:
    founded = item.org.founded_on
    return founded is None or founded <= period.start


def _is_branch(item: LifeFacts) -> bool:
    return item.org.org_type in BRANCH_TYPES


def _frequency(
    spec: RuleSpec,
    item: LifeFacts,
    ctx: LifeContext,
    params: Params,
    *,
    what: str,
    applies: Callable[[Period], bool] | None = None,
    count: Callable[[Period], int] | None = None,
) -> list[Finding]:
    """The findings of a "at least ``min_count`` of ``types`` per period" rule; ``count``
    replaces the number of ``types`` meetings the organization held in a period.

    This loop runs for every organization, rule and period of a city (over a million times
    for the overview), so the count is summed inline rather than through :meth:`held`."""
    kind = params["frequency"]
    types = list(params["types"])
    minimum = int(params["min_count"])
    out = []
    org = item.org
    founded = org.founded_on
    tally = ctx.tally
    group = (org.sector, org.region_code[:6], org.org_type)
    per_type = [item.counts[t] for t in types if t in item.counts]
    first = item.first
    for period in periods_between(kind, ctx.since, ctx.at):
        if founded is not None and founded > period.start:
            continue
        if applies is not None and not applies(period):
            continue
        if count is not None:
            held = count(period)
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
        if held >= minimum or ctx.tally_only:
            continue
        evidence: dict[str, Any] = {
            "meeting_types": types,
            "frequency": kind,
            "required": minimum,
            "held": held,
        }
        times = f"（应至少 {minimum} 次，已 {held} 次）" if minimum > 1 or held else ""
        if period.end < ctx.at:
            out.append(
                _finding(
                    spec,
                    item,
                    ctx,
                    "error",
                    f"{period.title}未{what}{times}",
                    evidence,
                    period=period.label,
                )
            )
        else:
            days_left = (period.end - ctx.at).days
            evidence["days_left"] = days_left
            out.append(
                _finding(
                    spec,
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
    return out


ASSEMBLY_QUARTERLY = _spec(
    "LIFE-ASSEMBLY-QUARTERLY", "支部党员大会每季度至少召开 1 次", "national", "支部条例 art. 11"
)


@rule(ASSEMBLY_QUARTERLY)
def life_assembly_quarterly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """支部党员大会 at least once a quarter (支部条例 art. 11), for every branch."""
    if not _is_branch(item):
        return []
    return _frequency(ASSEMBLY_QUARTERLY, item, ctx, params, what="召开支部党员大会")


COMMITTEE_MONTHLY = _spec(
    "LIFE-COMMITTEE-MONTHLY", "支委会每月至少召开 1 次（设支委会的支部）", "national", "支部条例"
)


@rule(COMMITTEE_MONTHLY)
def life_committee_monthly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """支委会 at least once a month, only in months when the branch had a 支委会 (module doc)."""
    if not _is_branch(item):
        return []
    needed = int(params["min_committee_posts"])
    term = item.org.term_started_on

    def has_committee(period: Period) -> bool:
        if term is not None and term > period.start:
            return False
        return all(item.committee.get(m, 0) >= needed for m in period.months)

    return _frequency(
        COMMITTEE_MONTHLY, item, ctx, params, what="召开支委会", applies=has_committee
    )


GROUP_MONTHLY = _spec(
    "LIFE-GROUP-MONTHLY", "党小组每月至少召开 1 次党小组会", "national", "支部条例"
)


@rule(GROUP_MONTHLY)
def life_group_monthly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """Each 党小组 meets at least once a month; subject is the 党小组 itself."""
    if item.org.org_type != OrgType.GROUP:
        return []
    return _frequency(GROUP_MONTHLY, item, ctx, params, what="召开党小组会")


LECTURE_QUARTERLY = _spec(
    "LIFE-LECTURE-QUARTERLY",
    "党课每季度至少 1 次",
    "local default",
    "支部条例 art. 16 + local practice",
)


@rule(LECTURE_QUARTERLY)
def life_lecture_quarterly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """党课 at least once a quarter (local default; the national text says "at set intervals")."""
    if not _is_branch(item):
        return []
    return _frequency(LECTURE_QUARTERLY, item, ctx, params, what="上党课")


SECRETARY_LECTURE_YEARLY = _spec(
    "LIFE-SECRETARY-LECTURE-YEARLY",
    "党委（党组）书记每年至少讲 1 次党课",
    "national",
    "支部条例 art. 16",
)


@rule(SECRETARY_LECTURE_YEARLY)
def life_secretary_lecture_yearly(
    item: LifeFacts, ctx: LifeContext, params: Params
) -> list[Finding]:
    """The secretary of every 党委 / 党工委 gives at least 1 党课 a year, at any branch below
    it (recorded with the lecturer "上级党委书记" and this committee)."""
    if item.org.org_type not in SECRETARY_LECTURE_ORG_TYPES:
        return []

    def given(period: Period) -> int:
        start = period.months.start - item.first
        stop = period.months.stop - item.first
        return sum(item.secretary_lectures[max(start, 0) : max(stop, 0)])

    return _frequency(
        SECRETARY_LECTURE_YEARLY, item, ctx, params, what="由党委书记讲党课", count=given
    )


THEME_DAY_MONTHLY = _spec("LIFE-THEME-DAY-MONTHLY", "每月开展 1 次主题党日", "national", "支部条例")


@rule(THEME_DAY_MONTHLY)
def life_theme_day_monthly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """主题党日 once a month."""
    if not _is_branch(item):
        return []
    return _frequency(THEME_DAY_MONTHLY, item, ctx, params, what="开展主题党日")


ORG_LIFE_YEARLY = _spec(
    "LIFE-ORG-LIFE-MEETING-YEARLY",
    "组织生活会每年至少召开 1 次",
    "national",
    "支部条例 art. 17",
)


@rule(ORG_LIFE_YEARLY)
def life_org_life_meeting_yearly(
    item: LifeFacts, ctx: LifeContext, params: Params
) -> list[Finding]:
    """组织生活会 at least once a year (usually in Q4)."""
    if not _is_branch(item):
        return []
    return _frequency(ORG_LIFE_YEARLY, item, ctx, params, what="召开组织生活会")


DEMOCRATIC_REVIEW_YEARLY = _spec(
    "LIFE-DEMOCRATIC-REVIEW-YEARLY", "民主评议党员一般每年 1 次", "national", "支部条例"
)


@rule(DEMOCRATIC_REVIEW_YEARLY)
def life_democratic_review_yearly(
    item: LifeFacts, ctx: LifeContext, params: Params
) -> list[Finding]:
    """民主评议党员 generally once a year."""
    if not _is_branch(item):
        return []
    return _frequency(DEMOCRATIC_REVIEW_YEARLY, item, ctx, params, what="开展民主评议党员")


HEART_TALK_YEARLY = _spec("LIFE-HEART-TALK-YEARLY", "谈心谈话每年至少 1 次", "national", "支部条例")


@rule(HEART_TALK_YEARLY)
def life_heart_talk_yearly(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """谈心谈话 at least once a year (between committee members, and with the members)."""
    if not _is_branch(item):
        return []
    return _frequency(HEART_TALK_YEARLY, item, ctx, params, what="开展谈心谈话")


ASSEMBLY_QUORUM = _spec(
    "LIFE-ASSEMBLY-QUORUM",
    "党员大会表决须有半数以上有表决权的党员到会",
    "national",
    "支部条例 art. 11",
)


@rule(ASSEMBLY_QUORUM)
def life_assembly_quorum(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """An assembly where no more than half of those entitled to vote were present: the full
    members on the attendance list, or the recorded figures when no list was taken. A warning:
    whether a vote was taken is not recorded."""
    out = []
    for row in item.quorum:
        who = "有表决权的正式党员" if row["basis"] == "full_members" else "应到"
        out.append(
            _finding(
                ASSEMBLY_QUORUM,
                item,
                ctx,
                "warning",
                f"{row['held_on']} {row['meeting_type']}{who} {row['expected']} 人、实到 "
                f"{row['present']} 人，未超过半数；如有表决事项，表决无效",
                {
                    "meeting_id": row["id"],
                    "held_on": row["held_on"].isoformat(),
                    "expected": row["expected"],
                    "present": row["present"],
                    "basis": row["basis"],
                },
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
def life_late_entry(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """One warning per record marked late when it was entered (never refused)."""
    out = []
    for row in item.late:
        days = (row["entered_on"] - row["held_on"]).days
        out.append(
            _finding(
                LATE_ENTRY,
                item,
                ctx,
                "warning",
                f"{row['held_on']} 的{row['meeting_type']}于 {row['entered_on']} 录入，"
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
def life_absent_6_months(item: LifeFacts, ctx: LifeContext, params: Params) -> list[Finding]:
    """A member absent without good reason from every meeting with attendance taken in
    ``months`` consecutive months: a flag for the branch to look into, never an action."""
    out = []
    for row in item.absent:
        months = row["months"]
        out.append(
            _finding(
                ABSENT_6_MONTHS,
                item,
                ctx,
                "warning",
                f"党员 {row['name']}（记录 {row['member_id']}）{months[0]} 至 {months[-1]} "
                f"连续 {len(months)} 个月无正当理由未参加组织生活，请支部了解情况"
                "（仅为提醒，不作自动处理）",
                {"member_id": row["member_id"], "name": row["name"], "months": months},
                period=months[-1],
            )
        )
    return out


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
) -> list[Finding]:
    """Findings of the enabled LIFE ``specs`` over ``subjects`` for ``since``..``at``; with
    ``tally``, also the number of organizations checked and meeting each rule per period."""
    from .base import REGISTRY
    from .engine import rule_enabled, rule_params

    since = since or dt.date(at.year, 1, 1)
    check_window(since, at)
    enabled = [s for s in specs if is_life(s) and rule_enabled(s)]
    if not enabled:
        return []
    params: dict[str, Params] = {}
    for spec in enabled:
        params[spec.id] = rule_params(spec)
        check_params(spec.id, params[spec.id])
    ctx = LifeContext(
        at=at,
        since=since,
        config=config_info(),
        tally=tally,
        tally_only=tally is not None and TALLY_ONLY.get(),
    )
    facts = collect_life_facts(subjects, prefix, at, since, params)
    findings: list[Finding] = []
    for item in facts.values():
        for spec in enabled:
            findings.extend(REGISTRY[spec.id][1](item, ctx, params[spec.id]))
    return findings
