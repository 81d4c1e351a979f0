"""Demo linked departments (先锋共同体), 片区 and 敲门行动 visits in the demo town, through the
real services (:mod:`dangjian.service.linked`); called from
:func:`dangjian.demo.service.seed_demo_service`.

- three departments linked to the town (派出所, 民政所, 司法所), each with one contact account
  (``lxr_<town code>_<kind>``, Chinese names, no printed password; role 网格员 at the town);
- a 片区 “东片区” in each village whose first grid names it, its grid worker as 片区长;
- a few orders per village walked up the ladder with the clock set back: taken and resolved by
  the 片区长; or escalated to the town, then 跨级联合, referred to a department whose contact
  takes and resolves it (some rated, some still open);
- two or three door-knock visits per grid in the last month, with needs (one turned into an
  order), follow-ups due, some done.

The orders' final states are added to ``counts`` (the caller's summary). Deterministic from
``seed``; nothing is done when a department exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization
from dangjian.service import linked, services
from dangjian.service.models import Department, Grid, Order

from . import names
from .accounts import demo_worker

#: the departments linked to the demo town: (kind, name suffix)
_DEPARTMENTS = [("police", "派出所"), ("civil", "民政所"), ("justice", "司法所")]
#: what a 跨级 order asks for (category, description, address)
_CROSS = [
    ("dispute", "两户因宅基地边界多次争吵，村里调解不成", "六组"),
    ("safety", "有人在山塘边私自挖砂，存在溃坝隐患", "上游山塘"),
    ("dispute", "外来务工人员工资被拖欠三个月", "工业小区"),
]
#: needs found on door-knock visits (text, category)
_NEEDS = [
    ("独居老人希望每周有人上门看看", "elderly"),
    ("屋后排水沟堵了，下雨就积水", "environment"),
    ("想咨询孩子上学的医保怎么办理", "policy"),
    ("楼道灯坏了好久", "roads"),
]


@contextmanager
def _clock(box: list[dt.datetime]) -> Iterator[None]:
    with mock.patch.object(services, "_now", lambda: box[0]):
        yield


def _contact(town: Organization, kind: str, rng: random.Random) -> User:
    return demo_worker(f"lxr_{town.code.lower()}_{kind}", town, rng)


def _walk(
    order: Order,
    n: int,
    *,
    box: list[dt.datetime],
    leader: User | None,
    depts: list[Department],
    contacts: dict[int, User],
) -> None:
    """Up the ladder: 村 → 片区 (the leader resolves one in three) → 乡镇 → 跨级联合 → referral."""

    def later(hours: float) -> None:
        box[0] += dt.timedelta(hours=hours)

    later(2)
    services.order_accept(actor=SYSTEM, order=order, note="已受理")
    later(20)
    services.order_escalate(actor=SYSTEM, order=order, reason="涉及多个网格，需要片区协调")
    order.refresh_from_db()
    if leader is not None and n % 3 == 0 and order.state == "dispatched":
        later(3)
        services.order_take(actor=leader, order=order)
        later(30)
        services.order_resolve(actor=leader, order=order, result="片区长召集双方协商，已达成一致")
        return
    if order.level == "area":
        later(24)
        services.order_escalate(actor=SYSTEM, order=order, reason="片区协调不了，请镇里解决")
    later(12)
    services.order_escalate(actor=SYSTEM, order=order, reason="需要职能部门联合处理")
    if n % 4 == 1:
        return  # waiting at 跨级联合 for the town to refer it
    lead = depts[n % len(depts)]
    helpers = [d for d in depts if d != lead][: n % 2]
    later(4)
    linked.order_refer(actor=SYSTEM, order=order, departments=[lead, *helpers], note="请牵头办理")
    if n % 4 == 2:
        return  # referred, not yet taken
    later(6)
    contact = contacts[lead.pk]
    services.order_take(actor=contact, order=order)
    later(48)
    services.order_resolve(actor=contact, order=order, result="部门上门核实处理，已回复群众")
    later(20)
    services.order_rate(order=order, rating="satisfied" if n % 2 else "basic")


def seed_demo_linked(
    today: dt.date,
    *,
    town: Organization,
    grids: list[tuple[Grid, User]],
    counts: dict[str, int],
    seed: int = 42,
) -> None:
    """Seed departments, 片区, 跨级 orders and visits; the orders' states go into ``counts``."""
    if Department.objects.exists() or not grids:
        return
    rng = random.Random(f"service-linked-{seed}")
    contacts: dict[int, User] = {}
    depts: list[Department] = []
    for kind, suffix in _DEPARTMENTS:
        contact = _contact(town, kind, rng)
        dept = linked.department_create(
            actor=SYSTEM,
            org=town,
            name=f"{town.name.removesuffix('党委')}{suffix}",
            kind=kind,
            contacts=[contact],
            phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        )
        depts.append(dept)
        contacts[dept.pk] = contact
    leaders: dict[int, User] = {}
    for grid, worker in grids:
        if grid.area and grid.org_id not in leaders:
            linked.area_create(actor=SYSTEM, org=grid.org, name=grid.area, leaders=[worker])
            leaders[grid.org_id] = worker
    now = timezone.now()
    box = [now]
    n = 0
    with _clock(box):
        for grid, _worker in grids:
            if not grid.area:
                continue
            for category, text, address in _CROSS:
                n += 1
                box[0] = now - dt.timedelta(days=rng.randint(12, 80), hours=rng.randint(0, 8))
                order = services.order_submit(
                    grid=grid,
                    category=category,
                    description=text,
                    address=address,
                    contact_name=rng.choice(names.SURNAMES)[0] + rng.choice(["先生", "女士"]),
                    phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                )
                _walk(
                    order,
                    n,
                    box=box,
                    leader=leaders.get(grid.org_id),
                    depts=depts,
                    contacts=contacts,
                )
                order.refresh_from_db()
                counts[order.state] = counts.get(order.state, 0) + 1
        for grid, worker in grids:
            for k in range(rng.randint(2, 3)):
                visited = today - dt.timedelta(days=rng.randint(1, 30))
                picked = rng.sample(_NEEDS, rng.randint(0, 2))
                visit = linked.visit_record(
                    actor=worker,
                    grid=grid,
                    household=f"{rng.randint(1, 8)}组{rng.randint(1, 40)}号",
                    visited_on=visited,
                    needs=picked,
                    follow_up_due=visited + dt.timedelta(days=7) if picked else None,
                    note="入户走访，了解家庭近况",
                    today=today,
                )
                if picked and k == 0:
                    box[0] = timezone.make_aware(dt.datetime.combine(visited, dt.time(16)))
                    need = visit.needs.order_by("pk").first()
                    assert need is not None
                    order = linked.need_to_order(
                        actor=worker,
                        need=need,
                        phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                    )
                    counts[order.state] = counts.get(order.state, 0) + 1
                if picked and visited < today - dt.timedelta(days=10):
                    linked.visit_done(actor=worker, visit=visit)
