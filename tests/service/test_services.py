"""The order's state machine: every transition, the refused ones, scope, concurrency, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import Level, OrderState
from dangjian.service.models import Order, OrderEvent

PHONE = "13812345678"


def submit(grid, **kw):
    data = {"category": "environment", "description": "楼道垃圾三天没人清运", "phone": PHONE}
    data.update(kw)
    return s.order_submit(grid=grid, **data)


def test_submit_encrypts_the_phone_and_records_the_first_event(place):
    order = submit(place.grid)
    assert order.state == OrderState.SUBMITTED and len(order.tracking_code) == 10
    raw = Order.objects.filter(pk=order.pk).values_list("phone_cipher", flat=True)[0]
    assert PHONE.encode() not in bytes(raw)
    assert order.phone_masked == "138****5678" and order.phone == PHONE
    assert order.handler_org == place.village and order.level == Level.VILLAGE
    assert [e.kind for e in order.events.all()] == ["submit"]
    entry = AuditEntry.objects.get(object_type="service_order", object_id=str(order.pk))
    assert entry.action == "service.order.submit" and "群众" in entry.actor_name


def test_submit_reports_every_problem_at_once_and_writes_nothing(place):
    with pytest.raises(ValidationError) as exc:
        submit(place.grid, category="nope", description="短", phone="123")
    assert set(exc.value.message_dict) == {"category", "description", "phone"}
    assert "至少 5 个字" in exc.value.message_dict["description"][0]
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_a_town_category_goes_to_the_town(place):
    order = submit(place.grid, category="complex")
    assert order.handler_org == place.town and order.level == Level.TOWN


def test_the_whole_closed_loop(place):
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已联系保洁清运")
    s.order_rate(order=order, rating="satisfied", comment="很及时")
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.closed_at and order.responded_at
    kinds = [(e.kind, e.from_state, e.to_state) for e in order.events.all()]
    assert kinds == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("take", "dispatched", "taken"),
        ("resolve", "taken", "resolved"),
        ("rate", "resolved", "closed"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="service_order").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(f"service.order.{k}" for k, _f, _t in kinds)


@pytest.mark.parametrize(
    "step",
    ["take", "resolve", "rate", "dispatch", "close", "reopen"],
)
def test_illegal_transitions_from_submitted_are_refused_in_chinese(place, step):
    order = submit(place.grid)
    calls = {
        "take": lambda: s.order_take(actor=place.worker, order=order),
        "resolve": lambda: s.order_resolve(actor=place.worker, order=order, result="x"),
        "rate": lambda: s.order_rate(order=order, rating="satisfied"),
        "dispatch": lambda: s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid),
        "close": lambda: s.order_close(actor=place.dispatcher, order=order),
        "reopen": lambda: s.order_reopen(order=order, note="没修好"),
    }
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        calls[step]()
    assert "当前为“待受理”，不能" in exc.value.messages[0]
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert order.events.count() == 1 and AuditEntry.objects.count() == before


def test_refuse_needs_a_reason_and_an_explanation(place):
    order = submit(place.grid)
    with pytest.raises(ValidationError):
        s.order_refuse(actor=place.dispatcher, order=order, reason="bogus", note="x")
    with pytest.raises(ValidationError) as exc:
        s.order_refuse(actor=place.dispatcher, order=order, reason="not_ours", note="")
    assert "理由" in exc.value.messages[0]
    s.order_refuse(actor=place.dispatcher, order=order, reason="not_ours", note="属物业管理范围")
    order.refresh_from_db()
    assert order.state == OrderState.REFUSED and order.events.last().note.startswith(
        "不属于受理范围"
    )
    with pytest.raises(ValidationError):
        s.order_accept(actor=place.dispatcher, order=order)


def test_merge_a_duplicate(place):
    first = submit(place.grid)
    dup = submit(place.grid)
    with pytest.raises(ValidationError):
        s.order_merge(actor=place.dispatcher, order=dup, into=dup)
    s.order_merge(actor=place.dispatcher, order=dup, into=first)
    dup.refresh_from_db()
    assert dup.state == OrderState.MERGED and dup.merged_into == first
    other = submit(place.other_grid)
    with pytest.raises(ValidationError):
        s.order_merge(actor=place.outsider, order=other, into=first)


def test_another_subtree_cannot_act_and_nothing_changes(place):
    order = submit(place.grid)
    with pytest.raises(PermissionDenied):
        s.order_accept(actor=place.outsider, order=order)
    with pytest.raises(PermissionDenied):
        s.order_accept(actor=place.worker, order=order)  # a grid worker does not dispatch
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED and order.events.count() == 1


def test_only_the_grids_workers_take_and_one_wins(place):
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    stale = Order.objects.get(pk=order.pk)
    with pytest.raises(PermissionDenied):
        s.order_take(actor=place.dispatcher, order=order)  # not a worker of the grid
    s.order_take(actor=place.worker, order=order)
    with pytest.raises(ValidationError) as exc:
        s.order_take(actor=place.worker2, order=stale)
    assert "已被" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        s.order_resolve(actor=place.worker2, order=order, result="做完了")
    assert Order.objects.get(pk=order.pk).assignee == place.worker


def test_a_stale_read_loses_to_the_first_write(place):
    order = submit(place.grid)
    stale = Order.objects.get(pk=order.pk)
    s.order_accept(actor=place.dispatcher, order=order)
    stale.state = OrderState.SUBMITTED
    with pytest.raises(ValidationError):
        s._move(actor=place.dispatcher, order=stale, kind="accept", to_state="accepted")
    assert OrderEvent.objects.filter(order=order, kind="accept").count() == 1


def test_escalation_climbs_the_ladder(place):
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    with pytest.raises(ValidationError):
        s.order_escalate(actor=place.dispatcher, order=order, reason="")
    s.order_escalate(actor=place.dispatcher, order=order, reason="涉及两个村")
    order.refresh_from_db()
    assert order.level == Level.AREA and order.handler_org == place.village
    s.order_escalate(actor=place.dispatcher, order=order, reason="片区协调不了")
    order.refresh_from_db()
    assert order.level == Level.TOWN and order.handler_org == place.town
    assert order.state == OrderState.ACCEPTED and order.escalation_count == 2
    with pytest.raises(PermissionDenied):  # the village no longer holds it
        s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_dispatch(actor=place.town_admin, order=order, assignee=place.worker)
    s.order_take(actor=place.worker, order=order)
    assert Order.objects.get(pk=order.pk).state == OrderState.TAKEN


def test_a_grid_without_area_goes_straight_to_the_town(place):
    order = submit(place.plain)
    s.order_escalate(actor=place.dispatcher, order=order, reason="专业问题")
    order.refresh_from_db()
    assert order.level == Level.TOWN and order.responded_at is not None


def _resolved(place):
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    return s.order_resolve(actor=place.worker, order=order, result="已处理")


def test_unsatisfied_reopens_within_the_window_only(place, clock):
    order = _resolved(place)
    s.order_rate(order=order, rating="unsatisfied", comment="还是有垃圾")
    order.refresh_from_db()
    assert order.state == OrderState.RATED
    s.order_reopen(order=order, note="还是有垃圾")
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and order.reopen_count == 1
    assert order.rating == "" and order.resolved_at is None
    order = s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="再次清运")
    s.order_rate(order=order, rating="unsatisfied")
    clock.move_to(dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as exc:
        s.order_reopen(order=order, note="还是不行")
    assert "超过重新办理期限" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        s.order_close(actor=place.dispatcher, order=order, note="")
    s.order_close(actor=place.dispatcher, order=order, note="已上门解释")
    assert Order.objects.get(pk=order.pk).state == OrderState.CLOSED


def test_satisfied_cannot_be_rated_twice_nor_reopened(place):
    order = _resolved(place)
    s.order_rate(order=order, rating="basic")
    with pytest.raises(ValidationError):
        s.order_rate(order=order, rating="unsatisfied")
    with pytest.raises(ValidationError):
        s.order_reopen(order=order, note="x")


def test_an_unrated_resolved_order_closes_after_the_window(place, clock):
    order = _resolved(place)
    with pytest.raises(ValidationError) as exc:
        s.order_close(actor=place.dispatcher, order=order)
    assert "期满后方可归档" in exc.value.messages[0]
    clock.move_to(dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC))
    s.order_close(actor=place.dispatcher, order=order)
    assert Order.objects.get(pk=order.pk).state == OrderState.CLOSED


def test_late_actions_are_allowed_and_marked(place, clock):
    order = submit(place.grid, category="safety")  # 2 hours to respond
    clock.move_to(dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC))  # 14:00 Shanghai
    s.order_accept(actor=place.dispatcher, order=order)
    event = order.events.get(kind="accept")
    assert event.late is True


def test_grid_workers_must_belong_to_the_village(place):
    from dangjian.accounts.scope import SYSTEM

    with pytest.raises(ValidationError) as exc:
        s.grid_create(actor=SYSTEM, org=place.village, name="第三网格", workers=[place.outsider])
    assert "workers" in exc.value.message_dict
    with pytest.raises(ValidationError):
        s.grid_create(actor=SYSTEM, org=place.village, name="第一网格")
    with pytest.raises(PermissionDenied):
        s.grid_create(actor=place.outsider, org=place.village, name="第四网格")
