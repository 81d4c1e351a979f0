"""POST requests: where a request lands, the key's scope, every kind of bad input as the spec's
error list with its status (nothing written), replays and floods."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from dangjian.core.models import AuditEntry
from dangjian.open311.models import Submission
from dangjian.service.models import Order

from .helpers import BASE, order_data, post, xml

pytestmark = pytest.mark.django_db


def _order(response) -> Order:
    assert response.status_code == 201, response.content.decode()
    return Order.objects.get(pk=response.json()[0]["service_request_id"])


def _refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content.decode()
    (error,) = response.json()
    assert error["code"] == status
    assert words in error["description"]


def test_a_point_inside_a_grid_boundary_lands_in_that_grid(client, place):
    order = _order(post(client, place))
    assert order.grid == place.grid
    assert order.org == place.village
    assert (order.lat, order.long) == (Decimal("27.512345"), Decimal("118.712345"))
    assert order.description == "村口路灯不亮了，晚上看不见路\n涉及的设施：路灯"
    assert order.phone == "13800001111"
    sub = Submission.objects.get(order=order)
    assert sub.key == place.key and sub.attributes == {"facility": "streetlight"}
    place.key.refresh_from_db()
    assert place.key.last_used_at is not None


def test_address_id_is_a_grid_token(client, place):
    order = _order(post(client, place, lat=None, long=None, address_id=place.plain.token))
    assert order.grid == place.plain and order.lat is None


def test_an_address_alone_or_a_point_outside_every_grid_goes_to_the_default_grid(client, place):
    order = _order(post(client, place, lat=None, long=None, address_string="东坑村村口"))
    assert (order.grid, order.address) == (place.plain, "东坑村村口")
    order = _order(post(client, place, lat="30.1", long="120.1", description="远处的路灯坏了"))
    assert order.grid == place.plain and order.lat == Decimal("30.1")


def test_contact_fields_stay_inside_and_extra_ones_are_not_kept(client, place):
    order = _order(
        post(
            client,
            place,
            first_name="小明",
            last_name="王",
            email="wang@example.com",
            device_id="dev-1",
            account_id="acc-9",
            media_url="https://img.example.com/a.jpg",
        )
    )
    assert order.contact_name == "王小明"
    assert order.media_url == "https://img.example.com/a.jpg"
    assert order.phone_masked == "138****1111"
    assert "wang@example.com" not in str(Submission.objects.get(order=order).attributes)


def test_the_submission_is_audited_with_the_key(client, place):
    order = _order(post(client, place))
    entry = AuditEntry.objects.get(action="open311.request.create")
    assert entry.actor_name == "诉求接入系统“随手拍”"
    assert entry.object_id == str(order.pk)
    assert entry.after["located_by"] == "lat_long"
    assert AuditEntry.objects.filter(action="service.order.submit", object_id=str(order.pk))


def test_a_key_covers_only_its_subtree(client, place):
    _refused(
        post(client, place, lat=None, long=None, address_id=place.other_grid.token),
        403,
        "无权",
    )
    assert not Order.objects.exists()


def test_jurisdiction_must_contain_the_grid(client, place):
    _order(post(client, place, jurisdiction_id="C0001"))
    _refused(post(client, place, jurisdiction_id="C0009"), 400, "jurisdiction_id")
    _refused(post(client, place, jurisdiction_id="NOPE"), 404, "jurisdiction_id")


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "nope"}, 404, "service_code"),
        ({"service_code": None}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "缺少位置"),
        ({"long": None}, 400, "同时提供"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "95"}, 400, "lat"),
        ({"long": "NaN"}, 400, "long"),
        ({"attribute[facility]": "rocket"}, 400, "没有选项"),
        ({"attribute[facility]": None}, 400, "必填"),
        ({"address_id": "no-such-grid"}, 400, "address_id"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"phone": None}, 400, "联系电话"),
        ({"phone": "12"}, 400, "联系电话"),
        ({"description": "短"}, 400, "诉求"),
        ({"description": "长" * 2001}, 400, "description"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(client, place, extra, status, words):
    _refused(post(client, place, **extra), status, words)
    assert not Order.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(
    ("code", "attrs", "words"),
    [
        ("safety", {"attribute[hazard]": "gas", "attribute[people_at_risk]": "many"}, "数字"),
        ("safety", {"attribute[hazard]": "gas", "attribute[people_at_risk]": "inf"}, "数字"),
        ("utilities", {"attribute[utility][]": ["water", "lava"]}, "lava"),
        ("utilities", {"attribute[utility]": "water", "attribute[since]": "昨天"}, "日期时间"),
    ],
)
def test_an_attribute_of_the_wrong_type(client, place, code, attrs, words):
    data = order_data(place, service_code=code, **{"attribute[facility]": None}, **attrs)
    response = client.post(f"{BASE}requests.json", data)
    _refused(response, 400, words)
    assert not Order.objects.exists()


def test_typed_attributes_are_kept(client, place):
    data = order_data(
        place,
        service_code="utilities",
        **{
            "attribute[facility]": None,
            "attribute[utility][]": ["water", "power"],
            "attribute[since]": "2026-11-23T08:00:00+08:00",
        },
    )
    order = _order(client.post(f"{BASE}requests.json", data))
    assert Submission.objects.get(order=order).attributes == {
        "utility": ["water", "power"],
        "since": "2026-11-23T08:00:00+08:00",
    }
    assert "涉及哪些：水、电" in order.description


def test_a_5_mb_description_is_refused_in_the_callers_format(client, place):
    response = post(client, place, fmt="xml", description="长" * (5 * 1024 * 1024 // 3))
    assert response.status_code == 413
    assert xml(response).find("error/code").text == "413"
    assert not Order.objects.exists()


def test_a_replayed_post_returns_the_same_request(client, place):
    first = post(client, place).json()[0]
    again = post(client, place)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()[0]["service_request_id"] == first["service_request_id"]
    assert again.json()[0]["token"] == first["token"]
    assert Order.objects.count() == 1
    # another description is another request
    post(client, place, description="桥头的路灯也不亮")
    assert Order.objects.count() == 2


def test_a_replay_after_the_window_is_a_new_request(client, place, clock):
    post(client, place)
    clock.shift(11 * 60)
    post(client, place)
    assert Order.objects.count() == 2


def test_the_idempotency_key_header_wins_for_a_day(client, place, clock):
    headers = {"Idempotency-Key": "abc-123"}
    first = post(client, place, headers=headers).json()[0]
    clock.shift(20 * 3600)
    again = post(client, place, headers=headers).json()[0]
    assert again["service_request_id"] == first["service_request_id"]
    _refused(post(client, place, headers=headers, description="换了内容的请求"), 409, "Idem")
    assert Order.objects.count() == 1
    clock.shift(5 * 3600)
    post(client, place, headers=headers)
    assert Order.objects.count() == 2


def test_replays_are_per_key(client, place):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.open311.services import key_create

    other = key_create(actor=SYSTEM, name="另一系统", org=place.village)
    post(client, place)
    post(client, place, api_key=other.secret)
    assert Order.objects.count() == 2


@override_settings(DANGJIAN_OPEN311_RATE_LIMITS={"addr": [3, 600]})
def test_a_flood_from_one_address_is_refused(client, place):
    for n in range(3):
        assert post(client, place, description=f"第 {n} 盏路灯不亮了").status_code == 201
    response = post(client, place, fmt="xml", description="又一盏路灯不亮了")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert xml(response).find("error/code").text == "429"
    assert Order.objects.count() == 3
    other = client.post(
        f"{BASE}requests.json",
        order_data(place, description="别处的路灯不亮了"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 201


@override_settings(DANGJIAN_OPEN311_RATE_LIMITS={"key": [2, 600]})
def test_a_flood_from_one_key_is_refused_across_addresses(client, place):
    for n in range(2):
        data = order_data(place, description=f"第 {n} 盏路灯不亮了")
        response = client.post(f"{BASE}requests.json", data, REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 201
    data = order_data(place, description="又一盏路灯不亮了")
    _refused(client.post(f"{BASE}requests.json", data, REMOTE_ADDR="10.0.0.7"), 429, "频繁")
    assert Order.objects.count() == 2


@override_settings(DANGJIAN_OPEN311_RATE_LIMITS={"read": [2, 60]})
def test_reads_are_rate_limited_per_address(client, place):
    assert client.get(f"{BASE}services.json").status_code == 200
    assert client.get(f"{BASE}requests.json").status_code == 200
    _refused(client.get(f"{BASE}requests.json"), 429, "频繁")


def test_a_revoked_key_is_refused(client, place):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.open311.services import key_revoke

    key_revoke(actor=SYSTEM, key=place.key)
    _refused(post(client, place), 403, "api_key")


def test_other_methods_are_refused(client):
    response = client.delete(f"{BASE}requests.json")
    assert response.status_code == 405
    assert client.post(f"{BASE}services.json").status_code == 405
