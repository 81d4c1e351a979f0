"""The 服务统计 dashboard and the monthly bulletin: scoped, Chinese, the figures in the files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from dangjian.service import rollup
from dangjian.service import services as s
from dangjian.service.models import Order
from tests.assess.test_chinese_only import english_words


def _done(place, grid, rating="satisfied", text="村口路灯不亮了"):
    order = s.order_submit(grid=grid, category="roads", description=text, phone="13800001111")
    dispatcher = place.dispatcher if grid.org == place.village else place.outsider
    s.order_accept(actor=dispatcher, order=order)
    target = place.grid if grid.org == place.village else grid
    s.order_dispatch(actor=dispatcher, order=order, grid=target)
    order.refresh_from_db()
    if grid.org == place.village:
        s.order_take(actor=place.worker, order=order)
        s.order_resolve(actor=place.worker, order=order, result="已修复")
        s.order_rate(order=order, rating=rating)
    return order


@pytest.fixture
def orders(place):
    done = [_done(place, place.grid), _done(place, place.grid, "basic"), _done(place, place.plain)]
    waiting = s.order_submit(
        grid=place.other_grid, category="roads", description="西坑村水管破了", phone="13800002222"
    )
    old = s.order_submit(
        grid=place.grid, category="roads", description="去年的老问题还没办", phone="13800003333"
    )
    earlier = dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC)
    Order.objects.filter(pk=old.pk).update(
        submitted_at=earlier,
        response_due=earlier + dt.timedelta(hours=24),
        resolution_due=earlier + dt.timedelta(days=7),
    )
    rollup.rebuild()  # the backdating bypassed the writes that keep the monthly counters
    return done, waiting, old


def test_town_dashboard(place, login, orders, clock):
    _done_orders, waiting, old = orders
    clock.move_to(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))  # the waiting one is late now
    c = login(place.town_admin)
    r = c.get(reverse("service:stats"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "服务统计" in page and "东坑村党支部" in page and "西坑村党支部" in page
    assert "按月趋势" in page and 'data-source="month-chart"' in page and "echarts" in page
    # 5 orders: response 4 in time (old one late) … the overdue list has the old one first
    assert "群众点单 5 件" in page
    assert page.index(old.tracking_code) < page.index(waiting.tracking_code)
    assert "2026-10" in page and "2026-11" in page
    assert not english_words(page)


def test_child_drilldown_and_scope(place, login, orders):
    waiting = orders[1]
    c = login(place.town_admin)
    page = c.get(reverse("service:stats"), {"org": place.village.code}).content.decode()
    assert "第一网格" in page and "第二网格" in page  # a village: per grid
    assert waiting.tracking_code not in page
    d = login(place.dispatcher)
    assert d.get(reverse("service:stats"), {"org": place.other.code}).status_code == 404
    mine = d.get(reverse("service:stats")).content.decode()
    assert "西坑" not in mine and waiting.tracking_code not in mine
    assert d.get(reverse("service:stats"), {"month": "2026-13"}).status_code == 400
    assert d.get(reverse("service:stats"), {"month": "abc"}).status_code == 400
    assert d.get(reverse("service:stats_file", args=["doc"])).status_code == 400


def test_bulletin_files(place, login, orders):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    c = login(place.town_admin)
    x = c.get(reverse("service:stats_file", args=["xlsx"]), {"month": "2026-11"})
    assert x.status_code == 200 and "attachment" in x["Content-Disposition"]
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[:3] == ["按组织", "按类别", "按承办层级"]
    ws = wb["按组织"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert "为民服务月报（2026 年 11 月）" in rows[0][0]
    by_label = {r[0]: r for r in rows[3:]}
    east = by_label["东坑村党支部"]
    # November: 3 done in 东坑 (the late one is October's), 1 waiting in 西坑
    assert east[1] == 3
    assert east[6] == "96.7%" and east[7] == "43.9% ～ 100.0%"  # (2 + 0.9 × 1) ÷ 3, Wilson
    assert by_label["合计"][1] == 4
    pdf = c.get(reverse("service:stats_file", args=["pdf"]), {"month": "2026-11"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "为民服务月报" in text and "东坑村党支部" in text and "96.7%" in text
