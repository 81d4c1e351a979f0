"""Demo 红色志愿服务队 and 双报到 in the demo town, through the real services.

:func:`seed_demo_teams` (called by :func:`dangjian.demo.service.seed_demo_service` once its grids
and orders exist) gives each village or community with grids one team led by its first grid
worker, with members of its roll of each kind (在职、退休 from the roll; 无职 or 流动 chosen for
the others); registers in-service members of office, enterprise and institution branches of the
district with those villages and communities (双报到), a few with their own account (a 网格员
role at their branch, no printed password), one without (an order cannot be dispatched to
them); rates last year's service; and dispatches a few of the orders waiting in those villages
to a team or to a registered member, one of which that member has taken.

Deterministic from ``seed``; nothing is done when a team exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.accounts.services import user_create
from dangjian.members.models import Member
from dangjian.members.selectors import standings_on
from dangjian.orgs.models import Organization
from dangjian.service import services, teams
from dangjian.service.choices import OrderState
from dangjian.service.models import DoubleReport, Grid, Order, VolunteerTeam

from .accounts import new_password

#: what a team offers, by the kind of place
_TEAM_SERVICES = [
    ["elderly", "environment"],
    ["elderly", "policy", "dispute"],
    ["environment", "roads", "safety"],
]
_OFFERS = ["法律咨询", "义诊和健康讲座", "助老陪诊", "政策宣讲", "青少年课业辅导", "家电维修"]
_KINDS_CHOSEN = ["无职", "无职", "流动"]
_RATINGS = ["优秀", "合格", "合格", "合格", "基本合格"]
TEAM_SIZE = 6
REPORTS = 8


def _account(member: Member, n: int) -> User:
    return user_create(
        actor=SYSTEM,
        username=f"sbd_{member.org.code.lower()}_{n}",
        password=new_password(),
        org=member.org,
        roles=["grid_worker"],
        display_name=member.name,
        must_change_password=True,
    )


def _on_roll(members: list[Member], today: dt.date) -> list[Member]:
    standing = standings_on(members, today)
    return [m for m in members if standing[m.pk].on_roll]


def _team(village: Organization, leader: User | None, rng: random.Random) -> VolunteerTeam:
    team = teams.team_create(
        actor=SYSTEM,
        org=village,
        name=f"{village.name.removesuffix('党支部').removesuffix('党总支')}红色志愿服务队",
        services=rng.choice(_TEAM_SERVICES),
        area="全村（社区）" if rng.random() < 0.5 else "第一、二网格",
        leader=leader,
    )
    roll = _on_roll(
        list(
            Member.objects.filter(org__path__startswith=village.path)
            .select_related("org")
            .order_by("pk")[:60]
        ),
        timezone.localdate(),
    )
    for member in rng.sample(roll, min(TEAM_SIZE, len(roll))):
        kind = "" if teams.kind_from_roll(member) else rng.choice(_KINDS_CHOSEN)
        teams.team_member_add(actor=SYSTEM, team=team, member=member, kind=kind)
    return team


def _employed_elsewhere(town: Organization, villages: list[Organization]) -> list[Member]:
    """In-service members of branches that are not villages or communities (offices,
    enterprises, institutions) of the district around the demo town."""
    district = Organization.objects.filter(path=town.path[: -Organization.steplen]).first()
    top = district.path if district is not None else town.path
    return _on_roll(
        list(
            Member.objects.filter(org__path__startswith=top, category="在岗职工")
            .exclude(org__sector__in=teams.COMMUNITY_SECTORS)
            .select_related("org")
            .order_by("pk")[: REPORTS * 4]
        ),
        timezone.localdate(),
    )


def seed_demo_teams(
    town: Organization, villages: list[Organization], today: dt.date, *, seed: int = 42
) -> list[str]:
    """Seed the teams, 双报到 and a few dispatches; Chinese lines to print."""
    if VolunteerTeam.objects.exists() or not villages:
        return []
    rng = random.Random(f"service-teams-{seed}")
    today = min(today, timezone.localdate())
    made: list[VolunteerTeam] = []
    reports: list[DoubleReport] = []
    with transaction.atomic():
        for village in villages:
            grid = Grid.objects.filter(org=village).order_by("pk").first()
            leader = grid.workers.order_by("pk").first() if grid is not None else None
            made.append(_team(village, leader, rng))
        pool = _employed_elsewhere(town, villages)
        for n, member in enumerate(rng.sample(pool, min(REPORTS, len(pool)))):
            since = today - dt.timedelta(days=rng.randint(30, 700))
            reports.append(
                teams.double_report_register(
                    actor=SYSTEM,
                    member=member,
                    community=villages[n % len(villages)],
                    registered_on=max(since, member.joined_on),
                    offers=rng.choice(_OFFERS),
                    services=rng.sample(["elderly", "policy", "dispute", "environment"], 2),
                    user=_account(member, n + 1) if n % 4 != 3 else None,
                )
            )
        for report in reports:
            if report.registered_on.year < today.year:
                teams.double_report_rate(
                    actor=SYSTEM,
                    report=report,
                    year=today.year - 1,
                    rating=rng.choice(_RATINGS),
                    note="按时参加社区活动，认领服务项目",
                )
        dispatched = _dispatch(made, reports)
    with_account = sum(1 for r in reports if r.user_id)
    return [
        f"{len(made)} 个村（社区）组建红色志愿服务队 {len(made)} 支、队员 "
        f"{sum(t.memberships.count() for t in made)} 名；在职党员双报到 {len(reports)} 名"
        f"（有本人账号可接单 {with_account} 名）；派给服务队或双报到党员的工单 {dispatched} 件。"
    ]


def _dispatch(made: list[VolunteerTeam], reports: list[DoubleReport]) -> int:
    """Send a few of the accepted orders of the teams' villages to a team or a member."""
    done = 0
    for team in made:
        waiting = Order.objects.filter(
            org=team.org, handler_org=team.org, state=OrderState.ACCEPTED
        ).order_by("submitted_at", "pk")
        order = waiting.first()
        if order is None:
            continue
        report = next(
            (r for r in reports if r.community_id == team.org_id and r.user_id is not None), None
        )
        if report is not None:
            services.order_dispatch(actor=SYSTEM, order=order, member=report, note="请就近服务")
            assert report.user is not None
            services.order_take(actor=report.user, order=order)
        elif team.leader_id is not None:
            services.order_dispatch(actor=SYSTEM, order=order, team=team, note="请服务队认领")
        else:
            continue
        done += 1
    return done
