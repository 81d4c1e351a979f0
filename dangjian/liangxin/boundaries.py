"""Region boundaries for the coverage map (issue 15: a choropleth on the region codes).

The repository holds no boundary data: a deployment names a GeoJSON FeatureCollection file in
``DANGJIAN_REGION_BOUNDARIES`` (e.g. the 标准地图 boundaries its 自然资源 department publishes,
converted to GeoJSON), each feature naming its 行政区划代码 in ``properties.code`` (6, 9 or 12
digits, as the register's region codes) and optionally ``properties.name``. The page then draws
the 组织覆盖率 of each region on the map; without the file, or when none of its features is a
region of the report, it keeps the grid by region code. A file that cannot be read is logged
and treated as absent: the page never fails on it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

#: the largest boundary file read (a county's villages at survey precision are a few MB)
MAX_BYTES = 64 * 1024 * 1024


def _path() -> str:
    return str(getattr(settings, "DANGJIAN_REGION_BOUNDARIES", "") or "")


@functools.lru_cache(maxsize=4)
def _features(path: str, mtime: float, size: int) -> dict[str, dict[str, Any]]:
    """Region code → its feature (geometry, code, name) of the file as it was (``mtime`` and
    ``size`` tell a changed file)."""
    raw = Path(path).read_bytes()
    if len(raw) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    out: dict[str, dict[str, Any]] = {}
    for feature in data.get("features") or []:
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code = str(props.get("code") or "").strip()
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not code.isdigit() or not isinstance(geometry, dict):
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        out[code] = {
            "type": "Feature",
            "properties": {"code": code, "name": str(props.get("name") or code)},
            "geometry": geometry,
        }
    return out


def boundaries(codes: Iterable[str]) -> dict[str, Any] | None:
    """The FeatureCollection of the regions among ``codes`` that the deployment's boundary file
    has, or ``None`` (no file, an unreadable one, or none of the regions in it)."""
    path = _path()
    if not path:
        return None
    try:
        stat = os.stat(path)
        features = _features(path, stat.st_mtime, stat.st_size)
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        log.warning("region boundaries %s not used: %s", path, exc)
        return None
    found = [features[c] for c in dict.fromkeys(codes) if c in features]
    if not found:
        return None
    return {"type": "FeatureCollection", "features": found}
