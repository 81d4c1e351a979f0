"""Demo data for what changes a roll between two elections: decided standings (留党察看,
停止党籍, 死亡), a 临时党支部 with its participants, and an approved election delay (延期换届).

Written through the services (validated and audited like a user's entry), deterministic for a
seed, and run once: a database that already has any of these is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random

from dangjian.accounts.scope import SYSTEM
from dangjian.core.dates import add_months, add_years
from dangjian.members.models import Member, MemberStatus, Participation
from dangjian.members.services import (
    ParticipationInput,
    StatusInput,
    member_status_record,
    participation_add,
)
from dangjian.orgs.choices import ROLL_TYPES, OrgType
from dangjian.orgs.models import ElectionDelay, Organization
from dangjian.orgs.services import (
    ElectionDelayInput,
    OrgInput,
    org_create,
    org_election_delay_record,
)

#: participants of the demo's 临时党支部 (a training course of the town's village cadres)
PARTICIPANTS = 14


def _ordinary(members: list[Member], rng: random.Random, n: int) -> list[Member]:
    """``n`` members without a post, drawn in a stable order."""
    plain = [m for m in members if not m.post]
    return rng.sample(plain, min(n, len(plain)))


def seed_demo_standings(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the standings, the 临时党支部 and one election delay; returns what was done."""
    if (
        MemberStatus.objects.exists()
        or Participation.objects.exists()
        or ElectionDelay.objects.exists()
    ):
        return []
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return []
    rng = random.Random(f"standings:{seed}")
    members = list(
        Member.objects.filter(member_type="正式党员", confirmed_on__lt=add_years(today, -3))
        .select_related("org")
        .order_by("pk")[:5000]
    )
    if len(members) < 10:
        return []
    done = []
    watch, ended, suspended, died = (_ordinary(members, rng, 8)[i::4] for i in range(4))
    for member in watch:  # 留党察看 one year, still running
        start = add_months(today, -rng.randint(2, 9))
        _status(member, "留党察看", start, add_years(start, 1), today, "党内警告以上处分")
    for member in ended:  # 留党察看 ended: rights restored
        start = add_years(today, -2)
        _status(member, "留党察看", start, add_years(start, 1), today, "处分期满，恢复党员权利")
    for member in suspended:  # lost contact for more than six months (REL-LOST-CONTACT)
        _status(member, "停止党籍", add_months(today, -rng.randint(3, 8)), None, today, "失去联系")
    for member in died:
        _status(member, "死亡", add_months(today, -rng.randint(1, 10)), None, today, "病故")
    done.append(
        f"党员状态：留党察看 {len(watch) + len(ended)} 名（其中期满 {len(ended)} 名）、"
        f"停止党籍 {len(suspended)} 名、死亡 {len(died)} 名"
    )
    temp = _temporary_branch(root, today, rng)
    if temp is not None:
        done.append(f"临时党支部：{temp.name}，参加人员 {temp.participations.count()} 名")
    delayed = _election_delay(root, today)
    if delayed is not None:
        done.append(f"延期换届：{delayed.name}（经上级批准）")
    return done


def _status(
    member: Member,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    today: dt.date,
    reason: str,
) -> None:
    parent = Organization.objects.get_parent(member.org) or member.org
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(
            kind=kind,
            started_on=max(start, member.joined_on + dt.timedelta(days=1)),
            ends_on=end,
            decided_by=parent.name if kind != "死亡" else member.org.name,
            reason=reason,
        ),
        today=today,
    )


def _temporary_branch(
    root: Organization, today: dt.date, rng: random.Random
) -> Organization | None:
    """A 临时党支部 of a town's training course, its participants from the town's villages."""
    town = (
        Organization.objects.filter(path__startswith=root.path, org_type=OrgType.COMMITTEE)
        .exclude(pk=root.pk)
        .filter(sector="农村")
        .order_by("path")
        .first()
    )
    if town is None:
        return None
    temp = org_create(
        actor=SYSTEM,
        data=OrgInput(
            code=f"L{town.code[1:]}",  # the demo's code scheme: a letter and the town's digits
            name=f"{town.name.removeprefix('中共').removesuffix('委员会')}村干部培训班临时党支部",
            org_type=OrgType.TEMP_BRANCH,
            sector=town.sector,
            founded_on=add_months(today, -2),
        ),
        parent=town,
    )
    served = list(
        Member.objects.filter(
            org__path__startswith=town.path,
            member_type="正式党员",
            org__org_type__in=ROLL_TYPES,
        ).order_by("pk")
    )
    chosen = rng.sample(served, min(PARTICIPANTS, len(served)))
    for index, member in enumerate(chosen):
        participation_add(
            actor=SYSTEM,
            data=ParticipationInput(
                org=temp,
                member=member,
                started_on=add_months(today, -2),
                post="书记" if index == 0 else "",
            ),
            today=today,
        )
    return temp


def _election_delay(root: Organization, today: dt.date) -> Organization | None:
    """One organization whose term ended in the last months gets an approved delay."""
    for org in (
        Organization.objects.filter(path__startswith=root.path, term_started_on__isnull=False)
        .exclude(org_type__in=(OrgType.WORKING_COMMITTEE, OrgType.TEMP_BRANCH))
        .order_by("path")
    ):
        ends = org.term_ends_on
        if ends is None or not add_months(today, -4) <= ends < today:
            continue
        parent = Organization.objects.get_parent(org)
        org_election_delay_record(
            actor=SYSTEM,
            org=org,
            data=ElectionDelayInput(
                approved_by=parent.name if parent else org.name,
                approved_on=add_months(ends, -1),
                new_deadline=add_months(ends, 6),
                reason="村（社区）“两委”换届统一安排，延期半年",
            ),
            today=today,
        )
        return org
    return None
