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
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

from dangjian.service.categories import Category, category
from dangjian.service.choices import FINAL_STATES, OrderState, RefuseReason

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: a nested list's element → the element of each of its items
SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_FINAL = frozenset(str(s) for s in FINAL_STATES)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


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


_STATE_LABELS = {str(value): str(label) for value, label in OrderState.choices}
_REASON_LABELS = {str(value): str(label) for value, label in RefuseReason.choices}


def status_notes(row: Mapping[str, Any]) -> str:
    notes = _STATE_LABELS.get(row["state"], "")
    if row["state"] == OrderState.REFUSED and row["refuse_reason"] in _REASON_LABELS:
        notes += f"：{_REASON_LABELS[row['refuse_reason']]}"
    if row["state"] == OrderState.MERGED and row["merged_into_id"]:
        notes += f"：与 {row['merged_into_id']} 号诉求重复"
    return notes


def request_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """One public request from a row of :data:`dangjian.open311.selectors.PUBLIC_FIELDS`."""
    cat = category(row["category"])
    places = cat.coarsen if cat else None
    return {
        "service_request_id": str(row["pk"]),
        "status": "closed" if row["state"] in _FINAL else "open",
        "status_notes": status_notes(row),
        "service_name": cat.name if cat else row["category"],
        "service_code": row["category"],
        "description": masked(row["description"]),
        "agency_responsible": row["handler_org__name"],
        "service_notice": service_notice(cat),
        "requested_datetime": w3c(row["submitted_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": w3c(row["resolution_due"]),
        "address": row["address"],
        "address_id": row["grid__token"],
        "zipcode": None,
        "lat": _coarse(row["lat"], places),
        "long": _coarse(row["long"], places),
        "media_url": row["media_url"] or None,
    }


#: characters XML 1.0 does not allow (control characters but tab, newline, carriage return)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("", str(value)))


def _fill(out: list[str], data: dict[str, Any]) -> None:
    for name, value in data.items():
        if value is None or value == "" or value == []:
            out.append(f"<{name}/>")
        elif isinstance(value, list):
            out.append(f"<{name}>")
            inner = SINGULAR.get(name, "item")
            for item in value:
                out.append(f"<{inner}>")
                if isinstance(item, dict):
                    _fill(out, item)
                else:
                    out.append(_text(item))
                out.append(f"</{inner}>")
            out.append(f"</{name}>")
        elif isinstance(value, dict):
            out.append(f"<{name}>")
            _fill(out, value)
            out.append(f"</{name}>")
        else:
            out.append(f"<{name}>{_text(value)}</{name}>")


def xml_document(root: str, item: str | None, data: Any) -> bytes:
    """``data`` (a list of dicts under ``root``/``item``, or one dict as ``root``) as XML; the
    element names are this module's own, the text is escaped and stripped of characters XML
    does not allow."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<{root}>"]
    if item is None:
        _fill(out, data)
    else:
        for entry in data:
            out.append(f"<{item}>")
            _fill(out, entry)
            out.append(f"</{item}>")
    out.append(f"</{root}>")
    return "".join(out).encode("utf-8")


def respond(fmt: str, root: str, item: str | None, data: Any, *, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = xml_document(root, item, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    data = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", data, status=status)
