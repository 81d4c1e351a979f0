"""Page-number pagination with a capped, validated ``page_size`` and Chinese errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_PAGE_SIZE = 200


def _positive_int(value: str) -> int | None:
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        return None
    number = int(value)
    return number if number >= 1 else None


def _once(request: Request, name: str) -> None:
    """``name`` given at most once (``?page=1&page=2`` is a 400, not the last one silently)."""
    if len(request.query_params.getlist(name)) > 1:
        raise exceptions.ValidationError({name: ["该参数只能给出一次"]})


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M at most 200). A bad number is a 400, a page past the end a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        _once(request, self.page_size_query_param)
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        size = _positive_int(raw)
        if size is None:
            raise exceptions.ValidationError(
                {"page_size": [f"每页条数应为 1 到 {MAX_PAGE_SIZE} 之间的整数"]}
            )
        return min(size, MAX_PAGE_SIZE)

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        size = self.get_page_size(request)
        _once(request, self.page_query_param)
        raw = request.query_params.get(self.page_query_param, "1") or "1"
        number = _positive_int(raw)
        if number is None:
            raise exceptions.ValidationError({"page": ["页码应为正整数"]})
        paginator = Paginator(queryset, size)
        if number > paginator.num_pages:
            raise exceptions.NotFound(f"页码超出范围（共 {paginator.num_pages} 页）")
        self.page = paginator.page(number)
        self.request = request
        return list(self.page)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        """``page`` and ``page_size`` as checked: positive integers of at most nine digits (empty:
        not given)."""
        limit = {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 999_999_999},
                {"type": "string", "enum": [""]},  # empty: not given
            ]
        }
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码（从 1 开始）；超出范围为 404",
                "schema": limit,
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"每页条数，默认 {self.page_size}，超过 {MAX_PAGE_SIZE} 按 {MAX_PAGE_SIZE}"
                ),
                "schema": limit,
            },
        ]
