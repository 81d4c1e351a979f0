"""Every endpoint's JSON and XML against the GeoReport v2 spec: root and item elements, field
names in the spec's order, types, W3C times with the +08:00 offset, content types."""

from __future__ import annotations

import re

import pytest

from dangjian.service.categories import categories

from .helpers import (
    ATTRIBUTE_FIELDS,
    BASE,
    CREATED_FIELDS,
    DATATYPES,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    post,
    tags,
    xml,
)

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
pytestmark = pytest.mark.django_db


def test_discovery_json_and_xml(client):
    data = client.get(f"{BASE}discovery.json").json()
    assert list(data) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = data["endpoints"]
    assert list(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(data["changeset"])

    root = xml(client.get(f"{BASE}discovery.xml"))
    assert root.tag == "discovery"
    assert tags(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint_xml = root.find("endpoints/endpoint")
    assert endpoint_xml is not None
    assert [f.text for f in endpoint_xml.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_json_and_xml(client):
    response = client.get(f"{BASE}services.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert [s["service_code"] for s in data] == list(categories())
    for item in data:
        assert list(item) == SERVICE_FIELDS
        assert isinstance(item["metadata"], bool)
        assert item["type"] == "realtime"
        assert isinstance(item["keywords"], str)
    roads = next(s for s in data if s["service_code"] == "roads")
    assert roads["service_name"] == "道路设施"
    assert roads["metadata"] is True
    assert next(s for s in data if s["service_code"] == "dispute")["metadata"] is False

    root = xml(client.get(f"{BASE}services.xml"))
    assert root.tag == "services"
    assert {c.tag for c in root} == {"service"}
    assert [tags(s) for s in root] == [SERVICE_FIELDS] * len(data)
    assert root.find("service/metadata").text == "true"


def test_service_definition_json_and_xml(client):
    data = client.get(f"{BASE}services/utilities.json").json()
    assert list(data) == ["service_code", "attributes"]
    assert data["service_code"] == "utilities"
    utility, since = data["attributes"]
    for attr in data["attributes"]:
        assert list(attr) == ATTRIBUTE_FIELDS
        assert attr["datatype"] in DATATYPES
        assert isinstance(attr["variable"], bool) and isinstance(attr["required"], bool)
        assert isinstance(attr["order"], int)
    assert (utility["code"], utility["datatype"], utility["required"], utility["order"]) == (
        "utility",
        "multivaluelist",
        True,
        1,
    )
    assert utility["values"][0] == {"key": "water", "name": "水"}
    assert since["datatype"] == "datetime" and since["values"] == [] and since["order"] == 2

    root = xml(client.get(f"{BASE}services/utilities.xml"))
    assert root.tag == "service_definition"
    assert tags(root) == ["service_code", "attributes"]
    first = root.find("attributes/attribute")
    assert tags(first) == ATTRIBUTE_FIELDS
    assert [tags(v) for v in first.findall("values/value")] == [["key", "name"]] * 4
    assert first.find("required").text == "true" and first.find("order").text == "1"


def test_every_category_has_a_valid_definition(client):
    for code, cat in categories().items():
        data = client.get(f"{BASE}services/{code}.json").json()
        assert [a["code"] for a in data["attributes"]] == [a.code for a in cat.attributes]


def test_post_response_json_and_xml(client, place):
    response = post(client, place)
    assert response.status_code == 201
    (item,) = response.json()
    assert list(item) == CREATED_FIELDS
    assert item["service_request_id"].isdigit()
    assert item["account_id"] is None
    assert item["service_notice"] == "24 小时内响应，7 个工作日内办结"

    response = post(client, place, fmt="xml", description="另一处路灯也不亮了")
    root = xml(response)
    assert root.tag == "service_requests"
    assert tags(root) == ["request"]
    assert tags(root[0]) == CREATED_FIELDS
    assert root.find("request/account_id").text is None


def test_requests_and_request_json_and_xml(client, place):
    made = post(client, place).json()[0]
    (item,) = client.get(f"{BASE}requests.json").json()
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == made["service_request_id"]
    assert item["status"] == "open"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[name]), item[name]
    assert item["requested_datetime"].startswith("2026-11-23T10:00")
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    assert item["agency_responsible"] == "东坑村党支部"
    assert item["zipcode"] is None and item["media_url"] is None

    one = client.get(f"{BASE}requests/{made['service_request_id']}.json").json()
    assert one == [item]

    root = xml(client.get(f"{BASE}requests.xml"))
    assert root.tag == "service_requests"
    assert [tags(r) for r in root] == [REQUEST_FIELDS]
    assert root.find("request/status").text == "open"
    single = xml(client.get(f"{BASE}requests/{made['service_request_id']}.xml"))
    assert single.tag == "service_requests" and tags(single[0]) == REQUEST_FIELDS


def test_token_json_and_xml(client, place):
    made = post(client, place).json()[0]
    data = client.get(f"{BASE}tokens/{made['token']}.json").json()
    assert data == [{"service_request_id": made["service_request_id"], "token": made["token"]}]
    root = xml(client.get(f"{BASE}tokens/{made['token']}.xml"))
    assert root.tag == "service_requests"
    assert tags(root[0]) == ["service_request_id", "token"]
    assert root.find("request/service_request_id").text == made["service_request_id"]


def test_errors_json_and_xml(client):
    response = client.get(f"{BASE}services/nope.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "未知的 service_code：nope"}]
    response = client.get(f"{BASE}services/nope.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert tags(root) == ["error"]
    assert tags(root[0]) == ["code", "description"]
    assert root.find("error/code").text == "404"
