"""Template filters of the assessment pages: stars, shares, and evidence as readable lines."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STAR_LABELS = {0: "未评星", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
EVIDENCE_LINES = 8


@register.filter
def star_label(value: Any) -> str:
    try:
        return STAR_LABELS.get(int(value), "")
    except (TypeError, ValueError):
        return ""


@register.filter
def pts(value: Any) -> str:
    """Points without trailing zeros (4.0 → 4, 4.50 → 4.5)."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.2f}".rstrip("0").rstrip(".")


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return str(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        inner = value.get("message") or value.get("rule") or ", ".join(map(str, value.values()))
        return str(inner)[:80]
    if isinstance(value, list):
        head = "；".join(_short(v) for v in value[:3])
        return head + (f" 等 {len(value)} 项" if len(value) > 3 else "")
    return str(value)[:80]


@register.filter
def evidence_lines(evidence: Any) -> list[str]:
    """A few "key：value" lines of an evidence dict (findings, counts, periods)."""
    if not isinstance(evidence, dict):
        return []
    lines = []
    for key, value in evidence.items():
        if value in (None, "", [], {}):
            continue
        lines.append(f"{key}：{_short(value)}")
        if len(lines) >= EVIDENCE_LINES:
            break
    return lines


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (``None`` when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
