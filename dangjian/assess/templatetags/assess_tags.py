"""Template filters of the assessment pages: stars, shares, and evidence as readable lines."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STAR_LABELS = {0: "未评星", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
EVIDENCE_LINES = 8
#: labels of the evidence keys the indicators use (others are shown as they are)
EVIDENCE_LABELS = {
    "at": "截至",
    "findings": "问题",
    "finding": "问题",
    "periods": "周期",
    "missed": "未完成",
    "met": "已完成",
    "checked": "应完成",
    "meetings": "会议数",
    "expected": "应到人次",
    "present": "实到人次",
    "years": "年份",
    "held_years": "已召开年份",
    "term_started_on": "任期开始",
    "secretary_holders": "担任书记人数",
    "vacant_since": "空缺起始",
    "vacant_days": "空缺天数",
    "rule": "规则",
    "message": "说明",
    "severity": "级别",
    "title": "名称",
}


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
        lines.append(f"{EVIDENCE_LABELS.get(key, key)}：{_short(value)}")
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
