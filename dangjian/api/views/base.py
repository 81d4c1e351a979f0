"""Shared pieces of the API views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser

from dangjian.api.pagination import Pagination
from dangjian.api.parsers import SafeJSONParser
from dangjian.api.permissions import HasScopedPerm

PARSERS: list[type[BaseParser]] = [SafeJSONParser, FormParser, MultiPartParser]


class ScopedAPIView(GenericAPIView):
    """Authenticated, permission from ``read_perm``/``write_perm``, paginated."""

    permission_classes = [HasScopedPerm]
    pagination_class = Pagination
    parser_classes = PARSERS


def service_errors(exc: DjangoValidationError, rename: Mapping[str, str] | None = None) -> Any:
    """A service's ``ValidationError`` as a DRF 400, field names mapped to the API's names."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = rename.get(field, field)
            detail.setdefault(key, []).extend(messages)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"non_field_errors": exc.messages})
