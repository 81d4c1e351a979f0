"""The resident's pages: order on a grid's page, follow, rate, reopen; errors and rate limit."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from dangjian.service import services as s
from dangjian.service.choices import OrderState
from dangjian.service.models import Order


def test_submit_then_track(place):
    c = Client()
    url = reverse("service:submit", args=[place.grid.token])
    page = c.get(url)
    assert page.status_code == 200 and "我要点单" in page.content.decode()
    bad = c.post(url, {"category": "", "description": "短", "phone": "12"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "请选择服务类别" in text and "联系电话格式错误" in text
    assert not Order.objects.exists()
    done = c.post(
        url,
        {"category": "roads", "description": "村口路灯不亮了", "phone": "13800001111"},
    )
    order = Order.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/t/{order.tracking_code}/")
    track = c.get(done["Location"]).content.decode()
    assert "待受理" in track and "13800001111" not in track and "138****1111" not in track


def test_rate_and_reopen_on_the_tracking_page(place):
    order = s.order_submit(
        grid=place.grid, category="roads", description="村口路灯不亮了", phone="13800001111"
    )
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已更换灯泡")
    c = Client()
    url = reverse("service:track", args=[order.tracking_code.lower()])
    assert "群众评单" in c.get(url).content.decode()
    r = c.post(url, {"action": "rate", "rating": "unsatisfied", "comment": "还是暗"})
    assert r.status_code == 302
    r = c.post(url, {"action": "reopen", "note": "晚上还是不亮"})
    assert r.status_code == 302
    assert Order.objects.get().state == OrderState.ACCEPTED


def test_unknown_links_and_floods(place, settings):
    c = Client()
    assert c.get(reverse("service:submit", args=["nope"])).status_code == 404
    assert c.get(reverse("service:track", args=["NOPE"])).status_code == 404
    settings.DANGJIAN_SERVICE_RATE_LIMITS = {"addr": (2, 600)}
    url = reverse("service:submit", args=[place.grid.token])
    data = {"category": "roads", "description": "村口路灯不亮了", "phone": "13800001111"}
    assert c.post(url, data).status_code == 302
    assert c.post(url, data).status_code == 302
    r = c.post(url, data)
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert Order.objects.count() == 2
