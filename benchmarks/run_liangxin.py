"""两新 coverage benchmark: the coverage rates of a city's 200,000 两新 units, in the database.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_liangxin.py --database-url postgres://…/EMPTY_DB
    .venv/bin/python benchmarks/run_liangxin.py --tier tiny --units 20000 --sqlite /tmp/lx.sqlite3

The database must be empty (or hold a tier already, with ``--reuse``). Seeds the tier (its
committees manage the units; its branches are their party organizations), then bulk-generates
``--units`` units (default 200,000) with a fixed seed: valid 统一社会信用代码 (check character
computed), a city's 12-digit town region codes (13 districts × 12 towns), sectors and sizes; a
third with a party organization (单独 or 联合), a share of the others with a 党建指导员 and 0–8
visits in the year. Prints the time and query count of the coverage (合计, by region, by sector)
for the whole city and for one committee's subtree, and of the count of 空白点.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import common

YEAR = 2026
TODAY = dt.date(2026, 11, 23)


def _line(label: str, value: str) -> None:
    common.line(label, value)


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser)
    common.add_database_options(parser)
    parser.add_argument("--units", type=int, default=200_000)
    args = parser.parse_args()

    where = common.use_database(parser, args, name="liangxin")
    common.seed_tier(parser, args, where)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.exchange.bulk import copy_insert_values
    from dangjian.liangxin import selectors
    from dangjian.liangxin.choices import Industry, Size
    from dangjian.liangxin.models import Advisor, Assignment, Unit, Visit
    from dangjian.liangxin.uscc import numbered_uscc
    from dangjian.orgs.choices import ROLL_TYPES, OrgType
    from dangjian.orgs.models import Organization

    rng = random.Random(args.seed)
    committees = list(
        Organization.objects.filter(
            org_type__in=[OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE], depth__gte=2
        ).values_list("pk", flat=True)
    )
    branches = list(
        Organization.objects.filter(org_type__in=ROLL_TYPES).values_list("pk", flat=True)[:50_000]
    )
    regions = [f"3301{d:02d}{t:03d}000" for d in range(1, 14) for t in range(1, 13)]
    industries = list(Industry.values)
    sizes = list(Size.values)
    if not Unit.objects.exists():
        t = time.perf_counter()
        rows = []
        for n in range(args.units):
            industry = rng.choice(industries)
            social = industry in (
                Industry.ASSOCIATION,
                Industry.PRIVATE_NONPROFIT,
                Industry.FOUNDATION,
            )
            region = rng.choice(regions)
            r = rng.random()
            mode, party_org = "未组建", None
            if r < 0.25:
                mode, party_org = "单独组建", rng.choice(branches)
            elif r < 0.33:
                mode, party_org = "联合组建", rng.choice(branches)
            employees = rng.randint(5, 800)
            rows.append(
                (
                    None,
                    f"基准单位{n:06d}",
                    numbered_uscc(n, region, "51" if social else "91"),
                    "社会组织" if social else "非公企业",
                    industry,
                    rng.choice(sizes),
                    "",
                    region,
                    rng.choice(committees),
                    mode,
                    party_org,
                    employees,
                    rng.randint(0, min(employees, 20)),
                    None,
                    None,
                )
            )
        with transaction.atomic():
            unit_ids = copy_insert_values(Unit, rows)
            advisor_ids = copy_insert_values(
                Advisor,
                [
                    (None, f"指导员{i:05d}", None, rng.choice(committees), None)
                    for i in range(5_000)
                ],
            )
            assignments, visits = [], []
            for pk, row in zip(unit_ids, rows, strict=True):
                if row[10] is None and rng.random() < 0.6:
                    advisor = rng.choice(advisor_ids)
                    since = dt.date(YEAR - 1, rng.randint(1, 12), 1)
                    assignments.append((None, advisor, pk, "党建指导员", since, None, None))
                    for _ in range(rng.randint(0, 8)):
                        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(320))
                        visits.append((None, pk, advisor, day, "", None, None))
            copy_insert_values(Assignment, assignments)
            copy_insert_values(Visit, visits)
        common.analyze()
        _line(
            "generate",
            f"{time.perf_counter() - t:.1f} s ({len(rows):,} units, {len(assignments):,} "
            f"assignments, {len(visits):,} visits)",
        )
    else:
        _line("generate", f"reused ({Unit.objects.count():,} units)")

    def timed(label: str, run: object) -> object:
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            result = run()  # type: ignore[operator]
            seconds = time.perf_counter() - t
        _line(label, f"{seconds:.2f} s, {len(queries)} queries")
        return result

    units = selectors.units_for(SYSTEM)
    cov = timed("coverage, whole city", lambda: selectors.coverage(units, YEAR, TODAY))
    total = cov.total  # type: ignore[attr-defined]
    _line(
        "  figures",
        f"{total.total:,} units, 组织覆盖 {total.organized_rate}%, 工作覆盖 {total.worked_rate}%, "
        f"空白点 {total.blank:,}; {len(cov.by_region)} regions, {len(cov.by_industry)} sectors",  # type: ignore[attr-defined]
    )
    timed("空白点 count, whole city", lambda: selectors.blanks(units, YEAR, TODAY).count())
    timed(
        "空白点 first page, whole city",
        lambda: list(
            selectors.blanks(units, YEAR, TODAY).order_by("region_code", "name", "pk")[:50]
        ),
    )
    first = Organization.objects.get(pk=committees[0])
    sub = units.filter(org__path__startswith=first.path)
    part = timed("coverage, one committee's subtree", lambda: selectors.coverage(sub, YEAR, TODAY))
    _line("  units in it", f"{part.total.total:,}")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
