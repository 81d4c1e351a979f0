"""Service-order benchmark: a city's villages and grids with a year of orders, then 三率 for every
grid, the dispatcher board of a busy village, the 服务统计 dashboard at the city root and the
submission throughput of ``order_submit``.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_service.py --database-url postgres://postgres@127.0.0.1:5432/h_service_bench
    .venv/bin/python benchmarks/run_service.py --orders 100000 --database-url …
    .venv/bin/python benchmarks/run_service.py --orders 20000 --sqlite /tmp/service-bench.sqlite3

What it builds (deterministic, ``--seed``; into an empty database, ``--reuse`` keeps one built
before): the organizations the orders need at a city's counts — the city committee, 16 district
committees, ``--villages`` ÷ 19 town committees and ``--villages`` village/community branches
(default 6,000), ``--grids`` grids each (default 5) — written with ``bulk_create`` (no members:
the service figures do not read them); then ``--orders`` orders (default 1,000,000) submitted over
the calendar year ``--year`` (default 2025), written with PostgreSQL ``COPY`` (``bulk_create`` on
SQLite). Villages get a log-normal share of the orders; the first village is a busy one (20 × the
mean). Every order is in the state its age makes likely: most closed and rated, some refused or
merged, some reopened, escalated to the town, overdue; the last fortnight of the year still
largely open. Order histories (``OrderEvent``) are not written: no figure and no page measured
reads them.

After the load the monthly counters (``ServiceTally`` and the subtree rows
``ServiceSubtreeTally``) are rebuilt from the orders, as
``dangjian rollups rebuild`` does after a bulk load.

Printed: the build times; 三率 with times per grid, village and town from the counters; the
grouped 三率 query for every grid, village and town of the city
(time, query count, groups); the dispatcher board (``/fuwu/queue/``) of the busy village as its
dispatcher and the dashboard (``/fuwu/stats/``, the year's last month) at the city root as the
组织部管理员 — the first request and the median of ``--repeat`` more, with the query count; and
the Open311 list ``/open311/v2/requests.json`` (anonymous, a 90-day window, with a
``service_code``, a ``status``, a ``jurisdiction_id``) through the test client; and
``--submit`` orders through ``order_submit`` (validation, encryption of the phone, audit), as
orders per second.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import random
import statistics
import time
from typing import Any
from urllib.parse import urlencode

import common

WIDTH = 52
DISTRICTS = 16
VILLAGES_PER_TOWN = 19
DESCRIPTIONS = [
    "村口路灯不亮已经一周了",
    "小区垃圾清运不及时",
    "家中老人需要上门助餐服务",
    "楼道堆放杂物存在消防隐患",
    "自来水管破裂漏水",
    "邻里噪音纠纷请求调解",
    "道路坑洼雨天积水",
    "低保申请材料咨询",
]


def _options() -> Any:
    parser = common.argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=6_000)
    parser.add_argument("--grids", type=int, default=5, help="grids per village")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page")
    parser.add_argument("--submit", type=int, default=300, help="orders through order_submit")
    parser.add_argument(
        "--uncached",
        type=int,
        default=20,
        help="requests of the city root's dashboard, the cache cleared before each (p50/p95)",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="skip the grouped 三率 of every grid, village and town (the pages only)",
    )
    common.add_seed_options(parser)
    common.add_database_options(parser)
    return parser


# --- building ------------------------------------------------------------------------------------


def build_orgs(villages: int, seed: int) -> None:
    """The city committee, its districts, towns and villages (paths as treebeard writes them)."""
    from dangjian.orgs.models import Organization

    rng = random.Random(f"bench-service-orgs:{seed}")
    towns = max(1, math.ceil(villages / VILLAGES_PER_TOWN))
    step = Organization.steplen

    def path(parent: str, i: int) -> str:
        return parent + Organization._int2str(i + 1).rjust(step, "0")

    objs = []
    root = path("", 0)
    objs.append(
        Organization(
            path=root,
            depth=1,
            numchild=DISTRICTS,
            code="SVC0",
            name="示范市委",
            org_type="党委",
            sector="机关",
        )
    )
    per_district = [
        towns // DISTRICTS + (1 if d < towns % DISTRICTS else 0) for d in range(DISTRICTS)
    ]
    village_no = town_no = 0
    for d in range(DISTRICTS):
        dpath = path(root, d)
        objs.append(
            Organization(
                path=dpath,
                depth=2,
                numchild=per_district[d],
                code=f"SVD{d:02d}",
                name=f"第{d + 1}区委",
                org_type="党委",
                sector="机关",
            )
        )
        for t in range(per_district[d]):
            tpath = path(dpath, t)
            n = min(VILLAGES_PER_TOWN, villages - village_no)
            town_no += 1
            urban = rng.random() < 0.3
            objs.append(
                Organization(
                    path=tpath,
                    depth=3,
                    numchild=n,
                    code=f"SVT{town_no:04d}",
                    name=f"第{town_no}{'街道' if urban else '镇'}党工委",
                    org_type="党工委" if urban else "党委",
                    sector="机关",
                )
            )
            for v in range(n):
                village_no += 1
                objs.append(
                    Organization(
                        path=path(tpath, v),
                        depth=4,
                        numchild=0,
                        code=f"SVV{village_no:05d}",
                        name=f"第{village_no}{'社区' if urban else '村'}党支部",
                        org_type="党支部",
                        sector="社区" if urban else "农村",
                    )
                )
    Organization.objects.bulk_create(objs, batch_size=2000)


def build_grids(per_village: int) -> None:
    from dangjian.orgs.models import Organization
    from dangjian.service.models import Grid

    grids = [
        Grid(
            org_id=pk,
            name=f"第{i + 1}网格",
            households=120 + (pk * 7 + i * 13) % 300,
            token=f"bg{pk:07d}x{i:02d}",
        )
        for pk in Organization.objects.filter(depth=4).order_by("path").values_list("pk", flat=True)
        for i in range(per_village)
    ]
    Grid.objects.bulk_create(grids, batch_size=5000)


def _order_rows(n: int, year: int, seed: int) -> Any:
    """``n`` orders over ``year`` as dicts of column values (see the module docstring)."""
    from django.utils import timezone

    from dangjian.orgs.models import Organization
    from dangjian.service.categories import categories
    from dangjian.service.models import Grid

    rng = random.Random(f"bench-service-orders:{seed}")
    town_of = {o.path: o.pk for o in Organization.objects.filter(depth=3).only("pk", "path")}
    villages = list(Organization.objects.filter(depth=4).order_by("path").values_list("pk", "path"))
    grids_of: dict[int, list[int]] = {}
    for gid, org in Grid.objects.order_by("pk").values_list("pk", "org_id"):
        grids_of.setdefault(org, []).append(gid)
    weights = [rng.lognormvariate(0, 0.8) for _ in villages]
    weights[0] = 20 * statistics.fmean(weights)  # the busy village
    cats = list(categories().values())
    cat_weights = [8 if c.code in ("environment", "roads", "utilities") else 3 for c in cats]
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    seconds = int((timezone.make_aware(dt.datetime(year + 1, 1, 1)) - start).total_seconds())
    year_end = start + dt.timedelta(seconds=seconds)
    chosen = rng.choices(range(len(villages)), weights, k=n)
    for i, v in enumerate(chosen):
        org_pk, vpath = villages[v]
        grid = rng.choice(grids_of[org_pk])
        cat = rng.choices(cats, cat_weights)[0]
        submitted = start + dt.timedelta(seconds=rng.randrange(seconds))
        age_days = (year_end - submitted).days
        response_due = submitted + dt.timedelta(hours=cat.response_hours)
        resolution_due = submitted + dt.timedelta(
            days=cat.resolution_days * (1.4 if cat.workdays else 1)
        )
        row: dict[str, Any] = {
            "tracking_code": f"B{i:09d}",
            "grid_id": grid,
            "org_id": org_pk,
            "handler_org_id": org_pk,
            "level": "village",
            "category": cat.code,
            "description": DESCRIPTIONS[i % len(DESCRIPTIONS)],
            "address": "",
            "contact_name": "",
            "phone_cipher": None,
            "phone_digest": "",
            "phone_masked": "",
            "response_hours": cat.response_hours,
            "resolution_days": cat.resolution_days,
            "workdays": cat.workdays,
            "submitted_at": submitted,
            "response_due": response_due,
            "resolution_due": resolution_due,
            "responded_at": None,
            "dispatched_grid_id": None,
            "assignee_id": None,
            "taken_at": None,
            "resolved_at": None,
            "result": "",
            "rating": "",
            "rating_comment": "",
            "rated_at": None,
            "closed_at": None,
            "refuse_reason": "",
            "merged_into_id": None,
            "reopen_count": 0,
            "escalation_count": 0,
            "updated_at": submitted,
        }
        p_open = 0.45 if age_days < 14 else 0.004
        r = rng.random()
        if r < p_open:
            state = rng.choice(["submitted", "accepted", "dispatched", "taken"])
        elif r < p_open + 0.05:
            state = "refused"
        elif r < p_open + 0.09:
            state = "merged"
        else:
            state = rng.choices(["closed", "resolved", "rated"], [86, 10, 4])[0]
        row["state"] = state
        if state != "submitted":
            late = rng.random() < 0.08
            hours = cat.response_hours * (1 + rng.random() * 2 if late else rng.random())
            row["responded_at"] = min(submitted + dt.timedelta(hours=hours), year_end)
        if state in ("dispatched", "taken", "resolved", "rated", "closed"):
            row["dispatched_grid_id"] = grid
        if rng.random() < 0.1 and state not in ("refused", "merged"):
            row["level"] = "town"
            row["handler_org_id"] = town_of[vpath[: -Organization.steplen]]
            row["escalation_count"] = 1
        if state in ("resolved", "rated", "closed"):
            days = rng.gammavariate(2.0, cat.resolution_days / 3)
            row["resolved_at"] = submitted + dt.timedelta(days=days)
            row["result"] = "已办理"
            row["taken_at"] = row["responded_at"]
            if state == "rated":
                row["rating"] = "unsatisfied"
                row["rated_at"] = row["resolved_at"] + dt.timedelta(days=1)
            elif state == "closed":
                row["rating"] = rng.choices(["satisfied", "basic", ""], [80, 14, 6])[0]
                row["rated_at"] = (
                    row["resolved_at"] + dt.timedelta(days=1) if row["rating"] else None
                )
                row["closed_at"] = row["resolved_at"] + dt.timedelta(days=2)
                if rng.random() < 0.02:
                    row["reopen_count"] = 1
        elif state == "refused":
            row["refuse_reason"] = "not_ours"
            row["closed_at"] = row["responded_at"]
        yield row


def build_orders(n: int, year: int, seed: int) -> None:
    from django.db import connection

    from dangjian.service.models import Order

    fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    rows = _order_rows(n, year, seed)
    # the generator reads the villages and grids on its first row: before COPY holds the connection
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain([first], rows)
    if connection.vendor != "postgresql":
        batch: list[Order] = []
        for row in rows:
            batch.append(Order(**row))
            if len(batch) == 5000:
                Order.objects.bulk_create(batch)
                batch = []
        Order.objects.bulk_create(batch)
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            # the fields the generator does not set (added since: location, linked department…)
            # take their defaults
            defaults = {f.attname: f.get_default() for f in fields}
            for row in rows:
                copy.write_row([row[n] if n in row else defaults[n] for n in names])


def build_users() -> tuple[Any, Any]:
    """The 组织部管理员 at the city root and the dispatcher (书记) of the busy village."""
    from dangjian.accounts.models import User
    from dangjian.accounts.scope import SYSTEM
    from dangjian.accounts.services import user_create
    from dangjian.demo.accounts import new_password
    from dangjian.orgs.models import Organization

    made = []
    for username, org, role in (
        ("bench_zzb", Organization.objects.get(depth=1), "org_admin"),
        (
            "bench_busy",
            Organization.objects.filter(depth=4).order_by("path")[0],
            "branch_secretary",
        ),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=SYSTEM,
                username=username,
                password=new_password(),
                org=org,
                roles=[role],
                must_change_password=False,
            )
        made.append(user)
    return made[0], made[1]


# --- measuring -----------------------------------------------------------------------------------


def timed(fn: Any) -> tuple[Any, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t
    return result, seconds, len(ctx.captured_queries)


def page(client: Any, url: str, repeat: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    status = queries = 0
    for _ in range(repeat + 1):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
        status, queries = response.status_code, len(ctx.captured_queries)
    first, warm = times[0], statistics.median(times[1:]) if repeat else times[0]
    return (
        f"{warm * 1000:.0f} ms median (first {first * 1000:.0f} ms), {queries} queries, "
        f"HTTP {status}"
    )


def uncached(client: Any, url: str, n: int) -> str:
    """``n`` requests of ``url``, the cache emptied before each: median, p95 (nearest rank)
    and the slowest, the median CPU time of this process (what the machine's load inflates
    least) and the query count."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    status = queries = 0
    for _ in range(n):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        status, queries = response.status_code, len(ctx.captured_queries)
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * n) - 1)]
    return (
        f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms ({n} requests; "
        f"CPU {statistics.median(cpu) * 1000:.0f} ms), {queries} queries, HTTP {status}"
    )


def main() -> int:
    parser = _options()
    args = parser.parse_args()
    where = common.use_database(parser, args, name="service")
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dangjian.orgs.models import Organization
    from dangjian.service import rollup, services
    from dangjian.service.models import Grid, Order, ServiceSubtreeTally, ServiceTally
    from dangjian.service.selectors import orders_for
    from dangjian.service.stats import Over, rates_by

    common.line("database", where, width=WIDTH)
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists():
        if not args.reuse:
            parser.error("the database is not empty (use --reuse to keep its data)")
        common.line("build", f"reused ({Order.objects.count():,} orders)", width=WIDTH)
    else:
        t = time.perf_counter()
        build_orgs(args.villages, args.seed)
        build_grids(args.grids)
        common.line(
            "organizations and grids",
            f"{time.perf_counter() - t:.1f} s ({Organization.objects.count():,} organizations, "
            f"{Grid.objects.count():,} grids)",
            width=WIDTH,
        )
        how = "COPY" if connection.vendor == "postgresql" else "bulk_create"
        t = time.perf_counter()
        build_orders(args.orders, args.year, args.seed)
        common.line(
            f"orders of {args.year} ({how})",
            f"{time.perf_counter() - t:.1f} s ({Order.objects.count():,} orders)",
            width=WIDTH,
        )
        t = time.perf_counter()
        common.analyze()
        if connection.vendor == "postgresql":
            # what autovacuum does soon after a bulk load: the visibility map lets the overdue
            # count read the open orders' index alone
            with connection.cursor() as cursor:
                cursor.execute("VACUUM service_order")
        common.line("VACUUM ANALYZE", f"{time.perf_counter() - t:.1f} s", width=WIDTH)
    if not ServiceTally.objects.exists():
        # the COPY load bypassed the writes that keep the monthly counters: count them once
        t = time.perf_counter()
        rows = rollup.rebuild()
        common.line(
            "monthly counters (rollups rebuild)",
            f"{time.perf_counter() - t:.1f} s ({rows:,} rows, "
            f"{ServiceSubtreeTally.objects.count():,} of them subtree rows)",
            width=WIDTH,
        )
        common.analyze()
    zzb, busy = build_users()
    year = Over("", dt.date(args.year, 1, 1), dt.date(args.year, 12, 1))
    for key in () if args.pages_only else ("grid", "village", "town"):
        found, seconds, queries = timed(lambda k=key: rates_by(Order.objects.all(), k, over=year))
        common.line(
            f"三率 + times per {key}, city, from the counters",
            f"{seconds:.2f} s, {queries} queries, {len(found):,} groups",
            width=WIDTH,
        )

    for key in () if args.pages_only else ("grid", "village", "town"):
        for with_times in (False, True):
            what = "三率 + times" if with_times else "三率"
            for label, orders in (("all", Order.objects.all()), ("scoped", orders_for(zzb))):
                found, seconds, queries = timed(
                    lambda o=orders, k=key, t=with_times: rates_by(o, k, times=t)
                )
                common.line(
                    f"{what} per {key}, city ({label})",
                    f"{seconds:.2f} s, {queries} queries, {len(found):,} groups",
                    width=WIDTH,
                )

    busy_org = busy.org
    waiting = Order.objects.filter(
        handler_org__path__startswith=busy_org.path,
        state__in=("submitted", "accepted", "resolved", "rated"),
    ).count()
    total = Order.objects.filter(org=busy_org).count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(busy)
    common.line(
        f"dispatcher board, busy village ({total:,} orders, {waiting:,} waiting)",
        page(client, reverse("service:queue"), args.repeat),
        width=WIDTH,
    )
    client.force_login(zzb)
    month = f"?month={args.year}-12"
    common.line(
        "dashboard /fuwu/stats/ at the city root",
        page(client, reverse("service:stats") + month, args.repeat),
        width=WIDTH,
    )
    if args.uncached:
        common.line(
            "dashboard at the city root, uncached",
            uncached(client, reverse("service:stats") + month, args.uncached),
            width=WIDTH,
        )
    town = Organization.objects.filter(depth=3).order_by("path").first()
    assert town is not None
    common.line(
        f"dashboard at a town ({town.name})",
        page(client, reverse("service:stats") + f"{month}&org={town.code}", args.repeat),
        width=WIDTH,
    )
    common.line(
        "overview /fuwu/ at the city root",
        page(client, reverse("service:index"), args.repeat),
        width=WIDTH,
    )
    # the same on the last day of the orders' year: its twelve months of counters are summed
    import time_machine

    with time_machine.travel(dt.datetime(args.year, 12, 31, 10, tzinfo=dt.UTC), tick=True):
        common.line(
            f"overview /fuwu/ at the city root, on {args.year}-12-31",
            page(client, reverse("service:index"), args.repeat),
            width=WIDTH,
        )

    client.logout()
    code = Order.objects.order_by().values_list("category", flat=True).first() or "roads"
    district = Organization.objects.filter(depth=2).order_by("path").first()
    assert district is not None
    window = {
        "start_date": f"{args.year}-10-01T00:00:00+08:00",
        "end_date": f"{args.year}-12-29T00:00:00+08:00",
    }
    for label, extra in (
        ("a 90-day window", {}),
        ("+ service_code", {"service_code": code}),
        ("+ status=open", {"status": "open"}),
        ("+ service_code, status=closed", {"service_code": code, "status": "closed"}),
        ("+ jurisdiction_id (a district)", {"jurisdiction_id": district.code}),
        ("no window (the last 90 days: none)", None),
    ):
        query = "" if extra is None else "?" + urlencode({**window, **extra})
        common.line(
            f"Open311 requests.json, {label}",
            page(client, reverse("open311:requests", kwargs={"fmt": "json"}) + query, args.repeat),
            width=WIDTH,
        )

    grids = list(Grid.objects.select_related("org").order_by("pk")[: min(2000, args.submit)])
    rng = random.Random(args.seed)
    t = time.perf_counter()
    for i in range(args.submit):
        services.order_submit(
            grid=rng.choice(grids),
            category="roads",
            description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
            phone=f"139{i:08d}",
        )
    seconds = time.perf_counter() - t
    if not args.submit:
        return 0
    common.line(
        f"order_submit × {args.submit}",
        f"{seconds:.1f} s, {args.submit / seconds:.0f} orders/s "
        f"({seconds / args.submit * 1000:.1f} ms each)",
        width=WIDTH,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
