"""``/api/v1/care/…``: the write path through the API, every refusal a 400 in Chinese with
nothing written."""

from __future__ import annotations

import pytest

from dangjian.care.models import Hardship, Help, Visit
from tests.authz import state

pytestmark = pytest.mark.django_db


def _refused(client, url, data, *messages):
    before = state()
    response = client.post(url, data, format="json")
    assert response.status_code == 400, response.content
    text = str(response.json())
    for m in messages:
        assert m in text, text
    assert state() == before
    return response


def test_register_help_visit_close(place, api):
    client = api(place.secretary)
    created = client.post(
        "/api/v1/care/hardships/",
        {
            "member": place.neighbour.pk,
            "reason": "年老体弱",
            "level": "一般困难",
            "since": "2026-03-01",
            "note": "独居",
            "helpers": [place.town.code],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "李建国" and [h["code"] for h in body["helpers"]] == [place.town.code]
    assert "note" not in body  # the encrypted note stays out of the API
    pk = body["id"]
    url = f"/api/v1/care/hardships/{pk}/"
    helped = client.post(
        url + "help/",
        {"kind": "慰问金", "amount": "500.00", "org": place.branch.code, "given_on": "2026-04-01"},
        format="json",
    )
    assert helped.status_code == 201 and helped.json()["helps"][0]["amount"] == "500.00"
    visited = client.post(
        url + "visits/",
        {
            "occasion": "七一",
            "visited_on": "2026-07-01",
            "org": place.town.code,
            "next_visit_on": "2026-10-01",
        },
        format="json",
    )
    assert visited.json()["visits"][0]["org"]["code"] == place.town.code
    closed = client.post(url + "close/", {"until": "2026-09-01", "reason": "已脱困"}, format="json")
    assert closed.status_code == 200 and closed.json()["until"] == "2026-09-01"
    assert Help.objects.count() == 1 and Visit.objects.count() == 1


def test_bad_input_is_a_400_and_writes_nothing(place, api):
    client = api(place.secretary)
    url = f"/api/v1/care/hardships/{place.entry.pk}/"
    _refused(
        client,
        url + "help/",
        {"kind": "慰问金", "amount": "-5", "org": place.branch.code, "given_on": "2026-04-01"},
        "amount",
    )
    _refused(
        client,
        url + "visits/",
        {"occasion": "春节", "visited_on": "2026-01-01", "org": place.branch.code},
        "走访日期不能早于困难登记日期（2026-01-10）",
    )
    _refused(
        client,
        url + "close/",
        {"until": "2025-12-31", "reason": "已脱困"},
        "销号日期不能早于登记日期",
    )
    _refused(
        client,
        "/api/v1/care/hardships/",
        {"member": place.member.pk, "reason": "疾病", "level": "一般困难", "since": "2026-05-01"},
        "该党员已有未销号的困难登记",
    )
    _refused(
        client,
        "/api/v1/care/hardships/",
        {"member": place.stranger.pk, "reason": "疾病", "level": "一般困难", "since": "2026-05-01"},
        "党员不存在或不在本支部名册中",
    )
    assert Hardship.objects.count() == 1


def test_figures_parameters_are_checked(place, api):
    client = api(place.root_admin)
    assert client.get("/api/v1/care/figures/", {"year": "abc"}).status_code == 400
    assert client.get("/api/v1/care/figures/", {"org": place.town.code}).status_code == 200
    assert client.get("/api/v1/care/figures/", {"org": "NOPE1"}).status_code == 404
