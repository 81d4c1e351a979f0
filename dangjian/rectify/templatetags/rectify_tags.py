"""Template filters of the rectification pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template

from dangjian.core import labels

register = template.Library()


@register.filter
def days_before(day: dt.date | None, today: dt.date | None) -> int | None:
    """Whole days from ``day`` to ``today`` (how many days a deadline is past)."""
    if day is None or today is None:
        return None
    return (today - day).days


_RULE_ID = re.compile(r"^[A-Z]+(?:-[A-Z0-9]+)+$")


@register.filter
def rule_tag(rule: Any) -> str:
    """A rule id to show as a small tag beside a condition's Chinese label; "" for anything
    else (a list of ids stored by older plans is not shown)."""
    text = str(rule or "")
    return text if _RULE_ID.match(text) else ""


@register.filter
def evidence_lines(evidence: Any) -> list[str]:
    """The evidence of a condition as Chinese lines (:mod:`dangjian.core.labels`)."""
    return labels.evidence_lines(evidence)
