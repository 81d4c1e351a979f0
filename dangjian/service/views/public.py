"""The resident's pages (no account): order a service on a grid's page, follow it by its
tracking code, rate it and reopen it. Rate-limited per address; errors in Chinese."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dangjian.core import clock
from dangjian.core.errors import error_text, errors_on
from dangjian.core.middleware import client_addr

from .. import ratelimit, retention, services
from ..categories import category
from ..choices import OrderState
from ..forms import OrderForm, RateForm, ReopenForm
from ..selectors import grid_by_token, order_by_code


def _kept_days() -> int | None:
    """How long the resident's phone is kept after the order ends (SERVICE-PHONE-RETENTION's
    ``retention_days`` in force today), to tell the resident; ``None`` if it is misconfigured
    (the purge refuses to run then too, so nothing is promised)."""
    try:
        return retention.retention_days(timezone.localdate(clock.now()))
    except ValueError:
        return None


def _invalid(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "service/public_invalid.html", {"what": what}, status=404)


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "service/public_invalid.html", {"limited": True}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """群众点单 on a grid's public page."""
    grid = grid_by_token(token)
    if grid is None:
        return _invalid(request, "网格服务链接")
    form = OrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(f"grid:{grid.pk}", client_addr(request)):
            return _limited(request)
        status = 400
        if form.is_valid():
            with errors_on(form):
                order = services.order_submit(grid=grid, **form.cleaned_data)
                return redirect("service:track", order.tracking_code)
    context = {"grid": grid, "org_name": grid.org.name, "form": form, "kept_days": _kept_days()}
    return render(request, "service/public_submit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The order as the resident sees it: its state and history (no one's name), with the
    rating form once resolved and the reopening form when not satisfied."""
    order = order_by_code(code)
    if order is None:
        return _invalid(request, "工单查询码")
    rate_form = RateForm(request.POST if request.POST.get("action") == "rate" else None)
    reopen_form = ReopenForm(request.POST if request.POST.get("action") == "reopen" else None)
    error = ""
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(f"order:{order.pk}", client_addr(request)):
            return _limited(request)
        status = 400
        try:
            if request.POST.get("action") == "rate" and rate_form.is_valid():
                services.order_rate(order=order, **rate_form.cleaned_data)
                return redirect("service:track", order.tracking_code)
            if request.POST.get("action") == "reopen" and reopen_form.is_valid():
                services.order_reopen(order=order, **reopen_form.cleaned_data)
                return redirect("service:track", order.tracking_code)
        except ValidationError as exc:
            error = error_text(exc)
    cat = category(order.category)
    context: dict[str, Any] = {
        "order": order,
        "category_name": cat.name if cat else order.category,
        "events": order.events.all(),
        "can_rate": order.state == OrderState.RESOLVED,
        "can_reopen": order.state in (OrderState.RESOLVED, OrderState.RATED),
        "rate_form": rate_form,
        "reopen_form": reopen_form,
        "error": error,
        "kept_days": _kept_days(),
    }
    return render(request, "service/public_track.html", context, status=status)
