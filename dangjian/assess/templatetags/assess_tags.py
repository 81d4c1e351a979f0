"""Template filters of the assessment pages: stars, shares, and evidence as readable lines."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.core import audit, labels

register = template.Library()

#: evidence lines shown under a criterion (the stored result and the API keep all of it)
EVIDENCE_LINES = 8

STAR_LABELS = {0: "未评星", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}


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
    """Chinese "标签：值" lines of an evidence dict (see :mod:`dangjian.core.labels`)."""
    return labels.evidence_lines(evidence, EVIDENCE_LINES)


@register.filter
def rule_title(rule_id: Any) -> str:
    """The Chinese title of a rule id; the id itself is shown only as a small tag beside it."""
    return labels.rule_title(str(rule_id))


@register.filter
def actor_label(name: Any) -> str:
    """Who entered a record, for a page: an operator of the command line is 命令行操作 (which
    machine account it was stays in the audit trail, :func:`dangjian.core.audit.actor_label`)."""
    text = str(name or "")
    return "命令行操作" if text.startswith(audit.CLI_ACTOR_PREFIX) else text


@register.filter
def rule_titles(rule_ids: Any) -> str:
    """The Chinese titles of a list of rule ids, joined with 、."""
    return "、".join(dict.fromkeys(labels.rule_title(str(r)) for r in rule_ids or []))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (``None`` when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
