"""Facts for the setup rules, computed set-based over a scope of the organization tree.

Rules never query the database: they read :class:`OrgFacts`. The facts of a whole scope come
from two grouped queries, whatever the number of organizations:

1. the organizations of the scope (``values()``, no model instances);
2. per organization as of ``at``, one ``GROUP BY org_id`` over the members with filtered
   aggregates: members, full members, committee post holders, 书记 holders and the dates that
   give the secretary's party age.

Subtree totals (members under a 党总支 or 党委) are rolled up in Python from (1) and (2) along the
materialized path, so no recursion touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from dangjian.members.choices import COMMITTEE_POSTS, MemberType, Post
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

STEPLEN = Organization.steplen

_ORG_FIELDS = (
    "pk",
    "code",
    "name",
    "path",
    "depth",
    "org_type",
    "sector",
    "region_code",
    "founded_on",
    "term_started_on",
    "term_years",
    "units_covered",
    "secretary_vacant_since",
)


@dataclass(frozen=True)
class SecretaryFacts:
    """The 书记 of a branch, reduced to what the rules need (no personal data).

    ``confirmed_on`` is the confirmation date when the secretary was a full member at ``at``,
    ``None`` while probationary.
    """

    joined_on: dt.date
    confirmed_on: dt.date | None

    def is_full_at(self, at: dt.date) -> bool:
        return self.confirmed_on is not None and self.confirmed_on <= at


@dataclass
class OrgFacts:
    """What the setup rules know about one organization as of a date."""

    pk: int
    code: str
    name: str
    path: str
    depth: int
    org_type: str
    sector: str
    region_code: str
    founded_on: dt.date | None
    term_started_on: dt.date | None
    term_years: int | None
    units_covered: int | None
    secretary_vacant_since: dt.date | None
    #: members on the roll at ``at`` (joined_on <= at)
    members: int = 0
    #: full members at ``at`` (正式党员 with confirmed_on <= at)
    full: int = 0
    #: holders of 书记, 副书记 or a 委员 post (COMMITTEE_POSTS)
    committee_posts: int = 0
    #: members holding 书记 (normally 0 or 1; the member service refuses a second one)
    secretaries: int = 0
    #: earliest joining date among them
    secretary_joined_on: dt.date | None = None
    #: earliest confirmation among those who were full members at ``at``
    secretary_confirmed_on: dt.date | None = None
    #: members of the whole subtree (itself included) at ``at``
    subtree_members: int = 0

    @property
    def probationary(self) -> int:
        return self.members - self.full

    @property
    def secretary(self) -> SecretaryFacts | None:
        if not self.secretaries or self.secretary_joined_on is None:
            return None
        return SecretaryFacts(self.secretary_joined_on, self.secretary_confirmed_on)


def _member_rows(members: QuerySet[Member], at: dt.date) -> QuerySet[Any]:
    full = Q(member_type=MemberType.FULL, confirmed_on__isnull=False, confirmed_on__lte=at)
    secretary = Q(post=Post.SECRETARY)
    return (
        members.filter(joined_on__lte=at)
        .order_by()
        .values("org_id")
        .annotate(
            members=Count("id"),
            full=Count("id", filter=full),
            committee=Count("id", filter=Q(post__in=list(COMMITTEE_POSTS))),
            secretaries=Count("id", filter=secretary),
            secretary_joined_on=Min("joined_on", filter=secretary),
            secretary_confirmed_on=Min("confirmed_on", filter=secretary & full),
        )
    )


def collect_facts(
    orgs: QuerySet[Organization], members: QuerySet[Member], at: dt.date
) -> list[OrgFacts]:
    """Facts for every organization of ``orgs``; ``members`` must be the members of that scope.

    Organizations founded after ``at`` are left out (they did not exist yet). Members count only
    when they had joined by ``at``; full members only when confirmed by ``at``.
    """
    facts: dict[int, OrgFacts] = {}
    by_path: dict[str, OrgFacts] = {}
    for row in orgs.order_by().values(*_ORG_FIELDS):
        if row["founded_on"] is not None and row["founded_on"] > at:
            continue
        item = OrgFacts(**row)
        facts[item.pk] = item
        by_path[item.path] = item

    for row in _member_rows(members, at):
        found = facts.get(row["org_id"])
        if found is None:
            continue
        found.members = row["members"]
        found.full = row["full"]
        found.committee_posts = row["committee"]
        found.secretaries = row["secretaries"]
        found.secretary_joined_on = row["secretary_joined_on"]
        found.secretary_confirmed_on = row["secretary_confirmed_on"]

    # roll member counts up the path: each organization adds to itself and its ancestors
    for item in facts.values():
        if not item.members:
            continue
        for level in range(1, item.depth + 1):
            ancestor = by_path.get(item.path[: STEPLEN * level])
            if ancestor is not None:
                ancestor.subtree_members += item.members
    return sorted(facts.values(), key=lambda f: f.path)
