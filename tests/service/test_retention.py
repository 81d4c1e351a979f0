"""Privacy: the resident's phone is deleted after the retention period (SERVICE-PHONE-RETENTION),
and the order's public view names no one."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.models import Order
from dangjian.service.retention import purge_due, purge_expired_phones, retention_days

PHONE = "13800001111"


def closed_order(place, **kw):
    """An order taken and resolved by ``place.worker`` and rated 满意 (closed) today."""
    order = s.order_submit(
        grid=place.grid,
        category="roads",
        description="村口路灯不亮了",
        phone=PHONE,
        contact_name="李阿姨",
        **kw,
    )
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已更换灯泡")
    return s.order_rate(order=order, rating="satisfied")


def test_the_default_period_is_90_days_and_configurable(settings, today):
    assert retention_days(today) == 90
    settings.DANGJIAN_RULES = {"SERVICE-PHONE-RETENTION": {"retention_days": 30}}
    assert retention_days(today) == 30
    settings.DANGJIAN_RULES = {"SERVICE-PHONE-RETENTION": {"retention_days": 0}}
    with pytest.raises(ValueError, match="正整数"):
        retention_days(today)


def test_the_phone_is_deleted_the_day_the_period_ends(place, today):
    done = closed_order(place)
    still_open = s.order_submit(
        grid=place.grid, category="roads", description="路面有个坑", phone=PHONE
    )
    refused = s.order_submit(
        grid=place.grid, category="roads", description="要求拆邻居房", phone=PHONE
    )
    s.order_refuse(actor=place.dispatcher, order=refused, reason="unlawful", note="不合法")
    # day 89 after closing: nothing due
    assert purge_expired_phones(actor=SYSTEM, at=today + dt.timedelta(days=89)) == []
    # day 90: the closed and the refused one; the open order keeps its number
    day = today + dt.timedelta(days=90)
    assert {o.pk for o in purge_expired_phones(actor=SYSTEM, at=day, dry_run=True)} == {
        done.pk,
        refused.pk,
    }
    assert Order.objects.get(pk=done.pk).phone == PHONE  # a dry run deletes nothing
    purged = purge_expired_phones(actor=SYSTEM, at=day)
    assert {o.pk for o in purged} == {done.pk, refused.pk}
    for pk in (done.pk, refused.pk):
        order = Order.objects.get(pk=pk)
        assert order.phone == "" and order.phone_cipher is None
        assert order.phone_digest == "" and order.phone_masked == ""
    assert Order.objects.get(pk=still_open.pk).phone == PHONE
    entries = AuditEntry.objects.filter(action="service.order.phone_purge")
    assert entries.count() == 2
    assert all(e.before == {"phone": "138****1111"} for e in entries)
    assert PHONE not in json.dumps([e.after for e in entries])
    # idempotent: a second run finds nothing
    assert purge_expired_phones(actor=SYSTEM, at=day) == []
    assert not purge_due(day).exists()


def test_an_unsatisfied_order_keeps_its_number_until_closed(place, today):
    order = s.order_submit(
        grid=place.grid, category="roads", description="路灯一直不亮", phone=PHONE
    )
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已报修")
    s.order_rate(order=order, rating="unsatisfied", comment="还是不亮")
    assert purge_expired_phones(actor=SYSTEM, at=today + dt.timedelta(days=400)) == []


def test_the_staff_pages_after_the_purge(place, login, today):
    order = closed_order(place)
    purge_expired_phones(actor=SYSTEM, at=today + dt.timedelta(days=90))
    page = login(place.dispatcher).get(reverse("service:order", args=[order.pk]))
    assert page.status_code == 200 and PHONE not in page.content.decode()
    assert "已按保存期限删除" in page.content.decode()


def test_the_command(place, today, capsys):
    closed_order(place)
    at = (today + dt.timedelta(days=90)).isoformat()
    call_command("service_purge", "--at", at, "--dry-run", "--format", "json")
    body = json.loads(capsys.readouterr().out)
    assert body["retention_days"] == 90 and body["dry_run"] and len(body["orders"]) == 1
    assert Order.objects.get().phone == PHONE
    call_command("service_purge", "--at", at)
    out = capsys.readouterr().out
    assert "已删除群众电话的工单 1 张" in out and "办结后 90 天" in out
    assert Order.objects.get().phone == ""
    with pytest.raises(CommandError, match="--at"):
        call_command("service_purge", "--at", "2026-13-01")


def test_the_cli_names_it():
    from dangjian.cli import COMMANDS, USAGE

    assert COMMANDS["service-purge"] == "service_purge" and "service-purge" in USAGE


def test_the_public_view_names_no_one(place, login):
    """The tracking page shows the order's life, not who handled it nor who asked."""
    place.worker.display_name = "王网格"
    place.worker.save(update_fields=["display_name"])
    place.dispatcher.display_name = "赵书记"
    place.dispatcher.save(update_fields=["display_name"])
    order = s.order_submit(
        grid=place.grid,
        category="roads",
        description="村口路灯不亮了",
        phone=PHONE,
        contact_name="李阿姨",
    )
    s.order_accept(actor=place.dispatcher, order=order, note="赵书记已受理")
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid, note="请王网格处理")
    s.order_take(actor=place.worker, order=order)
    s.order_resolve(actor=place.worker, order=order, result="已更换灯泡")
    text = Client().get(reverse("service:track", args=[order.tracking_code])).content.decode()
    assert "已更换灯泡" in text and "已解决" in text
    for who in (
        "王网格",
        "赵书记",
        place.worker.username,
        place.dispatcher.username,
        "李阿姨",
        PHONE,
        "138****1111",
    ):
        assert who not in text, who
    # the staff see who did what
    staff = login(place.dispatcher).get(reverse("service:order", args=[order.pk]))
    assert "王网格" in staff.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_full_phone_page_outside_a_test_transaction(login):
    """A real request has no transaction around it: the audited reveal opens its own (it was a
    500 before: the audit trail refuses an entry outside a transaction)."""
    from tests.factories import make_org, make_user

    town = make_org(org_type="党委", sector="农村", name="溪口镇党委")
    village = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    dispatcher = make_user(village, "branch_secretary")
    grid = s.grid_create(actor=SYSTEM, org=village, name="第一网格")
    order = s.order_submit(grid=grid, category="roads", description="路灯一直不亮", phone=PHONE)
    page = login(dispatcher).post(reverse("service:phone", args=[order.pk]))
    assert page.status_code == 200 and PHONE in page.content.decode()
    assert AuditEntry.objects.filter(action="service.order.view_phone").count() == 1
