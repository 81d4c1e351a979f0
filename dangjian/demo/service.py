"""Demo service orders (群众点单、村居派单、网格接单、群众评单) in the demo town.

:func:`seed_demo_service` gives up to five 村/社区 organizations of the demo town (the one the
``dw_admin`` account manages; the ``zb_shuji`` branch too when it is a village or community
branch) two or three grids each, one grid worker account per grid (网格员, Chinese names, no
printed password), and a year of orders (about 600 for the demo district) walked through the
real services with the clock set back — the older ones mostly closed and rated, the recent ones
spread over the open states. Every state appears — waiting to be accepted, refused, merged
as a duplicate, dispatched, taken, resolved, closed with 满意/基本满意, rated 不满意 and
reopened, escalated to the 片区 or the town — and some orders are left open past their
limits, so the overview shows overdue orders and the 三率 are below 100 %. A few results come
with a photo (a tiny generated PNG, stored through the shared attachment checks).

Who dispatches in the demo: ``dw_admin`` (党委管理员 of the town) for every village of the town;
``zb_shuji`` for its own branch when that branch got grids (the summary line says which).
Deterministic from ``seed``; nothing is done when a grid exists.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.core import clock
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization
from dangjian.service import services
from dangjian.service.choices import OrderState
from dangjian.service.models import Grid, Order

from . import names
from .accounts import demo_worker, nodes_to_seed
from .service_linked import seed_demo_linked
from .service_teams import seed_demo_teams

#: what residents ask for, by category (description, address)
_ASKS: dict[str, list[tuple[str, str]]] = {
    "roads": [("村口路灯坏了，晚上看不见路", "村口大樟树旁"), ("机耕路塌了一段", "后山机耕路")],
    "utilities": [("自来水这几天很浑浊", "三组"), ("停电两天了还没有来电", "五组")],
    "environment": [("垃圾桶满了没人清运", "菜市场旁"), ("河里有人倒建筑垃圾", "溪边")],
    "elderly": [("独居老人想申请上门助餐", "二组"), ("老人行动不便，想办理代办服务", "四组")],
    "dispute": [("邻居宅基地界线有争议", "六组"), ("两户因排水沟起了纠纷", "一组")],
    "policy": [("想咨询医保缴费的办法", ""), ("想了解危房改造补助怎么申请", "三组")],
    "safety": [("桥边护栏松了，小孩上学危险", "石桥"), ("有流浪狗咬人", "小学门口")],
    "complex": [("山塘水库渗水，下游担心安全", "上游山塘")],
}
#: how far the demo takes an order, with weights (a realistic mix)
_ENDS: list[tuple[str, int]] = [
    ("closed", 34),
    ("closed_basic", 10),
    ("resolved", 8),
    ("unsatisfied", 4),
    ("reopened", 4),
    ("taken", 6),
    ("dispatched", 5),
    ("accepted", 3),
    ("submitted", 4),
    ("refused", 5),
    ("merged", 4),
    ("escalated", 5),
]
#: the mix of the orders older than :data:`RECENT_DAYS`: by now mostly closed and rated, a few
#: still open (overdue) or reopened
_OLD_ENDS: list[tuple[str, int]] = [
    ("closed", 52),
    ("closed_basic", 15),
    ("resolved", 2),
    ("unsatisfied", 3),
    ("reopened", 2),
    ("taken", 1),
    ("dispatched", 1),
    ("accepted", 1),
    ("submitted", 1),
    ("refused", 6),
    ("merged", 4),
    ("escalated", 2),
]
#: a year of orders
DAYS = 365
#: the orders of the last weeks follow :data:`_ENDS` (many still open)
RECENT_DAYS = 60
#: orders per grid (with 10 to 15 grids: about 600)
ORDERS_PER_GRID = (40, 56)
#: the share of results that come with a photo
PHOTO_SHARE = 0.06


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def demo_photo(rng: random.Random, size: int = 8) -> bytes:
    """A tiny valid PNG of one colour (``size`` × ``size``), made with the standard library."""
    colour = bytes(rng.randrange(60, 220) for _ in range(3))
    rows = b"".join(b"\x00" + colour * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


class _Today(Exception):
    """The walk reached the demo's present."""


@contextmanager
def _clock(box: list[dt.datetime]) -> Iterator[None]:
    """The services' clock (:mod:`dangjian.core.clock`) reads ``box[0]`` (the demo walks orders
    through past days)."""
    with clock.reading(lambda: box[0]):
        yield


def _villages(town: Organization, weak: Organization | None) -> list[Organization]:
    below = Organization.objects.filter(
        path__startswith=town.path,
        depth=town.depth + 1,
        sector__in=[Sector.RURAL, Sector.COMMUNITY],
    ).order_by("path")
    chosen = [o for o in below if "村" in o.name or "社区" in o.name][:5]
    if weak is not None and ("村" in weak.name or "社区" in weak.name) and weak not in chosen:
        chosen.append(weak)
    return chosen


def _worker(org: Organization, n: int, rng: random.Random) -> User:
    return demo_worker(f"wgy_{org.code.lower()}_{n}", org, rng)


def _walk(
    order: Order,
    end: str,
    *,
    box: list[dt.datetime],
    dispatcher: Any,
    worker: User,
    grid: Grid,
    rng: random.Random,
    earlier: Order | None,
    until: dt.datetime,
) -> None:
    """Move ``order`` to ``end`` through the services, hours or days apart."""

    def later(hours: float) -> None:
        box[0] = box[0] + dt.timedelta(hours=hours * rng.uniform(0.5, 1.5))
        if box[0] > until:  # nothing in the future: the order stays where it is today
            raise _Today

    def step(fn: Callable[..., Any], hours: float, **kw: Any) -> None:
        later(hours)
        fn(order=order, **kw)

    slow = rng.random() < 0.15  # a late response or resolution now and then
    if end == "submitted":
        return
    if end == "refused":
        step(
            services.order_refuse,
            4,
            actor=dispatcher,
            reason="not_ours",
            note="属于供电公司职责，已告知联系方式",
        )
        return
    if end == "merged" and earlier is not None:
        step(services.order_merge, 3, actor=dispatcher, into=earlier)
        return
    step(services.order_accept, 30 if slow else 3, actor=dispatcher, note="已受理")
    if end == "accepted":
        return
    if end == "escalated":
        step(services.order_escalate, 20, actor=dispatcher, reason="涉及多个村，需要上级协调")
        return
    step(services.order_dispatch, 2, actor=dispatcher, grid=grid)
    if end == "dispatched":
        return
    step(services.order_take, 5, actor=worker)
    if end == "taken":
        return
    photos = [("现场照片.png", demo_photo(rng))] if rng.random() < PHOTO_SHARE else []
    step(
        services.order_resolve,
        24 * (9 if slow else 2),
        actor=worker,
        result="已上门处理并回访",
        photos=photos,
    )
    if end == "resolved":
        return
    if end in ("closed", "closed_basic"):
        rating = "satisfied" if end == "closed" else "basic"
        step(services.order_rate, 20, rating=rating, comment="")
        return
    step(services.order_rate, 20, rating="unsatisfied", comment="问题还没有彻底解决")
    if end == "unsatisfied":
        return
    step(services.order_reopen, 6, note="过了两天又坏了")


def seed_demo_service(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's grids and orders; Chinese lines to print. Nothing if grids exist."""
    nodes = nodes_to_seed(Grid)
    if nodes is None:
        return []
    town, weak = nodes["town"], nodes.get("weak_branch")
    villages = _villages(town, weak)
    if not villages:
        return []
    rng = random.Random(f"service-{seed}")
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=DAYS), dt.time(8)))
    box = [start]
    counts: dict[str, int] = {}
    grids: list[tuple[Grid, User]] = []
    with transaction.atomic():
        for village in villages:
            for n in range(1, rng.randint(2, 3) + 1):
                worker = _worker(village, n, rng)
                grid = services.grid_create(
                    actor=SYSTEM,
                    org=village,
                    name=f"第{'一二三'[n - 1]}网格",
                    area="东片区" if n == 1 else "",
                    households=rng.randint(60, 220),
                    workers=[worker],
                )
                grids.append((grid, worker))
        ends = [e for e, _ in _ENDS]
        weights = [w for _, w in _ENDS]
        old_ends = [e for e, _ in _OLD_ENDS]
        old_weights = [w for _, w in _OLD_ENDS]
        now = timezone.now()
        with _clock(box):
            for grid, worker in grids:
                earlier: Order | None = None
                for _ in range(rng.randint(*ORDERS_PER_GRID)):
                    day = rng.uniform(0, DAYS - 1)
                    box[0] = start + dt.timedelta(days=day, hours=rng.uniform(0, 10))
                    code = rng.choice(list(_ASKS))
                    text, address = rng.choice(_ASKS[code])
                    order = services.order_submit(
                        grid=grid,
                        category=code,
                        description=text,
                        address=address,
                        contact_name=rng.choice(names.SURNAMES)[0] + rng.choice(["先生", "女士"]),
                        phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                    )
                    recent = DAYS - day <= RECENT_DAYS
                    end = rng.choices(*((ends, weights) if recent else (old_ends, old_weights)))[0]
                    if end == "merged" and earlier is None:
                        end = "accepted"
                    if code == "complex" and end == "escalated":
                        end = "accepted"  # already at the town
                    with suppress(_Today):
                        _walk(
                            order,
                            end,
                            box=box,
                            dispatcher=SYSTEM,
                            worker=worker,
                            grid=grid,
                            rng=rng,
                            earlier=earlier,
                            until=now,
                        )
                    order.refresh_from_db()
                    counts[order.state] = counts.get(order.state, 0) + 1
                    if order.state not in (OrderState.MERGED, OrderState.REFUSED):
                        earlier = order  # the next duplicate's target: still a valid order
    seed_demo_linked(today, town=town, grids=grids, counts=counts, seed=seed)  # 跨级联合、敲门行动
    total = sum(counts.values())
    mine = weak is not None and weak in villages
    who = "dw_admin（全镇）" + ("、zb_shuji（本支部）" if mine else "")
    escalated = Order.objects.filter(escalation_count__gt=0).count()
    # in the order of the states, each "label：n 件" (some labels hold a comma themselves)
    by_state = "；".join(
        f"{state.label}：{counts[state.value]} 件" for state in OrderState if state.value in counts
    )
    return [
        *seed_demo_teams(town, villages, today, seed=seed),  # 志愿服务队、双报到 (service_teams.py)
        f"{len(villages)} 个村（社区）建立网格 {len(grids)} 个，近 {DAYS} 天群众点单 {total} 件"
        f"（{by_state}；其中上报 {escalated} 件）；可派单的演示账号：{who}。",
    ]
