"""``/api/v1/service/``: orders (list, detail with history, transitions) and grids, for staff."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import OrderState
from dangjian.service.models import Grid, Order, OrderEvent
from tests.factories import make_user

PHONE = "13812345678"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[118.77, 27.52], [118.78, 27.52], [118.78, 27.53], [118.77, 27.52]]],
}


def submit(grid, **kw):
    data = {"category": "environment", "description": "楼道垃圾三天没人清运", "phone": PHONE}
    data.update(kw)
    return s.order_submit(grid=grid, **data)


@pytest.fixture
def svc(tree):
    village = tree["branch_a"]
    worker = make_user(village, "grid_worker", username="wangge1")
    worker2 = make_user(village, "grid_worker", username="wangge2")
    grid = s.grid_create(
        actor=SYSTEM, org=village, name="第一网格", households=120, workers=[worker, worker2]
    )
    other = s.grid_create(actor=SYSTEM, org=tree["branch_b"], name="乙网格")
    tree.update(wangge1=worker, wangge2=worker2)
    return SimpleNamespace(
        grid=grid, other=other, worker=worker, worker2=worker2, order=submit(grid)
    )


def _url(order, action=""):
    return f"/api/v1/service/orders/{order.pk}/" + (f"{action}/" if action else "")


def _written():
    """The history and the audit trail (tokens issued for the test's clients aside)."""
    audit = AuditEntry.objects.exclude(action__startswith="api.token")
    return OrderEvent.objects.count(), audit.count()


# --- the list -----------------------------------------------------------------------------------


def test_the_list_has_no_phone_and_only_the_own_subtree(tree, api, svc):
    theirs = submit(svc.other, description="乙社区路灯不亮了")
    response = api("admin_a").get("/api/v1/service/orders/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["tracking_code"] == svc.order.tracking_code
    assert row["state"] == "submitted" and row["state_label"] == "待受理"
    assert row["category_name"] == "环境卫生" or row["category_name"]
    text = response.content.decode()
    assert PHONE not in text and "138****5678" not in text and "phone" not in row
    assert theirs.tracking_code not in text
    # the root sees both
    assert api("admin").get("/api/v1/service/orders/").json()["count"] == 2


def test_the_list_filters(tree, api, svc):
    submit(svc.grid, category="roads", description="村口路面塌陷一个坑")
    client = api("inspector_a")
    assert client.get("/api/v1/service/orders/?category=roads").json()["count"] == 1
    assert client.get("/api/v1/service/orders/?state=submitted").json()["count"] == 2
    assert client.get("/api/v1/service/orders/?state=closed").json()["count"] == 0
    assert client.get(f"/api/v1/service/orders/?grid={svc.grid.pk}").json()["count"] == 2
    assert client.get(f"/api/v1/service/orders/?grid={svc.other.pk}").json()["count"] == 0
    assert client.get("/api/v1/service/orders/?overdue=1").json()["count"] == 0
    assert client.get("/api/v1/service/orders/?page_size=1").json()["next"]


def test_the_overdue_filter_follows_the_clock(tree, api, svc, clock):
    clock.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=2))  # past the 24-hour response
    assert api("inspector_a").get("/api/v1/service/orders/?overdue=1").json()["count"] == 1


@pytest.mark.parametrize(
    "query,param",
    [
        ("state=lost", "state"),
        ("category=nope", "category"),
        ("grid=abc", "grid"),
        ("grid=0", "grid"),
        ("overdue=maybe", "overdue"),
        ("org=../x", "org"),
    ],
)
def test_a_bad_filter_is_a_400_in_chinese(tree, api, svc, query, param):
    response = api("admin_a").get(f"/api/v1/service/orders/?{query}")
    assert response.status_code == 400
    assert param in response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()[param]))


# --- the detail and the phone -------------------------------------------------------------------


def test_the_detail_shows_the_history_and_the_phone_only_to_its_handler(tree, api, svc):
    audits = AuditEntry.objects.filter(action="service.order.view_phone")
    # the inspector sees the order, masked, without the name
    seen = api("inspector_a").get(_url(svc.order)).json()
    assert seen["phone"] is None and seen["contact_name"] is None
    assert seen["phone_masked"] == "138****5678"
    assert [e["kind"] for e in seen["events"]] == ["submit"]
    assert seen["events"][0]["by"] == "群众" and seen["actions"] == []
    assert not audits.exists()
    # the dispatcher of the village holds it while it waits for him: full phone, audited
    held = api("secretary_a").get(_url(svc.order)).json()
    assert held["phone"] == PHONE and "accept" in held["actions"]
    assert audits.count() == 1
    # once a worker took it, only the worker
    s.order_accept(actor=tree["secretary_a"], order=svc.order)
    s.order_dispatch(actor=tree["secretary_a"], order=svc.order, grid=svc.grid)
    s.order_take(actor=svc.worker, order=svc.order)
    assert api("secretary_a").get(_url(svc.order)).json()["phone"] is None
    assert api("wangge2").get(_url(svc.order)).json()["phone"] is None
    mine = api("wangge1").get(_url(svc.order)).json()
    assert mine["phone"] == PHONE and mine["actions"] == ["resolve"]
    assert audits.count() == 2
    assert {a.actor_name for a in audits} >= {"wangge1"} or audits.count() == 2


def test_an_order_outside_the_subtree_is_a_404(tree, api, svc):
    theirs = submit(svc.other)
    assert api("admin_a").get(_url(theirs)).status_code == 404
    before = _written()
    response = api("admin_a").post(_url(theirs, "accept"), {}, format="json")
    assert response.status_code == 404 and _written() == before


# --- transitions --------------------------------------------------------------------------------


def test_the_closed_loop_through_the_api(tree, api, svc):
    boss = api("secretary_a")
    order = svc.order
    r = boss.post(_url(order, "accept"), {"note": "已电话联系"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = boss.post(_url(order, "dispatch"), {"grid": svc.grid.pk}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    assert r.json()["dispatched_grid"] == svc.grid.pk
    r = api("wangge1").post(_url(order, "take"), {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "taken"
    r = api("wangge1").post(_url(order, "resolve"), {"result": "已联系保洁清运"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    s.order_rate(order=Order.objects.get(pk=order.pk), rating="unsatisfied", comment="还有味道")
    r = boss.post(_url(order, "close"), {"note": "已再次清理并解释"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    kinds = [e["kind"] for e in r.json()["events"]]
    assert kinds == ["submit", "accept", "dispatch", "take", "resolve", "rate", "close"]
    assert r.json()["phone"] is None  # closed: no one holds it


def test_an_impossible_transition_is_a_400_in_chinese_and_writes_nothing(tree, api, svc):
    before = _written()
    response = api("admin_a").post(_url(svc.order, "take"), {}, format="json")
    assert response.status_code == 400
    assert "不能接单" in response.json()["non_field_errors"][0]
    response = api("admin_a").post(_url(svc.order, "close"), {}, format="json")
    assert response.status_code == 400 and "待受理" in str(response.json())
    assert _written() == before
    assert Order.objects.get(pk=svc.order.pk).state == OrderState.SUBMITTED


@pytest.mark.parametrize(
    "action,body,field,words",
    [
        ("refuse", {"note": "不归我们管"}, "reason", ""),
        ("refuse", {"reason": "not_ours"}, "note", "理由"),
        ("refuse", {"reason": "lazy", "note": "x"}, "reason", "无效"),
        ("merge", {"into": "NOPE123"}, "into", "未找到"),
        ("escalate", {"reason": "  "}, "reason", ""),
        ("dispatch", {"grid": 999999}, "grid", "网格"),
        ("dispatch", {"assignee": "nobody"}, "assignee", "承办人"),
        ("accept", {"note": 5}, "note", ""),
        ("accept", {"note": "长" * 1001}, "note", ""),
    ],
)
def test_bad_bodies_are_400s_naming_the_field(tree, api, svc, action, body, field, words):
    if action == "dispatch":
        s.order_accept(actor=tree["secretary_a"], order=svc.order)
    before = _written()
    response = api("secretary_a").post(_url(svc.order, action), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert words in str(response.json()[field])
    assert _written() == before


def test_the_dispatch_to_a_grid_of_another_subtree_is_refused(tree, api, svc):
    s.order_accept(actor=tree["secretary_a"], order=svc.order)
    r = api("admin").post(_url(svc.order, "dispatch"), {"grid": svc.other.pk}, format="json")
    assert r.status_code == 400 and "网格" in str(r.json())


def test_refuse_merge_and_escalate(tree, api, svc):
    boss = api("secretary_a")
    dup = submit(svc.grid, description="楼道垃圾还是没人清运")
    r = boss.post(_url(dup, "merge"), {"into": svc.order.tracking_code.lower()}, format="json")
    assert r.status_code == 200 and r.json()["merged_into"] == svc.order.tracking_code
    r = boss.post(_url(svc.order, "escalate"), {"reason": "涉及多个村"}, format="json")
    assert r.status_code == 200 and r.json()["level"] == "town"
    # the village's secretary no longer dispatches it: the town does
    r = boss.post(_url(svc.order, "accept"), {}, format="json")
    assert r.status_code == 403
    other = submit(svc.grid, description="有人在河道里倾倒建筑垃圾")
    r = boss.post(
        _url(other, "refuse"), {"reason": "unlawful", "note": "已转城管执法"}, format="json"
    )
    assert r.status_code == 200 and r.json()["refuse_reason"] == "unlawful"


def test_roles_without_the_permission_are_refused(tree, api, svc):
    before = _written()
    r = api("inspector_a").post(_url(svc.order, "accept"), {}, format="json")
    assert r.status_code == 403 and "受理和派发服务工单" in r.json()["detail"]
    r = api("wangge1").post(_url(svc.order, "accept"), {}, format="json")
    assert r.status_code == 403
    assert api(None).post(_url(svc.order, "accept"), {}, format="json").status_code == 401
    assert _written() == before


def _dispatched(tree, svc):
    s.order_accept(actor=tree["secretary_a"], order=svc.order)
    s.order_dispatch(actor=tree["secretary_a"], order=svc.order, grid=svc.grid)


def test_the_second_worker_to_take_is_told_with_a_409(tree, api, svc):
    _dispatched(tree, svc)
    assert api("wangge1").post(_url(svc.order, "take"), {}, format="json").status_code == 200
    before = _written()
    r = api("wangge2").post(_url(svc.order, "take"), {}, format="json")
    assert r.status_code == 409 and "接单" in r.json()["detail"]
    assert _written() == before
    assert Order.objects.get(pk=svc.order.pk).assignee == svc.worker


def test_a_take_that_loses_the_race_is_a_409(tree, api, svc, monkeypatch):
    """Both read the order dispatched; the other worker's take commits first."""
    _dispatched(tree, svc)
    real = s.order_take

    def racing(*, actor, order):
        real(actor=svc.worker, order=Order.objects.get(pk=order.pk))  # the other one wins
        return real(actor=actor, order=order)

    monkeypatch.setattr(s, "order_take", racing)
    r = api("wangge2").post(_url(svc.order, "take"), {}, format="json")
    assert r.status_code == 409, r.json()
    assert Order.objects.get(pk=svc.order.pk).assignee == svc.worker
    assert OrderEvent.objects.filter(order=svc.order, kind="take").count() == 1


def test_only_the_taker_resolves(tree, api, svc):
    _dispatched(tree, svc)
    s.order_take(actor=svc.worker, order=svc.order)
    r = api("wangge2").post(_url(svc.order, "resolve"), {"result": "处理好了"}, format="json")
    assert r.status_code == 403 and "接单人" in r.json()["detail"]
    r = api("wangge1").post(_url(svc.order, "resolve"), {"result": ""}, format="json")
    assert r.status_code == 400 and "result" in r.json()


# --- grids --------------------------------------------------------------------------------------


def test_grids_list_with_workers_and_open_orders(tree, api, svc):
    body = api("inspector_a").get("/api/v1/service/grids/").json()
    assert body["count"] == 1
    grid = body["results"][0]
    assert grid["name"] == "第一网格" and grid["open_orders"] == 1
    assert [w["username"] for w in grid["workers"]] == ["wangge1", "wangge2"]
    assert grid["public_path"] == f"/fuwu/g/{svc.grid.token}/"
    assert api("admin").get("/api/v1/service/grids/?org=BB001").json()["count"] == 1


def test_create_a_grid(tree, api, svc):
    r = api("admin_a").post(
        "/api/v1/service/grids/",
        {
            "org": "BA001",
            "name": "第二网格",
            "area": "东片区",
            "households": 80,
            "workers": ["wangge1"],
            "boundary": SQUARE,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["boundary"]["type"] == "Polygon" and r.json()["open_orders"] == 0
    assert AuditEntry.objects.filter(action="service.grid.create", object_id=r.json()["id"])


@pytest.mark.parametrize(
    "body,field",
    [
        ({"org": "BB001", "name": "越界网格"}, "org"),
        ({"org": "BA001", "name": "第一网格"}, "name"),
        ({"org": "BA001", "name": "甲", "workers": ["admin_b"]}, "workers"),
        ({"org": "BA001", "name": "甲", "workers": ["inspector_a"]}, "workers"),
        ({"org": "BA001", "name": "甲", "boundary": {"type": "Point"}}, "boundary"),
        ({"org": "BA001", "name": "甲", "boundary": [1, 2]}, "boundary"),
        ({"org": "BA001", "name": "甲", "households": -1}, "households"),
    ],
)
def test_a_bad_grid_is_refused_and_nothing_written(tree, api, svc, body, field):
    client = api("admin_a")
    grids, audits = Grid.objects.count(), AuditEntry.objects.count()
    r = client.post("/api/v1/service/grids/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert Grid.objects.count() == grids and AuditEntry.objects.count() == audits


def test_update_a_grid(tree, api, svc):
    url = f"/api/v1/service/grids/{svc.grid.pk}/"
    r = api("secretary_a").patch(url, {"households": 150, "workers": ["wangge2"]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["households"] == 150 and r.json()["name"] == "第一网格"
    assert [w["username"] for w in r.json()["workers"]] == ["wangge2"]
    entry = AuditEntry.objects.get(action="service.grid.update")
    assert entry.before["households"] == 120 and entry.after["households"] == 150
    assert api("inspector_a").patch(url, {"households": 1}, format="json").status_code == 403
    outside = f"/api/v1/service/grids/{svc.other.pk}/"
    assert api("admin_a").patch(outside, {"households": 1}, format="json").status_code == 404
    assert api("admin_a").patch(url, {}, format="json").status_code == 400


def test_the_answers_match_the_schema(tree, api, svc):
    from drf_spectacular.generators import SchemaGenerator

    from tests.api.test_schema_truth import check

    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = api("secretary_a")
    check(schema, "/api/v1/service/orders/", "get", client.get("/api/v1/service/orders/"))
    check(schema, "/api/v1/service/orders/{id}/", "get", client.get(_url(svc.order)))
    check(schema, "/api/v1/service/grids/", "get", client.get("/api/v1/service/grids/"))
    r = client.post(_url(svc.order, "accept"), {}, format="json")
    check(schema, "/api/v1/service/orders/{id}/accept/", "post", r)
    r = client.post(_url(svc.order, "accept"), {}, format="json")
    check(schema, "/api/v1/service/orders/{id}/accept/", "post", r)
    _dispatch = client.post(_url(svc.order, "dispatch"), {"grid": svc.grid.pk}, format="json")
    api("wangge1").post(_url(svc.order, "take"), {}, format="json")
    r = api("wangge2").post(_url(svc.order, "take"), {}, format="json")
    assert r.status_code == 409
    check(schema, "/api/v1/service/orders/{id}/take/", "post", r)


@pytest.mark.parametrize("url", ["/api/v1/service/orders/?", "/api/v1/service/grids/?"])
def test_the_lists_take_as_many_queries_for_40_rows_as_for_3(tree, api, svc, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(12):
        grid = s.grid_create(
            actor=SYSTEM, org=tree["branch_a"], name=f"网格{n}", workers=[svc.worker, svc.worker2]
        )
        for _ in range(3):
            submit(grid)
    client = api("admin_a")
    client.get(url)  # warm up: the token's last-use stamp is written once

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}page_size={size}")
        assert response.status_code == 200 and len(response.json()["results"]) >= min(size, 13)
        return len(ctx.captured_queries)

    assert count(40) == count(3) <= 12


def test_deactivate_a_grid(tree, api, svc):
    url = f"/api/v1/service/grids/{svc.grid.pk}/deactivate/"
    _dispatched(tree, svc)
    client = api("secretary_a")
    audits = AuditEntry.objects.filter(action="service.grid.deactivate")
    r = client.post(url, {"note": "并入第二网格"}, format="json")
    assert r.status_code == 400 and "请先改派" in str(r.json()) and not audits.exists()
    s.order_take(actor=svc.worker, order=svc.order)
    r = client.post(url, {"note": "并入第二网格"}, format="json")
    assert r.status_code == 200 and r.json()["active"] is False and audits.count() == 1
    r = client.post(url, {}, format="json")
    assert r.status_code == 400 and "已停用" in str(r.json())
    assert api("inspector_a").post(url, {}, format="json").status_code == 403
    outside = f"/api/v1/service/grids/{svc.other.pk}/deactivate/"
    assert api("admin_a").post(outside, {}, format="json").status_code == 404
