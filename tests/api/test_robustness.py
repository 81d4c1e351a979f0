"""Bad input never gets a 500: odd query values, bodies the database cannot store, malformed
JSON, absurd numbers and dates. Every case answers 4xx with a message and writes nothing."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import db_state

ORG = {"code": "X1", "name": "新支部", "type": "党支部", "sector": "农村", "parent": "TA001"}
MEMBER = {
    "name": "新党员",
    "id_number": "110105198001010010",
    "member_type": "预备党员",
    "joined_on": "2020-01-01",
    "org": "BA001",
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/orgs/", "/api/v1/members/", "/api/v1/findings/"])
@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=a%00b",
        "type=%00",
        "region=%00",
        "org=%00",
        "parent=%00",
        "subtree=%00",
        "rule=%00",
        "q=%ED%A0%80",
        "at=9999-12-31",
        "at=0001-01-01",
        "page=99999999999",
        "page_size=99999999999",
        "page=1.5",
    ],
)
def test_odd_query_values(tree, api, url, query):
    response = api("admin").get(f"{url}?{query}")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url,body",
    [
        ("post", "/api/v1/orgs/", {**ORG, "name": "a\x00b"}),
        ("post", "/api/v1/orgs/", {**ORG, "name": "a\ud800b"}),
        ("post", "/api/v1/orgs/", {**ORG, "units_covered": 10**12}),
        ("post", "/api/v1/orgs/", {**ORG, "term_years": 10**12}),
        ("post", "/api/v1/orgs/", {**ORG, "type": ["党支部"], "sector": None, "parent": 5}),
        ("post", "/api/v1/orgs/", [1, 2]),
        ("post", "/api/v1/orgs/", "string"),
        ("patch", "/api/v1/orgs/BA001/", {"name": "\x00"}),
        ("patch", "/api/v1/orgs/BA001/", {"parent": "\ud800"}),
        ("patch", "/api/v1/orgs/BA001/", {"founded_on": "2999-01-01"}),
        ("post", "/api/v1/members/", {**MEMBER, "name": "a\x00"}),
        ("post", "/api/v1/members/", {**MEMBER, "id_number": "\ud800" * 18}),
        ("post", "/api/v1/members/", {**MEMBER, "joined_on": "0001-01-01", "phone": "\x00"}),
        ("post", "/api/v1/members/", {**MEMBER, "residence_community": "\x00"}),
        ("post", "/api/v1/members/", {**MEMBER, "org": {"code": "BA001"}}),
        ("patch", "/api/v1/members/{pk}/", {"ethnicity": "\x00"}),
        ("patch", "/api/v1/members/{pk}/", {"member_type": None}),
        ("post", "/api/v1/members/{pk}/reveal/", {"reason": "\x00"}),
    ],
)
def test_bodies_the_database_cannot_store(tree, api, method, url, body):
    client = api("admin")
    url = url.format(pk=tree["members_a"][0].pk)
    before = db_state()
    # ensure_ascii: lone surrogates travel as \\ud800 escapes, as a hostile client would send
    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/orgs/", "/api/v1/members/", "/api/v1/auth/token/"])
def test_malformed_json(tree, api, url):
    client = api("admin") if "auth" not in url else APIClient()
    before = db_state()
    response = client.post(url, b'{"code": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orgs/",
        "/api/v1/orgs/BA001/",
        "/api/v1/members/",
        "/api/v1/findings/",
        "/api/v1/auth/token/",
    ],
)
def test_options_and_head(tree, api, url):
    client = api("admin")
    assert client.options(url).status_code in (200, 401)
    assert client.head(url).status_code in (200, 405)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"username": "a\x00", "password": "x\x00"}, {"username": "a\ud800", "password": "x"}]
)
def test_token_endpoint_odd_credentials(tree, body):
    response = APIClient().post(
        "/api/v1/auth/token/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
