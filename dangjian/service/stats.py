"""三率 of service orders (SERVICE-RATES), each figure with its counts and what it counts.

- 响应率: orders responded to (accepted, refused, merged or escalated) within the response limit
  ÷ orders submitted (merged duplicates excluded).
- 解决率: orders resolved (已解决, 已评价 or 已办结 with a result) ÷ orders accepted (refused
  and merged excluded).
- 满意率: (满意 + w × 基本满意) ÷ orders rated, w = SERVICE-RATES ``basic_weight`` (default 0.9).
- 重新办理率: orders reopened at least once ÷ orders resolved at least once (now resolved, or
  reopened: a reopening clears the resolution time).
- 响应用时 / 解决用时: hours from 点单 to the first response / to the (latest) resolution, as the
  median and the 90th percentile (continuous percentile, linear interpolation between ranks, the
  definition of PostgreSQL's ``percentile_cont``).

Each rate with n and a Wilson interval (as the surveys give) when n > 0.

**Grouped.** :func:`rates_by` computes all of it for every group of a key (a grid, a village, a
town, a handling level, a category, a month — :data:`GROUPINGS`; another grouping is one entry,
an expression over :class:`~dangjian.service.models.Order`) in one grouped SQL query of
conditional aggregates; the orders are never loaded. On PostgreSQL the percentiles are ordered-set
aggregates of that same query (``percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP``: one sort per
time, with a larger ``work_mem``, :data:`DEFAULT_WORK_MEM`). SQLite has no such aggregate:
there a second query streams only (group, seconds) pairs of the orders that have a time, ordered,
and the same interpolation is done while reading it (exact, same figures as PostgreSQL; memory
one group at a time). SQLite is the development and single-office database; a city runs on
PostgreSQL.

**From the counters.** When the orders asked about are exactly a subtree's over whole months (the
dashboard's case), ``rates_by(…, over=Over(prefix, first, last))`` sums the monthly counters of
:class:`~dangjian.service.models.ServiceTally` (kept by every write, :mod:`dangjian.service.rollup`)
instead: the same counts, hence the same rates; the times from log-spaced histograms, exact to
a bucket's width and shown as 约. Keys the counters do not hold (``handler``, ``department``)
are read from the orders.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Left, TruncMonth
from django.utils import timezone

from dangjian.rules.params import params_on
from dangjian.survey.stats import wilson

from .choices import OrderState, Rating
from .models import RESOLVE_BUCKETS, RESPOND_BUCKETS, Order, ServiceTally
from .rollup import COLUMNS, bucket_percentile

#: the quantiles of the times reported: median and 90th percentile
QUANTILES = (0.5, 0.9)


@dataclass(frozen=True)
class Rate:
    label: str
    numerator: float
    n: int
    counts: str

    @property
    def value(self) -> float | None:
        return self.numerator / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(round(self.numerator), self.n) if self.n else None


@dataclass(frozen=True)
class Duration:
    """Hours from 点单 to a step over the ``n`` orders that reached it: median and p90."""

    label: str
    n: int
    median: float | None
    p90: float | None
    approx: bool = False  # read from the counters' histograms: exact to a bucket's width (约)


@dataclass(frozen=True)
class Rates:
    response: Rate
    resolution: Rate
    satisfaction: Rate
    total: int
    reopen: Rate | None = None
    respond_time: Duration | None = None
    resolve_time: Duration | None = None

    @property
    def three(self) -> tuple[Rate, Rate, Rate]:
        return (self.response, self.resolution, self.satisfaction)


# --- the counts --------------------------------------------------------------------------------

_VALID = ~Q(state=OrderState.MERGED)
_RESOLVED = Q(state__in=(OrderState.RESOLVED, OrderState.RATED, OrderState.CLOSED)) & ~Q(result="")

#: the conditional aggregates every figure is made of (one pass over the orders)
COUNTS: dict[str, Count] = {
    "total": Count("pk"),
    "valid": Count("pk", filter=_VALID),
    "responded": Count("pk", filter=_VALID & Q(responded_at__lte=F("response_due"))),
    "accepted": Count("pk", filter=~Q(state__in=(OrderState.MERGED, OrderState.REFUSED))),
    "resolved": Count("pk", filter=_RESOLVED),
    "rated": Count("pk", filter=~Q(rating="")),
    "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
    "basic": Count("pk", filter=Q(rating=Rating.BASIC)),
    "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    "ever_resolved": Count("pk", filter=Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)),
}


def basic_weight(on: dt.date | None = None) -> float:
    """The weight of 基本满意 in 满意率 (SERVICE-RATES ``basic_weight``)."""
    return float(params_on("SERVICE-RATES", on or timezone.localdate())["basic_weight"])


def _build(
    c: dict[str, Any], weight: float, times: dict[str, Any] | None = None, approx: bool = False
) -> Rates:
    times = times or {}
    return Rates(
        response=Rate(
            "响应率",
            c["responded"],
            c["valid"],
            f"时限内响应 {c['responded']} 件 ÷ 群众点单 {c['valid']} 件（不含合并的重复工单）",
        ),
        resolution=Rate(
            "解决率",
            c["resolved"],
            c["accepted"],
            f"已解决 {c['resolved']} 件 ÷ 受理 {c['accepted']} 件（不含不予受理和重复工单）",
        ),
        satisfaction=Rate(
            "满意率",
            c["satisfied"] + weight * c["basic"],
            c["rated"],
            f"（满意 {c['satisfied']} 件 + {weight:g} × 基本满意 {c['basic']} 件）"
            f"÷ 已评价 {c['rated']} 件",
        ),
        total=c["total"],
        reopen=Rate(
            "重新办理率",
            c.get("reopened", 0),
            c.get("ever_resolved", 0),
            f"重新办理 {c.get('reopened', 0)} 件 ÷ 办理过 {c.get('ever_resolved', 0)} 件",
        ),
        respond_time=_duration("响应用时", times.get("respond"), approx),
        resolve_time=_duration("解决用时", times.get("resolve"), approx),
    )


def _duration(
    label: str, t: tuple[int, float | None, float | None] | None, approx: bool = False
) -> Duration:
    if not t:
        return Duration(label, 0, None, None)
    n, median, p90 = t
    return Duration(label, n, _hours(median), _hours(p90), approx and n > 0)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600.0


def rates(orders: QuerySet[Order]) -> Rates:
    """三率 (with the reopen rate) over ``orders`` (already restricted to the user's subtree and
    period); the times only through :func:`rates_by`."""
    return _build(orders.aggregate(**COUNTS), basic_weight())


# --- the groupings -----------------------------------------------------------------------------


def _town_path() -> Combinable:
    """The path of the village's parent organization (its town): the village's path without its
    last step."""
    return Left(F("org__path"), (F("org__depth") - 1) * 4)


def _month() -> Combinable:
    return TruncMonth("submitted_at", tzinfo=timezone.get_current_timezone())


#: key name → the expression an order is grouped by; add one line for another grouping
GROUPINGS: dict[str, Any] = {
    "grid": lambda: F("grid_id"),
    "village": lambda: F("org_id"),
    "town": _town_path,  # the town's path; see :func:`town_orgs`
    "level": lambda: F("level"),
    "category": lambda: F("category"),
    "month": _month,
    "handler": lambda: F("handler_org_id"),
    "department": lambda: F("department_id"),  # the lead linked department (联动部门, 牵头)
}


# --- the times ---------------------------------------------------------------------------------


class Seconds(Func):
    """Seconds from ``start`` to ``end`` (two datetime columns), as a float."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra_context,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(ARRAY[f1, f2, …]) WITHIN GROUP (ORDER BY expression)``:
    every fraction from one sort of the group's values (one aggregate per fraction would sort
    them once each)."""

    function = "percentile_cont"

    def __init__(self, expression: Any, fractions: Iterable[float], **extra: Any) -> None:
        from django.contrib.postgres.fields import ArrayField

        listed = ", ".join(repr(float(f)) for f in fractions)
        self.template = (
            f"percentile_cont(ARRAY[{listed}]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
        )
        super().__init__(expression, output_field=ArrayField(FloatField()), **extra)


#: ``work_mem`` of the grouped query on PostgreSQL (``DANGJIAN_SERVICE_STATS_WORK_MEM``): the
#: percentiles sort a year of a city's orders; with the server's default (4 MB) the sorts spill
#: to disk and take three times as long (benchmarks/README.md)
DEFAULT_WORK_MEM = "64MB"


#: time name → (its end column, the condition an order has it)
TIMES = {
    "respond": ("responded_at", Q(responded_at__isnull=False) & _VALID),
    "resolve": ("resolved_at", Q(resolved_at__isnull=False)),
}


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The continuous percentile of an ascending list (PostgreSQL ``percentile_cont``): linear
    interpolation between the values at ranks ⌊(n − 1)·f⌋ and ⌈(n − 1)·f⌉."""
    if not ordered:
        return None
    pos = (len(ordered) - 1) * fraction
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _times_streamed(
    orders: QuerySet[Order], key: Any
) -> dict[str, dict[Any, tuple[int, float | None, float | None]]]:
    """The times per group read as ordered (group, seconds) pairs (SQLite; see the docstring)."""
    out: dict[str, dict[Any, tuple[int, float | None, float | None]]] = {}
    for name, (end, when) in TIMES.items():
        per: dict[Any, tuple[int, float | None, float | None]] = {}
        rows = (
            orders.filter(when)
            .annotate(_g=key, _s=Seconds(end, "submitted_at"))
            .order_by("_g", "_s")
            .values_list("_g", "_s")
        )
        for group, values in _runs(rows.iterator(chunk_size=5000)):
            per[group] = (len(values), *(percentile(values, q) for q in QUANTILES))  # type: ignore[assignment]
        out[name] = per
    return out


def _runs(rows: Iterable[tuple[Any, float]]) -> Iterator[tuple[Any, list[float]]]:
    current: Any = object()
    values: list[float] = []
    for group, secs in rows:
        if group != current:
            if values:
                yield current, values
            current, values = group, []
        values.append(secs)
    if values:
        yield current, values


def _pg_time_aggregates() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (end, when) in TIMES.items():
        secs = Seconds(end, "submitted_at")
        out[f"{name}_n"] = Count("pk", filter=when)
        out[f"{name}_q"] = PercentileCont(secs, QUANTILES, filter=when)
    return out


def _pg_rows(query: QuerySet[Any]) -> list[dict[str, Any]]:
    """The rows of the grouped query, run with a larger ``work_mem`` for its sorts (local to a
    transaction of its own, so nothing else is affected)."""
    work_mem = str(getattr(settings, "DANGJIAN_SERVICE_STATS_WORK_MEM", DEFAULT_WORK_MEM))
    with transaction.atomic(using=query.db):
        with connections[query.db].cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        return list(query)


def rates_by(
    orders: QuerySet[Order], key: str | Any, *, times: bool = True, over: Over | None = None
) -> dict[Any, Rates]:
    """All figures (三率, reopen rate, times) of ``orders`` per group of ``key`` — a name of
    :data:`GROUPINGS` or an expression — in one grouped query (plus, on SQLite, one streamed
    query per time; see the module docstring). Groups without orders are absent. ``times=False``
    leaves the times out (their ``n`` is 0): the rates alone are counts, a single pass without
    sorting (a city's year per grid: about 2 s instead of 14 s, benchmarks/README.md).

    ``over``: the caller's statement that ``orders`` are exactly the orders of a subtree
    submitted in a range of months (:class:`Over`; the dashboard's and the indicators' case).
    Then, for a key the counters hold (:data:`TALLY_GROUPINGS`, or an expression over the
    fields both tables have: ``org__…``, ``grid_id``, ``category``, ``level``), the figures are
    summed from :class:`~dangjian.service.models.ServiceTally` instead (the same rates; the times
    from histograms, exact to a bucket's width, :attr:`Duration.approx`); the ``"month"`` key
    is then the month's first day (a date)."""
    if over is not None and (not isinstance(key, str) or key in TALLY_GROUPINGS):
        tally_key = TALLY_GROUPINGS[key]() if isinstance(key, str) else key
        return tally_rates(over, {"g": tally_key}, times=times)["g"]
    expr = GROUPINGS[key]() if isinstance(key, str) else key
    if not times:
        weight = basic_weight()
        return {g: _build(c, weight) for g, c in counts_by(orders, expr).items()}
    base = orders.order_by().annotate(_g=expr)
    pg = connection.vendor == "postgresql"
    aggregates = {**COUNTS, **(_pg_time_aggregates() if pg else {})}
    query = base.values("_g").annotate(**aggregates).order_by()
    rows = _pg_rows(query) if pg else list(query)
    weight = basic_weight()
    if pg:
        return {
            r["_g"]: _build(
                r,
                weight,
                {name: (r[f"{name}_n"], *(r[f"{name}_q"] or (None, None))) for name in TIMES},
            )
            for r in rows
        }
    streamed = _times_streamed(orders.order_by(), expr)
    return {
        r["_g"]: _build(r, weight, {name: streamed[name].get(r["_g"]) for name in TIMES})
        for r in rows
    }


def rates_all(orders: QuerySet[Order]) -> Rates:
    """All figures over ``orders`` as one group (with the times)."""
    from django.db.models import Value

    return rates_by(orders, Value(1)).get(1) or empty()


def counts_by(orders: QuerySet[Order], key: str | Any) -> dict[Any, dict[str, int]]:
    """The raw counts (:data:`COUNTS`) per group of ``key``, one grouped query: what figures of
    larger units are summed from (see :func:`from_counts`)."""
    expr = GROUPINGS[key]() if isinstance(key, str) else key
    rows = orders.order_by().annotate(_g=expr).values("_g").annotate(**COUNTS).order_by()
    return {r.pop("_g"): r for r in rows}


def from_counts(counts: dict[str, int], on: dt.date | None = None) -> Rates:
    """The figures (without the times) of summed :data:`COUNTS`, with the 基本满意 weight in
    force ``on`` (today by default)."""
    return _build(counts, basic_weight(on))


def empty() -> Rates:
    """The figures of no order (every rate without data)."""
    return _build({k: 0 for k in COUNTS}, basic_weight())


def town_orgs(paths: Iterable[str]) -> dict[str, Any]:
    """Town path → its organization (one query), for the keys of ``rates_by(…, "town")``."""
    from dangjian.orgs.models import Organization

    return {o.path: o for o in Organization.objects.filter(path__in=[p for p in paths if p])}


# --- from the monthly counters -------------------------------------------------------------------


@dataclass(frozen=True)
class Over:
    """The orders of the villages under ``prefix`` (``""``: everywhere) submitted in the months
    ``first``..``last`` (first days, local time): what the counters can answer for."""

    prefix: str
    first: dt.date
    last: dt.date


#: key name → the expression a counter row is grouped by (the keys of :data:`GROUPINGS` the
#: counters hold; ``handler`` and ``department`` are read from the orders)
TALLY_GROUPINGS: dict[str, Any] = {
    "grid": lambda: F("grid_id"),
    "village": lambda: F("org_id"),
    "town": _town_path,
    "level": lambda: F("level"),
    "category": lambda: F("category"),
    "month": lambda: F("month"),
}


def tally_sums(over: Over, keys: dict[str, Any]) -> list[dict[str, Any]]:
    """The counter columns summed per combination of ``keys`` (name → expression over
    :class:`~dangjian.service.models.ServiceTally`), one grouped query; groups without orders
    absent. On PostgreSQL the rows are read from the cursor as they come (plain integers, dates
    and strings: Django's per-value converters cost more than the query for a town's rows)."""
    rows = ServiceTally.objects.order_by().filter(month__gte=over.first, month__lte=over.last)
    if over.prefix:
        rows = rows.filter(org__path__startswith=over.prefix)
    named = {f"_k_{name}": expr for name, expr in keys.items()}
    sums = {f"_sum_{c}": Sum(c) for c in COLUMNS}
    query = (
        rows.annotate(**named).values(*named).annotate(**sums).values_list(*named, *sums).order_by()
    )
    if connection.vendor == "postgresql":
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            found: list[tuple[Any, ...]] = cursor.fetchall()
    else:
        found = list(query)
    width = len(keys)
    out = []
    for r in found:
        row = dict(zip(keys, r[:width], strict=True))
        row.update(zip(COLUMNS, (v or 0 for v in r[width:]), strict=True))
        if row["total"]:
            out.append(row)
    return out


def from_sums(sums: dict[str, int], weight: float, times: bool = True) -> Rates:
    """The figures of summed counter columns (see :func:`tally_sums`)."""
    found: dict[str, Any] = {}
    if times:
        for name, columns in (("respond", RESPOND_BUCKETS), ("resolve", RESOLVE_BUCKETS)):
            hist = [sums.get(c, 0) for c in columns]
            found[name] = (sum(hist), *(bucket_percentile(hist, q) for q in QUANTILES))
    return _build(sums, weight, found, approx=True)


def tally_rates(
    over: Over, keys: dict[str, Any], *, times: bool = True
) -> dict[str, dict[Any, Rates]]:
    """Per name of ``keys``: the figures per group of that key, all from one grouped query over
    the counters (grouped by every key at once, then summed per key here: the rows are at most
    the product of the keys' groups present)."""
    rows = tally_sums(over, keys)
    weight = basic_weight()
    out: dict[str, dict[Any, Rates]] = {}
    # a row has a few non-zero columns (an order is in one bucket of each histogram): add those
    nonzero = [[(c, r[c]) for c in COLUMNS if r[c]] for r in rows]
    for name in keys:
        summed: dict[Any, dict[str, int]] = {}
        for r, values in zip(rows, nonzero, strict=True):
            acc = summed.get(r[name])
            if acc is None:
                acc = summed[r[name]] = dict.fromkeys(COLUMNS, 0)
            for c, v in values:
                acc[c] += v
        out[name] = {g: from_sums(c, weight, times) for g, c in summed.items()}
    return out
