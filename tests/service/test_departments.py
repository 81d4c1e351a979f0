"""Changing and 停用 a linked department: the services (checks, audit, nothing half-written)
and the department's page with its actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.service import linked as ln
from dangjian.service import services as s
from dangjian.service.models import Department
from tests.assess.test_chinese_only import english_words
from tests.factories import make_user
from tests.service.test_linked import _at_town
from tests.service.test_linked import linked as linked  # the fixture


def test_change_a_department_and_keep_or_clear_its_phone(linked):
    p = linked
    dept = ln.department_update(
        actor=p.town_admin,
        department=p.police,
        name="溪口镇派出所",
        kind="police",
        contacts=[p.police_user, p.civil_user],
    )
    dept = Department.objects.get(pk=dept.pk)
    assert dept.name == "溪口镇派出所" and set(dept.contacts.all()) == {p.police_user, p.civil_user}
    assert dept.phone_masked == "139****1234"  # None: kept
    ln.department_update(
        actor=p.town_admin, department=dept, name=dept.name, kind="other", phone="13900005555"
    )
    dept.refresh_from_db()
    assert dept.kind == "other" and dept.phone_masked == "139****5555"
    assert b"13900005555" not in bytes(dept.phone_cipher)
    ln.department_update(
        actor=p.town_admin, department=dept, name=dept.name, kind="other", phone=""
    )
    dept.refresh_from_db()
    assert dept.phone_cipher is None and dept.phone_masked == "" and not dept.contacts.exists()
    entries = AuditEntry.objects.filter(action="service.department.update").order_by("pk")
    assert entries.count() == 3
    assert entries[0].before["name"] == "溪口派出所" and entries[0].after["name"] == "溪口镇派出所"
    assert "13900005555" not in str([e.after for e in entries])


def test_bad_changes_are_refused_in_chinese_and_nothing_is_written(linked):
    p = linked
    plain = make_user(p.village, "inspector")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        ln.department_update(
            actor=p.town_admin,
            department=p.police,
            name="溪口民政所",
            kind="nope",
            contacts=[plain],
            phone="12345",
        )
    errors = exc.value.message_dict
    assert "已登记名为“溪口民政所”" in errors["name"][0]
    assert errors["kind"] == ["请选择部门类别"]
    assert "不能作为联络人" in errors["contacts"][0] and errors["phone"]
    with pytest.raises(PermissionDenied):
        ln.department_update(
            actor=p.dispatcher, department=p.police, name="改名", kind="police", contacts=[]
        )
    dept = Department.objects.get(pk=p.police.pk)
    assert dept.name == "溪口派出所" and dept.kind == "police" and dept.contacts.count() == 1
    assert AuditEntry.objects.count() == before


def test_deactivate_is_refused_while_referred_orders_wait(linked):
    p = linked
    order = _at_town(p)
    from dangjian.service.linked import order_refer

    order_refer(actor=p.town_admin, order=order, departments=[p.police])
    with pytest.raises(ValidationError) as exc:
        ln.department_deactivate(actor=p.town_admin, department=p.police)
    assert "1 张已转办、待接单的工单" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:  # its last contact cannot go while orders wait
        ln.department_update(
            actor=p.town_admin, department=p.police, name="溪口派出所", kind="police"
        )
    assert "至少保留一名联络人" in exc.value.message_dict["contacts"][0]
    s.order_take(actor=p.police_user, order=order)
    dept = ln.department_deactivate(actor=p.town_admin, department=p.police, note="机构调整")
    assert not Department.objects.get(pk=dept.pk).active
    entry = AuditEntry.objects.get(action="service.department.deactivate")
    assert entry.before["active"] is True and entry.after == {**entry.after, "note": "机构调整"}
    # the order already taken goes on; no new referral to it
    order.refresh_from_db()
    assert s.may_handle(p.police_user, order)
    with pytest.raises(ValidationError):
        ln.department_deactivate(actor=p.town_admin, department=p.police)


def test_the_department_page_changes_and_deactivates(linked, login):
    p = linked
    t = login(p.town_admin)
    listing = t.get(reverse("service:departments")).content.decode()
    assert reverse("service:department", args=[p.police.pk]) in listing
    page = t.get(reverse("service:department", args=[p.police.pk])).content.decode()
    assert "修改联动部门" in page and "139****1234" in page and "13900001234" not in page
    assert p.police_user.username in page  # account names are data (the walk skips them too)
    assert not english_words(page.replace(p.police_user.username, ""))
    url = reverse("service:department_action", args=[p.police.pk, "change"])
    r = t.post(
        url,
        {"name": "溪口镇派出所", "kind": "police", "contacts": p.police_user.username},
    )
    assert r.status_code == 302 and r["Location"] == reverse(
        "service:department", args=[p.police.pk]
    )
    dept = Department.objects.get(pk=p.police.pk)
    assert dept.name == "溪口镇派出所" and dept.phone_masked == "139****1234"
    bad = t.post(url, {"name": "", "kind": "police", "contacts": "nobody"})
    assert bad.status_code == 400 and "没有这些账号：nobody" in bad.content.decode()
    bad = t.post(url, {"name": "", "kind": "police"})
    assert bad.status_code == 400 and "请填写部门名称" in bad.content.decode()
    r = t.post(url, {"name": "溪口镇派出所", "kind": "police", "phone_clear": "1"})
    assert r.status_code == 302 and Department.objects.get(pk=p.police.pk).phone_masked == ""
    assert t.post(reverse("service:department_action", args=[p.police.pk, "x"])).status_code == 404
    r = t.post(reverse("service:department_action", args=[p.police.pk, "deactivate"]))
    assert r.status_code == 302 and not Department.objects.get(pk=p.police.pk).active
    page = t.get(reverse("service:department", args=[p.police.pk])).content.decode()
    assert "已停用" in page and "修改联动部门" not in page
    # a town worker sees it but cannot change it; a village dispatcher (the department is the
    # town's, outside the village) finds nothing
    w = login(p.civil_user)
    page = w.get(reverse("service:department", args=[p.civil.pk])).content.decode()
    assert "溪口民政所" in page and "修改联动部门" not in page
    r = w.post(reverse("service:department_action", args=[p.civil.pk, "deactivate"]))
    assert r.status_code == 403 and Department.objects.get(pk=p.civil.pk).active
    d = login(p.dispatcher)
    assert d.get(reverse("service:department", args=[p.civil.pk])).status_code == 404
    assert t.get(reverse("service:department", args=[p.far.pk])).status_code == 404
