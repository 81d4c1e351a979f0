"""Linked departments (跨级联合), the full escalation ladder, 片区 with leaders: referral, take and
resolve by a department's contact user, authorization and bad input (nothing half-written)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.service import linked as ln
from dangjian.service import services as s
from dangjian.service.choices import Level, OrderState
from dangjian.service.models import Department, Order, OrderEvent, Referral, ServiceArea
from dangjian.service.selectors import linked_orders
from tests.factories import make_org, make_user

PHONE = "13812345678"


def submit(grid, text="两户因排水沟起了纠纷"):
    return s.order_submit(grid=grid, category="dispute", description=text, phone=PHONE)


@pytest.fixture
def linked(place):
    """Two departments of the town (with contact users at the town) and one of another town."""
    police_user = make_user(place.town, "grid_worker")
    civil_user = make_user(place.town, "grid_worker")
    police = ln.department_create(
        actor=place.town_admin,
        org=place.town,
        name="溪口派出所",
        kind="police",
        contacts=[police_user],
        phone="13900001234",
    )
    civil = ln.department_create(
        actor=place.town_admin,
        org=place.town,
        name="溪口民政所",
        kind="civil",
        contacts=[civil_user],
    )
    far_town = make_org(org_type="党委", sector="农村", name="郑墩镇党委")
    make_org(far_town, org_type="党支部", sector="农村", name="郑墩村党支部")
    far = ln.department_create(
        actor=SYSTEM, org=far_town, name="郑墩司法所", kind="justice", contacts=[]
    )
    leader = make_user(place.village, "grid_worker")
    area = ln.area_create(
        actor=place.dispatcher, org=place.village, name="东片区", leaders=[leader]
    )
    place.police, place.civil, place.far = police, civil, far
    place.police_user, place.civil_user, place.leader, place.area = (
        police_user,
        civil_user,
        leader,
        area,
    )
    return place


def _at_town(p):
    order = submit(p.plain)  # no 片区: straight to the town
    s.order_accept(actor=p.dispatcher, order=order)
    s.order_escalate(actor=p.dispatcher, order=order, reason="专业问题")
    order.refresh_from_db()
    assert order.level == Level.TOWN
    return order


def test_department_phone_is_encrypted_and_masked(linked):
    d = Department.objects.get(pk=linked.police.pk)
    assert d.phone_masked == "139****1234" and b"13900001234" not in bytes(d.phone_cipher)
    assert AuditEntry.objects.filter(action="service.department.create").count() == 3


def test_the_ladder_at_every_level(linked):
    p = linked
    order = submit(p.grid)
    s.order_accept(actor=p.dispatcher, order=order)
    # 村 → 片区: the 片区 has a leader, so the order is dispatched to the leaders
    s.order_escalate(actor=p.dispatcher, order=order, reason="涉及两个网格")
    order.refresh_from_db()
    assert (order.level, order.handler_org, order.state) == (
        Level.AREA,
        p.village,
        OrderState.DISPATCHED,
    )
    assert s.may_handle(p.leader, order) and not s.may_handle(p.worker, order)
    assert list(linked_orders(p.leader)) == [order]
    # 片区 → 乡镇
    s.order_escalate(actor=p.dispatcher, order=order, reason="片区协调不了")
    order.refresh_from_db()
    assert (order.level, order.handler_org, order.state) == (
        Level.TOWN,
        p.town,
        OrderState.ACCEPTED,
    )
    assert not s.may_handle(p.leader, order)
    # 乡镇 → 跨级联合: still the town's, waiting for a referral
    s.order_escalate(actor=p.town_admin, order=order, reason="需要公安介入")
    order.refresh_from_db()
    assert (order.level, order.handler_org, order.state) == (
        Level.CROSS,
        p.town,
        OrderState.ACCEPTED,
    )
    # nothing above 跨级联合; nothing written by the refusal
    events = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(ValidationError, match="跨级联合层级"):
        s.order_escalate(actor=p.town_admin, order=order, reason="再上报")
    assert OrderEvent.objects.filter(order=order).count() == events
    assert order.escalation_count == 3


def test_an_area_without_leaders_waits_for_the_village_dispatcher(place):
    ServiceArea.objects.all().delete()
    order = submit(place.grid)
    s.order_escalate(actor=place.dispatcher, order=order, reason="涉及两个网格")
    order.refresh_from_db()
    assert order.level == Level.AREA and order.state == OrderState.ACCEPTED


def test_refer_take_and_resolve_by_a_department_contact(linked):
    p = linked
    order = _at_town(p)
    with pytest.raises(PermissionDenied):  # the village no longer dispatches it
        ln.order_refer(actor=p.dispatcher, order=order, departments=[p.police])
    ln.order_refer(actor=p.town_admin, order=order, departments=[p.police, p.civil], note="尽快")
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED and order.level == Level.CROSS
    assert order.department == p.police
    assert list(Referral.objects.filter(order=order).values_list("department__name", "lead")) == [
        ("溪口派出所", True),
        ("溪口民政所", False),
    ]
    event = order.events.get(kind="refer")
    assert event.note == "转联动部门：溪口派出所牵头，溪口民政所协办：尽快"
    assert AuditEntry.objects.filter(action="service.order.refer").count() == 1
    # both departments' contacts see it; a grid worker cannot take it
    assert list(linked_orders(p.civil_user)) == [order]
    assert s.holds(p.police_user, order) and not s.holds(p.worker, order)
    with pytest.raises(PermissionDenied):
        s.order_take(actor=p.worker, order=order)
    s.order_take(actor=p.police_user, order=order)
    assert s.order_phone(actor=p.police_user, order=order) == PHONE
    # the other department is told someone holds it
    with pytest.raises(ValidationError, match="已被"):
        s.order_take(actor=p.civil_user, order=Order.objects.get(pk=order.pk))
    with pytest.raises(PermissionDenied):
        s.order_resolve(actor=p.civil_user, order=order, result="已处理")
    s.order_resolve(actor=p.police_user, order=order, result="派出所民警上门调解，双方签订协议")
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED and order.assignee == p.police_user
    with pytest.raises(PermissionDenied):  # resolved: the phone is shown to no one now
        s.order_phone(actor=p.civil_user, order=order)


def test_refer_at_the_town_level_becomes_cross(linked):
    p = linked
    order = _at_town(p)
    ln.order_refer(actor=p.town_admin, order=order, departments=[p.civil])
    order.refresh_from_db()
    assert order.level == Level.CROSS and order.department == p.civil
    # referred again (re-dispatch) to another one: the referral rows are replaced
    ln.order_refer(actor=p.town_admin, order=order, departments=[p.police])
    assert list(Referral.objects.filter(order=order).values_list("department", flat=True)) == [
        p.police.pk
    ]
    assert not s.may_handle(p.civil_user, Order.objects.get(pk=order.pk))


def test_bad_referrals_write_nothing(linked):
    p = linked
    order = _at_town(p)
    before = (OrderEvent.objects.count(), Referral.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="属于郑墩镇党委"):
        ln.order_refer(actor=p.town_admin, order=order, departments=[p.police, p.far])
    with pytest.raises(ValidationError, match="至少选择一个"):
        ln.order_refer(actor=p.town_admin, order=order, departments=[])
    silent = ln.department_create(actor=SYSTEM, org=p.town, name="溪口司法所", kind="justice")
    with pytest.raises(ValidationError, match="没有登记联络人"):
        ln.order_refer(actor=p.town_admin, order=order, departments=[silent])
    before = (before[0], before[1], before[2] + 1)  # the department just created
    assert (
        OrderEvent.objects.count(),
        Referral.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert Order.objects.get(pk=order.pk).state == OrderState.ACCEPTED
    # a village-level order cannot be referred
    village = submit(p.plain, "村里排水沟堵了")
    s.order_accept(actor=p.dispatcher, order=village)
    with pytest.raises(ValidationError, match="须先上报"):
        ln.order_refer(actor=p.dispatcher, order=village, departments=[p.police])


def test_department_and_area_input_is_checked(linked):
    p = linked
    with pytest.raises(ValidationError) as exc:
        ln.department_create(
            actor=p.town_admin,
            org=p.town,
            name="溪口派出所",
            kind="spy",
            contacts=[p.outsider],
            phone="12",
        )
    assert set(exc.value.message_dict) == {"name", "kind", "contacts", "phone"}
    with pytest.raises(ValidationError, match="乡镇"):
        ln.department_create(actor=SYSTEM, org=p.village, name="村警务室", kind="police")
    with pytest.raises(PermissionDenied):
        ln.department_create(actor=p.dispatcher, org=p.town, name="溪口供电所", kind="power")
    with pytest.raises(ValidationError) as exc:
        ln.area_create(actor=p.dispatcher, org=p.village, name="东片区", leaders=[p.outsider])
    assert set(exc.value.message_dict) == {"name", "leaders"}
    assert Department.objects.count() == 3 and ServiceArea.objects.count() == 1


def test_pages_register_refer_and_take(linked, login):
    from django.urls import reverse

    from tests.assess.test_chinese_only import english_words

    p = linked
    for u, name in ((p.town_admin, "镇管理员"), (p.police_user, "王民警")):
        u.display_name = name
        u.save(update_fields=["display_name"])
    t = login(p.town_admin)
    page = t.get(reverse("service:departments")).content.decode()
    assert "溪口派出所" in page and "139****1234" in page and "13900001234" not in page
    assert "东片区" in page and "登记联动部门" in page
    assert "郑墩司法所" not in page  # another town's
    r = t.post(
        reverse("service:departments"),
        {"org": p.town.code, "name": "溪口供电所", "kind": "power", "phone": "13900005678"},
    )
    assert r.status_code == 302 and Department.objects.filter(name="溪口供电所").exists()
    bad = t.post(reverse("service:departments"), {"org": p.town.code, "name": "", "kind": "x"})
    assert bad.status_code == 400 and "请填写部门名称" in bad.content.decode()
    # the village dispatcher may view but not register at the town
    d = login(p.dispatcher)
    assert "h-new" not in d.get(reverse("service:departments")).content.decode()
    r = d.post(
        reverse("service:departments"), {"org": p.town.code, "name": "某所", "kind": "other"}
    )
    assert r.status_code == 400 and not Department.objects.filter(name="某所").exists()
    order = _at_town(p)
    detail = t.get(reverse("service:order", args=[order.pk])).content.decode()
    assert reverse("service:refer", args=[order.pk]) in detail
    form = t.get(reverse("service:refer", args=[order.pk])).content.decode()
    assert "溪口派出所" in form and "郑墩司法所" not in form
    assert not english_words(form)
    none = t.post(reverse("service:refer", args=[order.pk]), {"note": "x"})
    assert none.status_code == 400 and "至少选择一个" in none.content.decode()
    r = t.post(
        reverse("service:refer", args=[order.pk]),
        {"departments": [p.civil.pk, p.police.pk], "lead": p.police.pk},
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.department == p.police and order.level == Level.CROSS
    # the contact user's queue, take and resolve through the ordinary order page
    c = login(p.police_user)
    mine = c.get(reverse("service:linked_mine")).content.decode()
    assert order.tracking_code in mine
    assert c.post(reverse("service:work", args=[order.pk, "take"])).status_code == 302
    r = c.post(reverse("service:work", args=[order.pk, "resolve"]), {"result": "已调解"})
    assert r.status_code == 302
    assert Order.objects.get(pk=order.pk).state == OrderState.RESOLVED
    # a grid worker has no refer page; the other village's users do not see the order
    assert login(p.worker).get(reverse("service:refer", args=[order.pk])).status_code == 403
    assert login(p.outsider).get(reverse("service:refer", args=[order.pk])).status_code == 404


def test_api_departments_and_referral(linked, api):
    p = linked
    t = api(p.town_admin)
    r = t.get("/api/v1/service/departments/")
    assert r.status_code == 200
    rows = {row["name"]: row for row in r.json()["results"]}
    assert set(rows) == {"溪口派出所", "溪口民政所"}  # not the other town's
    assert rows["溪口派出所"]["phone_masked"] == "139****1234"
    assert "13900001234" not in r.content.decode()
    r = t.post(
        "/api/v1/service/departments/",
        {"org": p.town.code, "name": "溪口供电所", "kind": "power", "contacts": ["nobody"]},
        format="json",
    )
    assert r.status_code == 400 and "账号不存在" in str(r.json())
    r = t.post(
        "/api/v1/service/departments/",
        {"org": p.town.code, "name": "溪口供电所", "kind": "power"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["kind_label"] == "供电"
    order = _at_town(p)
    url = "/api/v1/service/departments/referrals/"
    r = t.post(url, {"order": order.pk, "departments": [p.far.pk]}, format="json")
    assert r.status_code == 400 and "不能承办" in str(r.json())
    r = t.post(url, {"order": order.pk, "departments": [p.police.pk, p.civil.pk]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "id": order.pk,
        "tracking_code": order.tracking_code,
        "state": "dispatched",
        "level": "cross",
        "department": p.police.pk,
    }
    # a village dispatcher cannot refer the town's order, nor see it
    r = api(p.outsider).post(url, {"order": order.pk, "departments": [p.police.pk]}, format="json")
    assert r.status_code == 404
    # a grid worker may not refer at all
    r = api(p.worker).post(url, {"order": order.pk, "departments": [p.police.pk]}, format="json")
    assert r.status_code == 403
