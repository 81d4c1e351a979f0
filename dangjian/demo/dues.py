"""Demo party dues (党费) of the demo town: a year through the real services.

:func:`seed_demo_dues` gives every member on the rolls of the demo town's branches (the town
``dw_admin`` manages, and the ``zb_shuji`` branch) a 核定 for each calendar year of the twelve
complete months before ``today`` (:func:`dangjian.dues.services.base_set`: a monthly base drawn
by category, a little higher in the second year; some members pay a voluntary larger amount),
then the months paid, branch by branch and month by month, as bank statement files through
:func:`~dangjian.dues.services.payments_import` (all or nothing, as a branch would upload them).
About one member in thirty stops paying at some month, so the 本月党费 page and the overview
show arrears and DUES-ARREARS-6-MONTHS flags; one of them has a good reason recorded
(:func:`~dangjian.dues.services.exemption_record`). Each branch remits what it collected in the
first year to the town (:func:`~dangjian.dues.services.remittance_record`).

Deterministic from ``seed``; nothing is done when a dues record exists.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.dues import months
from dangjian.dues.models import DuesBase
from dangjian.dues.services import (
    base_set,
    default_category,
    exemption_record,
    on_roll,
    payments_import,
    remittance_record,
)
from dangjian.members.models import Member
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization

from .accounts import nodes_to_seed

#: the monthly base range of the rated categories (yuan)
BASES = {"在职": (2500, 14000), "离退休": (2800, 8000)}


def _statement(rows: list[list[str]]) -> io.BytesIO:
    head = "公民身份号码,姓名,所属月份,金额,交纳日期,流水号\n"
    return io.BytesIO((head + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8"))


def seed_demo_dues(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed a year of dues in the demo town; Chinese lines to print. Nothing if dues exist."""
    nodes = nodes_to_seed(DuesBase)
    if nodes is None:
        return []
    town = nodes["town"]
    weak = nodes.get("weak_branch")
    branches = list(
        Organization.objects.filter(path__startswith=town.path, org_type__in=ROLL_TYPES).order_by(
            "path"
        )
    )
    if weak is not None and weak.org_type in ROLL_TYPES and weak not in branches:
        branches.append(weak)
    if not branches:
        return []
    rng = random.Random(f"dues-{seed}")
    last = months.add(months.first(today), -1)
    span = months.span(months.add(last, -11), last)
    years = sorted({m.year for m in span})
    counts = {"bases": 0, "payments": 0, "stopped": 0, "files": 0}
    with transaction.atomic():
        excused = False
        for branch in branches:
            members = list(
                Member.objects.filter(org=branch).prefetch_related("statuses").order_by("pk")
            )
            stop: dict[int, dt.date] = {}
            for m in members:
                category = default_category(m)
                low, high = BASES.get(category, (0, 0))
                base = rng.randrange(low, high) // 10 * 10 if high else None
                for i, year in enumerate(years):
                    raised = base + 200 * i if base else None
                    voluntary = None
                    if rng.random() < 0.03:
                        # more than any band's rate gives: always at least what is owed
                        voluntary = f"{raised * 0.025:.2f}" if raised else "5"
                    base_set(
                        actor=SYSTEM,
                        member=m,
                        year=year,
                        category=category,
                        base=raised,
                        voluntary=voluntary,
                    )
                    counts["bases"] += 1
                if rng.random() < 1 / 30:
                    stop[m.pk] = span[rng.randrange(0, len(span))]
                    counts["stopped"] += 1
            owed = {
                (b.member_id, b.year): b.owed for b in DuesBase.objects.filter(member__org=branch)
            }
            for month in span:
                rows = []
                for m in members:
                    if not on_roll(m, month) or (m.pk in stop and month >= stop[m.pk]):
                        continue
                    paid_on = min(month + dt.timedelta(days=rng.randrange(3, 25)), today)
                    rows.append(
                        [
                            m.id_number(),
                            m.name,
                            f"{month:%Y-%m}",
                            str(owed[(m.pk, month.year)]),
                            paid_on.isoformat(),
                            f"YH{month:%Y%m}{m.pk:06d}",
                        ]
                    )
                if rows:
                    made = payments_import(
                        actor=SYSTEM,
                        org=branch,
                        source=_statement(rows),
                        filename=f"{branch.name}{months.label(month)}党费银行流水.csv",
                    )
                    counts["payments"] += len(made)
                    counts["files"] += 1
            if stop and not excused:
                member_id, first = next(iter(stop.items()))
                member = next(m for m in members if m.pk == member_id)
                exemption_record(
                    actor=SYSTEM,
                    member=member,
                    month_from=first,
                    month_to=months.add(first, 1),
                    note="外出务工期间生病住院，家属告知，支部认可",
                )
                excused = True
        first_year = years[0]
        remitted = Decimal(0)
        for branch in branches:
            from dangjian.dues.services import collected

            have = collected(branch, first_year)
            if have > 0:
                remittance_record(
                    actor=SYSTEM,
                    org=branch,
                    year=first_year,
                    amount=have,
                    remitted_on=min(dt.date(first_year, 12, 28), today),
                    note="年度党费上缴",
                )
                remitted += have
    return [
        f"{town.name}等 {len(branches)} 个党支部的党费核定 {counts['bases']:,} 条，",
        f"银行流水 {counts['files']:,} 份导入党费 {counts['payments']:,} 笔，"
        f"{counts['stopped']} 名党员中途未交（其中 1 名有正当理由），上缴党费 {remitted} 元",
    ]
