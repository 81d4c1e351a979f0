"""``{% unread_messages %}``: the signed-in user's unread message count for the navigation,
read once per request however often a page asks (from the cache, else one indexed COUNT:
:func:`dangjian.notify.selectors.unread_count`)."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_notify_unread", None)
    if cached is None:
        cached = unread_count(user)
        request._notify_unread = cached  # type: ignore[attr-defined]
    return int(cached)
