"""Shared pieces of the Open311 tests: the spec's field lists and a way to post a request."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

BASE = "/open311/v2/"

#: GeoReport v2 field names, in the spec's order
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED_FIELDS = ["service_request_id", "token", "service_notice", "account_id"]
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def xml(response: Any) -> ET.Element:
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(body)  # noqa: S314 (our own response, not untrusted input)


def tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def order_data(place: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "api_key": place.secret,
        "service_code": "roads",
        "lat": "27.512345",
        "long": "118.712345",
        "description": "村口路灯不亮了，晚上看不见路",
        "phone": "13800001111",
        "attribute[facility]": "streetlight",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Any, place: Any, fmt: str = "json", headers: Any = None, **extra: Any) -> Any:
    return client.post(f"{BASE}requests.{fmt}", order_data(place, **extra), headers=headers or {})
