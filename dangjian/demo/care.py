"""A demo hardship register (困难党员帮扶) in the demo town, through the real services.

:func:`seed_demo_care` puts two or three members of each roll-keeping branch of the demo town
(the ``zb_shuji`` branch among them; older members first, as in life) on the register with a
reason and a level; the organization above the branch (the town, ``dw_admin``, for its
branches) is a helping organization of the 特别困难 ones.
Each gets the help of the festivals since registration (慰问金 from the branch, more from the
organization above for 特别困难, 实物 now and then), visits at 春节, 七一 and 重阳 with the next
visit agreed — some overdue, some due within days — and one entry is closed (已脱困), so
every list shows something. Deterministic from ``seed``; nothing is done when the register
has an entry.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.care import services
from dangjian.care.choices import Level, Reason
from dangjian.care.models import Hardship
from dangjian.members.models import Member
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization

from .accounts import nodes_to_seed

BRANCHES = 6
_REASONS = [Reason.ILLNESS, Reason.OLD_AGE, Reason.LIVING, Reason.DISABILITY, Reason.DISASTER]
_NOTES = {
    Reason.ILLNESS: "慢性病长期服药，医疗费用负担较重",
    Reason.OLD_AGE: "独居，子女在外地",
    Reason.LIVING: "家庭收入低，配偶无业",
    Reason.DISABILITY: "肢体残疾，行动不便",
    Reason.DISASTER: "房屋在汛期受损",
}
#: festivals of each year (approximate dates: 春节 and 重阳 move with the lunar calendar)
_FESTIVALS = [("春节", 2, 1), ("七一", 7, 1), ("重阳", 10, 20)]


def _festivals(since: dt.date, today: dt.date) -> list[tuple[str, dt.date]]:
    out = []
    for year in range(since.year, today.year + 1):
        for name, month, day in _FESTIVALS:
            d = dt.date(year, month, day)
            if since <= d < today:
                out.append((name, d))
    return out


def _branches(town: Organization, weak: Organization | None) -> list[Organization]:
    below = Organization.objects.filter(
        path__startswith=town.path, org_type__in=ROLL_TYPES, members__isnull=False
    ).distinct()
    chosen = list(below.order_by("path")[:BRANCHES])
    if weak is not None and weak.org_type in ROLL_TYPES and weak not in chosen:
        chosen.append(weak)
    return chosen


def seed_demo_care(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo register; Chinese lines to print. Nothing if an entry exists."""
    nodes = nodes_to_seed(Hardship)
    if nodes is None:
        return []
    town, weak = nodes["town"], nodes.get("weak_branch")
    rng = random.Random(f"care-{seed}")
    counts = {"entries": 0, "helps": 0, "visits": 0, "closed": 0}
    with transaction.atomic():
        for branch in _branches(town, weak):
            older = list(Member.objects.filter(org=branch).order_by("birth_date", "pk")[:6])
            for member in rng.sample(older, min(len(older), rng.randint(2, 3))):
                _one(member, branch, today, rng, counts)
        entry = (
            Hardship.objects.filter(until__isnull=True, level=Level.ORDINARY).order_by("pk").first()
        )
        if entry is not None:
            last = max(
                [
                    entry.since,
                    *entry.helps.values_list("given_on", flat=True),
                    *entry.visits.values_list("visited_on", flat=True),
                ]
            )
            services.hardship_close(
                actor=SYSTEM,
                hardship=entry,
                until=min(today, last + dt.timedelta(days=20)),
                reason="已脱困",
                today=today,
            )
            counts["closed"] += 1
    return [
        f"困难党员 {counts['entries']} 人（已销号 {counts['closed']} 人），"
        f"帮扶 {counts['helps']} 次，走访慰问 {counts['visits']} 次"
    ]


def _one(
    member: Member,
    branch: Organization,
    today: dt.date,
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    # the organization above the branch (the town's 党委 for its branches) helps 特别困难
    parent = Organization.objects.filter(path=branch.path[: -Organization.steplen]).first()
    reason = rng.choice(_REASONS)
    special = rng.random() < 0.35
    since = max(member.joined_on, today - dt.timedelta(days=rng.randint(60, 540)))
    entry = services.hardship_register(
        actor=SYSTEM,
        member=member,
        reason=reason,
        level=Level.SPECIAL if special else Level.ORDINARY,
        since=since,
        note=_NOTES[reason],
        helpers=[parent] if special and parent is not None else [],
        today=today,
    )
    counts["entries"] += 1
    festivals = _festivals(since, today)
    for name, day in festivals:
        services.help_record(
            actor=SYSTEM,
            hardship=entry,
            kind="慰问金",
            amount=rng.choice([200, 300, 500]),
            org=branch,
            helper_name="",
            given_on=day,
            today=today,
        )
        counts["helps"] += 1
        if special and parent is not None and name == "春节":
            services.help_record(
                actor=SYSTEM,
                hardship=entry,
                kind=rng.choice(["慰问金", "实物"]),
                amount=rng.choice([1000, 1500, 2000]),
                org=parent,
                given_on=day,
                today=today,
            )
            counts["helps"] += 1
    visits = festivals or [("日常走访", min(today, since + dt.timedelta(days=7)))]
    for i, (name, day) in enumerate(visits):
        last = i == len(visits) - 1
        agreed = None
        if last:
            agreed = today + dt.timedelta(days=rng.choice([-25, -6, 3, 5, 30, 60]))
            if agreed <= day:
                agreed = day + dt.timedelta(days=30)
        services.visit_record(
            actor=SYSTEM,
            hardship=entry,
            occasion=name,
            visited_on=day,
            org=branch,
            visitors="支部书记",
            next_visit_on=agreed,
            today=today,
        )
        counts["visits"] += 1
