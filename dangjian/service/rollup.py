"""The monthly service counters (:class:`~dangjian.service.models.ServiceTally`), kept by every
write of an order in the write's own transaction, rebuilt and checked from the orders.

An order *contributes* to exactly one row — its village, grid, category, handling level and the
month it was submitted (local time) — a set of ones: the counts of
:data:`~dangjian.service.models.TALLY_COUNTS` it meets (the same conditions as
:data:`dangjian.service.stats.COUNTS`) and the bucket of its time to the first response and to the
resolution. A write subtracts the order's contribution as it was loaded and adds the one it has
now, so the counters stay exact whatever the write (reopening, escalation to another level,
a merge, another grid):

- a new order (``post_save`` with ``created``) adds its contribution;
- a deleted order (``post_delete``) takes its contribution away;
- a transition (:data:`~dangjian.service.signals.order_moved`, sent inside the transaction at the
  end of ``services._move``) and any other ``save()`` move it by the difference with the values
  the instance was loaded with (kept by ``post_init``). An instance loaded without those fields
  (``only()``/``defer()``) has no such snapshot: then the order's village and month are counted
  again from their orders (a few dozen orders, exact as well).

An organization moved in the tree (:func:`org_moved`, a hook of
:func:`dangjian.orgs.services.org_moved`, in the move's transaction) carries what is counted under
it from the subtree rows of its old ancestors to those of the new ones.

Writes that bypass the models (a ``COPY`` load, ``QuerySet.update`` of these fields outside
``_move``) are repaired by ``dangjian rollups rebuild``; ``dangjian rollups check`` lists any
difference. The rebuild counts with the very function the writes use (:func:`contribution`),
streaming the orders village by village.

**Times.** The histograms have the log-spaced buckets of
:data:`~dangjian.service.models.TIME_EDGES_MINUTES` (5 minutes … 60 days). A median or a 90th
percentile read from them (:func:`bucket_percentile`) is interpolated linearly inside the bucket
holding its rank: it is exact to the width of that bucket (under an hour for times under two hours,
within 25–50 % of the value above), and the page shows it as 约 (approximately).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from dangjian.core.rollup import add_to_rows
from dangjian.orgs.models import Organization

from .choices import OrderState, Rating
from .models import (
    RESOLVE_BUCKETS,
    RESPOND_BUCKETS,
    TALLY_COUNTS,
    TIME_EDGES_MINUTES,
    Order,
    ServiceSubtreeTally,
    ServiceTally,
)
from .signals import order_moved

#: the fields of an order its contribution depends on
FIELDS = (
    "org_id",
    "grid_id",
    "category",
    "level",
    "submitted_at",
    "state",
    "responded_at",
    "response_due",
    "result",
    "rating",
    "reopen_count",
    "resolved_at",
)
#: every counter column of a row
COLUMNS = TALLY_COUNTS + RESPOND_BUCKETS + RESOLVE_BUCKETS
KEY = ("org_id", "grid_id", "category", "level", "month")
#: the key of a :class:`~dangjian.service.models.ServiceSubtreeTally` row
SUBTREE_KEY = ("org_id", "month", "category", "level")

_EDGES_SECONDS = tuple(m * 60 for m in TIME_EDGES_MINUTES)
_RESOLVED_STATES = (OrderState.RESOLVED, OrderState.RATED, OrderState.CLOSED)
_SNAPSHOT = "_tally_was"

Key = tuple[int, int, str, str, dt.date]
Contribution = tuple[Key, tuple[str, ...]]
SubKey = tuple[int, dt.date, str, str]


def month_of(at: dt.datetime) -> dt.date:
    """The first day of the local month of ``at``."""
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    return local.date().replace(day=1)


def bucket(seconds: float) -> int:
    """The index of the histogram bucket of a time in seconds (upper edges exclusive)."""
    return bisect.bisect_right(_EDGES_SECONDS, seconds)


def contribution(v: dict[str, Any]) -> Contribution:
    """The row an order with the values ``v`` (:data:`FIELDS`) counts in and the columns it adds
    one to."""
    state = v["state"]
    merged = state == OrderState.MERGED
    responded_at, resolved_at = v["responded_at"], v["resolved_at"]
    ones = ["total"]
    if not merged:
        ones.append("valid")
        if responded_at is not None and responded_at <= v["response_due"]:
            ones.append("responded")
        if state != OrderState.REFUSED:
            ones.append("accepted")
    if state in _RESOLVED_STATES and v["result"] != "":
        ones.append("resolved")
    rating = v["rating"]
    if rating != "":
        ones.append("rated")
        if rating == Rating.SATISFIED:
            ones.append("satisfied")
        elif rating == Rating.BASIC:
            ones.append("basic")
    if v["reopen_count"] > 0:
        ones.append("reopened")
    if resolved_at is not None or v["reopen_count"] > 0:
        ones.append("ever_resolved")
    submitted = v["submitted_at"]
    if responded_at is not None and not merged:
        ones.append(RESPOND_BUCKETS[bucket((responded_at - submitted).total_seconds())])
    if resolved_at is not None:
        ones.append(RESOLVE_BUCKETS[bucket((resolved_at - submitted).total_seconds())])
    key = (v["org_id"], v["grid_id"], v["category"], v["level"], month_of(submitted))
    return key, tuple(ones)


def _values(order: Order) -> dict[str, Any] | None:
    loaded = order.__dict__
    if any(f not in loaded for f in FIELDS):
        return None
    return {f: loaded[f] for f in FIELDS}


def _apply(key: Key, delta: dict[str, int]) -> None:
    delta = {k: d for k, d in delta.items() if d}
    if not delta:
        return
    where = dict(zip(KEY, key, strict=True))
    changes = {k: F(k) + d for k, d in delta.items()}
    if ServiceTally.objects.filter(**where).update(**changes):
        return
    try:
        with transaction.atomic():
            ServiceTally.objects.create(**where, **delta)
    except IntegrityError:  # created meanwhile by another write of the same cell
        ServiceTally.objects.filter(**where).update(**changes)


def _move(old: Contribution | None, new: Contribution | None) -> None:
    if old == new:
        return
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if old is not None:
        for name in old[1]:
            deltas[old[0]][name] -= 1
    if new is not None:
        for name in new[1]:
            deltas[new[0]][name] += 1
    for key, delta in deltas.items():
        _apply(key, delta)
    _apply_above(deltas)


def ancestor_ids(org_id: int) -> list[int]:
    """The organizations above ``org_id`` (its path's prefixes), root first; two queries."""
    path = Organization.objects.filter(pk=org_id).values_list("path", flat=True).first()
    if not path:
        return []
    step = Organization.steplen
    prefixes = [path[:i] for i in range(step, len(path), step)]
    return list(
        Organization.objects.filter(path__in=prefixes).order_by("path").values_list("pk", flat=True)
    )


def _apply_above(deltas: dict[Key, dict[str, int]]) -> None:
    """Add the changes of village rows to the :class:`ServiceSubtreeTally` rows of every
    organization above each village (one ``INSERT … ON CONFLICT`` for all of them)."""
    above: dict[SubKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ancestors: dict[int, list[int]] = {}
    for (org_id, _grid, cat, level, month), delta in deltas.items():
        if not any(delta.values()):
            continue
        if org_id not in ancestors:
            ancestors[org_id] = ancestor_ids(org_id)
        for a in ancestors[org_id]:
            cell = above[(a, month, cat, level)]
            for name, d in delta.items():
                cell[name] += d
    if above:
        add_to_rows(ServiceSubtreeTally, ("org", "month", "category", "level"), above)


def _remember(order: Order) -> None:
    order.__dict__[_SNAPSHOT] = _values(order)


def order_changed(order: Order, *, created: bool = False) -> None:
    """Move the counters by the difference the order's write made (see the module docstring)."""
    now = _values(order)
    if created:
        if now is not None:
            _move(None, contribution(now))
        _remember(order)
        return
    was = order.__dict__.get(_SNAPSHOT)
    if was is None or now is None:
        recount(order.org_id, month_of(order.submitted_at))
    else:
        _move(contribution(was), contribution(now))
    _remember(order)


# --- the receivers (registered in ServiceConfig.ready) ----------------------------------------


def _loaded(sender: Any, instance: Order, **kwargs: Any) -> None:
    if instance.pk is not None:
        _remember(instance)


def _saved(sender: Any, instance: Order, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures: ``rollups rebuild`` counts them
        return
    order_changed(instance, created=created)


def _moved(sender: Any, order: Order, **kwargs: Any) -> None:
    order_changed(order)


def _deleted(sender: Any, instance: Order, **kwargs: Any) -> None:
    was = instance.__dict__.get(_SNAPSHOT) or _values(instance)
    if was is None:
        recount(instance.org_id, month_of(instance.submitted_at))
    else:
        _move(contribution(was), None)


def connect() -> None:
    post_init.connect(_loaded, sender=Order, dispatch_uid="service-tally-init")
    post_save.connect(_saved, sender=Order, dispatch_uid="service-tally-save")
    post_delete.connect(_deleted, sender=Order, dispatch_uid="service-tally-delete")
    order_moved.connect(_moved, dispatch_uid="service-tally-moved")


# --- an organization moved in the tree ------------------------------------------------------------


def org_moved(org_id: int, old_path: str, new_path: str) -> None:
    """The move hook of :func:`dangjian.orgs.services.org_moved` (in the move's transaction):
    the orders counted under the moved organization — its subtree rows (the villages strictly
    below it) and its own village rows — leave the subtree rows of the organizations above its
    old place and join those above the new one (the organizations above both do not change).
    The village rows themselves are keyed by organization, not path: they stay as they are.

    The moved organization's rows are locked first (``SELECT … FOR UPDATE`` in key order), so
    an order written below it meanwhile either commits before the totals are read or waits for
    the move and then reads the new ancestors."""
    from dangjian.orgs.rollups import ancestor_paths, ids_by_path

    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    leaving = [ids[p] for p in old if p in ids]
    joining = [ids[p] for p in new if p in ids]
    common = set(leaving) & set(joining)
    leaving = [a for a in leaving if a not in common]
    joining = [a for a in joining if a not in common]
    if not leaving and not joining:
        return
    totals: dict[tuple[dt.date, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    below = ServiceSubtreeTally.objects.select_for_update().filter(org_id=org_id)
    own = ServiceTally.objects.select_for_update().filter(org_id=org_id)
    for rows in (below.order_by("month", "category", "level"), own.order_by("pk")):
        for r in rows.values_list("month", "category", "level", *COLUMNS):
            cell = totals[(r[0], r[1], r[2])]
            for column, n in zip(COLUMNS, r[3:], strict=True):
                if n:
                    cell[column] += n
    deltas: dict[SubKey, dict[str, int]] = {}
    for (month, cat, level), cell in totals.items():
        for ancestors, sign in ((leaving, -1), (joining, 1)):
            for a in ancestors:
                deltas[(a, month, cat, level)] = {c: sign * n for c, n in cell.items()}
    add_to_rows(ServiceSubtreeTally, ("org", "month", "category", "level"), deltas)


# --- rebuild and check --------------------------------------------------------------------------


def _counted(rows: Iterable[dict[str, Any]]) -> dict[Key, dict[str, int]]:
    cells: dict[Key, dict[str, int]] = {}
    for v in rows:
        key, ones = contribution(v)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = defaultdict(int)
        for name in ones:
            cell[name] += 1
    return cells


def _orders(org_path: str | None) -> Any:
    orders = Order.objects.order_by()
    if org_path:
        orders = orders.filter(org__path__startswith=org_path)
    return orders


def _by_village(org_path: str | None) -> Iterator[tuple[int, dict[Key, dict[str, int]]]]:
    """Each village's counted cells, streaming its orders (memory: one village at a time)."""
    rows = _orders(org_path).order_by("org_id").values(*FIELDS).iterator(chunk_size=10000)
    current: int | None = None
    batch: list[dict[str, Any]] = []
    for v in rows:
        if v["org_id"] != current:
            if batch:
                yield current, _counted(batch)  # type: ignore[misc]
            current, batch = v["org_id"], []
        batch.append(v)
    if batch:
        yield current, _counted(batch)  # type: ignore[misc]


def _row(key: Key, cell: dict[str, int]) -> ServiceTally:
    return ServiceTally(**dict(zip(KEY, key, strict=True)), **{c: cell.get(c, 0) for c in COLUMNS})


def recount(org_id: int, month: dt.date) -> None:
    """Count one village's month again from its orders (the fallback of :func:`order_changed`)."""
    start = timezone.make_aware(dt.datetime.combine(month, dt.time()))
    following = (month + dt.timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(dt.datetime.combine(following, dt.time()))
    rows = Order.objects.order_by().filter(
        org_id=org_id, submitted_at__gte=start, submitted_at__lt=end
    )
    cells = _counted(rows.values(*FIELDS))
    stored = ServiceTally.objects.filter(org_id=org_id, month=month)
    change: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in stored.values(*KEY, *COLUMNS):
        for c in COLUMNS:
            change[tuple(r[k] for k in KEY)][c] -= r[c]  # type: ignore[index]
    for key, cell in cells.items():
        for c, n in cell.items():
            change[key][c] += n
    stored.delete()
    ServiceTally.objects.bulk_create([_row(k, c) for k, c in cells.items()])
    _apply_above(change)


def _tallies(org_path: str | None) -> Any:
    rows = ServiceTally.objects.order_by()
    if org_path:
        rows = rows.filter(org__path__startswith=org_path)
    return rows


def _write(
    cells: list[tuple[Any, dict[str, int]]],
    model: type[ServiceTally] | type[ServiceSubtreeTally] = ServiceTally,
    key: tuple[str, ...] = KEY,
) -> None:
    """Insert counted rows: ``COPY`` on PostgreSQL (a city's rebuild writes a million rows of
    seventy columns; ``bulk_create`` spends most of the rebuild binding their parameters)."""
    if connection.vendor != "postgresql":
        maker: Any = model
        maker.objects.bulk_create(
            [
                maker(**dict(zip(key, k, strict=True)), **{c: cell.get(c, 0) for c in COLUMNS})
                for k, cell in cells
            ]
        )
        return
    names = [*key, *COLUMNS]
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[n]) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for key, cell in cells:
                copy.write_row([*key, *(cell.get(c, 0) for c in COLUMNS)])


def rebuild(org: Any = None) -> int:
    """Count the orders of ``org``'s subtree (everything by default) again; the rows written."""
    path = org.path if org is not None else None
    written = 0
    with transaction.atomic():
        _tallies(path).delete()
        pending: list[tuple[Key, dict[str, int]]] = []
        for _village, cells in _by_village(path):
            pending.extend(cells.items())
            if len(pending) >= 20000:
                _write(pending)
                written += len(pending)
                pending = []
        _write(pending)
        written += len(pending)
        written += rebuild_above(path)
    return written


def _paths() -> dict[int, str]:
    return dict(Organization.objects.values_list("pk", "path"))


def _to_above(
    rows: Iterable[tuple[int, dt.date, str, str, dict[str, int]]], paths: dict[int, str]
) -> dict[SubKey, dict[str, int]]:
    """Village cells (org, month, category, level, counts) summed into the cells of every
    organization above each village."""
    step = Organization.steplen
    id_of = {p: i for i, p in paths.items()}
    out: dict[SubKey, dict[str, int]] = {}
    for org_id, month, cat, level, cell in rows:
        path = paths.get(org_id, "")
        for end in range(step, len(path), step):
            a = id_of.get(path[:end])
            if a is None:
                continue
            acc = out.get((a, month, cat, level))
            if acc is None:
                acc = out[(a, month, cat, level)] = defaultdict(int)
            for c, n in cell.items():
                if n:
                    acc[c] += n
    return out


def _village_sums(prefix: str | None) -> Iterator[tuple[int, dt.date, str, str, dict[str, int]]]:
    sums = {f"_sum_{c}": Sum(c) for c in COLUMNS}
    rows = (
        _tallies(prefix)
        .values("org_id", "month", "category", "level")
        .annotate(**sums)
        .order_by()
        .values_list("org_id", "month", "category", "level", *sums)
    )
    for r in rows.iterator(chunk_size=10000):
        yield r[0], r[1], r[2], r[3], dict(zip(COLUMNS, r[4:], strict=True))


def rebuild_above(path: str | None) -> int:
    """Sum the :class:`ServiceSubtreeTally` rows again from the village rows: those of the whole
    tree that holds ``path`` (its root's ancestors' rows depend on every village of the tree)."""
    top = path[: Organization.steplen] if path else None
    rows = ServiceSubtreeTally.objects.order_by()
    if top:
        rows = rows.filter(org__path__startswith=top)
    rows.delete()
    cells = _to_above(_village_sums(top), _paths())
    _write(list(cells.items()), ServiceSubtreeTally, SUBTREE_KEY)
    return len(cells)


def _stored(org_path: str | None) -> Iterator[tuple[Key, dict[str, int]]]:
    for r in _tallies(org_path).values(*KEY, *COLUMNS).iterator(chunk_size=10000):
        key = tuple(r[k] for k in KEY)
        yield key, {c: r[c] for c in COLUMNS if r[c]}  # type: ignore[misc]


def differences(org: Any = None) -> list[str]:
    """Where the counters of ``org``'s subtree differ from a count of the orders, as lines of
    text (empty when they agree); rows of zeros count as absent."""
    path = org.path if org is not None else None
    expected: dict[Key, dict[str, int]] = {}
    for _village, cells in _by_village(path):
        for key, cell in cells.items():
            expected[key] = {c: n for c, n in cell.items() if n}
    paths = _paths()
    village = [(k[0], k[4], k[2], k[3], cell) for k, cell in expected.items()]
    found: list[str] = []
    for key, stored in _stored(path):
        want = expected.pop(key, {})
        if stored != want:
            found.append(_line(key, stored, want))
    for key, want in expected.items():
        found.append(_line(key, {}, want))
    above = _to_above(village, paths)
    if path:
        above = {k: v for k, v in above.items() if paths.get(k[0], "").startswith(path)}
    stored_above = ServiceSubtreeTally.objects.order_by()
    if path:
        stored_above = stored_above.filter(org__path__startswith=path)
    for r in stored_above.values(*SUBTREE_KEY, *COLUMNS).iterator(chunk_size=10000):
        sub = tuple(r[k] for k in SUBTREE_KEY)
        stored = {c: r[c] for c in COLUMNS if r[c]}
        want = {c: n for c, n in above.pop(sub, {}).items() if n}  # type: ignore[call-overload]
        if stored != want:
            found.append(_line_above(sub, stored, want))  # type: ignore[arg-type]
    for sub2, want in above.items():
        want = {c: n for c, n in want.items() if n}
        if want:
            found.append(_line_above(sub2, {}, want))
    return found


def _label(column: str) -> str:
    if column in RESPOND_BUCKETS:
        return f"响应用时第 {RESPOND_BUCKETS.index(column) + 1} 档"
    if column in RESOLVE_BUCKETS:
        return f"解决用时第 {RESOLVE_BUCKETS.index(column) + 1} 档"
    return str(getattr(ServiceTally._meta.get_field(column), "verbose_name", column))


def _line(key: Key, stored: dict[str, int], want: dict[str, int]) -> str:
    org_id, grid_id, cat, level, month = key
    names = [c for c in COLUMNS if stored.get(c, 0) != want.get(c, 0)]
    diff = "，".join(
        f"{_label(n)}汇总 {stored.get(n, 0)} 件、按工单 {want.get(n, 0)} 件" for n in names
    )
    where = f"组织 {org_id} 网格 {grid_id} 类别 {cat} 层级 {level} {month:%Y-%m}"
    return f"服务工单按月汇总（{where}）：{diff}"


def _line_above(key: SubKey, stored: dict[str, int], want: dict[str, int]) -> str:
    org_id, month, cat, level = key
    names = [c for c in COLUMNS if stored.get(c, 0) != want.get(c, 0)]
    diff = "，".join(
        f"{_label(n)}汇总 {stored.get(n, 0)} 件、按下辖村汇总 {want.get(n, 0)} 件" for n in names
    )
    where = f"组织 {org_id} 类别 {cat} 层级 {level} {month:%Y-%m}"
    return f"服务工单按月汇总·下辖合计（{where}）：{diff}"


def bucket_percentile(hist: list[int], fraction: float) -> float | None:
    """The percentile (seconds) of the times counted in ``hist`` (the buckets of
    :data:`~dangjian.service.models.TIME_EDGES_MINUTES`): the rank of PostgreSQL's
    ``percentile_cont``, (n − 1)·fraction, located in its bucket and interpolated linearly
    inside it (the bucket's counts taken as evenly spread); exact to the bucket's width. In the
    last, open bucket: its lower edge."""
    n = sum(hist)
    if n == 0:
        return None
    target = (n - 1) * fraction
    seen = 0
    for i, count in enumerate(hist):
        if count and target < seen + count:
            low = TIME_EDGES_MINUTES[i - 1] if i else 0
            if i == len(TIME_EDGES_MINUTES):
                return float(low * 60)
            high = TIME_EDGES_MINUTES[i]
            share = min(1.0, max(0.0, (target - seen + 0.5) / count))
            return (low + (high - low) * share) * 60.0
        seen += count
    return float(TIME_EDGES_MINUTES[-1] * 60)
