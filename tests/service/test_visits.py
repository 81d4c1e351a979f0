"""敲门行动 visits: recording (bad input refused, nothing half-written), a need turned into an
order in one tap (marked as coming from 敲门行动, once only), follow-ups due, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.service import linked as ln
from dangjian.service.models import Order, Visit, VisitNeed
from dangjian.service.selectors import follow_ups_due
from tests.assess.test_chinese_only import english_words

DAY = dt.date(2026, 5, 12)


def record(place, **kw):
    data = {
        "actor": place.worker,
        "grid": place.grid,
        "household": "三组12号",
        "visited_on": DAY,
        "needs": [("独居老人想申请上门助餐", "elderly"), ("门口路灯坏了", "")],
        "follow_up_due": DAY + dt.timedelta(days=5),
        "today": DAY,
    }
    data.update(kw)
    return ln.visit_record(**data)


def test_a_visit_records_household_needs_and_visitors(place):
    visit = record(place, visitors=[place.worker2])
    assert visit.org == place.village
    assert list(visit.visitors.order_by("pk")) == [place.worker, place.worker2]
    assert [(n.text, n.category) for n in visit.needs.order_by("pk")] == [
        ("独居老人想申请上门助餐", "elderly"),
        ("门口路灯坏了", ""),
    ]
    assert AuditEntry.objects.filter(action="service.visit.record").count() == 1


@pytest.mark.parametrize(
    "change,field,words",
    [
        ({"visited_on": DAY + dt.timedelta(days=1)}, "visited_on", "不能晚于今天"),
        ({"household": ""}, "household", "门牌号或户编号"),
        ({"household": "110105199001011234"}, "household", "不要填写身份证号码"),
        ({"needs": [("   ", "")]}, "needs", "第 1 项需求没有填写内容"),
        ({"needs": [("要修路", "nope")]}, "needs", "服务类别不存在"),
        ({"follow_up_due": DAY - dt.timedelta(days=1)}, "follow_up_due", "不能早于走访日期"),
    ],
)
def test_bad_visits_are_refused_and_nothing_is_written(place, change, field, words):
    with pytest.raises(ValidationError) as exc:
        record(place, **change)
    assert words in " ".join(exc.value.message_dict[field])
    assert Visit.objects.count() == 0 and VisitNeed.objects.count() == 0


def test_outsiders_cannot_record_in_another_village(place):
    with pytest.raises(PermissionDenied):
        record(place, actor=place.outsider)
    with pytest.raises(ValidationError, match="不是本村"):
        record(place, visitors=[place.outsider])
    assert Visit.objects.count() == 0


def test_a_need_becomes_an_order_once(place):
    visit = record(place)
    need = visit.needs.order_by("pk").first()
    order = ln.need_to_order(actor=place.worker, need=need, phone="13812345678")
    assert order.grid == place.grid and order.category == "elderly"
    assert order.description == "独居老人想申请上门助餐" and order.address == "三组12号"
    assert order.phone_masked == "138****5678"
    first = order.events.get(kind="submit")
    assert first.note.startswith("来源：敲门行动（2026-05-12 走访 三组12号")
    need.refresh_from_db()
    assert need.order == order
    with pytest.raises(ValidationError, match=f"已转为工单 {order.tracking_code}"):
        ln.need_to_order(actor=place.worker, need=need, phone="13812345678")
    assert Order.objects.count() == 1


def test_a_need_without_category_or_phone_writes_nothing(place):
    visit = record(place)
    need = visit.needs.order_by("pk").last()  # no category
    with pytest.raises(ValidationError) as exc:
        ln.need_to_order(actor=place.worker, need=need, phone="")
    assert set(exc.value.message_dict) == {"category", "phone"}
    assert Order.objects.count() == 0
    need.refresh_from_db()
    assert need.order is None
    with pytest.raises(PermissionDenied):
        ln.need_to_order(actor=place.outsider, need=need, phone="13812345678", category="roads")


def test_follow_ups_due_and_done(place):
    soon = record(place)
    later = record(place, household="五组3号", follow_up_due=DAY + dt.timedelta(days=30))
    none = record(place, household="五组4号", follow_up_due=None)
    due = list(follow_ups_due(place.dispatcher, DAY))
    assert due == [soon] and later not in due and none not in due
    ln.visit_done(actor=place.worker, visit=soon)
    assert list(follow_ups_due(place.dispatcher, DAY)) == []
    with pytest.raises(ValidationError, match="已经回访完成"):
        ln.visit_done(actor=place.worker, visit=soon)
    assert list(follow_ups_due(place.outsider, DAY + dt.timedelta(days=40))) == []


@time_machine.travel(dt.datetime(2026, 5, 12, 10, tzinfo=dt.UTC), tick=False)
def test_visit_pages_record_and_turn_a_need_into_an_order(place, login):
    place.worker.display_name = "林网格"
    place.worker.save(update_fields=["display_name"])
    w = login(place.worker)
    page = w.get(reverse("service:visits")).content.decode()
    assert "敲门行动" in page and "登记走访" in page
    assert w.get(reverse("service:visit_new")).status_code == 200
    today = DAY
    r = w.post(
        reverse("service:visit_new"),
        {
            "grid": place.grid.pk,
            "household": "二组8号",
            "visited_on": today.isoformat(),
            "needs": "老人想办理代办服务\n\n屋后水沟堵了",
            "category": "elderly",
            "follow_up_due": (today + dt.timedelta(days=2)).isoformat(),
        },
    )
    visit = Visit.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("service:visit", args=[visit.pk])
    assert visit.needs.count() == 2
    detail = w.get(reverse("service:visit", args=[visit.pk])).content.decode()
    assert "老人想办理代办服务" in detail and "转为工单" in detail
    assert not english_words(detail)
    need = visit.needs.order_by("pk").first()
    url = reverse("service:need_order", args=[visit.pk, need.pk])
    bad = w.post(url, {"phone": "12", "category": "elderly"})
    assert bad.status_code == 400 and "未保存" in bad.content.decode()
    assert Order.objects.count() == 0
    assert w.post(url, {"phone": "13812345678", "category": "elderly"}).status_code == 302
    order = Order.objects.get()
    assert order.tracking_code in w.get(reverse("service:visit", args=[visit.pk])).content.decode()
    listing = w.get(reverse("service:visits")).content.decode()
    assert "二组8号" in listing and "近期待回访（1）" in listing
    # a future date is a clear 400, nothing written
    r = w.post(
        reverse("service:visit_new"),
        {"grid": place.grid.pk, "household": "二组9号", "visited_on": "2999-01-01"},
    )
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode()
    assert Visit.objects.count() == 1
    # another village's user sees nothing of it
    o = login(place.outsider)
    assert o.get(reverse("service:visit", args=[visit.pk])).status_code == 404
    assert "二组8号" not in o.get(reverse("service:visits")).content.decode()
    assert o.post(url, {"phone": "13812345678"}).status_code == 404


@time_machine.travel(dt.datetime(2026, 5, 12, 10, tzinfo=dt.UTC), tick=False)
def test_api_visits_record_list_and_turn_a_need_into_an_order(place, api):
    w = api(place.worker)
    body = {
        "grid": place.grid.pk,
        "household": "四组6号",
        "visited_on": "2026-05-11",
        "needs": [{"text": "想了解医保缴费的办法", "category": "policy"}],
        "follow_up_due": "2026-05-14",
    }
    future = {**body, "visited_on": "2026-05-13"}
    r = w.post("/api/v1/service/visits/", future, format="json")
    assert r.status_code == 400 and "不能晚于今天" in str(r.json())
    blank = {**body, "needs": [{"text": "  "}]}
    r = w.post("/api/v1/service/visits/", blank, format="json")
    assert r.status_code == 400 and "没有填写内容" in str(r.json())
    assert Visit.objects.count() == 0
    r = w.post("/api/v1/service/visits/", body, format="json")
    assert r.status_code == 201, r.content
    visit = r.json()
    assert visit["household"] == "四组6号" and visit["needs"][0]["order"] is None
    listed = w.get("/api/v1/service/visits/?due=1").json()
    assert [v["id"] for v in listed["results"]] == [visit["id"]]
    need = visit["needs"][0]["id"]
    url = f"/api/v1/service/visits/{visit['id']}/needs/{need}/order/"
    r = w.post(url, {"phone": "13812345678"}, format="json")
    assert r.status_code == 201 and r.json()["state"] == "submitted"
    code = r.json()["tracking_code"]
    detail = w.get(f"/api/v1/service/visits/{visit['id']}/").json()
    assert detail["needs"][0]["order"] == code
    r = w.post(url, {"phone": "13812345678"}, format="json")
    assert r.status_code == 400 and "不能重复转" in str(r.json())
    assert Order.objects.count() == 1
    # another village's users: 404; an unknown need: 404
    o = api(place.outsider)
    assert o.get(f"/api/v1/service/visits/{visit['id']}/").status_code == 404
    assert o.get("/api/v1/service/visits/").json()["count"] == 0
    bad = f"/api/v1/service/visits/{visit['id']}/needs/{need + 99}/order/"
    assert w.post(bad, {"phone": "13812345678"}, format="json").status_code == 404
