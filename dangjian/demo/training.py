"""Demo training courses (党员教育培训) in the demo district, through the real services.

Four upper-level courses, each entered once by its organizer with its participants: last
year's district winter training (冬训), this year's district training for every member of the
demo town's first branches (added branch by branch), the town's course for the secretaries and
committee members of its branches, and a district special course for a sample of the town's
members. With the organizational life the demo already holds (党课、主题党日 with attendance),
the figures pages show a realistic mix of members who have and have not reached their hours.

Deterministic from ``seed``; nothing is done when a course exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.members.choices import COMMITTEE_POSTS
from dangjian.members.models import Member
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization
from dangjian.training.models import Course
from dangjian.training.services import CourseInput, course_create, participants_add_branch

from .accounts import nodes_to_seed

#: how many of the town's branches the district's training takes whole
BRANCHES_WHOLE = 4
#: the share of the town's members in the special course
SAMPLE_SHARE = 0.6


def _course(
    organizer: Organization, title: str, start: dt.date, days: int, hours: str, ids: list[int]
) -> Course:
    return course_create(
        actor=SYSTEM,
        data=CourseInput(
            organizer=organizer,
            title=title,
            starts_on=start,
            ends_on=start + dt.timedelta(days=days - 1),
            hours=hours,
        ),
        member_ids=ids,
    )


def seed_demo_training(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's courses; Chinese lines to print. Nothing if a course exists."""
    nodes = nodes_to_seed(Course)
    if nodes is None:
        return []
    town = nodes["town"]
    district = Organization.objects.get_parent(town) or town
    rng = random.Random(f"training-{seed}")
    roll = list(
        Member.objects.filter(org__path__startswith=town.path)
        .order_by("pk")
        .values_list("pk", "post", "joined_on")
    )
    if not roll:
        return []
    lines = []
    with transaction.atomic():
        last_year = dt.date(today.year - 1, 11, 20)
        old = [pk for pk, _post, joined in roll if joined <= last_year and rng.random() < 0.8]
        _course(district, f"{today.year - 1}年度全区党员冬训集中轮训", last_year, 3, "16", old)
        lines.append(f"上年度冬训 1 期（{len(old)} 人）")
        start = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=200))
        winter = _course(district, f"{today.year}年度全区党员集中轮训", start, 4, "24", [])
        branches = list(
            Organization.objects.filter(
                path__startswith=town.path, org_type__in=ROLL_TYPES
            ).order_by("path")[:BRANCHES_WHOLE]
        )
        whole = sum(
            participants_add_branch(actor=SYSTEM, course=winter, branch=b)
            for b in branches
            if Member.objects.filter(org=b).exists()
        )
        lines.append(f"全区集中轮训 1 期（按支部整体添加 {whole} 人）")
        leaders = [pk for pk, post, joined in roll if post in COMMITTEE_POSTS and joined <= start]
        start = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=120))
        _course(town, f"{town.name}基层党组织书记和班子成员培训班", start, 3, "32", leaders)
        lines.append(f"书记和班子成员培训班 1 期（{len(leaders)} 人）")
        start = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=45))
        sample = [
            pk for pk, _post, joined in roll if joined <= start and rng.random() < SAMPLE_SHARE
        ]
        _course(district, "学习贯彻党的二十届三中全会精神专题培训", start, 2, "12", sample)
        lines.append(f"专题培训 1 期（{len(sample)} 人）")
    return lines
