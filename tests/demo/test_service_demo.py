"""The demo's service orders: grids in the demo town, orders in every state, deterministic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers
from dangjian.demo.accounts import demo_nodes
from dangjian.demo.seed import seed_database
from dangjian.demo.service import seed_demo_service
from dangjian.service.choices import OrderState
from dangjian.service.models import Grid, Order, OrderAttachment, OrderEvent
from dangjian.service.selectors import overdue


@pytest.mark.django_db
def test_demo_orders_in_every_state():
    seed_database(tier="tiny", seed=42, progress=False)
    today = timezone.localdate()
    *teams, line = seed_demo_service(today, seed=42)
    assert len(teams) == 1 and "红色志愿服务队" in teams[0]  # tests/demo/test_service_teams_demo.py
    assert "建立网格" in line and "dw_admin" in line
    town = demo_nodes()["town"]
    assert Grid.objects.exists()
    assert all(g.org.path.startswith(town.path) for g in Grid.objects.all())
    states = set(Order.objects.values_list("state", flat=True))
    assert set(OrderState.values) <= states, set(OrderState.values) - states
    assert Order.objects.filter(escalation_count__gt=0).exists()
    assert Order.objects.filter(reopen_count__gt=0).exists()
    assert overdue(Order.objects.all()).exists()
    assert not OrderEvent.objects.filter(at__gt=timezone.now()).exists()  # nothing in the future
    # a duplicate is merged into an order still in force (a demo of any size: the target of a
    # merge is never an order merged or refused itself, which the services refuse)
    merged = Order.objects.filter(state=OrderState.MERGED).select_related("merged_into")
    assert merged.exists()
    assert all(o.merged_into.state not in (OrderState.MERGED, OrderState.REFUSED) for o in merged)
    # the summary names each state with its count, in the order of the states
    first, *_ = [s for s in OrderState if Order.objects.filter(state=s).exists()]
    count = Order.objects.filter(state=first).count()
    assert f"（{first.label}：{count} 件；" in line
    worker = Grid.objects.order_by("pk").first().workers.get()
    assert covers(worker, Perm.SERVICE_HANDLE, worker.org.path)
    # a year of orders, the older ones mostly closed; a few results with a photo
    first_day = Order.objects.order_by("submitted_at").values_list("submitted_at", flat=True)[0]
    assert (today - timezone.localdate(first_day)).days > 300
    old = Order.objects.filter(submitted_at__lt=timezone.now() - dt.timedelta(days=90))
    assert old.filter(state=OrderState.CLOSED).count() > old.count() // 2
    photos = OrderAttachment.objects.select_related("order")
    assert photos.exists() and all(p.order.result and p.content_type == "image/png" for p in photos)
    assert seed_demo_service(today, seed=42) == []  # once
