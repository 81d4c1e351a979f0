"""The monthly service counters (:mod:`dangjian.service.rollup`): random write sequences through
the services keep them equal to a rebuild from the orders, and the figures read from them equal
the figures read from the orders (rates exactly, times to a bucket's width)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Value

from dangjian.accounts.scope import SYSTEM
from dangjian.service import rollup
from dangjian.service import services as s
from dangjian.service.models import TIME_EDGES_MINUTES, Order, ServiceTally
from dangjian.service.stats import Over, percentile, rates_by

SEED = 20261206
SEQUENCES = 10
STEPS = 40
CATEGORIES = ["roads", "safety", "utilities"]
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Rolled(Exception):
    """Leaves a sequence's transaction (rolled back)."""


def _open(state: str | tuple[str, ...]) -> list[Order]:
    states = (state,) if isinstance(state, str) else state
    return list(Order.objects.filter(state__in=states).order_by("pk"))


class World:
    def __init__(self, rng: random.Random, place: Any, clock: Any) -> None:
        self.rng, self.place, self.clock, self.phones = rng, place, clock, 0
        self.also: list[str] = []  # the writes a step made after its first

    def later(self) -> None:
        # from minutes to weeks, so every bucket and several months are met
        minutes = self.rng.choice([1, 7, 40, 200, 900, 3000, 12000])
        self.clock.shift(dt.timedelta(minutes=minutes * self.rng.uniform(0.5, 1.5)))

    def pick(self, *states: str, fits: Callable[[Order], bool] = lambda o: True) -> Order | None:
        found = [o for o in _open(states) if fits(o)]
        return self.rng.choice(found) if found else None


def submit(w: World) -> str:
    w.phones += 1
    grid = w.rng.choice([w.place.grid, w.place.grid, w.place.plain, w.place.other_grid])
    s.order_submit(
        grid=grid,
        category=w.rng.choice(CATEGORIES),
        description="路灯不亮了，麻烦看看",
        phone=f"1380000{w.phones:04d}",
    )
    return "点单"


def _resolve_rate_reopen(w: World, order: Order) -> None:
    """办结, then often 评价 at once, and after 不满意 often 重新办理 (the chain is long)."""
    order = s.order_resolve(actor=w.place.worker, order=order, result="已上门处理")
    if w.rng.random() < 0.7:
        w.later()
        rating = w.rng.choice(["satisfied", "basic", "unsatisfied"])
        order = s.order_rate(order=order, rating=rating)
        w.also.append("评价")
        if rating == "unsatisfied" and w.rng.random() < 0.7:
            w.later()
            s.order_reopen(order=order, note="过了两天又坏了")
            w.also.append("重新办理")


def _dispatch_onwards(w: World, order: Order) -> None:
    """派单, and on the first grid (its worker) often 接单 and 办结 onwards at once."""
    order = s.order_dispatch(actor=SYSTEM, order=order, grid=order.grid)
    if order.grid_id == w.place.grid.pk and w.rng.random() < 0.8:
        w.later()
        order = s.order_take(actor=w.place.worker, order=order)
        w.also.append("接单")
        if w.rng.random() < 0.7:
            w.later()
            _resolve_rate_reopen(w, order)
            w.also.append("办结")


def _step(
    states: tuple[str, ...],
    name: str,
    fn: Callable[[World, Order], Any],
    fits: Callable[[Order], bool] = lambda o: True,
) -> Any:
    def run(w: World) -> str:
        order = w.pick(*states, fits=fits)
        if order is None:
            return submit(w)
        fn(w, order)
        return name

    return run


STEPS_DRAWN: list[Callable[[World], str]] = [
    submit,
    submit,
    _step(("submitted",), "受理", lambda w, o: s.order_accept(actor=SYSTEM, order=o)),
    _step(
        ("submitted",),
        "不予受理",
        lambda w, o: s.order_refuse(
            actor=SYSTEM, order=o, reason="not_ours", note="不属于本村职责，已告知办理渠道"
        ),
    ),
    _step(
        ("submitted",),
        "合并",
        lambda w, o: s.order_merge(
            actor=SYSTEM,
            order=o,
            into=Order.objects.exclude(pk=o.pk).filter(org_id=o.org_id).order_by("pk").first() or o,
        ),
    ),
    _step(
        ("submitted", "accepted"),
        "上报",
        lambda w, o: s.order_escalate(actor=SYSTEM, order=o, reason="需要上级协调处理"),
    ),
    _step(
        ("accepted",),
        "派单",
        lambda w, o: _dispatch_onwards(w, o),
    ),
    _step(
        ("dispatched",),
        "接单",
        lambda w, o: s.order_take(actor=w.place.worker, order=o),
        lambda o: o.dispatched_grid_id == o.grid_id and o.grid.name == "第一网格",
    ),
    _step(
        ("taken",),
        "办结",
        lambda w, o: _resolve_rate_reopen(w, o),
    ),
    _step(
        ("taken",),
        "办结",
        lambda w, o: _resolve_rate_reopen(w, o),
    ),
    _step(
        ("resolved",),
        "评价",
        lambda w, o: s.order_rate(
            order=o, rating=w.rng.choice(["satisfied", "basic", "unsatisfied"])
        ),
    ),
    _step(("rated", "resolved"), "重新办理", lambda w, o: s.order_reopen(order=o, note="又坏了")),
    _step(("rated", "resolved"), "办结归档", lambda w, o: s.order_close(actor=SYSTEM, order=o)),
]


@pytest.mark.django_db(transaction=False)
def test_random_writes_keep_the_counters_equal_to_a_rebuild(place, clock):
    rng = random.Random(SEED)
    met: set[str] = set()
    for seq in range(SEQUENCES):
        clock.move_to(START)
        done: list[str] = []
        try:
            with transaction.atomic():
                w = World(rng, place, clock)
                for _ in range(STEPS):
                    w.later()
                    try:
                        with transaction.atomic():
                            done.append(rng.choice(STEPS_DRAWN)(w))
                            done.extend(w.also)
                            w.also.clear()
                    except (ValidationError, PermissionDenied) as refused:
                        done.append(f"（被拒：{refused}）")
                found = rollup.differences()
                assert not found, f"序列 {seq}：{done}：{found[:5]}"
                met.update(done)
                raise Rolled
        except Rolled:
            pass
    # the draws did meet every kind of write that moves a contribution
    assert {"点单", "受理", "不予受理", "合并", "上报", "办结", "评价", "重新办理"} <= met, met


def test_a_snapshotless_instance_and_a_bypass_are_repaired(place, clock):
    order = s.order_submit(
        grid=place.grid, category="roads", description="小区井盖松动了", phone="13800001111"
    )
    clock.shift(dt.timedelta(hours=2))
    bare = Order.objects.only("pk", "state", "tracking_code").get(pk=order.pk)
    bare.category = "safety"
    bare.save(update_fields=["category"])  # no snapshot of the loaded values: recounted
    assert rollup.differences() == []
    Order.objects.filter(pk=order.pk).update(category="utilities")  # bypasses the counters
    found = rollup.differences()
    assert found and "点单数" in found[0]
    with pytest.raises(CommandError):
        call_command("rollups", "check")
    call_command("rollups", "rebuild")
    call_command("rollups", "check")
    assert ServiceTally.objects.get().category == "utilities"
    Order.objects.get(pk=order.pk).delete()
    assert rollup.differences() == []
    assert ServiceTally.objects.get().total == 0


def _edges(seconds: float) -> tuple[float, float]:
    minutes = seconds / 60
    low = 0.0
    for edge in TIME_EDGES_MINUTES:
        if minutes < edge:
            return low * 60, edge * 60
        low = edge
    return low * 60, float("inf")


@pytest.mark.django_db(transaction=False)
def test_the_counters_give_the_figures_of_the_orders(place, clock):
    rng = random.Random(SEED + 1)
    clock.move_to(START)
    w = World(rng, place, clock)
    for _ in range(160):
        w.later()
        try:
            with transaction.atomic():
                rng.choice(STEPS_DRAWN)(w)
        except (ValidationError, PermissionDenied):
            pass
    assert Order.objects.count() > 20
    months = sorted({rollup.month_of(o.submitted_at) for o in Order.objects.all()})
    over = Over(place.town.path, months[0], months[-1])
    orders = Order.objects.filter(org__path__startswith=place.town.path)
    keys: dict[str, Any] = {
        "grid": "grid",
        "village": "village",
        "level": "level",
        "category": "category",
        "all": Value(1),
        "child": F("org__path"),
    }
    timed = 0
    for name, key in keys.items():
        exact = rates_by(orders, key)
        counted = rates_by(orders, key, over=over)
        assert set(exact) == set(counted), name
        for group, r in exact.items():
            c = counted[group]
            for a, b in zip((*r.three, r.reopen), (*c.three, c.reopen), strict=True):
                assert (a.numerator, a.n) == (b.numerator, b.n), (name, group, a.label)
            assert r.total == c.total
            for end, dur, approx in (
                ("responded_at", r.respond_time, c.respond_time),
                ("resolved_at", r.resolve_time, c.resolve_time),
            ):
                assert dur.n == approx.n, (name, group, dur.label)
                if not dur.n:
                    continue
                assert approx.approx and not dur.approx
                timed += 1
                values = _times(orders, key, group, end)
                for q, got in ((0.5, approx.median), (0.9, approx.p90)):
                    pos = (len(values) - 1) * q
                    low, _ = _edges(values[int(pos)])
                    _, high = _edges(values[min(len(values) - 1, int(pos) + 1)])
                    exact_value = percentile(values, q)
                    assert exact_value is not None and got is not None
                    assert low <= got * 3600 <= high or abs(got * 3600 - exact_value) < 1e-6, (
                        name,
                        group,
                        dur.label,
                        q,
                    )
    assert timed > 10
    # the months: the counters key a month by its first day
    by_month = rates_by(orders, "month", over=over)
    assert sorted(by_month) == months
    assert sum(r.total for r in by_month.values()) == orders.count()


def _times(orders: Any, key: Any, group: Any, end: str) -> list[float]:
    from dangjian.service.stats import GROUPINGS, TIMES

    expr = GROUPINGS[key]() if isinstance(key, str) else key
    when = TIMES["respond" if end == "responded_at" else "resolve"][1]
    rows = orders.filter(when).annotate(_g=expr).values_list("_g", "submitted_at", end)
    return sorted((e - st).total_seconds() for g, st, e in rows if g == group)


def test_the_dashboard_reads_the_counters(place, clock):
    from dangjian.service.dashboard import _board, cells
    from dangjian.service.stats import rates_all

    clock.move_to(START)
    rng = random.Random(SEED + 2)
    w = World(rng, place, clock)
    for _ in range(60):
        w.later()
        try:
            with transaction.atomic():
                rng.choice(STEPS_DRAWN)(w)
        except (ValidationError, PermissionDenied):
            pass
    months = sorted({rollup.month_of(o.submitted_at) for o in Order.objects.all()})
    board = _board(place.town_admin, place.town, months[0], months[-1])
    exact = rates_all(Order.objects.filter(org__path__startswith=place.town.path))
    got = board.overall.rates
    assert got.total == exact.total > 0
    for a, b in zip(got.three, exact.three, strict=True):
        assert (a.numerator, a.n) == (b.numerator, b.n)
    assert {r.label for r in board.children} == {"东坑村党支部", "西坑村党支部"}
    assert sum(r.rates.total for r in board.children) == exact.total
    assert sum(r.rates.total for r in board.months) == exact.total
    shown = cells(got)
    assert got.respond_time is not None and got.respond_time.n
    assert str(shown[9]).startswith("约 ")  # the median time to respond, from the histogram
    # a village's board: per grid, from the counters too
    village = _board(place.town_admin, place.village, months[0], months[-1])
    assert village.children_are_grids
    assert sum(r.rates.total for r in village.children) == village.overall.rates.total
