"""Small helpers shared by the pages: pagination and the year asked for, with clear errors;
bad input as a 400 page."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dangjian.core.errors import error_text

PER_PAGE = 50

F = TypeVar("F", bound=Callable[..., HttpResponse])
M = TypeVar("M", bound=Model)


def form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A page with a form: 400 when a POST comes back to it (the form says why), else 200."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


class BadInput(Exception):
    """Input the page cannot use; shown to the user as a 400 page with this Chinese message."""


def refused(request: HttpRequest, exc: ValidationError, *, what: str = "未保存") -> HttpResponse:
    """The 400 page of a service's refusal: ``what`` (nothing was written) and its Chinese
    messages."""
    return render(
        request, "web/bad_request.html", {"message": f"{what}：{error_text(exc)}"}, status=400
    )


def date_input(value: str, label: str, *, required: bool = False) -> dt.date | None:
    """The date typed in a form field (``2026-05-01``); empty: None, or BadInput when
    ``required``; anything else raises BadInput naming the field by its ``label``."""
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput(f"请填写{label}")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{label}格式不对，请按“2026-05-01”填写") from None


def picked(items: QuerySet[M], raw: str, missing: str) -> M:
    """The one of ``items`` whose pk a form sent as ``raw``; none (or not a number): BadInput
    ``missing``."""
    item = items.filter(pk=int(raw)).first() if raw.isdigit() else None
    if item is None:
        raise BadInput(missing)
    return item


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[Any],
    *,
    param: str = "page",
    per_page: int | None = None,
    count: int | None = None,
) -> Page[Any]:
    """The requested page of ``items`` (``per_page`` rows, :data:`PER_PAGE` unless given); a
    malformed or out-of-range number raises BadInput. ``count``: the number of items when the
    caller knows it (from a rollup row), which spares the ``COUNT`` query."""
    raw = request.GET.get(param, "1").strip() or "1"
    if not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise BadInput(f"页码“{raw[:20]}”无效，应为正整数")
    number = int(raw)
    paginator = Paginator(items, per_page or PER_PAGE, allow_empty_first_page=True)
    if count is not None:
        paginator.count = count  # type: ignore[misc]  # the cached property, known already
    if number > paginator.num_pages:
        raise BadInput(f"页码 {number} 超出范围，共 {paginator.num_pages} 页")
    return paginator.page(number)


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without ``names`` (to build page links that keep the filters)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@contextmanager
def refused_as_400() -> Iterator[None]:
    """``with refused_as_400(): <service call>``: the service's refusal (a ``ValidationError``)
    becomes :class:`BadInput`, a 400 page with its Chinese messages."""
    try:
        yield
    except ValidationError as exc:
        raise BadInput(error_text(exc)) from None


def bad_input_as_400(view: F) -> F:
    """Render :class:`BadInput` raised by ``view`` as a 400 page instead of a server error."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadInput as exc:
            return render(request, "web/bad_request.html", {"message": str(exc)}, status=400)

    return wrapped  # type: ignore[return-value]


def page(*methods: str, refusals: bool = False) -> Callable[[F], F]:
    """A page behind the sign-in that answers the HTTP ``methods`` and shows :class:`BadInput`
    as a 400 page (``login_required``, ``require_http_methods`` and :func:`bad_input_as_400`);
    with ``refusals`` also a service's refusal (a ``ValidationError``): the 400 page of
    :func:`refused`, nothing written, the messages saying why."""

    def decorate(view: F) -> F:
        inner = _refusals_as_400(view) if refusals else view
        return login_required(require_http_methods(list(methods))(bad_input_as_400(inner)))

    return decorate


def _refusals_as_400(view: F) -> F:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return refused(request, exc)

    return wrapped  # type: ignore[return-value]


def action(view: F) -> F:
    """A form's POST whose service refusal is the 400 page of :func:`refused`
    (:func:`page` ``("POST", refusals=True)``)."""
    return page("POST", refusals=True)(view)


def login_required_htmx(view: F) -> F:
    """``login_required`` that tells htmx to load the login page as a whole page.

    A fragment request whose session has expired would otherwise swap the login form into
    the middle of the tree; ``HX-Redirect`` makes htmx navigate instead.
    """
    protected = login_required(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "")
            target = redirect_to_login(back or "/", settings.LOGIN_URL)
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target["Location"]
            return response
        return protected(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def year_param(request: HttpRequest, *, earliest: int = 1900) -> int | None:
    """The ``year`` of the query string (None when absent); anything else raises BadInput."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not earliest <= int(raw) <= 2100:
        raise BadInput(f"年份“{raw[:20]}”无效，应为四位数字")
    return int(raw)
