"""The service dashboard and monthly bulletin of an upper level (组织部, town): the figures of
:mod:`dangjian.service.stats` over a period for one organization's subtree — overall, by month,
by category, by handling level and per child organization — and the overdue count per child.

The figures are summed from the monthly counters (:class:`~dangjian.service.models.ServiceTally`,
:func:`~dangjian.service.stats.tally_rates`), never the orders: by month × category × level ×
child at once from the children's subtree counters
(:class:`~dangjian.service.models.ServiceSubtreeTally`) and the village counters of the node and
its children themselves (:func:`tree_cube`: at most children × months × categories × levels rows,
whatever the subtree's size); a village's grids in a second query; the times are read from the
counters' histograms (约, exact to a bucket's width). The overdue open orders are read live from
the orders (a town's: its villages' open orders through the partial index
``service_order_open_by_org``). Organizations only, no one ranked: a row is an
organization, never a person.

The period is given as whole months ``[first, last]`` (local time); an order counts in the month it
was submitted (点单).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import Left
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.orgs.models import Organization

from .categories import category
from .choices import Level
from .models import Grid, Order, ServiceSubtreeTally, ServiceTally
from .rollup import COLUMNS
from .selectors import orders_for, overdue
from .stats import (
    Over,
    Rates,
    basic_weight,
    empty,
    from_sums,
    rates_all,
    rates_by,
    tally_rates,
)


@dataclass(frozen=True)
class Row:
    """One group's figures: ``key`` as grouped, ``label`` as shown."""

    key: Any
    label: str
    rates: Rates
    overdue: int = 0
    code: str = ""  # the child organization's code (a link to its own dashboard)


@dataclass(frozen=True)
class Board:
    root: Organization | None
    first: dt.date  # the first day of the first month
    last: dt.date  # the first day of the last month
    overall: Row
    months: list[Row]
    categories: list[Row]
    levels: list[Row]
    children: list[Row]
    children_are_grids: bool
    overdue_total: int

    @property
    def title(self) -> str:
        return self.root.name if self.root else "全部管辖范围"

    @property
    def period_label(self) -> str:
        if self.first == self.last:
            return f"{self.first.year} 年 {self.first.month} 月"
        return (
            f"{self.first.year} 年 {self.first.month} 月至 {self.last.year} 年 {self.last.month} 月"
        )


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


#: a subtree of at most this many organizations filters the orders by their ids (the indexes
#: starting with the village: a town's open orders without walking the city's); a larger one by
#: the path
VILLAGES_LISTED = 1000


def subtree_orders(actor: Actor, root: Organization | None) -> QuerySet[Order]:
    orders = orders_for(actor)
    if root is None:
        return orders
    ids = list(
        Organization.objects.filter(path__startswith=root.path).values_list("pk", flat=True)[
            : VILLAGES_LISTED + 1
        ]
    )
    if len(ids) <= VILLAGES_LISTED:
        return orders.filter(org_id__in=ids)
    return orders.filter(org__path__startswith=root.path)


def over_of(actor: Actor, root: Organization | None, first: dt.date, last: dt.date) -> Over | None:
    """What :func:`period_orders` selects as a subtree and months (the counters' terms), or
    ``None`` when the actor sees none of it."""
    scope = scope_prefix(actor, Perm.SERVICE_VIEW)
    if scope is None:
        return None
    if root is None or root.path.startswith(scope):
        prefix = root.path if root else scope
    elif scope.startswith(root.path):
        prefix = scope
    else:
        return None
    return Over(prefix, first, last)


def period_orders(
    actor: Actor, root: Organization | None, first: dt.date, last: dt.date
) -> QuerySet[Order]:
    """Orders of the subtree submitted in the months ``first``..``last`` (first days)."""
    return subtree_orders(actor, root).filter(
        submitted_at__gte=_aware(first), submitted_at__lt=_aware(add_months(last, 1))
    )


def default_root(actor: Actor) -> Organization | None:
    """The actor's own organization (the top of what they see), ``None`` for the operator."""
    prefix = scope_prefix(actor, Perm.SERVICE_VIEW)
    return getattr(actor, "org", None) if prefix else None


def _child_key(root: Organization | None) -> Any:
    width = len(root.path) + Organization.steplen if root else Organization.steplen
    return Left(F("org__path"), width)


def _category_label(code: str) -> str:
    cat = category(code)
    return f"{cat.group}·{cat.name}" if cat else f"已停用的类别（{code}）"


def _month_key(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    if isinstance(value, str):  # SQLite without a timezone conversion
        return dt.date.fromisoformat(value[:10]).replace(day=1)
    return value.replace(day=1)  # type: ignore[no-any-return]


def children_rows(
    actor: Actor,
    root: Organization | None,
    orders: QuerySet[Order],
    grouped: dict[Any, Rates] | None = None,
    over: Over | None = None,
) -> tuple[list[Row], bool]:
    """Per child organization of ``root`` (its own orders as 本级), or per grid when the orders
    all sit on ``root`` itself (a village); with each child's overdue open orders (now).
    ``grouped``: the figures per child already computed; ``over``: read them from the
    counters (see :func:`~dangjian.service.stats.rates_by`)."""
    key = _child_key(root)
    if grouped is None:
        grouped = rates_by(orders, key, over=over)
    late = dict(
        overdue(subtree_orders(actor, root).order_by())
        .annotate(_g=key)
        .values_list("_g")
        .annotate(n=Count("*"))
        .values_list("_g", "n")
    )
    own = root.path if root else None
    if root is not None and set(grouped) | set(late) <= {own}:
        by_grid = rates_by(orders, "grid", over=over)
        late_grid = dict(
            overdue(subtree_orders(actor, root).order_by())
            .values_list("grid_id")
            .annotate(n=Count("*"))
            .values_list("grid_id", "n")
        )
        grids = Grid.objects.filter(org=root).order_by("name")
        rows = [
            Row(g.pk, g.name, by_grid[g.pk], late_grid.get(g.pk, 0))
            for g in grids
            if g.pk in by_grid or g.pk in late_grid
        ]
        return rows, True
    paths = set(grouped) | set(late)
    orgs = {o.path: o for o in Organization.objects.filter(path__in=paths)}
    rows = []
    for path in sorted(paths):
        org = orgs.get(path)
        label = org.name if org else "其他"
        if path == own:
            label = f"{label}（本级）"
        figures = grouped.get(path) or empty()
        code = org.code if org and path != own else ""
        rows.append(Row(path, label, figures, late.get(path, 0), code))
    return rows, False


#: seconds a computed board is kept (``DANGJIAN_SERVICE_STATS_CACHE``; 0: never kept)
DEFAULT_CACHE_SECONDS = 300


def board(actor: Actor, root: Organization | None, first: dt.date, last: dt.date) -> Board:
    """The dashboard of ``root``'s subtree over the months ``first``..``last``, kept in the cache
    for a few minutes: at a city's root its grouped queries read a year of orders (seconds, see
    benchmarks/README.md), and the figures of organizations are the same for every viewer of that
    subtree (the key is the subtree, the months and the viewer's own scope). The overdue list of
    the page is read live."""
    seconds = int(getattr(settings, "DANGJIAN_SERVICE_STATS_CACHE", DEFAULT_CACHE_SECONDS))
    scope = scope_prefix(actor, Perm.SERVICE_VIEW)
    key = f"service-board:{scope}:{root.path if root else ''}:{first}:{last}"
    if seconds > 0:
        found = cache.get(key)
        if isinstance(found, Board):
            return found
    computed = _board(actor, root, first, last)
    if seconds > 0:
        cache.set(key, computed, seconds)
    return computed


def _found(
    rows: QuerySet[Any], keys: dict[str, Any], *, unique: bool = False
) -> list[tuple[Any, ...]]:
    """The counter columns of ``rows`` summed per combination of ``keys``, one grouped query:
    the keys, then :data:`COLUMNS` (read from the cursor as it comes on PostgreSQL, as
    :func:`~.stats.tally_sums` does). ``unique``: each combination is one row already (the
    subtree rows of the children, unique per organization, month, category and level), so the
    rows are read as they are, without a sort and 58 sums over them."""
    named = {f"_k_{name}": expr for name, expr in keys.items()}
    if unique:
        query = rows.order_by().annotate(**named).values_list(*named, *COLUMNS)
    else:
        sums = {f"_sum_{c}": Sum(c) for c in COLUMNS}
        query = (
            rows.order_by()
            .annotate(**named)
            .values(*named)
            .annotate(**sums)
            .values_list(*named, *sums)
            .order_by()
        )
    if connection.vendor == "postgresql":
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    return list(query)


def tree_cube(
    root: Organization | None, over: Over, *, grouped: bool = True
) -> dict[str, dict[Any, Rates]]:
    """The figures of ``root``'s subtree over ``over``'s months — overall (``all``), per month,
    category, level and child (its path; ``root``'s own orders under ``root``'s path) — from at
    most children × months × categories × levels rows: the subtree counters of the children
    (:class:`~dangjian.service.models.ServiceSubtreeTally`) and the village counters of
    ``root`` and its children themselves (without the grid). ``grouped=False``: the overall
    only, summed by the database (two rows come back instead of thousands)."""
    depth = root.depth if root else 0
    prefix = root.path if root else ""
    width = len(prefix) + Organization.steplen
    months = {"month__gte": over.first, "month__lte": over.last}
    own = ServiceTally.objects.filter(**months, org__depth__lte=depth + 1)
    above = ServiceSubtreeTally.objects.filter(**months, org__depth=depth + 1)
    if prefix:
        own = own.filter(org__path__startswith=prefix)
        above = above.filter(org__path__startswith=prefix)
    keys: dict[str, Any] = {
        "month": F("month"),
        "category": F("category"),
        "level": F("level"),
        "child": Left(F("org__path"), width),
    }
    if not grouped:
        # one constant key: no GROUP BY, each side summed to one row
        keys = {"all": Value(1)}
        found = _found(own, keys) + _found(above, keys)
    else:
        # a child's subtree rows: one per month, category and level (``service_subtree_cell``)
        found = _found(own, keys) + _found(above, keys, unique=True)
    weight = basic_weight()
    n_keys = len(keys)
    # the columns as one matrix (a few thousand rows × the counts and histogram buckets), summed
    # per group by numpy: the same sums as adding the rows one by one, without a Python loop
    # over every cell
    matrix = np.nan_to_num(
        np.array([r[n_keys:] for r in found], dtype=np.float64).reshape(len(found), len(COLUMNS))
    ).astype(np.int64)
    kept = matrix[:, COLUMNS.index("total")] != 0
    matrix = matrix[kept]
    labels = [r[:n_keys] for r, keep in zip(found, kept.tolist(), strict=True) if keep]
    columns = list(zip(*labels, strict=True)) if labels else [()] * n_keys
    out: dict[str, dict[Any, Rates]] = {}
    for position, name in enumerate(("all", *keys) if grouped else ("all",)):
        if name == "all":
            index: dict[Any, int] = {1: 0} if labels else {}
            groups = np.zeros(len(labels), dtype=np.int64)
        else:
            column = columns[position - 1]
            index = {value: i for i, value in enumerate(dict.fromkeys(column))}
            groups = np.array([index[value] for value in column], dtype=np.int64)
        # the rows of each group summed: sorted by group, then one reduceat over the runs
        summed = np.zeros((len(index), len(COLUMNS)), dtype=np.int64)
        if len(groups):
            order = np.argsort(groups, kind="stable")
            ordered = groups[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            summed[ordered[starts]] = np.add.reduceat(matrix[order], starts, axis=0)
        out[name] = {
            group: from_sums(dict(zip(COLUMNS, summed[i].tolist(), strict=True)), weight)
            for group, i in index.items()
        }
    return out


#: read the dashboard from the subtree counters (:func:`tree_cube`); ``False``: group the village
#: counters of the whole subtree (the same figures, kept to compare in the tests)
USE_TREE = True


def figures(
    actor: Actor, root: Organization | None, first: dt.date, last: dt.date
) -> dict[str, dict[Any, Rates]]:
    """The figures of ``root``'s subtree over the months ``first``..``last`` as the dashboard
    reads them: overall (``"all"``, key 1), per ``"month"``, ``"category"``, ``"level"`` and
    ``"child"`` (see :func:`tree_cube`) — from the subtree counters, else (the actor's scope
    inside ``root``) from the village counters of the scope; when the actor sees none of it, from
    the orders (without ``"child"``: :func:`children_rows` groups them)."""
    over = over_of(actor, root, first, last)
    if over is not None and USE_TREE and over.prefix == (root.path if root else ""):
        return tree_cube(root, over)
    if over is not None:
        return tally_rates(
            over,
            {
                "all": Value(1),
                "month": F("month"),
                "category": F("category"),
                "level": F("level"),
                "child": _child_key(root),
            },
        )
    orders = period_orders(actor, root, first, last)
    return {
        "all": {1: rates_all(orders)},
        "month": rates_by(orders, "month"),
        "category": rates_by(orders, "category"),
        "level": rates_by(orders, "level"),
    }


def period_rates(actor: Actor, root: Organization | None, first: dt.date, last: dt.date) -> Rates:
    """The figures of ``root``'s whole subtree over the months ``first``..``last`` (see
    :func:`figures`): what the counters hold, the same counts as :func:`~.stats.rates` over
    :func:`period_orders`. The overall alone, summed by the database where the subtree counters
    answer."""
    over = over_of(actor, root, first, last)
    if over is not None and USE_TREE and over.prefix == (root.path if root else ""):
        return tree_cube(root, over, grouped=False)["all"].get(1) or empty()
    return figures(actor, root, first, last)["all"].get(1) or empty()


def _board(actor: Actor, root: Organization | None, first: dt.date, last: dt.date) -> Board:
    orders = period_orders(actor, root, first, last)
    over = over_of(actor, root, first, last)
    cube = figures(actor, root, first, last)
    overall = cube["all"].get(1) or empty()
    month_rates, cat_rates, levels = cube["month"], cube["category"], cube["level"]
    child = cube.get("child")
    by_month = {_month_key(k): v for k, v in month_rates.items()}
    months = []
    month = first
    while month <= last:
        months.append(Row(month, f"{month.year}-{month.month:02d}", by_month.get(month) or empty()))
        month = add_months(month, 1)
    cats = sorted(cat_rates.items(), key=lambda kv: -kv[1].total)
    children, are_grids = children_rows(actor, root, orders, child, over)
    return Board(
        root=root,
        first=first,
        last=last,
        overall=Row("", "合计", overall, sum(r.overdue for r in children)),
        months=months,
        categories=[Row(k, _category_label(k), v) for k, v in cats],
        levels=[Row(v, label, levels[v]) for v, label in Level.choices if v in levels],
        children=children,
        children_are_grids=are_grids,
        overdue_total=sum(r.overdue for r in children),
    )


# --- how figures read ----------------------------------------------------------------------------


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def hours(value: float | None, approx: bool = False) -> str:
    if value is None:
        return "—"
    about = "约 " if approx else ""
    return f"{about}{value:.1f} 小时" if value < 48 else f"{about}{value / 24:.1f} 天"


def interval_text(rate: Any) -> str:
    interval = rate.interval
    return f"{pct(interval[0])} ～ {pct(interval[1])}" if interval else ""


#: the columns of a row of figures, as the page, the workbook and the PDF show them
HEADERS = [
    "点单数",
    "响应率",
    "响应率95%区间",
    "解决率",
    "解决率95%区间",
    "满意率",
    "满意率95%区间",
    "已评价",
    "重新办理率",
    "响应用时中位数",
    "响应用时第90百分位",
    "解决用时中位数",
    "解决用时第90百分位",
]


def cells(r: Rates) -> list[str | int]:
    """A row of figures as text (see :data:`HEADERS`)."""
    assert r.respond_time is not None and r.resolve_time is not None and r.reopen is not None
    return [
        r.total,
        pct(r.response.value),
        interval_text(r.response),
        pct(r.resolution.value),
        interval_text(r.resolution),
        pct(r.satisfaction.value),
        interval_text(r.satisfaction),
        r.satisfaction.n,
        pct(r.reopen.value),
        hours(r.respond_time.median, r.respond_time.approx),
        hours(r.respond_time.p90, r.respond_time.approx),
        hours(r.resolve_time.median, r.resolve_time.approx),
        hours(r.resolve_time.p90, r.resolve_time.approx),
    ]


def ratio(rate: Any) -> float | None:
    """A rate as a percentage with one decimal (charts), ``None`` without data."""
    value = rate.value
    return None if value is None else round(value * 100, 1)
