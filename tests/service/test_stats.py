"""三率 on a small fixture: each figure with its counts."""

from __future__ import annotations

import pytest

from dangjian.service import services as s
from dangjian.service.models import Order
from dangjian.service.selectors import orders_for, overdue
from dangjian.service.stats import rates


def submit(grid):
    return s.order_submit(
        grid=grid, category="environment", description="路灯坏了好几天", phone="13900001111"
    )


def resolve(place, order, rating):
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已修复")
    if rating:
        s.order_rate(order=order, rating=rating)


def test_three_rates(place):
    for rating in ("satisfied", "satisfied", "basic", "unsatisfied", ""):
        resolve(place, submit(place.grid), rating)
    refused = submit(place.grid)
    s.order_refuse(actor=place.dispatcher, order=refused, reason="not_ours", note="物业负责")
    dup = submit(place.grid)
    s.order_merge(actor=place.dispatcher, order=dup, into=refused)
    submit(place.grid)  # waiting
    r = rates(orders_for(place.dispatcher))
    assert r.total == 8
    assert (r.response.numerator, r.response.n) == (6, 7)
    assert (r.resolution.numerator, r.resolution.n) == (5, 6)
    assert r.satisfaction.n == 4
    assert r.satisfaction.value == pytest.approx((2 + 0.9) / 4)
    assert "0.9 × 基本满意 1 件" in r.satisfaction.counts
    assert r.satisfaction.interval is not None


def test_scope_and_overdue(place, clock):
    import datetime as dt

    mine = submit(place.grid)
    submit(place.other_grid)
    assert list(orders_for(place.dispatcher)) == [mine]
    assert orders_for(place.town_admin).count() == 2
    assert not overdue(orders_for(place.town_admin)).exists()
    clock.move_to(dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC))  # past 24 h
    assert overdue(orders_for(place.town_admin)).count() == 2
    s.order_accept(actor=place.dispatcher, order=mine)
    assert list(overdue(orders_for(place.town_admin))) == [Order.objects.exclude(pk=mine.pk).get()]


def test_reopen_rate_and_times_over_one_queryset(place):
    from dangjian.service.stats import rates_all

    order = submit(place.grid)
    resolve(place, order, "unsatisfied")
    s.order_reopen(order=Order.objects.get(pk=order.pk), note="还是不亮")
    resolve(place, submit(place.grid), "satisfied")
    submit(place.grid)  # waiting
    r = rates_all(orders_for(place.dispatcher))
    assert (r.reopen.numerator, r.reopen.n) == (1, 2)
    assert r.reopen.counts == "重新办理 1 件 ÷ 办理过 2 件"
    # the reopened order is open again: only the other one has a resolution time
    assert r.respond_time.n == 2 and r.resolve_time.n == 1
    assert r.resolve_time.median is not None and r.resolve_time.median >= 0
