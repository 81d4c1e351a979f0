"""Reads of member records, always restricted to the acting user's scope (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, restrict
from dangjian.orgs.models import Organization, OrgCount

from .choices import COMMITTEE_POSTS, LEAVING, WITHOUT_RIGHTS, MemberType, StatusKind
from .models import Member, MemberCount, MemberStatus, Participation


def members_for(actor: Actor, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[Member]:
    """Member records the actor may use ``perm`` on (those of branches in the subtree)."""
    return restrict(Member.objects.all(), actor, perm, "org__path")


def member_list(
    actor: Actor, *, org: Organization | None = None, subtree: bool = False
) -> QuerySet[Member]:
    """Members the actor may see; of ``org`` only (or its whole subtree with ``subtree``)."""
    qs = members_for(actor, Perm.MEMBER_VIEW).select_related("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path) if subtree else qs.filter(org=org)
    return qs.order_by("org__path", "name", "pk")


def member_get(actor: Actor, pk: int, *, perm: Perm = Perm.MEMBER_VIEW) -> Member:
    member = (
        members_for(actor, perm).select_related("org", "residence_community").filter(pk=pk).first()
    )
    if member is None:
        raise Http404("党员不存在或不在您的管辖范围内")
    return member


def committee(org: Organization) -> list[Member]:
    """Members of ``org`` holding a post, secretary first (the 支委会 when there are 3 or more)."""
    order = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党小组长"]
    posts = list(Member.objects.filter(org=org).exclude(post="").order_by("name"))
    return sorted(posts, key=lambda m: order.index(m.post) if m.post in order else len(order))


@dataclass(frozen=True)
class Standing:
    """Who a member was on a given day: type (``None`` before joining), the decided status in
    force, and what follows from them."""

    member_type: str | None
    status: str | None

    @property
    def on_roll(self) -> bool:
        """A member on that day: joined, and not out of the party (出党, 除名, death …)."""
        return self.member_type is not None and self.status not in LEAVING

    @property
    def votes(self) -> bool:
        """表决权, 选举权: full members only, not under 留党察看 or 停止党籍 (党章 art. 7, 40;
        选举条例 art. 5)."""
        return (
            self.on_roll
            and self.member_type == MemberType.FULL
            and self.status not in WITHOUT_RIGHTS
        )

    @property
    def may_introduce(self) -> bool:
        """入党介绍人: a full member with full rights (党章 art. 5)."""
        return self.votes

    @property
    def introducer_status(self) -> str:
        """The checker's word for an introducer: ``full``, ``probationary`` or
        ``probation_watch`` (formats.md, recruitment cases)."""
        if self.status in WITHOUT_RIGHTS:
            return "probation_watch"
        return "full" if self.member_type == MemberType.FULL else "probationary"


def member_type_on(member: Member, day: dt.date) -> str | None:
    """预备党员 from the branch vote (``joined_on``) until 转正, then 正式党员; ``None`` before."""
    if day < member.joined_on:
        return None
    if member.confirmed_on is not None and day >= member.confirmed_on:
        return MemberType.FULL
    if member.member_type == MemberType.FULL and member.confirmed_on is None:
        return MemberType.FULL
    return MemberType.PROBATIONARY


def _status_on(statuses: Iterable[MemberStatus], day: dt.date) -> str | None:
    """The status in force on ``day``; when periods overlap the one started last wins."""
    current = [s for s in statuses if s.in_force(day)]
    if not current:
        return None
    return StatusKind(max(current, key=lambda s: (s.started_on, s.pk or 0)).kind)


def standings_on(members: Iterable[Member], day: dt.date) -> dict[int, Standing]:
    """The standing of each member on ``day``, read in one query (members by primary key)."""
    members = list(members)
    by_member: dict[int, list[MemberStatus]] = {}
    for status in MemberStatus.objects.filter(
        member__in=[m.pk for m in members], started_on__lte=day
    ):
        by_member.setdefault(status.member_id, []).append(status)
    return {
        m.pk: Standing(member_type_on(m, day), _status_on(by_member.get(m.pk, []), day))
        for m in members
    }


def standing_on(member: Member, day: dt.date) -> Standing:
    return standings_on([member], day)[member.pk]


def voters_on(org: Organization, day: dt.date) -> list[Member]:
    """Members of ``org`` with voting rights on ``day`` (the 应到会有表决权 count of a vote): its
    roll of that day (:func:`dangjian.members.history.roll_on`), not today's."""
    from .history import roll_on

    roll = list(roll_on(org, day).filter(joined_on__lte=day))
    standings = standings_on(roll, day)
    return [m for m in roll if standings[m.pk].votes]


def statuses_of(member: Member) -> list[MemberStatus]:
    """The decided standings of ``member``, latest first (the member page; the caller has
    already read the member through :func:`member_get`)."""
    return list(member.statuses.order_by("-started_on", "-pk"))


def post_warning(member: Member, standing: Standing, day: dt.date) -> str | None:
    """Why ``member`` should not hold his committee post on ``day`` (党章 art. 7: only a full
    member with full rights may be elected; SETUP-VOTERS), or ``None``."""
    if member.post not in COMMITTEE_POSTS or not standing.on_roll or standing.votes:
        return None
    if standing.status in WITHOUT_RIGHTS:
        # 党章 art. 40: 留党察看期间没有表决权、选举权和被选举权; 停止党籍: no rights at all
        why = f"{day.isoformat()} 处于{standing.status}期间，没有选举权和被选举权（党章第四十条）"
    else:
        why = f"{day.isoformat()} 仍为预备党员，没有表决权、选举权和被选举权（党章第七条）"
    return (
        f"{member.name}任{member.post}，但在 {why}，"
        f"不能当选为{member.post}；请调整职务或在转正、恢复权利后再任职"
    )


def participations_of(actor: Actor, org: Organization) -> list[Participation]:
    """Participants of the 临时党支部 ``org`` (current first, then by date), for its page.

    Participants keep their own branches, possibly outside the actor's subtree; the page shows
    them by name and links only to those the actor may see."""
    if not covers(actor, Perm.MEMBER_VIEW, org.path):
        return []
    return list(
        Participation.objects.filter(org=org)
        .select_related("member__org")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "member__name", "pk")
    )


def participation_get(actor: Actor, pk: int, *, perm: Perm = Perm.MEMBER_CHANGE) -> Participation:
    item = Participation.objects.select_related("org", "member__org").filter(pk=pk).first()
    if item is None or not covers(actor, perm, item.org.path):
        raise Http404("参加记录不存在或不在您的管辖范围内")
    return item


def participants_on(org_ids: Iterable[int], day: dt.date) -> dict[int, list[Participation]]:
    """Participations in force on ``day`` of the 临时党支部 ``org_ids``, with their members
    (one query): org id → participations."""
    ids = list(org_ids)
    result: dict[int, list[Participation]] = {}
    if not ids:
        return result
    rows = (
        Participation.objects.filter(org_id__in=ids, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("member")
        .order_by("org_id", "pk")
    )
    for item in rows:
        result.setdefault(item.org_id, []).append(item)
    return result


def member_by_id_number(actor: Actor, number: str) -> Member | None:
    """The member with ID ``number`` among those the actor may see (keyed digest lookup), or
    ``None``: a number outside the scope is not told apart from an unknown one."""
    from dangjian.core import crypto

    digest = crypto.digest(number)
    return (
        members_for(actor, Perm.MEMBER_VIEW)
        .select_related("org")
        .filter(id_number_digest=digest)
        .first()
    )


@dataclass
class SubtreeCounts:
    """Counts over a node's whole subtree (itself included)."""

    orgs: int = 0
    full: int = 0
    probationary: int = 0
    #: member records on the organization's own roll (out of the party included): the length
    #: of its member list
    own: int = 0

    @property
    def members(self) -> int:
        return self.full + self.probationary


def subtree_counts(nodes: list[Organization]) -> dict[int, SubtreeCounts]:
    """Subtree counts for ``nodes``: two queries over their rollup rows, whatever the size of
    the subtrees: the organizations from :class:`~dangjian.orgs.models.OrgCount`, the members
    on the roll from :class:`~dangjian.members.models.MemberCount`, both kept by every write, so
    no organization below the nodes and no member row is read. (A page reads the same rows
    joined to the nodes themselves: :func:`with_counts`.)"""
    if not nodes:
        return {}
    result = {n.pk: SubtreeCounts() for n in nodes}
    for pk, orgs in OrgCount.objects.filter(org_id__in=list(result)).values_list("org_id", "orgs"):
        result[pk].orgs = orgs
    member_rows = MemberCount.objects.filter(org_id__in=list(result)).values_list(
        "org_id", "sub_full", "sub_probationary", "full", "probationary", "left"
    )
    for pk, full, probationary, own_full, own_probationary, left in member_rows:
        result[pk].full, result[pk].probationary = full, probationary
        result[pk].own = own_full + own_probationary + left
    return result


def with_counts(orgs: QuerySet[Organization]) -> QuerySet[Organization]:
    """``orgs`` with their rollup rows joined in, so that :func:`counts_of` reads no more."""
    return orgs.select_related("org_count", "member_count")


def counts_of(org: Organization) -> SubtreeCounts:
    """The subtree counts of ``org`` from its rollup rows (fetched with it by
    :func:`with_counts`; else read now). A missing row counts as zeros."""
    sizes: OrgCount | None = getattr(org, "org_count", None)
    members: MemberCount | None = getattr(org, "member_count", None)
    counts = SubtreeCounts(orgs=sizes.orgs if sizes is not None else 0)
    if members is not None:
        counts.full, counts.probationary = members.sub_full, members.sub_probationary
        counts.own = members.full + members.probationary + members.left
    return counts


def own_counts(org: Organization) -> tuple[int, int]:
    """Full and probationary members on the roll of ``org`` itself (one query)."""
    row = MemberCount.objects.filter(org=org).values_list("full", "probationary").first()
    return (row[0], row[1]) if row else (0, 0)


# --- the roll and the committee on a date (dangjian.members.history) ---------------------------

from .history import committee_on as committee_on  # noqa: E402
from .history import roll_on as roll_on  # noqa: E402
from .history import roll_on_many as roll_on_many  # noqa: E402
from .history import timeline as timeline  # noqa: E402
