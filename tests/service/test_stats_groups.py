"""Grouped figures: each group equals the single computation over its orders; times (median,
p90) on known data; the reopen rate."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Value

from dangjian.service import services as s
from dangjian.service.models import Order
from dangjian.service.selectors import orders_for
from dangjian.service.stats import percentile, rates, rates_all, rates_by, town_orgs

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def submit(grid, category="environment"):
    return s.order_submit(
        grid=grid, category=category, description="路灯坏了好几天", phone="13900001111"
    )


def _random_orders(place, seed):
    """A mix of orders in every state over the place's three grids, changed straight in the
    table (the figures read columns only)."""
    rnd = random.Random(seed)
    grids = [place.grid, place.plain, place.other_grid]
    states = ["submitted", "accepted", "taken", "resolved", "rated", "closed", "refused", "merged"]
    for _ in range(60):
        order = submit(rnd.choice(grids), rnd.choice(["environment", "elderly"]))
        state = rnd.choice(states)
        responded = START + dt.timedelta(hours=rnd.randint(1, 48))
        resolved = responded + dt.timedelta(hours=rnd.randint(1, 200))
        Order.objects.filter(pk=order.pk).update(
            submitted_at=START,
            response_due=START + dt.timedelta(hours=24),
            state=state,
            level=rnd.choice(["village", "town"]),
            responded_at=None if state == "submitted" else responded,
            resolved_at=resolved if state in ("resolved", "rated", "closed") else None,
            result="已办" if state in ("resolved", "rated", "closed") else "",
            rating=rnd.choice(["satisfied", "basic", "unsatisfied"])
            if state in ("rated", "closed")
            else "",
            reopen_count=rnd.choice([0, 0, 0, 1]) if state != "submitted" else 0,
        )


@pytest.mark.parametrize("key,field", [("grid", "grid_id"), ("village", "org_id"),
                                       ("level", "level"), ("category", "category")])  # fmt: skip
def test_grouped_equals_single(place, key, field):
    _random_orders(place, seed=13)
    orders = orders_for(place.town_admin)
    grouped = rates_by(orders, key)
    values = set(orders.values_list(field, flat=True))
    assert set(grouped) == values
    for value in values:
        single = rates(orders.filter(**{field: value}))
        got = grouped[value]
        assert got.total == single.total
        for a, b in zip(got.three, single.three, strict=True):
            assert (a.numerator, a.n, a.counts) == (b.numerator, b.n, b.counts)
        assert (got.reopen.numerator, got.reopen.n) == (single.reopen.numerator, single.reopen.n)
        alone = rates_all(orders.filter(**{field: value}))
        assert got.respond_time == alone.respond_time
        assert got.resolve_time == alone.resolve_time


def test_town_grouping(place):
    _random_orders(place, seed=5)
    grouped = rates_by(orders_for(place.town_admin), "town")
    assert set(grouped) == {place.town.path}
    assert town_orgs(grouped)[place.town.path] == place.town
    assert grouped[place.town.path].total == 60


def test_scope(place):
    _random_orders(place, seed=7)
    mine = rates_by(orders_for(place.dispatcher), "village")
    assert set(mine) == {place.village.pk}


def test_times_known_data(place):
    hours = [1, 2, 3, 4, 10]  # response; resolution = 10 × that
    for h in hours:
        order = submit(place.grid)
        Order.objects.filter(pk=order.pk).update(
            submitted_at=START,
            state="closed",
            result="已办",
            responded_at=START + dt.timedelta(hours=h),
            resolved_at=START + dt.timedelta(hours=10 * h),
        )
    order = submit(place.grid)  # waiting: no times
    Order.objects.filter(pk=order.pk).update(submitted_at=START)
    r = rates_all(orders_for(place.dispatcher))
    assert r.respond_time.n == 5 and r.resolve_time.n == 5
    assert r.respond_time.median == pytest.approx(3, abs=1e-3)
    # p90 of 1,2,3,4,10: rank 0.9 × 4 = 3.6 → 4 + 0.6 × (10 − 4)
    assert r.respond_time.p90 == pytest.approx(7.6, abs=1e-3)
    assert r.resolve_time.median == pytest.approx(30, abs=1e-2)
    assert r.resolve_time.p90 == pytest.approx(76, abs=1e-2)


def test_percentile():
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0], 0.5) == 1.5


def test_reopen_rate(place):
    orders = []
    for _ in range(4):
        order = submit(place.grid)
        s.order_accept(actor=place.dispatcher, order=order)
        s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
        s.order_take(actor=place.worker, order=order)
        s.order_resolve(actor=place.worker, order=order, result="已修复")
        orders.append(order)
    s.order_rate(order=orders[0], rating="unsatisfied")
    s.order_reopen(order=Order.objects.get(pk=orders[0].pk), note="没修好")
    submit(place.grid)  # never resolved: not in the denominator
    r = rates(orders_for(place.dispatcher))
    assert (r.reopen.numerator, r.reopen.n) == (1, 4)
    assert rates_by(orders_for(place.dispatcher), Value(1))[1].reopen.value == 0.25


def test_rates_without_times(place):
    _random_orders(place, seed=3)
    orders = orders_for(place.town_admin)
    full, bare = rates_by(orders, "grid"), rates_by(orders, "grid", times=False)
    assert set(full) == set(bare)
    for key, r in full.items():
        assert [x.numerator for x in r.three] == [x.numerator for x in bare[key].three]
        assert bare[key].respond_time.n == 0
