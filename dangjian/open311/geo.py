"""Point in a grid's GeoJSON boundary (Polygon, MultiPolygon, a Feature or a FeatureCollection of
them; coordinates ``[longitude, latitude]``), by ray casting — no GIS library needed for the few
hundred vertices a grid has. Holes (a polygon's inner rings) exclude their inside."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _ring_contains(ring: Any, x: float, y: float) -> bool:
    inside = False
    try:
        points = [(float(p[0]), float(p[1])) for p in ring]
    except (TypeError, ValueError, IndexError):
        return False
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 > y) != (y2 > y):
            cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < cross:
                inside = not inside
    return inside


def _polygons(geo: Any) -> Iterator[Any]:
    """The polygons (each a list of rings) of a GeoJSON object; anything else yields nothing."""
    if not isinstance(geo, dict):
        return
    kind = geo.get("type")
    if kind == "Polygon":
        yield geo.get("coordinates") or []
    elif kind == "MultiPolygon":
        yield from geo.get("coordinates") or []
    elif kind == "Feature":
        yield from _polygons(geo.get("geometry"))
    elif kind == "FeatureCollection":
        for feature in geo.get("features") or []:
            yield from _polygons(feature)


def contains(boundary: Any, lat: float, long: float) -> bool:
    """Whether the point (``lat``, ``long``) lies inside ``boundary``."""
    for polygon in _polygons(boundary):
        if not isinstance(polygon, list) or not polygon:
            continue
        outer, holes = polygon[0], polygon[1:]
        if _ring_contains(outer, long, lat) and not any(
            _ring_contains(h, long, lat) for h in holes
        ):
            return True
    return False
