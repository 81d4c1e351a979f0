"""Template helpers of the 组织生活 pages."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers
from dangjian.life.selectors import RECORD_READ

register = template.Library()


@register.filter
def can_record(user: Any, org: Any) -> bool:
    """Whether ``user`` may record meetings for ``org`` (Perm.LIFE_RECORD on its path)."""
    return bool(org is not None and covers(user, Perm.LIFE_RECORD, org.path))


@register.filter
def can_read_records(user: Any, org: Any) -> bool:
    """Whether ``user`` may read the records of organizational life of ``org`` (they name
    members: not the 系统管理员)."""
    return bool(org is not None and covers(user, RECORD_READ, org.path))


@register.filter
def can_see_todo(user: Any, org: Any) -> bool:
    """Whether ``user`` may see the to-do list of ``org`` (Perm.FINDING_VIEW on its path)."""
    return bool(org is not None and covers(user, Perm.FINDING_VIEW, org.path))


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (``None`` when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
