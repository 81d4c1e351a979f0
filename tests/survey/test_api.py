"""``/api/v1/surveys/``: scope, rates, disclosure floor, authorization matrix."""

from __future__ import annotations

import random

import pytest

from dangjian.survey.services import seed_responses

URL = "/api/v1/surveys/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "expected", "count"),
    [
        (None, 401, None),
        ("sysadmin", 403, None),
        ("admin_b", 200, 1),
        ("secretary_a", 200, 1),
        ("inspector_a", 200, 1),
        ("admin", 200, 2),
    ],
)
def test_list_matrix(tree, surveys, user, expected, count, api):
    response = api(user).get(URL)
    assert response.status_code in ((401, 403) if expected == 401 else (expected,))
    if count is not None:
        assert response.json()["count"] == count


@pytest.mark.django_db
def test_detail_scope_and_rates(tree, surveys, api):
    seed_responses(surveys["a"], random.Random(5), 30, satisfaction=1.0)
    client = api("secretary_a")
    assert client.get(f"{URL}{surveys['b'].pk}/").status_code == 404
    body = client.get(f"{URL}{surveys['a'].pk}/").json()
    assert body["org"] == "BA001" and "token" not in body
    rates = body["rates"]
    assert rates["answers"] == 30 and rates["disclosed"]
    sat = rates["satisfaction"]
    assert sat["value"] == 1.0 and sat["reliable"] and sat["n"] == 30
    assert sat["low"] == pytest.approx(0.8865, abs=5e-4)  # Wilson 30/30
    b = api("admin").get(f"{URL}{surveys['b'].pk}/").json()
    assert not b["rates"]["disclosed"] and b["rates"]["satisfaction"] is None


@pytest.mark.django_db
def test_filters(tree, surveys, api):
    client = api("admin")
    assert client.get(URL, {"org": "TB001"}).json()["count"] == 1
    assert client.get(URL, {"key": "campaign:1"}).json()["count"] == 2
    assert client.get(URL, {"key": "other"}).json()["count"] == 0
    assert api("admin_a").get(URL, {"org": "TB001"}).status_code == 404


@pytest.mark.django_db
def test_rates_state_who_was_invited_and_never_exceed_100_percent(tree, surveys, api):
    seed_responses(surveys["a"], random.Random(5), 6)  # branch_a: 4 members invited
    data = api("admin_a").get(f"{URL}{surveys['a'].pk}/").json()
    assert data["audience"] == "members"
    rates = data["rates"]
    assert rates["population"] == 4 and rates["answers"] == 6
    assert rates["population_basis"] == "发起时本组织名册上的党员 4 人"
    assert rates["response_rate"] is None and "答卷 6 份多于邀请的 4 人" in rates["response_note"]
