"""URL patterns of the API declared as tables: one resource's routes share a path prefix and a
name prefix, so each route is written as ``(rest of the path, view, rest of the name)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import URLPattern, path

Route = tuple[str, Any, str]


def routes(prefix: str, name: str, *table: Route) -> list[URLPattern]:
    """``path(prefix + rest, view.as_view(), name=name + suffix)`` for each ``(rest, view, suffix)``
    of ``table``, in its order (the schema lists the paths in that order)."""
    return [path(prefix + rest, view.as_view(), name=name + suffix) for rest, view, suffix in table]


def actions(prefix: str, name: str, views: Mapping[str, Any]) -> list[URLPattern]:
    """One POST action view per ``{action: view}``: ``prefix + "<action>/"`` named
    ``name + "-<action>"``."""
    return routes(prefix, name, *((f"{a}/", view, f"-{a}") for a, view in views.items()))
