from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from dangjian.api.models import ApiToken
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """The token throttle counts in the default cache, which outlives a single test."""
    cache.clear()
    yield
    cache.clear()


@dataclass(frozen=True)
class DbState:
    """What a denied write must not change."""

    orgs: int
    members: int
    audit: int
    tokens: int
    org_rows: tuple
    member_rows: tuple


def db_state() -> DbState:
    return DbState(
        orgs=Organization.objects.count(),
        members=Member.objects.count(),
        audit=AuditEntry.objects.count(),
        tokens=ApiToken.objects.count(),
        org_rows=tuple(
            Organization.objects.order_by("pk").values_list(
                "pk", "code", "name", "path", "org_type", "sector", "region_code", "term_years"
            )
        ),
        member_rows=tuple(
            Member.objects.order_by("pk").values_list(
                "pk", "name", "org_id", "member_type", "post", "id_number_digest", "phone_digest"
            )
        ),
    )
