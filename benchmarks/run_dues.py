"""Party-dues benchmark: a city's branches and members with a year of dues, then the year's
dues computed for the whole city and its arrears list (DUES-ARREARS-6-MONTHS).

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_dues.py --database-url postgres://postgres@127.0.0.1:5432/h_dues_bench
    .venv/bin/python benchmarks/run_dues.py --members 100000 --sqlite /tmp/dues-bench.sqlite3

What it builds (deterministic, ``--seed``; into an empty database, ``--reuse`` keeps one built
before): the city committee, 16 district committees, town committees of 60 branches each and
``--members`` ÷ 20 branches (default 1,200,000 members: 60,000 branches); the members directly
(no seeding through the services: the ID and phone columns get placeholder values, nothing is
decrypted), each with a 核定 for ``--year`` (default 2025: a dues category and monthly amount by
the real rates, the base itself not stored), and the year's payments — one row per member and
month paid, ~14 million rows — written with PostgreSQL ``COPY`` (``bulk_create`` on SQLite).
About 2 % of the members stop paying at a random month (arrears), 1 % pay late months in a
batch, the rest pay nearly every month; 5 % joined during the year (owing from the month of the
vote).

Printed: the build times; the year's dues for the whole city computed per branch
(:func:`dangjian.dues.selectors.per_branch`: owed and paid member-months, the amount, the members
flagged, the remittances — the four grouped queries the overview runs) and summed up the tree at
the city root (:func:`~dangjian.dues.selectors.org_totals`); the arrears list of the whole city
(:func:`~dangjian.dues.selectors.arrears_member_ids`, from the latest month each member paid,
rebuilt after the bulk load) and, once, the same list by the definition over the payments (the
old query, two EXISTS per member) with whether both give the same members; the first run and
the median of ``--repeat`` more, and the figures themselves.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

import common

WIDTH = 56
DISTRICTS = 16
BRANCHES_PER_TOWN = 60
MEMBERS_PER_BRANCH = 20


def slow_arrears_ids(prefix: str, through: dt.date, window: int = 6) -> list[tuple[int, int]]:
    """The arrears list by the definition over the payments (two EXISTS per member), as the
    overview computed it before the latest-month rollup: the figures must be the same."""
    from django.db.models import Exists, OuterRef

    from dangjian.dues import months
    from dangjian.dues.models import DuesExemption, DuesPayment
    from dangjian.members.choices import LEAVING
    from dangjian.members.models import Member, MemberStatus

    start = months.add(through, -(window - 1))
    leaving = Exists(
        MemberStatus.objects.filter(
            member=OuterRef("pk"), kind__in=list(LEAVING), started_on__lte=through
        )
    )
    return list(
        Member.objects.filter(org__path__startswith=prefix, joined_on__lte=months.last_day(start))
        .exclude(leaving)
        .annotate(
            any_paid=Exists(
                DuesPayment.objects.filter(
                    member=OuterRef("pk"), month__gte=start, month__lte=through
                )
            ),
            excused=Exists(
                DuesExemption.objects.filter(
                    member=OuterRef("pk"), month_from__lte=through, month_to__gte=start
                )
            ),
        )
        .filter(any_paid=False, excused=False)
        .values_list("pk", "org_id")
    )


def _options() -> Any:
    parser = common.argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_200_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    common.add_seed_options(parser)
    common.add_database_options(parser)
    return parser


def build_orgs(branches: int) -> None:
    from dangjian.orgs.models import Organization

    step = Organization.steplen

    def path(parent: str, i: int) -> str:
        return parent + Organization._int2str(i + 1).rjust(step, "0")

    towns = -(-branches // BRANCHES_PER_TOWN)
    per_district = [
        towns // DISTRICTS + (1 if d < towns % DISTRICTS else 0) for d in range(DISTRICTS)
    ]
    root = path("", 0)
    objs = [
        Organization(
            path=root, depth=1, numchild=DISTRICTS, code="DUE0", name="示范市委",
            org_type="党委", sector="机关",
        )
    ]  # fmt: skip
    branch_no = town_no = 0
    for d in range(DISTRICTS):
        dpath = path(root, d)
        objs.append(
            Organization(
                path=dpath, depth=2, numchild=per_district[d], code=f"DUD{d:02d}",
                name=f"第{d + 1}区委", org_type="党委", sector="机关",
            )
        )  # fmt: skip
        for t in range(per_district[d]):
            town_no += 1
            tpath = path(dpath, t)
            n = min(BRANCHES_PER_TOWN, branches - branch_no)
            objs.append(
                Organization(
                    path=tpath, depth=3, numchild=n, code=f"DUT{town_no:04d}",
                    name=f"第{town_no}镇党委", org_type="党委", sector="机关",
                )
            )  # fmt: skip
            for b in range(n):
                branch_no += 1
                objs.append(
                    Organization(
                        path=path(tpath, b), depth=4, numchild=0, code=f"DUB{branch_no:05d}",
                        name=f"第{branch_no}村党支部", org_type="党支部", sector="农村",
                    )
                )  # fmt: skip
    Organization.objects.bulk_create(objs, batch_size=2000)


#: (dues category, share, base range): the rated categories get a base drawn in the range
CATEGORIES = [
    ("在职", 0.45, (2000, 16000)),
    ("离退休", 0.30, (2500, 9000)),
    ("农民", 0.18, None),
    ("学生", 0.03, None),
    ("下岗失业", 0.02, None),
    ("低保", 0.02, None),
]


def _copy(model: Any, columns: list[str], lines: Any) -> None:
    """``COPY`` the tab-separated ``lines`` (an iterator of str) into ``model``'s table."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        # the generated rows are consistent by construction: skip the per-row foreign-key
        # triggers (14 million deferred checks) while loading (needs a superuser)
        cursor.execute("SET session_replication_role = replica")
        with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            buf: list[str] = []
            for line in lines:
                buf.append(line)
                if len(buf) >= 20000:
                    copy.write("".join(buf).encode())
                    buf = []
            if buf:
                copy.write("".join(buf).encode())
        cursor.execute("SET session_replication_role = DEFAULT")


def build_members(n: int, year: int, seed: int) -> dict[str, int]:
    """Members, their 核定 and their payments; returns counts."""
    from django.db import connection

    from dangjian.dues.models import DuesBase, DuesPayment
    from dangjian.dues.rates import due_from, rule_for
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.rules.params import params_on

    rng = random.Random(f"bench-dues:{seed}")
    branches = list(
        Organization.objects.filter(org_type="党支部").order_by("path").values_list("pk", flat=True)
    )
    now = "2026-01-01 00:00:00+00"
    jan = dt.date(year, 1, 1)
    due_cache: dict[tuple[str, int], Decimal] = {}
    params = {c[0]: params_on(rule_for(c[0]), jan) for c in CATEGORIES}

    def due(cat: str, base: int | None) -> Decimal:
        key = (cat, base or 0)
        if key not in due_cache:
            due_cache[key] = due_from(cat, Decimal(base) if base else None, params[cat]).amount
        return due_cache[key]

    people: list[tuple[int, dt.date, str, Decimal, str]] = []  # org, joined, category, due, type
    weights = [c[1] for c in CATEGORIES]
    for i in range(n):
        org = branches[i % len(branches)]
        if rng.random() < 0.05:
            joined = jan + dt.timedelta(days=rng.randrange(0, 365))
            mtype = "预备党员"
        else:
            joined = dt.date(rng.randrange(1960, year), rng.randrange(1, 13), rng.randrange(1, 29))
            mtype = "正式党员"
        cat, _share, rng_base = rng.choices(CATEGORIES, weights)[0]
        base = rng.randrange(*rng_base) // 10 * 10 if rng_base else None
        people.append((org, joined, cat, due(cat, base), mtype))

    def member_lines() -> Any:
        for i, (org, joined, _cat, _due, mtype) in enumerate(people):
            confirmed = (
                "\\N" if mtype == "预备党员" else (joined + dt.timedelta(days=366)).isoformat()
            )
            yield (
                f"党员{i}\t\\\\x00\tbench{i:08d}\t110105********{i % 10000:04d}\t\\N\t\t\t"
                f"{'男' if i % 3 else '女'}\t汉族\t1970-01-01\t\t\t{mtype}\t{joined.isoformat()}\t"
                f"{confirmed}\t{org}\t\t\\N\t{now}\t{now}\n"
            )

    member_cols = [
        "name", "id_number_cipher", "id_number_digest", "id_number_masked", "phone_cipher",
        "phone_digest", "phone_masked", "gender", "ethnicity", "birth_date", "education",
        "category", "member_type", "joined_on", "confirmed_on", "org_id", "post",
        "residence_community_id", "created_at", "updated_at",
    ]  # fmt: skip
    if connection.vendor != "postgresql":
        raise SystemExit("the dues benchmark loads with PostgreSQL COPY: give --database-url")
    _copy(Member, member_cols, member_lines())
    ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))

    def base_lines() -> Any:
        for pk, (_org, _j, cat, amount, _t) in zip(ids, people, strict=True):
            rule = {"在职": "DUES-RATE-EMPLOYED", "离退休": "DUES-RATE-RETIRED"}.get(
                cat, "DUES-RATE-FLAT"
            )
            yield (
                f"{pk}\t{year}\t{cat}\t\\N\t\\N\t{amount}\t\\N\t{rule}\t"
                f"rules.md-2026.1\t\\N\t{now}\t{now}\n"
            )

    _copy(
        DuesBase,
        ["member_id", "year", "category", "base_cipher", "rate", "monthly_due", "voluntary",
         "rule", "version", "recorded_by_id", "created_at", "updated_at"],
        base_lines(),
    )  # fmt: skip
    count = {"payments": 0, "stopped": 0}
    month_days = [dt.date(year, m, 1) for m in range(1, 13)]

    def payment_lines() -> Any:
        for pk, (org, joined, _cat, amount, _t) in zip(ids, people, strict=True):
            first = 0 if joined < jan else joined.month - 1
            roll = rng.random()
            stop = 12
            if roll < 0.02:
                stop = rng.randrange(first, 12)
                count["stopped"] += 1
            late = roll > 0.99
            for m in range(first, stop):
                if not late and rng.random() < 0.01:
                    continue  # a month forgotten
                month = month_days[m]
                paid = (
                    month_days[min(m + 3, 11)]
                    if late
                    else month + dt.timedelta(days=rng.randrange(0, 25))
                )
                count["payments"] += 1
                yield f"{pk}\t{org}\t{month}\t{amount}\t{paid}\t银行流水导入\t\t\\N\t{now}\n"

    _copy(
        DuesPayment,
        ["member_id", "org_id", "month", "amount", "paid_on", "source", "reference",
         "recorded_by_id", "created_at"],
        payment_lines(),
    )  # fmt: skip
    return count


def timed(fn: Any, repeat: int) -> tuple[Any, float, float]:
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return result, first, statistics.median(runs) if runs else first


def main() -> int:
    parser = _options()
    args = parser.parse_args()
    where = common.use_database(parser, args, name="dues")
    import django

    django.setup()
    from django.core.management import call_command

    from dangjian.accounts.scope import SYSTEM
    from dangjian.dues.models import DuesPayment
    from dangjian.dues.selectors import arrears_member_ids, org_totals, per_branch
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    common.line("database", where, width=WIDTH)
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists():
        if not args.reuse:
            parser.error("the database is not empty (use --reuse to keep its data)")
        common.line("build", "reused", width=WIDTH)
    else:
        t = time.perf_counter()
        build_orgs(-(-args.members // MEMBERS_PER_BRANCH))
        common.line(
            "organizations",
            f"{time.perf_counter() - t:.1f} s ({Organization.objects.count():,})",
            width=WIDTH,
        )
        t = time.perf_counter()
        counts = build_members(args.members, args.year, args.seed)
        common.line(
            f"members, 核定 and payments of {args.year} (COPY)",
            f"{time.perf_counter() - t:.1f} s ({counts['payments']:,} payments, "
            f"{counts['stopped']:,} members stop paying)",
            width=WIDTH,
        )
        t = time.perf_counter()
        common.analyze()
        common.line("ANALYZE", f"{time.perf_counter() - t:.1f} s", width=WIDTH)
    from dangjian.dues.models import DuesTally
    from dangjian.dues.services import tally_rebuild

    if not DuesTally.objects.exists():
        t = time.perf_counter()
        n = tally_rebuild()
        common.analyze()
        common.line(
            "monthly counters rebuilt (after the bulk load)",
            f"{time.perf_counter() - t:.1f} s ({n:,} rows)",
            width=WIDTH,
        )
    from dangjian.dues.models import DuesLastPaid
    from dangjian.dues.rollup import last_paid_rebuild

    if not DuesLastPaid.objects.exists():
        t = time.perf_counter()
        n = last_paid_rebuild()
        common.analyze()
        common.line(
            "latest months paid rebuilt (after the bulk load)",
            f"{time.perf_counter() - t:.1f} s ({n:,} rows)",
            width=WIDTH,
        )
    common.line(
        "members / payment rows",
        f"{Member.objects.count():,} / {DuesPayment.objects.count():,}",
        width=WIDTH,
    )
    root = Organization.objects.get(depth=1)
    through = dt.date(args.year, 12, 1)
    branch, first, median = timed(lambda: per_branch(root.path, args.year, through), args.repeat)
    common.line(
        "year's dues per branch (whole city)",
        f"first {first:.2f} s, median {median:.2f} s",
        width=WIDTH,
    )
    common.line("  branches with figures", f"{len(branch):,}", width=WIDTH)
    (total, _rows), first, median = timed(
        lambda: org_totals(SYSTEM, root, args.year, through), args.repeat
    )
    common.line(
        "overview at the city root (16 districts)",
        f"first {first:.2f} s, median {median:.2f} s",
        width=WIDTH,
    )
    common.line(
        "  owed / paid / unpaid member-months",
        f"{total.owed_months:,} / {total.paid_months:,} / {total.unpaid_months:,}",
        width=WIDTH,
    )
    common.line("  collected", f"{total.paid_amount:,.2f} 元", width=WIDTH)
    ids, first, median = timed(lambda: arrears_member_ids(root.path, through), args.repeat)
    common.line(
        "arrears list (6 months, whole city)",
        f"first {first:.2f} s, median {median:.2f} s",
        width=WIDTH,
    )
    common.line(
        "  members flagged", f"{len(ids):,} (overview: {total.arrears_members:,})", width=WIDTH
    )
    t = time.perf_counter()
    slow = slow_arrears_ids(root.path, through)
    common.line(
        "arrears list by the payments (the old definition)",
        f"{time.perf_counter() - t:.2f} s, same members: "
        f"{'yes' if sorted(slow) == sorted(ids) else 'NO'}",
        width=WIDTH,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
