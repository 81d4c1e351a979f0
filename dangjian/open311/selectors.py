"""Reads of the Open311 interface: keys by their secret, jurisdictions, and the public list of
service requests (GET requests) with the spec's filters and a default window.

GET requests without ``service_request_id`` covers at most :data:`WINDOW` (90 days, the spec's
default span): the last 90 days by default, 90 days from ``start_date`` or up to ``end_date``
when only one is given; a longer span is refused. At most :data:`PAGE_MAX` (1000, the spec's
default) requests come back, newest first, paged with the common ``page``/``page_size``
extension. ``service_request_id`` (a comma list, at most 1000) overrides the other filters
except ``jurisdiction_id``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dangjian.orgs.models import Organization
from dangjian.service.choices import FINAL_STATES
from dangjian.service.models import Order

from .models import ApiKey, Submission, key_hash

WINDOW = dt.timedelta(days=90)
PAGE_MAX = 1000


def key_for(secret: str) -> ApiKey | None:
    """The active key with this secret, or ``None``."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiKey.objects.select_related("org", "default_grid")
        .filter(key_hash=key_hash(secret), active=True)
        .first()
    )


def jurisdiction(code: str) -> Organization | None:
    """The organization whose code is ``jurisdiction_id`` (a district's or county's 党委)."""
    return Organization.objects.filter(code=code).first() if code else None


@dataclass(frozen=True)
class Query:
    ids: tuple[int, ...] = ()
    service_code: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    status: str = ""  # "", "open" or "closed"
    jurisdiction: Organization | None = None
    page: int = 1
    page_size: int = PAGE_MAX


#: the columns a public request shows (:func:`dangjian.open311.render.request_item`)
PUBLIC_FIELDS = (
    "pk",
    "category",
    "description",
    "address",
    "lat",
    "long",
    "media_url",
    "state",
    "refuse_reason",
    "merged_into_id",
    "submitted_at",
    "updated_at",
    "resolution_due",
    "handler_org__name",
    "grid__token",
)
Row = dict[str, Any]


def _public(orders: QuerySet[Order]) -> list[Row]:
    """Plain rows rather than model instances: a page of 1000 costs one query and little else."""
    return list(orders.values(*PUBLIC_FIELDS))


def requests(query: Query) -> list[Row]:
    """The orders GET requests returns (module docstring); ``start``/``end`` already resolved
    by :func:`window`."""
    orders = Order.objects.all()
    if query.jurisdiction is not None:
        orders = orders.filter(org__path__startswith=query.jurisdiction.path)
    if query.ids:
        return _public(orders.filter(pk__in=query.ids).order_by("-submitted_at", "-pk")[:PAGE_MAX])
    if query.start is not None:
        orders = orders.filter(submitted_at__gte=query.start)
    if query.end is not None:
        orders = orders.filter(submitted_at__lte=query.end)
    if query.service_code:
        orders = orders.filter(category=query.service_code)
    if query.status == "open":
        orders = orders.exclude(state__in=FINAL_STATES)
    elif query.status == "closed":
        orders = orders.filter(state__in=FINAL_STATES)
    first = (query.page - 1) * query.page_size
    return _public(orders.order_by("-submitted_at", "-pk")[first : first + query.page_size])


def window(
    start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The span of GET requests (module docstring); ``ValueError`` when longer than 90 days or
    reversed."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise ValueError("end_date 早于 start_date")
    if end - start > WINDOW:
        raise ValueError("start_date 到 end_date 的跨度不能超过 90 天")
    return start, end


def request(pk: int, place: Organization | None = None) -> Row | None:
    orders = Order.objects.filter(pk=pk)
    if place is not None:
        orders = orders.filter(org__path__startswith=place.path)
    found = _public(orders)
    return found[0] if found else None


def submission_by_token(token: str) -> Submission | None:
    if not token or len(token) > 32:
        return None
    return Submission.objects.filter(token=token).only("token", "order_id").first()
