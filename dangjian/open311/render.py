"""GeoReport v2 documents, in JSON and XML, with the spec's element names and shapes.

JSON: a list of objects (a single object for ``discovery`` and ``service_definition``); XML: a
root element holding one element per item (``services``/``service``,
``service_requests``/``request``, ``errors``/``error``), with nested lists as plural/singular
pairs (``attributes``/``attribute``, ``values``/``value``, ``endpoints``/``endpoint``,
``formats``/``format``). ``None`` is JSON ``null`` and an empty XML element; booleans are
``true``/``false``; times are W3C (ISO 8601) with the offset, e.g. ``2026-11-23T10:00:00+08:00``.

What a request shows (:func:`request_item`) is public: no contact details, no one's name, the
tracking code never (it lets its holder rate the order), mobile and ID numbers and e-mail
addresses in the description masked, and the position rounded to the category's ``coarsen``
decimals.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from dangjian.service.categories import Category, category
from dangjian.service.choices import FINAL_STATES, OrderState, RefuseReason
from dangjian.service.models import Order

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: a nested list's element → the element of each of its items
SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def w3c(moment: dt.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def masked(text: str) -> str:
    """Mobile numbers, ID numbers and e-mail addresses in a resident's text, masked."""
    text = _ID.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    return _EMAIL.sub("***@***", text)


def service_notice(cat: Category | None) -> str:
    if cat is None:
        return ""
    days = f"{cat.resolution_days} 个工作日" if cat.workdays else f"{cat.resolution_days} 天"
    return f"{cat.response_hours} 小时内响应，{days}内办结"


def service_item(cat: Category) -> dict[str, Any]:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": f"{cat.group}·{cat.name}：{service_notice(cat)}",
        "metadata": bool(cat.attributes),
        "type": "realtime",
        "keywords": ",".join(cat.keywords),
        "group": cat.group,
    }


def service_definition(cat: Category) -> dict[str, Any]:
    return {
        "service_code": cat.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": k, "name": n} for k, n in a.values],
            }
            for a in cat.attributes
        ],
    }


def _coarse(value: Decimal | None, places: int | None) -> float | None:
    if value is None:
        return None
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(value)


def status_notes(order: Order) -> str:
    notes = str(OrderState(order.state).label)
    if order.state == OrderState.REFUSED and order.refuse_reason in RefuseReason.values:
        notes += f"：{RefuseReason(order.refuse_reason).label}"
    if order.state == OrderState.MERGED and order.merged_into_id:
        notes += f"：与 {order.merged_into_id} 号诉求重复"
    return notes


def request_item(order: Order) -> dict[str, Any]:
    cat = category(order.category)
    places = cat.coarsen if cat else None
    return {
        "service_request_id": str(order.pk),
        "status": "closed" if order.state in FINAL_STATES else "open",
        "status_notes": status_notes(order),
        "service_name": cat.name if cat else order.category,
        "service_code": order.category,
        "description": masked(order.description),
        "agency_responsible": order.handler_org.name,
        "service_notice": service_notice(cat),
        "requested_datetime": w3c(order.submitted_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.resolution_due),
        "address": order.address,
        "address_id": order.grid.token,
        "zipcode": None,
        "lat": _coarse(order.lat, places),
        "long": _coarse(order.long, places),
        "media_url": order.media_url or None,
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for name, value in data.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            for item in value:
                sub = ET.SubElement(child, SINGULAR.get(name, "item"))
                if isinstance(item, dict):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def xml_document(root: str, item: str | None, data: Any) -> bytes:
    """``data`` (a list of dicts under ``root``/``item``, or one dict as ``root``) as XML."""
    element = ET.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for entry in data:
            _fill(ET.SubElement(element, item), entry)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(fmt: str, root: str, item: str | None, data: Any, *, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = xml_document(root, item, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    data = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", data, status=status)
