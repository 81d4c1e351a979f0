"""Template filters of the assessment pages: stars, shares, and evidence as readable lines."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.core.labels import evidence_items

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


@register.filter
def evidence_lines(evidence: Any) -> list[str]:
    """A few "标签：值" lines of an evidence dict, in Chinese (:mod:`dangjian.core.labels`)."""
    return [f"{label}：{value[:80]}" for label, value in evidence_items(evidence)[:EVIDENCE_LINES]]


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (``None`` when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
