"""Facts for the setup rules, computed set-based over a scope of the organization tree.

Rules never query the database: they read :class:`OrgFacts`. The facts of a whole scope come
from a fixed number of queries, whatever the number of organizations:

1. the organizations of the scope (``values()``, no model instances);
2. per organization as of ``at``, one ``GROUP BY org_id`` over the members without a decided
   standing (留党察看, 停止党籍, 出党, 死亡 …) begun by ``at``, with filtered aggregates: members,
   full members, voters, committee post holders, 书记 holders and the dates that give the
   secretary's party age;
3. the few members with such a standing, and their standings on ``at`` in one more query
   (:func:`dangjian.members.selectors.standings_on`): a member who left the party (出党, 除名,
   死亡 …) is not on the roll; one under 留党察看 or 停止党籍 is on it but does not vote;
4. the committee post holders without the right to be elected on ``at`` (probationary members;
   SETUP-VOTERS names them);
5. the approved election delays (延期换届) of the scope;
6. only when the scope has 临时党支部: their participants on ``at`` and their standings.

Subtree totals (members under a 党总支 or 党委) are rolled up in Python from (1)–(3) along the
materialized path, so no recursion touches the database.

This module belongs to the SETUP rules (a domain module beside :mod:`dangjian.orgs.rules`): it
reads the members. :func:`prepare_scope` resolves the scope of every run of the rules engine,
:func:`scope_facts` gives the facts of the scope to the SETUP and LIFE checkers (read once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import scope_prefix
from dangjian.members.choices import COMMITTEE_POSTS, MemberType, ParticipationPost, Post
from dangjian.members.models import Member, MemberStatus
from dangjian.members.selectors import Standing, participants_on, standings_on
from dangjian.rules.runner import CheckRequest, CheckResult

from .choices import OrgType, Sector
from .models import ElectionDelay, Organization
from .selectors import orgs_for

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


@dataclass(frozen=True)
class IneligibleHolder:
    """A member holding 书记, 副书记 or a 委员 post who on ``at`` may not be elected
    (党章 art. 7): ``why`` is 预备党员, 留党察看 or 停止党籍."""

    name: str
    post: str
    why: str


@dataclass(frozen=True)
class ElectionDelayFacts:
    """The approved delay (延期换届) of the current term, as the rules read it."""

    new_deadline: dt.date
    approved_by: str
    approved_on: dt.date
    term_ends_on: dt.date


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
    #: members on the roll at ``at`` (joined_on <= at, not out of the party by then)
    members: int = 0
    #: full members at ``at`` (正式党员 with confirmed_on <= at), 留党察看 included
    full: int = 0
    #: members with the vote at ``at``: full members not under 留党察看 or 停止党籍 (SETUP-VOTERS)
    voters: int = 0
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
    #: members still recorded on the roll who had left the party by ``at`` (not counted above)
    left: int = 0
    #: committee post holders who may not be elected at ``at`` (SETUP-VOTERS)
    ineligible: list[IneligibleHolder] = field(default_factory=list)
    #: 临时党支部: participants at ``at`` (their relations stay in their own branches)
    participants: int = 0
    #: 临时党支部: full members among the participants at ``at``
    participants_full: int = 0
    #: the approved election delay of the current term in force at ``at``
    delay: ElectionDelayFacts | None = None

    @property
    def probationary(self) -> int:
        return self.members - self.full

    @property
    def secretary(self) -> SecretaryFacts | None:
        if not self.secretaries or self.secretary_joined_on is None:
            return None
        return SecretaryFacts(self.secretary_joined_on, self.secretary_confirmed_on)

    @property
    def participants_probationary(self) -> int:
        return self.participants - self.participants_full


def _full_at(at: dt.date) -> Q:
    return Q(member_type=MemberType.FULL, confirmed_on__isnull=False, confirmed_on__lte=at)


def _with_status(at: dt.date) -> Exists:
    """Members with a decided standing begun by ``at``: their standing is read in Python."""
    return Exists(MemberStatus.objects.filter(member=OuterRef("pk"), started_on__lte=at))


def _member_rows(members: QuerySet[Member], at: dt.date, *, posts: bool = True) -> QuerySet[Any]:
    """Per organization: the members without a decided standing begun by ``at`` (without
    ``posts``, only how many and how many full: the committee is read from its rollup)."""
    full = _full_at(at)
    secretary = Q(post=Post.SECRETARY)
    committee = Q(post__in=list(COMMITTEE_POSTS))
    counts: dict[str, Any] = {"members": Count("id"), "full": Count("id", filter=full)}
    if posts:
        counts |= {
            "committee": Count("id", filter=committee),
            "probationary_holders": Count("id", filter=committee & ~full),
            "secretaries": Count("id", filter=secretary),
            "secretary_joined_on": Min("joined_on", filter=secretary),
            "secretary_confirmed_on": Min("confirmed_on", filter=secretary & full),
        }
    return (
        members.filter(joined_on__lte=at)
        .exclude(_with_status(at))
        .order_by()
        .values("org_id")
        .annotate(**counts)
    )


def _committee_rows(orgs: QuerySet[Organization], at: dt.date) -> dict[int, Any] | None:
    """The committee rollup of ``orgs`` (:class:`~dangjian.orgs.models.OrgCommittee`) when the
    setting ``DANGJIAN_SETUP_FROM_ROLLUPS`` is on and the rows hold on ``at``; else ``None``."""
    if not getattr(settings, "DANGJIAN_SETUP_FROM_ROLLUPS", False):
        return None
    from dangjian.members.committee import committee_rows

    return committee_rows(orgs, at)


def _special_members(
    members: QuerySet[Member], at: dt.date
) -> tuple[list[Member], dict[int, Standing]]:
    """Members of ``members`` with a decided standing begun by ``at`` (found from the few
    status records, not by scanning the roll), and their standings on ``at``."""
    ids = MemberStatus.objects.filter(started_on__lte=at).values("member_id")
    special = list(
        members.filter(joined_on__lte=at, pk__in=ids)
        .order_by()
        .only("pk", "name", "org_id", "member_type", "joined_on", "confirmed_on", "post")
    )
    return special, standings_on(special, at)


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _add_special(item: OrgFacts, member: Member, standing: Standing) -> None:
    """Count a member with a decided standing on ``item`` as his standing says."""
    if not standing.on_roll:
        item.left += 1
        return
    item.members += 1
    full = standing.member_type == MemberType.FULL
    item.full += full
    item.voters += standing.votes
    if member.post in COMMITTEE_POSTS:
        item.committee_posts += 1
        if not standing.votes:
            why = str(standing.status) if standing.status else MemberType.PROBATIONARY.value
            item.ineligible.append(IneligibleHolder(member.name, member.post, why))
    if member.post == Post.SECRETARY:
        item.secretaries += 1
        item.secretary_joined_on = _earlier(item.secretary_joined_on, member.joined_on)
        if full:
            item.secretary_confirmed_on = _earlier(item.secretary_confirmed_on, member.confirmed_on)


def _probationary_holders(members: QuerySet[Member], at: dt.date, org_ids: list[int]) -> Any:
    """Names of the committee post holders of ``org_ids`` without a decided standing who are
    probationary at ``at`` (asked only for organizations that have some)."""
    return (
        members.filter(org_id__in=org_ids, joined_on__lte=at, post__in=list(COMMITTEE_POSTS))
        .exclude(_full_at(at))
        .exclude(_with_status(at))
        .order_by("org_id", "name", "pk")
        .values_list("org_id", "name", "post")
    )


def _delay_fields(at: dt.date) -> dict[str, Subquery]:
    """The latest election delay (延期换届) approved by ``at`` for each organization's current
    term, as annotations of the organizations query (no query of its own)."""
    latest = ElectionDelay.objects.filter(
        org=OuterRef("pk"), term_started_on=OuterRef("term_started_on"), approved_on__lte=at
    ).order_by("-approved_on", "-pk")
    return {
        f"delay_{name}": Subquery(latest.values(name)[:1])
        for name in ("new_deadline", "approved_by", "approved_on", "term_ends_on")
    }


def _add_participants(temp: list[OrgFacts], at: dt.date) -> None:
    """临时党支部: participants on ``at`` who are party members then, and the designated 书记
    among them (as the secretary of a branch is found on its roll). Two queries."""
    by_org = participants_on([f.pk for f in temp], at)
    people = [p.member for items in by_org.values() for p in items]
    standings = standings_on(people, at)
    for item in temp:
        for part in by_org.get(item.pk, []):
            standing = standings[part.member_id]
            if not standing.on_roll:
                continue
            item.participants += 1
            full = standing.member_type == MemberType.FULL
            item.participants_full += full
            if part.post == ParticipationPost.SECRETARY:
                item.secretaries += 1
                item.secretary_joined_on = _earlier(item.secretary_joined_on, part.member.joined_on)
                if full:
                    item.secretary_confirmed_on = _earlier(
                        item.secretary_confirmed_on, part.member.confirmed_on
                    )


def collect_facts(
    orgs: QuerySet[Organization],
    members: QuerySet[Member],
    at: dt.date,
    *,
    subtree_total: bool = False,
    roll: bool = True,
) -> list[OrgFacts]:
    """Facts for every organization of ``orgs``; ``members`` must be the members of that scope.

    Organizations founded after ``at`` are left out (they did not exist yet). Members count only
    when they had joined by ``at`` and were not out of the party on ``at``; full members only
    when confirmed by ``at``. With ``subtree_total`` (one organization and the members of its
    whole subtree, for its own page) ``subtree_members`` is the total over ``members``. Without
    ``roll`` (a run of LIFE rules only, which read the organizations but not the counts of their
    rolls) the members are not read at all.
    """
    facts: dict[int, OrgFacts] = {}
    by_path: dict[str, OrgFacts] = {}
    delay_names = list(_delay_fields(at))
    rows = orgs.order_by().annotate(**_delay_fields(at)).values(*_ORG_FIELDS, *delay_names)
    for row in rows:
        if row["founded_on"] is not None and row["founded_on"] > at:
            continue
        delay = {name: row.pop(name) for name in delay_names}
        item = OrgFacts(**row)
        if delay["delay_new_deadline"] is not None:
            item.delay = ElectionDelayFacts(
                delay["delay_new_deadline"],
                delay["delay_approved_by"],
                delay["delay_approved_on"],
                delay["delay_term_ends_on"],
            )
        facts[item.pk] = item
        by_path[item.path] = item

    total = 0
    with_probationary_holders: list[int] = []
    committees = _committee_rows(orgs, at) if roll else None
    for row in _member_rows(members, at, posts=committees is None) if roll else []:
        total += row["members"]
        found = facts.get(row["org_id"])
        if found is None:
            continue
        found.members = row["members"]
        found.full = row["full"]
        found.voters = row["full"]  # no decided standing: every full member votes
        if committees is not None:
            continue
        found.committee_posts = row["committee"]
        found.secretaries = row["secretaries"]
        found.secretary_joined_on = row["secretary_joined_on"]
        found.secretary_confirmed_on = row["secretary_confirmed_on"]
        if row["probationary_holders"]:
            with_probationary_holders.append(found.pk)
    for org_id, committee in (committees or {}).items():
        found = facts.get(org_id)
        if found is None:
            continue
        found.committee_posts = committee.committee_posts
        found.secretaries = committee.secretaries
        found.secretary_joined_on = committee.secretary_joined_on
        found.secretary_confirmed_on = committee.secretary_confirmed_on
        if committee.probationary_holders:
            with_probationary_holders.append(org_id)
    if with_probationary_holders:
        for org_id, name, post in _probationary_holders(members, at, with_probationary_holders):
            facts[org_id].ineligible.append(
                IneligibleHolder(name, post, MemberType.PROBATIONARY.value)
            )
    special, standings = _special_members(members, at) if roll else ([], {})
    for member in special:
        standing = standings[member.pk]
        total += standing.on_roll
        found = facts.get(member.org_id)
        if found is not None:
            _add_special(found, member, standing)

    temp = [f for f in facts.values() if f.org_type == OrgType.TEMP_BRANCH]
    if temp:
        _add_participants(temp, at)

    if subtree_total:
        for item in facts.values():
            item.subtree_members = total
        return sorted(facts.values(), key=lambda f: f.path)
    # roll member counts up the path: each organization adds to itself and its ancestors
    for item in facts.values():
        if not item.members:
            continue
        for level in range(1, item.depth + 1):
            ancestor = by_path.get(item.path[: STEPLEN * level])
            if ancestor is not None:
                ancestor.subtree_members += item.members
    return sorted(facts.values(), key=lambda f: f.path)


# --- the scope of a run of the rules engine ---------------------------------------------------


def prepare_scope(request: CheckRequest) -> None:
    """Resolve the acting user's scope (Perm.FINDING_VIEW) and the ``org_code`` subtree of a
    run into ``request.prefix``; ``Http404`` outside the scope, ``ValueError`` for an unknown
    sector (Chinese messages)."""
    if request.sector and request.sector not in Sector.values:
        raise ValueError(f"未知领域“{request.sector}”，可用：{'、'.join(Sector.values)}")
    orgs = orgs_for(request.actor, Perm.FINDING_VIEW)
    prefix = scope_prefix(request.actor, Perm.FINDING_VIEW)
    if request.org_code:
        root = orgs.filter(code=request.org_code).values_list("path", flat=True).first()
        if root is None:
            raise Http404("组织不存在或不在您的管辖范围内")
        prefix = root
        orgs = orgs.filter(path__startswith=root)
    request.prefix = prefix
    request.cache["orgs"] = orgs


def scope_facts(request: CheckRequest, result: CheckResult, *, roll: bool) -> list[OrgFacts]:
    """The facts of the organizations of the run's scope that pass its filters, read once per
    run (with the rolls counted when ``roll``, or when a first reader asked for them)."""
    cached = request.cache.get("org_facts")
    if cached is not None and (cached[0] or not roll):
        return list(cached[1])
    prefix = request.prefix or ""
    orgs, members = request.cache["orgs"], Member.objects.all()
    # a part of the findings store's refresh: the organizations above subtrees evaluated
    # before, read from their own rolls, with the members those subtrees counted
    part = request.cache.get("part")
    if part is not None:
        orgs = orgs.filter(pk__in=part["ids"])
        members = members.filter(org_id__in=part["ids"])
    elif prefix:
        members = members.filter(org__path__startswith=prefix)
    facts = collect_facts(orgs, members, request.at, roll=roll)
    if part is not None and roll:
        by_path = {f.path: f for f in facts}
        for path, n in part["below"].items():
            for end in range(STEPLEN, len(path), STEPLEN):
                if (above := by_path.get(path[:end])) is not None:
                    above.subtree_members += n
    result.members = sum(f.members for f in facts)
    subjects = [
        f
        for f in facts
        if (not request.sector or f.sector == request.sector)
        and (not request.region or f.region_code.startswith(request.region))
    ]
    request.cache["org_facts"] = (roll, subjects)
    result.facts.update({f.code: f for f in subjects})
    result.checked_orgs = len(subjects)
    return list(subjects)
