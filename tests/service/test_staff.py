"""The staff pages: the overview, the dispatcher's queue, the grid worker's list, an order with
its history; every action a POST through the services; 403/404 outside; Chinese only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import EventKind, OrderState
from dangjian.service.models import Order
from tests.assess.test_chinese_only import english_words


def _order(place, grid=None, text="村口路灯不亮了"):
    return s.order_submit(
        grid=grid or place.grid, category="roads", description=text, phone="13800001111"
    )


def _post(client, name, order, action=None, **data):
    args = [order.pk, action] if action else [order.pk]
    return client.post(reverse(f"service:{name}", args=args), data)


def test_pages_render_for_the_right_roles(place, login):
    order = _order(place)
    other = _order(place, place.other_grid, "西坑村水管破了")
    d = login(place.dispatcher)
    queue = d.get(reverse("service:queue")).content.decode()
    assert order.tracking_code in queue and other.tracking_code not in queue
    page = d.get(reverse("service:order", args=[order.pk])).content.decode()
    assert "村口路灯不亮了" in page and "138****1111" in page and "13800001111" not in page
    assert "受理" in page and "不予受理" in page and "查看完整电话" in page
    assert d.get(reverse("service:order", args=[other.pk])).status_code == 404
    assert _post(d, "decide", other, "accept").status_code == 404
    assert Order.objects.get(pk=other.pk).state == OrderState.SUBMITTED
    # a grid worker has no queue and no dispatcher's actions
    w = login(place.worker)
    assert w.get(reverse("service:queue")).status_code == 403
    assert "受理和派发服务工单" in w.get(reverse("service:queue")).content.decode()
    assert _post(w, "decide", order, "accept").status_code == 403
    assert w.get(reverse("service:mine")).status_code == 200
    # the town sees both villages in its overview
    t = login(place.town_admin)
    overview = t.get(reverse("service:index")).content.decode()
    assert "响应率" in overview and "解决率" in overview and "满意率" in overview
    assert "群众点单 2 件" in overview


def test_each_action_changes_state_and_writes_the_history(place, login):
    order = _order(place)
    dup = _order(place, text="村口的路灯坏了")
    d = login(place.dispatcher)
    r = _post(d, "decide", order, "accept", note="马上安排")
    assert r.status_code == 302 and r["Location"] == reverse("service:order", args=[order.pk])
    r = _post(d, "decide", dup, "merge", into=order.tracking_code.lower())
    assert r.status_code == 302
    assert Order.objects.get(pk=dup.pk).state == OrderState.MERGED
    r = _post(d, "decide", order, "dispatch", target=f"grid:{place.grid.pk}")
    assert r.status_code == 302
    w = login(place.worker)
    mine = w.get(reverse("service:mine")).content.decode()
    assert order.tracking_code in mine
    assert _post(w, "work", order, "take").status_code == 302
    # the other worker of the grid is told, nothing written
    r = _post(login(place.worker2), "work", order, "take")
    assert r.status_code == 400 and "已被" in r.content.decode()
    r = _post(w, "work", order, "resolve", result="")
    assert r.status_code == 400 and "请写明办理结果" in r.content.decode()
    assert _post(w, "work", order, "resolve", result="已更换灯泡").status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED and order.result == "已更换灯泡"
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.SUBMIT,
        EventKind.ACCEPT,
        EventKind.DISPATCH,
        EventKind.TAKE,
        EventKind.RESOLVE,
    ]
    history = d.get(reverse("service:order", args=[order.pk])).content.decode()
    assert "办理经过（5）" in history and "已更换灯泡" in history and "马上安排" in history


def test_refuse_escalate_and_dispatch_to_a_person(place, login):
    d = login(place.dispatcher)
    a, b, c = _order(place), _order(place, text="路灯还是不亮"), _order(place, place.plain)
    r = _post(d, "decide", a, "refuse", reason="not_ours")
    assert r.status_code == 400 and "请向群众说明不予受理的理由" in r.content.decode()
    assert Order.objects.get(pk=a.pk).state == OrderState.SUBMITTED
    assert _post(d, "decide", a, "refuse", reason="not_ours", note="属供电公司").status_code == 302
    assert Order.objects.get(pk=a.pk).state == OrderState.REFUSED
    r = _post(d, "decide", a, "accept")
    assert r.status_code == 400 and "不能受理" in r.content.decode()
    r = _post(d, "decide", b, "escalate", reason="需要片区协调")
    assert r.status_code == 302
    assert Order.objects.get(pk=b.pk).level == "area"
    _post(d, "decide", c, "accept")
    r = _post(d, "decide", c, "dispatch", target="")
    assert r.status_code == 400 and "请选择派往的网格或承办人" in r.content.decode()
    r = _post(d, "decide", c, "dispatch", target=f"user:{place.worker2.pk}")
    assert r.status_code == 302
    assert Order.objects.get(pk=c.pk).assignee_id == place.worker2.pk
    assert _post(d, "decide", c, "nonsense").status_code == 404


def test_the_full_phone_only_to_the_current_handler_and_audited(place, login):
    order = _order(place)
    d = login(place.dispatcher)
    before = AuditEntry.objects.filter(action="service.order.view_phone").count()
    r = _post(d, "phone", order)
    assert r.status_code == 200 and "13800001111" in r.content.decode()
    assert AuditEntry.objects.filter(action="service.order.view_phone").count() == before + 1
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    # now the worker holds it: the dispatcher no longer sees the full number
    assert _post(d, "phone", order).status_code == 403
    w = login(place.worker)
    assert "查看完整电话" in w.get(reverse("service:order", args=[order.pk])).content.decode()
    assert "13800001111" in _post(w, "phone", order).content.decode()
    assert _post(login(place.worker2), "phone", order).status_code == 403


def test_the_overview_lists_overdue_orders(place, login):
    order = _order(place)
    Order.objects.filter(pk=order.pk).update(
        resolution_due=timezone.now() - dt.timedelta(days=1),
        response_due=timezone.now() - dt.timedelta(days=2),
    )
    page = login(place.town_admin).get(reverse("service:index")).content.decode()
    assert "超时未办结的工单（1）" in page and order.tracking_code in page


@pytest.mark.parametrize("who", ["dispatcher", "worker", "town_admin"])
def test_pages_are_in_chinese(place, login, who):
    for n, user in enumerate((place.worker, place.worker2, place.dispatcher, place.town_admin)):
        user.display_name = f"张{'一二三四'[n]}"
        user.save(update_fields=["display_name"])
    order = _order(place)
    s.order_accept(actor=place.dispatcher, order=order, note="好的")
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    client = login(getattr(place, who))
    urls = [reverse("service:index"), reverse("service:order", args=[order.pk])]
    if who != "worker":
        urls.append(reverse("service:queue"))
    else:
        urls.append(reverse("service:mine"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_words(response.content.decode()) == [], url


def test_navigation_shows_the_service_entry(place, login):
    home = login(place.worker).get(reverse("service:mine")).content.decode()
    assert reverse("service:index") in home and "为民服务" in home
