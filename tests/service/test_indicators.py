"""The service indicators of the assessment registry: 三率 per organization over the window,
summed up the tree, with their explanation; usable in a standard's YAML."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.assess.indicators import IndicatorContext, compute_all
from dangjian.assess.standard import parse_standard
from dangjian.service import services as s
from dangjian.service.models import Order
from tests.assess.test_standard import MINIMAL

START, END, AT = dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 10)
NAMES = ["service_response_rate", "service_resolution_rate", "service_satisfaction_rate"]


def _resolved(place, rating):
    order = s.order_submit(
        grid=place.grid, category="roads", description="村口路灯不亮了", phone="13800001111"
    )
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已修复")
    s.order_rate(order=order, rating=rating)
    return order


def test_service_indicators(place):
    _resolved(place, "satisfied")
    _resolved(place, "basic")
    s.order_submit(  # 西坑: waiting, not responded
        grid=place.other_grid, category="roads", description="西坑村水管破了", phone="13800002222"
    )
    old = s.order_submit(
        grid=place.grid, category="roads", description="去年的事情不算", phone="13800003333"
    )
    Order.objects.filter(pk=old.pk).update(submitted_at=dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    ctx = IndicatorContext(
        org_ids=[place.town.pk, place.village.pk, place.other.pk],
        prefix=place.town.path,
        start=START,
        end=END,
        at=AT,
    )
    values = compute_all(ctx, NAMES)
    east = values["service_satisfaction_rate"][place.village.pk]
    assert east.value == pytest.approx(1.9 / 2)
    assert east.evidence["rule"] == "SERVICE-RATES"
    assert (east.evidence["numerator"], east.evidence["denominator"]) == (1.9, 2)
    assert "满意率 95.0%" in east.display and "已评价 2 件" in east.display
    # the town sums its villages: 3 orders, 2 responded in time
    town = values["service_response_rate"][place.town.pk]
    assert (town.evidence["numerator"], town.evidence["denominator"]) == (2, 3)
    assert town.evidence["orders"] == 3
    west = values["service_satisfaction_rate"][place.other.pk]
    assert west.value is None and west.display.startswith("无数据：")
    assert values["service_response_rate"][place.other.pk].value == 0.0
    assert values["service_resolution_rate"][place.village.pk].value == 1.0


def test_usable_in_a_standard():
    text = MINIMAL.replace(
        "indicator: life_compliance_rate", "indicator: service_satisfaction_rate"
    )
    std = parse_standard(text)
    assert "service_satisfaction_rate" in std.indicators()
