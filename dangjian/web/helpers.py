"""Small helpers shared by the pages: pagination with clear errors, bad input as a 400 page."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PER_PAGE = 50

F = TypeVar("F", bound=Callable[..., HttpResponse])


class BadInput(Exception):
    """Input the page cannot use; shown to the user as a 400 page with this Chinese message."""


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[Any],
    *,
    param: str = "page",
    per_page: int = PER_PAGE,
) -> Page[Any]:
    """The requested page of ``items``; a malformed or out-of-range number raises BadInput."""
    raw = request.GET.get(param, "1").strip() or "1"
    if not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise BadInput(f"页码“{raw[:20]}”无效，应为正整数")
    number = int(raw)
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
    if number > paginator.num_pages:
        raise BadInput(f"页码 {number} 超出范围，共 {paginator.num_pages} 页")
    return paginator.page(number)


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without ``names`` (to build page links that keep the filters)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def bad_input_as_400(view: F) -> F:
    """Render :class:`BadInput` raised by ``view`` as a 400 page instead of a server error."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadInput as exc:
            return render(request, "web/bad_request.html", {"message": str(exc)}, status=400)

    return wrapped  # type: ignore[return-value]
