"""Reads of the inbox: a user's own messages only, by tab; the unread count of the navigation.

The navigation shows the unread count on every signed-in page, so it is kept in Django's cache
(shared by the web processes) for :data:`UNREAD_TTL` seconds: one indexed COUNT when it is not
there, none on the pages after. Whatever changes a user's unread messages forgets it
(:func:`forget_unread`, at once and again after the commit), so the count is not stale beyond
a concurrent request's read.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from dangjian.accounts.scope import Actor

from .models import Contact, Kind, Message

#: the inbox's tabs: (name in the URL, label, the kinds it shows; empty: all)
TABS: list[tuple[str, str, tuple[str, ...]]] = [
    ("", "全部", ()),
    ("assigned", "指派给我", (Kind.SUBMITTED, Kind.ASSIGNED)),
    ("due", "即将到期", (Kind.DUE_SOON, Kind.OVERDUE)),
    ("escalated", "上报给我", (Kind.ESCALATED,)),
    ("rated", "评价", (Kind.RATED, Kind.REOPENED)),
]


def inbox_of(actor: Actor) -> QuerySet[Message]:
    """The acting user's own messages, newest first (nobody reads another's inbox)."""
    pk = getattr(actor, "pk", None)
    if pk is None:
        return Message.objects.none()
    return Message.objects.filter(user_id=pk).order_by("-created_at", "-pk")


def tab_kinds(tab: str) -> tuple[str, ...] | None:
    """The kinds of the tab named ``tab`` (``()``: all); ``None`` for an unknown tab."""
    for name, _label, kinds in TABS:
        if name == tab:
            return kinds
    return None


#: how long the navigation's unread count is kept (seconds)
UNREAD_TTL = 300


def _unread_key(user_id: Any) -> str:
    return f"notify:unread:{user_id}"


def forget_unread(user_id: Any) -> None:
    """The unread count of ``user_id`` changed: drop the cached one now and after the commit."""
    key = _unread_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def unread_count(actor: Actor) -> int:
    """Unread messages of the actor: the cached count, else one COUNT over the (user, read_at)
    index (then cached)."""
    pk = getattr(actor, "pk", None)
    if pk is None:
        return 0
    key = _unread_key(pk)
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = inbox_of(actor).filter(read_at__isnull=True).order_by().count()
    cache.set(key, count, UNREAD_TTL)
    return count


def unread_by_tab(actor: Actor) -> dict[str, int]:
    """Unread messages per tab name (one grouped query)."""
    from django.db.models import Count

    rows: Any = (
        inbox_of(actor)
        .filter(read_at__isnull=True)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    by_kind = {row["kind"]: row["n"] for row in rows}
    return {name: sum(by_kind.get(k, 0) for k in (kinds or by_kind)) for name, _l, kinds in TABS}


def contact_masked(actor: Actor) -> str:
    """The masked SMS number of the actor's own account (``""``: none set)."""
    pk = getattr(actor, "pk", None)
    if pk is None:
        return ""
    row = Contact.objects.filter(user_id=pk).values_list("phone_masked", flat=True).first()
    return row or ""
