"""The Open311 GeoReport v2 endpoints under ``/open311/v2/`` (see :mod:`.urls`). Every refusal is
the spec's error list in the caller's format (``.json`` or ``.xml``) with the matching HTTP status:
400 bad or missing input, 403 no valid ``api_key`` (or one not covering the grid), 404 unknown
service, request, token or jurisdiction, 409 an ``Idempotency-Key`` reused for another body, 413
a body over the upload limit, 429 too many requests (with ``Retry-After``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from dangjian.core import ratelimit
from dangjian.core.middleware import client_addr
from dangjian.orgs.models import Organization
from dangjian.service.categories import categories, category

from . import render, selectors, services

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: when this interface last changed (discovery's ``changeset``)
CHANGESET = "2026-12-06T00:00:00+08:00"
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "read": (120, 60),  # GETs per client address
    "addr": (30, 600),  # POSTs per client address
    "key": (600, 600),  # POSTs per API key
}


class Refused(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def _limit(name: str, scope: str) -> None:
    conf = ratelimit.budgets("DANGJIAN_OPEN311_RATE_LIMITS", DEFAULT_LIMITS)
    if not ratelimit.hit(f"dj-open311:{name}:{scope}", *conf[name]):
        raise Refused(429, "请求过于频繁，请稍后再试")


def _addr(request: HttpRequest) -> str:
    return ratelimit.addr_key("open311", client_addr(request))


def _jurisdiction(params: Any) -> Organization | None:
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    org = selectors.jurisdiction(code[:32])
    if org is None:
        raise Refused(404, "未知的 jurisdiction_id（应为区县党组织的组织编码）")
    return org


def _no_nul(values: Any) -> None:
    """NUL characters are refused up front (PostgreSQL's text cannot hold them)."""
    if any("\x00" in str(v) for v in values):
        raise Refused(400, "请求含有不允许的空字符（NUL）")


def endpoint(view: Any) -> Any:
    """Wrap a view: refusals and ``ValidationError`` as the spec's error list."""

    @never_cache
    @csrf_exempt
    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            _no_nul([*kwargs.values(), *(v for _, vs in request.GET.lists() for v in vs)])
            response: HttpResponse = view(request, fmt, **kwargs)
        except Refused as exc:
            response = render.errors(fmt, exc.status, *exc.descriptions)
        except services.Open311Error as exc:
            response = render.errors(fmt, exc.status, exc.description)
        except ValidationError as exc:
            response = render.errors(fmt, 400, *exc.messages)
        except (RequestDataTooBig, TooManyFieldsSent):
            response = render.errors(fmt, 413, "请求内容过大")
        if response.status_code == 429:
            response["Retry-After"] = "60"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _get_only(request: HttpRequest, *allowed: str) -> None:
    if request.method not in allowed:
        raise Refused(405, f"不支持 {request.method} 方法")
    if request.method == "GET":
        _limit("read", _addr(request))


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service discovery document: where the v2 endpoint is and what formats it speaks."""
    _get_only(request, "GET")
    contact = getattr(settings, "DANGJIAN_OPEN311_CONTACT", "") or "请联系所在县（区）委组织部"
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "接口密钥由县（区）委组织部发放（dangjian open311 key create）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.respond(fmt, "discovery", None, data)


@endpoint
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET services: every category of ``categories.yaml`` (the same in every jurisdiction)."""
    _get_only(request, "GET")
    _jurisdiction(request.GET)
    data = [render.service_item(c) for c in categories().values()]
    return render.respond(fmt, "services", "service", data)


@endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """GET a service definition: the category's attributes."""
    _get_only(request, "GET")
    _jurisdiction(request.GET)
    cat = category(code)
    if cat is None:
        raise Refused(404, f"未知的 service_code：{code[:40]}")
    return render.respond(fmt, "service_definition", None, render.service_definition(cat))


def _moment(params: Any, name: str) -> dt.datetime | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = dt.datetime.combine(day, dt.time.min)
            if name == "end_date":
                moment += dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(400, f"{name} 应为 W3C 日期时间，如 2026-11-23T10:00:00+08:00")
    if not 1900 <= moment.year <= 2999:
        raise Refused(400, f"{name} 超出可用的日期范围（1900 到 2999 年）")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _positive(params: Any, name: str, default: int, top: int) -> int:
    text = (params.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise Refused(400, f"{name} 应为 1 到 {top} 的整数")
    return int(text)


def _query(params: Any) -> selectors.Query:
    place = _jurisdiction(params)
    ids_text = (params.get("service_request_id") or "").strip()
    if ids_text:
        parts = [p.strip() for p in ids_text.split(",") if p.strip()]
        if len(parts) > selectors.PAGE_MAX or not all(p.isdigit() and len(p) < 19 for p in parts):
            raise Refused(400, "service_request_id 应为以逗号分隔的编号（最多 1000 个）")
        return selectors.Query(ids=tuple(int(p) for p in parts), jurisdiction=place)
    status = (params.get("status") or "").strip()
    if status not in ("", "open", "closed"):
        raise Refused(400, "status 只能为 open 或 closed")
    try:
        start, end = selectors.window(
            _moment(params, "start_date"), _moment(params, "end_date"), timezone.now()
        )
    except ValueError as exc:
        raise Refused(400, str(exc)) from None
    code = (params.get("service_code") or "").strip()
    if code and category(code) is None:
        raise Refused(404, f"未知的 service_code：{code[:40]}")
    return selectors.Query(
        service_code=code,
        start=start,
        end=end,
        status=status,
        jurisdiction=place,
        page=_positive(params, "page", 1, 100000),
        page_size=_positive(params, "page_size", selectors.PAGE_MAX, selectors.PAGE_MAX),
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    _limit("addr", _addr(request))
    params = {name: list(values) for name, values in request.POST.lists()}
    _no_nul([*params, *(v for vs in params.values() for v in vs)])
    key = selectors.key_for((request.POST.get("api_key") or "").strip())
    if key is None:
        raise Refused(403, "api_key 无效或已停用")
    _limit("key", str(key.pk))
    created = services.request_create(
        key=key,
        params=params,
        jurisdiction=_jurisdiction(request.POST),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    cat = category(created.order.category)
    data = [
        {
            "service_request_id": str(created.order.pk),
            "token": created.submission.token,
            "service_notice": render.service_notice(cat),
            "account_id": None,
        }
    ]
    response = render.respond(fmt, "service_requests", "request", data, status=201)
    if created.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@endpoint
def requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET requests (filters, window and paging in :mod:`.selectors`), or POST a request."""
    if request.method == "POST":
        return _create(request, fmt)
    _get_only(request, "GET")
    orders = selectors.requests(_query(request.GET))
    data = [render.request_item(o) for o in orders]
    return render.respond(fmt, "service_requests", "request", data)


@endpoint
def request_detail(request: HttpRequest, fmt: str, pk: str) -> HttpResponse:
    """GET a service request."""
    _get_only(request, "GET")
    place = _jurisdiction(request.GET)
    order = selectors.request(int(pk), place) if pk.isdigit() and len(pk) < 19 else None
    if order is None:
        raise Refused(404, f"没有编号为 {pk[:20]} 的服务请求")
    return render.respond(fmt, "service_requests", "request", [render.request_item(order)])


@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """GET service_request_id from a token."""
    _get_only(request, "GET")
    _jurisdiction(request.GET)
    submission = selectors.submission_by_token(token)
    if submission is None:
        raise Refused(404, "没有这个 token")
    data = [{"service_request_id": str(submission.order_id), "token": submission.token}]
    return render.respond(fmt, "service_requests", "request", data)


@endpoint
def unknown(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Refused(404, "没有这个接口（见 discovery）")
