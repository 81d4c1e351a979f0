"""The write path of the Open311 interface: API keys, and service requests posted by the systems
holding them. Each write validates, writes and audits in one transaction.

API keys (:func:`key_create`, :func:`key_revoke`): one per integrating system, scoped to an
organization subtree; the key is 40 random URL-safe characters, shown once and stored as its
SHA-256 (a random key of that length needs no slow hash). Making or revoking one needs
``Perm.SECURITY_MANAGE`` over the subtree (the command line acts as the operator).

A posted request (:func:`request_create`) becomes an order through
:func:`dangjian.service.services.order_submit` — the same validation as the grid's public page,
so a phone number is required (``phone``) and the description has 5 to 2000 characters. It lands
in a grid chosen in this order:

1. ``address_id`` — a grid's public token (the token in its page link and QR code);
2. ``lat`` + ``long`` — the first active grid of the key's subtree whose GeoJSON boundary
   contains the point;
3. the key's default grid (``address_string`` alone, or a point outside every boundary).

The grid must lie in the key's subtree (403 otherwise) and in ``jurisdiction_id``'s when given
(400). The position (``lat``/``long``) and ``media_url`` are kept on the order; the attribute
answers are kept on the submission and appended to the description as one line the handler
reads. ``email``, ``device_id`` and ``account_id`` are not stored (personal data minimal);
``first_name``/``last_name`` become the order's 称呼.

Replays: with an ``Idempotency-Key`` header, the same
key and header value within 24 hours return the first order (a different body under the same
header value is refused, 409); without it, the same key and the same request (every posted field
but ``api_key``, in a canonical order) within 10 minutes return the first order. Submissions of
one key are serialized by a row lock on the key, so two copies arriving at once make one order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.models import Organization
from dangjian.service.categories import Attribute, Category, category
from dangjian.service.models import Grid, Order
from dangjian.service.services import DESCRIPTION_MAX, order_submit

from . import geo
from .models import ApiKey, Submission, key_hash

KEY_LENGTH = 40
HEADER_WINDOW = dt.timedelta(hours=24)
BODY_WINDOW = dt.timedelta(minutes=10)
MEDIA_URL_MAX = 500
ATTRIBUTE_TEXT_MAX = {"string": 200, "text": 1000, "datetime": 40, "number": 40}


class Open311Error(Exception):
    """A refusal with the HTTP status and the Chinese description the spec's error list carries."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once


@transaction.atomic
def key_create(
    *, actor: Actor, name: str, org: Organization, default_grid: Grid | None = None
) -> NewKey:
    """A key for one integrating system, scoped to ``org``'s subtree."""
    require(actor, Perm.SECURITY_MANAGE, org.path)
    errors = FieldErrors()
    name = (name or "").strip()
    if not name or len(name) > 60:
        errors.add("name", "请填写接入系统名称（最多 60 字）")
    elif ApiKey.objects.filter(name=name).exists():
        errors.add("name", f"已有名为“{name}”的接入系统")
    if default_grid is not None and not default_grid.org.path.startswith(org.path):
        errors.add("default_grid", f"默认网格“{default_grid.name}”不在{org.name}的范围内")
    errors.raise_if_any()
    secret = secrets.token_urlsafe(30)[:KEY_LENGTH]
    key = ApiKey.objects.create(
        name=name,
        prefix=secret[:8],
        key_hash=key_hash(secret),
        org=org,
        default_grid=default_grid,
        created_at=timezone.now(),
        created_by=user_of(actor),
    )
    audit_about(
        actor,
        AuditAction.OPEN311_KEY_CREATE,
        AuditSubject("open311_key", key, org.path, name),
        after={
            "name": name,
            "org": org.code,
            "default_grid": default_grid.pk if default_grid else None,
            "prefix": key.prefix,
        },
    )
    return NewKey(key, secret)


@transaction.atomic
def key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    require(actor, Perm.SECURITY_MANAGE, key.org.path)
    if key.active:
        ApiKey.objects.filter(pk=key.pk).update(active=False)
        key.active = False
        audit_about(
            actor,
            AuditAction.OPEN311_KEY_REVOKE,
            AuditSubject("open311_key", key, key.org.path, key.name),
            before={"active": True},
            after={"active": False},
        )
    return key


# --- service requests ---------------------------------------------------------------------------


@dataclass
class KeyActor:
    """The integrating system, as the audit trail names it (no user behind it)."""

    name: str
    pk: Any = None

    @property
    def audit_name(self) -> str:
        return f"诉求接入系统“{self.name}”"


@dataclass(frozen=True)
class Created:
    order: Order
    submission: Submission
    replayed: bool


Params = Mapping[str, Sequence[str]]


def _one(params: Params, name: str) -> str:
    values = params.get(name) or [""]
    return (values[-1] or "").strip()


def _coordinate(text: str, name: str, limit: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Open311Error(400, f"{name} 应为十进制度数，如 27.5432") from None
    if not value.is_finite() or abs(value) > limit:
        raise Open311Error(400, f"{name} 应在 -{limit} 到 {limit} 之间")
    return value.quantize(Decimal("0.000001"))


def _location(params: Params) -> tuple[Decimal | None, Decimal | None, str, str]:
    """(lat, long, address_string, address_id); 400 when none of the three ways is given."""
    lat_text, long_text = _one(params, "lat"), _one(params, "long")
    if bool(lat_text) != bool(long_text):
        raise Open311Error(400, "lat 和 long 须同时提供")
    lat = _coordinate(lat_text, "lat", 90) if lat_text else None
    lng = _coordinate(long_text, "long", 180) if long_text else None
    address = _one(params, "address_string")
    address_id = _one(params, "address_id")
    if lat is None and not address and not address_id:
        raise Open311Error(400, "缺少位置：请提供 lat 和 long、address_string 或 address_id 之一")
    return lat, lng, address, address_id


def _in(org: Organization | None, grid: Grid) -> bool:
    return org is None or grid.org.path.startswith(org.path)


def _grid(
    key: ApiKey,
    jurisdiction: Organization | None,
    lat: Decimal | None,
    lng: Decimal | None,
    address_id: str,
) -> tuple[Grid, str]:
    """The grid the request lands in, and how it was found (module docstring)."""
    how = ""
    grid: Grid | None = None
    if address_id:
        grid = Grid.objects.select_related("org").filter(token=address_id).first()
        if grid is None or not grid.active:
            raise Open311Error(400, "address_id 不是可受理的网格标识")
        how = "address_id"
    elif lat is not None and lng is not None:
        within = key.org.path if jurisdiction is None else jurisdiction.path
        candidates = Grid.objects.select_related("org").filter(
            active=True, boundary__isnull=False, org__path__startswith=within
        )
        for candidate in candidates.order_by("org__path", "name"):
            if geo.contains(candidate.boundary, float(lat), float(lng)):
                grid, how = candidate, "lat_long"
                break
    if grid is None and key.default_grid_id is not None:
        grid = Grid.objects.select_related("org").get(pk=key.default_grid_id)
        how = "default_grid"
    if grid is None or not grid.active:
        raise Open311Error(
            400, "无法确定受理网格：该位置不在任何网格范围内，请提供 address_id（网格标识）"
        )
    if not _in(key.org, grid):
        raise Open311Error(403, "该接口密钥无权向此网格提交")
    if not _in(jurisdiction, grid):
        raise Open311Error(400, "该网格不属于 jurisdiction_id 指定的辖区")
    return grid, how


def _attribute_value(attr: Attribute, values: list[str]) -> Any:
    """The answer to one attribute, checked against its datatype (400 otherwise)."""
    values = [v.strip() for v in values if v and v.strip()]
    label = f"属性“{attr.description}”（{attr.code}）"
    if not values:
        if attr.required:
            raise Open311Error(400, f"缺少必填的{label}")
        return None
    keys = dict(attr.values)
    if attr.datatype == "multivaluelist":
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise Open311Error(400, f"{label}没有选项 {'、'.join(unknown)[:100]}")
        return list(dict.fromkeys(values))
    value = values[-1]
    if len(value) > ATTRIBUTE_TEXT_MAX.get(attr.datatype, 200):
        raise Open311Error(400, f"{label}过长")
    if attr.datatype == "singlevaluelist" and value not in keys:
        raise Open311Error(400, f"{label}没有选项 {value[:50]}")
    if attr.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise Open311Error(400, f"{label}应为数字")
    if attr.datatype == "datetime":
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise Open311Error(400, f"{label}应为日期时间，如 2026-11-23T08:00:00+08:00")
    return value


def _attributes(cat: Category, params: Params) -> dict[str, Any]:
    """``attribute[code]`` (``attribute[code][]`` for several values) → checked answers."""
    found: dict[str, Any] = {}
    for attr in cat.attributes:
        raw = [
            *(params.get(f"attribute[{attr.code}]") or []),
            *(params.get(f"attribute[{attr.code}][]") or []),
        ]
        value = _attribute_value(attr, list(raw))
        if value is not None:
            found[attr.code] = value
    return found


def _attribute_line(cat: Category, answers: dict[str, Any]) -> str:
    parts = []
    for attr in cat.attributes:
        if attr.code not in answers:
            continue
        names = dict(attr.values)
        value = answers[attr.code]
        chosen = value if isinstance(value, list) else [value]
        shown = "、".join(str(names.get(v, v)) for v in chosen)
        parts.append(f"{attr.description}：{shown}")
    return "；".join(parts)


def _media_url(text: str) -> str:
    if not text:
        return ""
    if len(text) > MEDIA_URL_MAX:
        raise Open311Error(400, f"media_url 过长（最多 {MEDIA_URL_MAX} 字符）")
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise Open311Error(400, "media_url 应为 http 或 https 链接") from None
    return text


def _body_digest(params: Params) -> str:
    """Every posted field but ``api_key``, in a canonical order."""
    body = sorted((k, list(v)) for k, v in params.items() if k != "api_key")
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode("utf-8")).hexdigest()


def _replay_digest(key: ApiKey, params: Params, header: str) -> str:
    material = f"header:{key.pk}:{header}" if header else f"body:{key.pk}:{_body_digest(params)}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@transaction.atomic
def request_create(
    *,
    key: ApiKey,
    params: Params,
    jurisdiction: Organization | None = None,
    idempotency_key: str = "",
) -> Created:
    """POST requests: an order from an integrating system (module docstring). Raises
    :class:`Open311Error` (or ``ValidationError`` from the order's own checks, a 400)."""
    key = ApiKey.objects.select_for_update().select_related("org").get(pk=key.pk)
    if not key.active:
        raise Open311Error(403, "api_key 无效或已停用")
    now = timezone.now()
    header = idempotency_key.strip()[:200]
    digest = _replay_digest(key, params, header)
    window = HEADER_WINDOW if header else BODY_WINDOW
    earlier = (
        Submission.objects.select_related("order")
        .filter(key=key, replay_digest=digest, created_at__gte=now - window)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        if header and earlier.body_digest != _body_digest(params):
            raise Open311Error(409, "同一 Idempotency-Key 已用于内容不同的请求")
        return Created(earlier.order, earlier, replayed=True)

    cat = category(_one(params, "service_code"))
    if cat is None:
        raise Open311Error(404, "未知的 service_code（服务类别）")
    description = _one(params, "description")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 过长（最多 {DESCRIPTION_MAX} 字）")
    if len(description) < 5:  # as on the grid's page, whatever the attributes say
        raise Open311Error(400, "description：请写明您的诉求（至少 5 个字）")
    lat, lng, address, address_id = _location(params)
    answers = _attributes(cat, params)
    media_url = _media_url(_one(params, "media_url"))
    grid, how = _grid(key, jurisdiction, lat, lng, address_id)
    line = _attribute_line(cat, answers)
    text = f"{description}\n{line}" if description and line else (description or line)
    name = (_one(params, "last_name") + _one(params, "first_name"))[:20]
    order = order_submit(
        grid=grid,
        category=cat.code,
        description=text,
        phone=_one(params, "phone"),
        address=address[:200],
        contact_name=name,
    )
    Order.objects.filter(pk=order.pk).update(lat=lat, long=lng, media_url=media_url)
    order.lat, order.long, order.media_url = lat, lng, media_url
    submission = Submission.objects.create(
        key=key,
        order=order,
        token=secrets.token_urlsafe(16)[:22],
        replay_digest=digest,
        by_header=bool(header),
        body_digest=_body_digest(params),
        attributes=answers,
        created_at=now,
    )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    audit_about(
        KeyActor(key.name),
        AuditAction.OPEN311_REQUEST_CREATE,
        AuditSubject("service_order", order, order.org.path, f"服务工单 {order.tracking_code}"),
        after={
            "key": key.name,
            "category": cat.code,
            "grid": grid.pk,
            "located_by": how,
            "attributes": sorted(answers),
            "has_media": bool(media_url),
        },
    )
    return Created(order, submission, replayed=False)
