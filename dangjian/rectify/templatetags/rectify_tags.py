"""Template filters of the rectification pages."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def days_before(day: dt.date | None, today: dt.date | None) -> int | None:
    """Whole days from ``day`` to ``today`` (how many days a deadline is past)."""
    if day is None or today is None:
        return None
    return (today - day).days
