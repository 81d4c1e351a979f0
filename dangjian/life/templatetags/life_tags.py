"""Template helpers of the 组织生活 pages."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers

register = template.Library()


@register.filter
def can_record(user: Any, org: Any) -> bool:
    """Whether ``user`` may record meetings for ``org`` (Perm.LIFE_RECORD on its path)."""
    return bool(org is not None and covers(user, Perm.LIFE_RECORD, org.path))


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (``None`` when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
