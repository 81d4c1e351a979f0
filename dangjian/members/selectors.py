"""Reads of member records, always restricted to the acting user's scope (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import members_for
from dangjian.orgs.models import Organization

from .choices import LEAVING, WITHOUT_RIGHTS, MemberType, StatusKind
from .models import Member, MemberStatus


def member_list(
    actor: Any, *, org: Organization | None = None, subtree: bool = False
) -> QuerySet[Member]:
    """Members the actor may see; of ``org`` only (or its whole subtree with ``subtree``)."""
    qs = members_for(actor, Perm.MEMBER_VIEW).select_related("org")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path) if subtree else qs.filter(org=org)
    return qs.order_by("org__path", "name", "pk")


def member_get(actor: Any, pk: int, *, perm: Perm = Perm.MEMBER_VIEW) -> Member:
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
    """Members of ``org`` with voting rights on ``day`` (the 应到会有表决权 count of a vote)."""
    roll = list(Member.objects.filter(org=org, joined_on__lte=day))
    standings = standings_on(roll, day)
    return [m for m in roll if standings[m.pk].votes]
