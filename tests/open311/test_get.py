"""GET requests and GET a request: the filters, the default window and its limits, the status
mapping, and what the public never sees (contact details, names, the tracking code)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.service import services
from dangjian.service.choices import OrderState
from dangjian.service.models import Order

from .helpers import BASE, post, xml

pytestmark = pytest.mark.django_db


def _submit(place, grid=None, category="roads", description="村口路灯不亮了", **extra) -> Order:
    return services.order_submit(
        grid=grid or place.grid,
        category=category,
        description=description,
        phone="13800001111",
        contact_name="王小明",
        **extra,
    )


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [item["service_request_id"] for item in response.json()]


def test_status_open_and_closed_follow_final_states(client, place):
    submitted = _submit(place)
    accepted = services.order_accept(actor=SYSTEM, order=_submit(place, description="路灯又坏了"))
    refused = services.order_refuse(
        actor=SYSTEM,
        order=_submit(place, description="想请村里帮忙修车"),
        reason="not_ours",
        note="不属于村里办理的事项，请联系修车店",
    )
    merged = services.order_merge(
        actor=SYSTEM, order=_submit(place, description="村口路灯不亮！"), into=submitted
    )
    everything = client.get(f"{BASE}requests.json").json()
    by_id = {item["service_request_id"]: item for item in everything}
    assert by_id[str(submitted.pk)]["status"] == "open"
    assert by_id[str(accepted.pk)]["status"] == "open"
    assert by_id[str(accepted.pk)]["status_notes"] == "已受理，待派单"
    assert by_id[str(refused.pk)]["status"] == "closed"
    assert by_id[str(refused.pk)]["status_notes"] == "不予受理：不属于受理范围"
    assert (
        by_id[str(merged.pk)]["status_notes"] == f"已合并（重复工单）：与 {submitted.pk} 号诉求重复"
    )
    assert set(_ids(client.get(f"{BASE}requests.json?status=open"))) == {
        str(submitted.pk),
        str(accepted.pk),
    }
    assert set(_ids(client.get(f"{BASE}requests.json?status=closed"))) == {
        str(refused.pk),
        str(merged.pk),
    }


def test_the_dispatcher_note_is_never_published(client, place):
    refused = services.order_refuse(
        actor=SYSTEM,
        order=_submit(place, description="想请村里帮忙修车"),
        reason="not_ours",
        note="已电话联系王小明本人说明",
    )
    body = client.get(f"{BASE}requests/{refused.pk}.json").content.decode()
    assert "王小明" not in body


def test_filters_by_ids_and_service_code(client, place):
    a, b = _submit(place), _submit(place, category="environment", description="垃圾没人清运")
    c = _submit(place, description="第三盏路灯坏了")
    assert _ids(client.get(f"{BASE}requests.json?service_request_id={a.pk},{c.pk}")) == [
        str(c.pk),
        str(a.pk),
    ]
    # the id list overrides the other filters
    url = f"{BASE}requests.json?service_request_id={b.pk}&service_code=roads&status=closed"
    assert _ids(client.get(url)) == [str(b.pk)]
    assert _ids(client.get(f"{BASE}requests.json?service_code=environment")) == [str(b.pk)]


def test_the_default_window_is_90_days_and_dates_filter(client, place, clock):
    clock.move_to(dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC))
    old = _submit(place, description="夏天的路灯坏了")
    clock.move_to(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    new = _submit(place, description="冬天的路灯坏了")
    clock.move_to(dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC))
    assert _ids(client.get(f"{BASE}requests.json")) == [str(new.pk)]
    url = f"{BASE}requests.json?start_date=2026-07-30T00:00:00%2B08:00&end_date=2026-08-02"
    assert _ids(client.get(url)) == [str(old.pk)]
    # only a start: 90 days from it
    assert _ids(client.get(f"{BASE}requests.json?start_date=2026-07-15")) == [str(old.pk)]
    # only an end: 90 days up to it
    assert _ids(client.get(f"{BASE}requests.json?end_date=2026-11-21T00:00:00Z")) == [str(new.pk)]
    # a request is found by its id whatever its date
    assert _ids(client.get(f"{BASE}requests.json?service_request_id={old.pk}")) == [str(old.pk)]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("start_date=yesterday", 400, "start_date"),
        ("end_date=2026-13-45", 400, "end_date"),
        ("start_date=2026-01-01&end_date=2026-11-01", 400, "90"),
        ("start_date=2026-11-01&end_date=2026-10-01", 400, "早于"),
        ("status=pending", 400, "status"),
        ("service_request_id=1,abc", 400, "service_request_id"),
        ("service_code=nope", 404, "service_code"),
        ("page_size=5000", 400, "page_size"),
        ("page=0", 400, "page"),
        ("jurisdiction_id=NOPE", 404, "jurisdiction_id"),
    ],
)
def test_bad_filters(client, place, query, status, words):
    response = client.get(f"{BASE}requests.json?{query}")
    assert response.status_code == status
    (error,) = response.json()
    assert error["code"] == status and words in error["description"]


def test_paging(client, place):
    made = [_submit(place, description=f"第 {n} 盏路灯坏了") for n in range(5)]
    newest = [str(o.pk) for o in reversed(made)]
    assert _ids(client.get(f"{BASE}requests.json?page_size=2")) == newest[:2]
    assert _ids(client.get(f"{BASE}requests.json?page_size=2&page=3")) == newest[4:]


def test_jurisdiction_scopes_the_list(client, place):
    mine = _submit(place)
    assert _ids(client.get(f"{BASE}requests.json?jurisdiction_id=C0001")) == [str(mine.pk)]
    assert _ids(client.get(f"{BASE}requests.json?jurisdiction_id=C0009")) == []
    assert client.get(f"{BASE}requests/{mine.pk}.json?jurisdiction_id=C0009").status_code == 404
    assert client.get(f"{BASE}services.json?jurisdiction_id=C0009").status_code == 200


def test_unknown_request_and_token(client, place):
    for url in ("requests/999.json", "requests/abc.xml", "tokens/nope.json"):
        response = client.get(f"{BASE}{url}")
        assert response.status_code == 404


def test_no_personal_data_in_public_responses(client, place):
    made = post(
        client,
        place,
        first_name="小明",
        last_name="王",
        email="wang@example.com",
        description="我是王小明，电话 13912345678，身份证 350784199001011234，邮箱 a.b@qq.com",
    ).json()[0]
    order = Order.objects.get(pk=made["service_request_id"])
    for url in (
        "requests.json",
        "requests.xml",
        f"requests/{order.pk}.json",
        f"requests/{order.pk}.xml",
        f"tokens/{made['token']}.json",
    ):
        body = client.get(f"{BASE}{url}").content.decode()
        for secret in (
            "13800001111",
            "138****1111",
            "13912345678",
            "350784199001011234",
            "a.b@qq.com",
            "wang@example.com",
            order.tracking_code,
            "contact",
            "phone",
            "email",
        ):
            assert secret not in body, (url, secret)
    (item,) = client.get(f"{BASE}requests/{order.pk}.json").json()
    assert "139****5678" in item["description"]
    assert "350784********1234" in item["description"]


def test_location_is_coarsened_per_category(client, place):
    roads = post(client, place).json()[0]
    safety = post(
        client,
        place,
        service_code="safety",
        description="有一处燃气管道漏气",
        **{"attribute[facility]": None, "attribute[hazard]": "gas"},
    ).json()[0]
    published = {
        item["service_request_id"]: (item["lat"], item["long"])
        for item in client.get(f"{BASE}requests.json").json()
    }
    assert published[roads["service_request_id"]] == (27.512345, 118.712345)  # no coarsen
    assert published[safety["service_request_id"]] == (27.512, 118.712)  # coarsen: 3
    xml_body = client.get(f"{BASE}requests/{safety['service_request_id']}.xml").content.decode()
    assert "<lat>27.512</lat>" in xml_body and "27.512345" not in xml_body


def test_expected_and_updated_times(client, place, clock):
    order = _submit(place)
    clock.shift(3600)
    services.order_accept(actor=SYSTEM, order=order)
    (item,) = client.get(f"{BASE}requests/{order.pk}.json").json()
    assert item["requested_datetime"].startswith("2026-11-23T10:00")
    assert item["updated_datetime"].startswith("2026-11-23T11:00")
    assert item["expected_datetime"] == "2026-12-02T23:59:59+08:00"
    assert json.loads(json.dumps(item)) == item
    assert Order.objects.get(pk=order.pk).state == OrderState.ACCEPTED


def test_the_list_costs_the_same_queries_for_3_or_30_requests(
    client, place, django_assert_num_queries
):
    for n in range(3):
        _submit(place, description=f"第 {n} 盏路灯坏了")
    with django_assert_num_queries(1):
        assert len(client.get(f"{BASE}requests.json").json()) == 3
    for n in range(27):
        _submit(place, grid=place.plain, description=f"第 {n} 个井盖松了")
    with django_assert_num_queries(1):
        assert len(client.get(f"{BASE}requests.xml?service_code=roads&status=open").content) > 0


def test_xml_escapes_markup_and_drops_characters_xml_forbids(client, place):
    order = _submit(place, description="路灯<坏了> & \x01没人修\x0b")
    root = xml(client.get(f"{BASE}requests/{order.pk}.xml"))
    assert root.find("request/description").text == "路灯<坏了> & 没人修"
