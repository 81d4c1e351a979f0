"""A grid's boundary as GeoJSON (RFC 7946): checked before it is stored, every problem reported
at once in Chinese.

Accepted: a ``Polygon`` or ``MultiPolygon`` geometry, or a ``Feature`` carrying one (its
properties are dropped: a boundary is a shape, not a record). Each ring has at least four
positions, is closed (the last position repeats the first), and each position is
``[经度, 纬度]`` with -180 ≤ 经度 ≤ 180 and -90 ≤ 纬度 ≤ 90. At most :data:`MAX_POINTS`
positions in all (a grid is a few streets, not a coastline) and :data:`MAX_CHARS` characters of
text when pasted or uploaded.

    {"type": "Polygon",
     "coordinates": [[[118.77, 27.52], [118.78, 27.52], [118.78, 27.53], [118.77, 27.52]]]}
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_POINTS = 5000
MAX_CHARS = 200_000


class BoundaryError(ValueError):
    """The boundary is not a polygon we can keep; ``problems`` lists every reason in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring(ring: Any, where: str, problems: list[str]) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        problems.append(f"{where}应至少有 4 个点（首尾相同）")
        return 0
    bad = 0
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(_number(v) for v in point[:2])
            or not -180 <= point[0] <= 180
            or not -90 <= point[1] <= 90
        ):
            bad += 1
    if bad:
        problems.append(f"{where}有 {bad} 个点不是有效的 [经度, 纬度]")
    elif ring[0][:2] != ring[-1][:2]:
        problems.append(f"{where}未闭合（最后一个点应与第一个点相同）")
    return len(ring)


def _polygon(rings: Any, where: str, problems: list[str]) -> int:
    if not isinstance(rings, list) or not rings:
        problems.append(f"{where}缺少坐标")
        return 0
    return sum(_ring(r, f"{where}第 {i} 个环", problems) for i, r in enumerate(rings, 1))


def check_boundary(value: Any) -> dict[str, Any]:
    """The geometry of ``value`` (a dict), checked; :class:`BoundaryError` otherwise."""
    problems: list[str] = []
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise BoundaryError(["网格范围应为 GeoJSON 多边形或多边形集合"])
    kind, coords = value.get("type"), value.get("coordinates")
    points = 0
    if kind == "Polygon":
        points = _polygon(coords, "多边形", problems)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            problems.append("多边形集合缺少坐标")
        else:
            for i, rings in enumerate(coords, 1):
                points += _polygon(rings, f"第 {i} 个多边形", problems)
    else:
        problems.append("网格范围应为 GeoJSON 多边形或多边形集合")
    if points > MAX_POINTS:
        problems.append(f"网格范围的点过多（{points} 个，最多 {MAX_POINTS} 个）")
    if problems:
        raise BoundaryError(problems)
    return {"type": kind, "coordinates": coords}


def parse_boundary(text: str) -> dict[str, Any] | None:
    """A pasted or uploaded GeoJSON text, checked; ``None`` when empty."""
    text = (text or "").strip().lstrip("\ufeff")
    if not text:
        return None
    if len(text) > MAX_CHARS:
        raise BoundaryError([f"网格范围文件过大（最多 {MAX_CHARS // 1000} 千字符）"])
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BoundaryError(["网格范围不是有效的 GeoJSON 文本"]) from None
    return check_boundary(value)
