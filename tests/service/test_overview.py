"""The 为民服务 overview's 三率: the last 12 calendar months (the current one included), read from
the monthly counters, the same figures as :func:`~dangjian.service.stats.rates` over the orders
submitted in that window — across a month's and a year's boundary in local time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from dangjian.core.clock import frozen
from dangjian.service import services as s
from dangjian.service.models import Order
from dangjian.service.stats import rates
from dangjian.service.views.staff import _rate_row
from tests.factories import make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _walk(place, grid, moment: dt.datetime, how: int, west_worker) -> Order:
    """An order submitted at ``moment`` (水电气暖: limits in calendar days, no holiday calendar
    needed) and taken as far as ``how`` says: 0 resolved in time and rated 满意, 1 responded late
    and rated 基本满意, 2 refused, 3 resolved and rated 不满意, 4 left waiting."""
    with frozen(moment):
        order = s.order_submit(
            grid=grid, category="utilities", description="村里停水两天了", phone="13800001111"
        )
    village = grid.org == place.village
    dispatcher = place.dispatcher if village else place.outsider
    worker = place.worker if village else west_worker
    if how == 4:
        return order
    responded = moment + dt.timedelta(hours=30 if how == 1 else 1)
    with frozen(responded):
        if how == 2:
            s.order_refuse(actor=dispatcher, order=order, reason="not_ours", note="属供电公司")
            return order
        s.order_accept(actor=dispatcher, order=order)
        s.order_dispatch(actor=dispatcher, order=order, assignee=worker)
    with frozen(responded + dt.timedelta(hours=2)):
        order.refresh_from_db()
        if order.state != "taken":
            s.order_take(actor=worker, order=order)
        s.order_resolve(actor=worker, order=order, result="已修好水管")
        rating = {0: "satisfied", 1: "basic", 3: "unsatisfied"}[how]
        s.order_rate(order=order, rating=rating)
    return order


CASES = [
    (
        "2026-01-15T18:00",
        "2025-02-01",
        ["2025-01-31T23:50"],  # the day before the window
        [
            "2025-02-01T00:10",
            "2025-06-30T23:50",
            "2025-07-01T00:10",
            "2025-12-31T23:50",  # the year's boundary: still in 2025 local time (15:50 UTC)
            "2026-01-01T00:05",
            "2026-01-15T08:00",
        ],
    ),
    (
        "2026-12-31T20:00",
        "2026-01-01",
        ["2025-12-31T23:50", "2025-12-01T09:00"],
        [
            "2026-01-01T00:05",
            "2026-06-30T23:59",
            "2026-07-01T00:01",
            "2026-11-30T23:50",
            "2026-12-01T00:10",
            "2026-12-31T12:00",
        ],
    ),
]


@pytest.mark.parametrize(("today", "first", "outside", "inside"), CASES)
def test_the_overview_reads_12_calendar_months_from_the_counters(
    place, login, clock, today, first, outside, inside
):
    clock.move_to(_at(today))
    grids = (place.grid, place.plain, place.other_grid)
    west = make_user(place.other, "grid_worker")
    for i, moment in enumerate(outside + inside):
        _walk(place, grids[i % 3], _at(moment), i % 5, west)
    window = Order.objects.filter(submitted_at__gte=_at(f"{first}T00:00"))
    since = f"{int(first[:4])}年{int(first[5:7])}月"
    assert window.count() == len(inside)  # every order outside the window is before it
    for viewer, orders in (
        (place.town_admin, window),
        (place.dispatcher, window.filter(org=place.village)),
    ):
        expected = rates(orders)
        assert expected.total == orders.count() > 0
        response = login(viewer).get(reverse("service:index"))
        assert response.status_code == 200
        assert response.context["total"] == expected.total
        assert response.context["rates"] == [_rate_row(r) for r in expected.three]
        page = response.content.decode()
        assert f"近 12 个月（{since}至今，群众点单 {expected.total} 件）" in page
        assert expected.satisfaction.n > 0 and expected.response.numerator < expected.response.n
