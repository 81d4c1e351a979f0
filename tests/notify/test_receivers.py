"""Inbox messages from the transitions of an order (signal ``order_moved``)."""

from __future__ import annotations

import pytest

from dangjian.notify import receivers
from dangjian.notify.models import Delivery, Kind, Message
from dangjian.service import services as s
from dangjian.service.choices import Level, OrderState
from dangjian.service.models import Order

from .conftest import at, submit

T0 = at(2026, 11, 2, 9, 0)


def mine(user, kind=None):
    messages = Message.objects.filter(user=user)
    return messages.filter(kind=kind) if kind else messages


def dispatched(place, grid=None, **kw):
    order = submit(grid or place.grid, T0)
    order = s.order_accept(actor=place.dispatcher, order=order)
    return s.order_dispatch(actor=place.dispatcher, order=order, grid=grid or place.grid, **kw)


def resolved(place):
    order = dispatched(place)
    order = s.order_take(actor=place.worker, order=order)
    return s.order_resolve(actor=place.worker, order=order, result="已清运并消毒")


def test_dispatch_to_a_grid_tells_each_worker_once_and_not_the_dispatcher(place):
    order = dispatched(place)
    for worker in (place.worker, place.worker2):
        message = mine(worker).get()
        assert message.kind == Kind.ASSIGNED and message.order == order
        assert order.tracking_code in message.subject and "环境卫生" in message.subject
        assert message.link == f"/fuwu/orders/{order.pk}/" and message.read_at is None
    assert not mine(place.dispatcher, Kind.ASSIGNED).exists()
    # every message is recorded for the log channel (the default sender)
    assert Delivery.objects.filter(channel="log", message__kind=Kind.ASSIGNED).count() == 2


def test_a_new_order_is_announced_to_the_dispatchers_of_its_village(place, login):
    order = submit(place.grid, T0)
    message = mine(place.dispatcher).get()
    assert message.kind == Kind.SUBMITTED and message.order == order
    assert "新工单待受理" in message.subject and "11月03日 09:00" in message.subject
    assert message.created_at == T0
    assert not mine(place.town_admin).exists() and not mine(place.worker).exists()
    body = login(place.dispatcher).get("/xiaoxi/?tab=assigned").content.decode()
    assert "新工单待受理" in body


def test_a_town_level_order_is_announced_to_the_town(place):
    submit(place.grid, T0, category="complex")
    assert mine(place.town_admin, Kind.SUBMITTED).count() == 1
    assert not mine(place.dispatcher).exists()


def test_dispatch_to_a_person_tells_only_that_person(place):
    order = submit(place.grid, T0)
    order = s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, assignee=place.worker2)
    assert mine(place.worker2, Kind.ASSIGNED).count() == 1
    assert not mine(place.worker).exists()


def test_escalation_tells_the_dispatchers_of_the_new_level(place):
    order = submit(place.plain, T0)  # a grid in no 片区: the village escalates to the town
    order = s.order_escalate(actor=place.dispatcher, order=order, reason="涉及两个村")
    assert order.level == Level.TOWN
    message = mine(place.town_admin).get()
    assert message.kind == Kind.ESCALATED and "乡镇" in message.subject
    assert not mine(place.dispatcher, Kind.ESCALATED).exists()  # nobody is told of their own action
    assert not mine(place.outsider).exists()


def test_the_village_secretary_not_the_town_is_told_at_the_village(place):
    order = submit(place.grid, T0)
    order = s.order_escalate(actor=place.town_admin, order=order, reason="片区统筹")
    assert order.level == Level.AREA and order.handler_org == place.village
    assert mine(place.dispatcher, Kind.ESCALATED).count() == 1
    assert not mine(place.town_admin).exists()


def test_unsatisfied_rating_tells_the_resolver_and_the_dispatchers(place):
    order = resolved(place)
    s.order_rate(order=order, rating="unsatisfied", comment="还是很脏")
    assert "不满意" in mine(place.worker, Kind.RATED).get().subject
    assert mine(place.dispatcher, Kind.RATED).count() == 1
    assert not mine(place.worker2, Kind.RATED).exists()


def test_a_satisfied_rating_tells_only_the_resolver(place):
    order = resolved(place)
    s.order_rate(order=order, rating="satisfied")
    assert "满意" in mine(place.worker, Kind.RATED).get().subject
    assert not mine(place.dispatcher, Kind.RATED).exists()


def test_reopening_tells_the_dispatchers_and_the_resolver(place):
    order = resolved(place)
    order = s.order_rate(order=order, rating="unsatisfied")
    s.order_reopen(order=order, note="第二天又堆满了")
    assert mine(place.dispatcher, Kind.REOPENED).count() == 1
    assert mine(place.worker, Kind.REOPENED).count() == 1


def test_the_same_event_twice_makes_one_message(place):
    order = dispatched(place)
    event = order.events.get(kind="dispatch")
    receivers.moved(order, "dispatch", place.dispatcher, event.at)
    assert mine(place.worker).count() == 1 and mine(place.worker2).count() == 1


def test_a_failing_receiver_never_breaks_the_transition(place, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(receivers, "message_send", broken)
    order = dispatched(place)
    assert Order.objects.get(pk=order.pk).state == OrderState.DISPATCHED
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_database_error_rolls_back_only_its_savepoint(place, monkeypatch):
    from dangjian.notify import services as notify_services

    real = notify_services.Message.objects.create

    def clash(**kwargs):
        real(**kwargs)
        return real(**kwargs)  # the same dedup key twice: an IntegrityError in the receiver

    monkeypatch.setattr(notify_services.Message.objects, "create", clash)
    order = dispatched(place)
    assert Order.objects.get(pk=order.pk).state == OrderState.DISPATCHED
