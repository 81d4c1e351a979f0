"""Scale benchmark, province part: the page budget at the root of the province tier.

Usage (from the repository root, with the virtual environment; an empty PostgreSQL database):

    nice -n 10 .venv/bin/python benchmarks/run_scale.py --year 2026 --until 2026-11-30 \\
        --database-url postgres://postgres@127.0.0.1:5432/h_tiers_province --var-dir /tmp/tiers-var
    # again on the same database: --reuse keeps what it holds (seed, meetings, cases, campaign)
    .venv/bin/python benchmarks/run_scale.py --reuse --database-url … --var-dir /tmp/tiers-var
    # the same on a small tier, to try the script: --tier province-mini --sqlite /tmp/p.sqlite3
    # --tier city: a city's database (dangjian seed --tier city); --show-queries: each page's SQL

What it does, skipping each step whose data the database holds already (with ``--reuse``):
seeds ``--tier`` (default ``province``: ~300,000 organizations, ~6 million members), a year of
meetings up to ``--until`` (``seed_meetings``, no per-person attendance, no minutes signatures:
the near-duplicate hint is not among the pages), ``--cases`` synthetic recruitment cases per
branch (``run_recruit.py``'s generator), and an assessment campaign of the 五好 standard over
the root whose stored results are made-up rows (one per participant: the results page reads
stored rows only, so how they were scored does not change its cost; scoring a province is
``run_assess.py``'s subject), then fills the findings store for today (``refresh`` in parts,
as the nightly job does; skipped when it answers already, or with ``--no-refresh``). Then,
signed in as a 组织部管理员 of the root (``bench_admin``, created when missing), it requests
each page once (the first request, timed apart: caches cold) and ``--repeat`` times more
(default 20) and prints per page: the first request's time, p50 and p95, the most SQL queries
of one request, the page size, the HTTP status, and whether it keeps the budget (p95 ≤ 150 ms
and ≤ 15 queries; issue 12).

The pages: the tree, the organization page of the root and of one branch, the findings page,
the recruitment dashboard and approval queue, the assessment results, the LIFE overview of the
meetings' year (when there are meetings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import common

WIDTH = 36
BUDGET_MS = 150
BUDGET_QUERIES = 15
#: a page whose first request takes longer is timed this many times only (it is over anyway)
SLOW_SECONDS = 3.0
SLOW_REPEAT = 3
CAMPAIGN_NAME = "省级页面基准测试考核"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="province", choices=["province", "province-mini", "city"])
    common.add_seed_options(parser, year=True)
    common.add_database_options(parser)
    parser.add_argument("--var-dir", default="", help="the keys' directory (default: a new one)")
    parser.add_argument("--cases", type=int, default=1, help="recruitment cases per branch")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    parser.add_argument(
        "--show-queries",
        action="store_true",
        help="print the SQL of a page's last request (time, first 160 characters of each)",
    )
    parser.add_argument(
        "--no-meetings",
        action="store_true",
        help="write no meetings (the LIFE overview is measured only if some are there)",
    )
    parser.add_argument(
        "--until",
        default="",
        help="the meetings' last day (YYYY-MM-DD; default the 31 December of --year)",
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="leave the findings store as it is (default: refresh it unless it answers for today)",
    )
    return parser


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    if args.var_dir:
        Path(args.var_dir).mkdir(parents=True, exist_ok=True)
        os.environ["DANGJIAN_VAR_DIR"] = str(Path(args.var_dir).resolve())
    where = common.use_database(parser, args, name="scale")
    started = time.perf_counter()
    common.seed_tier(parser, args, where, width=WIDTH)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # the rollups of newer migrations
    if not args.no_meetings:
        until = dt.date.fromisoformat(args.until) if args.until else None
        common.seed_year_of_meetings(
            args.year, args.seed, until=until, signatures=False, width=WIDTH
        )
    _seed_cases(args.cases, args.seed)
    campaign = _campaign(args.year, args.seed)
    common.analyze()
    if not args.no_refresh:
        _refresh_store()
    common.line("preparation", f"{time.perf_counter() - started:.0f} s", width=WIDTH)
    client = _client()
    from dangjian.life.models import Meeting

    # the LIFE overview is timed only when there are meetings (of the year it shows)
    listed = [p for p in pages(campaign, args.year) if not p[2] or Meeting.objects.exists()]
    _table(listed, client, args, head=True)
    print(
        f"\n(budget: p95 ≤ {BUDGET_MS} ms and ≤ {BUDGET_QUERIES} queries; {args.repeat} timed "
        f"requests after one, {SLOW_REPEAT} when the first takes over {SLOW_SECONDS:.0f} s)"
    )
    from django.db import connection

    connection.close()
    return 0


def _seed_cases(per_branch: int, seed: int) -> None:
    from dangjian.recruit.models import RecruitCase

    if RecruitCase.objects.exists() or per_branch <= 0:
        common.line("recruitment cases", f"{RecruitCase.objects.count():,}", width=WIDTH)
        return
    from run_recruit import seed_cases

    t = time.perf_counter()
    counts = seed_cases(per_branch=per_branch, seed=seed)
    common.line(
        f"recruitment cases ({per_branch}/branch)",
        f"{time.perf_counter() - t:.1f} s ({counts['cases']:,} cases)",
        width=WIDTH,
    )


def _campaign(year: int, seed: int) -> Any:
    """The benchmark's campaign over the root, with a made-up stored result per participant."""
    from django.db import transaction
    from django.utils import timezone

    from dangjian.accounts.scope import SYSTEM
    from dangjian.assess.models import Campaign, CampaignOrg, Result, Tier
    from dangjian.assess.services import CampaignInput, campaign_open
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    assert root is not None, "the database holds no organization"
    found = Campaign.objects.filter(name=CAMPAIGN_NAME, root=root).first()
    if found is not None and Result.objects.filter(campaign=found).exists():
        common.line("assessment campaign", f"reused (#{found.pk})", width=WIDTH)
        return found
    t = time.perf_counter()
    with transaction.atomic():
        campaign = found or campaign_open(
            actor=SYSTEM,
            data=CampaignInput(
                name=CAMPAIGN_NAME,
                standard_key="wuhao",
                root=root,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                spot_share=Decimal("0.1"),
                sampling_seed=seed,
            ),
        )
        rng = random.Random(f"scale:{seed}")
        now = timezone.now()
        tiers = [Tier.ADVANCED, Tier.ADVANCED, Tier.MIDDLE, Tier.MIDDLE, Tier.MIDDLE, Tier.LAGGING]
        batch: list[Result] = []
        ids = CampaignOrg.objects.filter(campaign=campaign).order_by("org_id")
        for org_id in ids.values_list("org_id", flat=True).iterator(chunk_size=5000):
            total = Decimal(rng.randint(5500, 9900)) / 100
            batch.append(
                Result(
                    campaign=campaign,
                    org_id=org_id,
                    total=total,
                    stars=rng.randint(0, 5),
                    tier=rng.choice(tiers),
                    computed_at=now,
                )
            )
            if len(batch) >= 5000:
                Result.objects.bulk_create(batch)
                batch = []
        Result.objects.bulk_create(batch)
        Campaign.objects.filter(pk=campaign.pk).update(
            scored_at=now, scored_as_of=dt.date(year + 1, 2, 15)
        )
    count = Result.objects.filter(campaign=campaign).count()
    common.line(
        "assessment campaign",
        f"{time.perf_counter() - t:.1f} s (#{campaign.pk}, {count:,} made-up results)",
        width=WIDTH,
    )
    return campaign


def _bench_user() -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dangjian.accounts.scope import SYSTEM
    from dangjian.accounts.services import user_create
    from dangjian.demo.accounts import new_password
    from dangjian.orgs.models import Organization

    users = get_user_model().objects
    if not users.filter(username="bench_admin").exists():
        root = Organization.objects.filter(depth=1).order_by("path").first()
        user_create(
            actor=SYSTEM,
            username="bench_admin",
            password=new_password(),
            org=root,
            roles=["org_admin"],
        )
    # its password was set by the script: the pages come without the change-password step
    users.filter(username="bench_admin").update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    return users.get(username="bench_admin")


def _refresh_store() -> None:
    """Fill the findings store for today, in parts (unless it answers for today already): the
    findings and organization pages read its rows, as they do where the nightly refresh runs."""
    from django.utils import timezone

    from dangjian.rules.store import evaluation, refresh

    if evaluation("", timezone.localdate()) is not None:
        common.line("findings store", "answers for today (reused)", width=WIDTH)
        return
    report = refresh(None, chunk=5000)
    common.line(
        "findings store refresh",
        f"{report.seconds:.0f} s ({report.orgs:,} organizations, {report.found:,} findings)",
        width=WIDTH,
    )


def pages(campaign: Any, year: int) -> list[tuple[str, str, bool]]:
    """(label, URL, reads meetings) of the pages within the budget, at the root; the LIFE
    overview of ``year``, the year of the seeded meetings."""
    from django.urls import reverse

    from dangjian.orgs.choices import BRANCH_TYPES
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    assert root is not None
    branch = (
        Organization.objects.filter(org_type__in=list(BRANCH_TYPES), member_count__full__gte=3)
        .order_by("path")
        .first()
    )
    listed = [
        ("tree", reverse("web:tree"), False),
        (f"organization, root {root.code}", reverse("web:org", args=[root.code]), False),
    ]
    if branch is not None:
        url = reverse("web:org", args=[branch.code])
        listed.append((f"organization, branch {branch.code}", url, False))
    listed += [
        ("findings", reverse("web:findings"), False),
        ("recruitment dashboard", reverse("recruit:dashboard"), False),
        ("recruitment queue", reverse("recruit:queue"), False),
        ("assessment results", reverse("assess:results", args=[campaign.pk]), False),
        (f"LIFE overview {year}", f"{reverse('life:overview')}?year={year}", True),
    ]
    return listed


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _client() -> Any:
    from django.test import Client

    # a page that fails is reported in the table, not as a log line
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(_bench_user())
    client.get("/")  # the first view after signing in writes the session once
    return client


def _table(
    listed: list[tuple[str, str, bool]], client: Any, args: argparse.Namespace, *, head: bool
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if head:
        title = (
            f"{'page':<{WIDTH}} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
            f"{'KB':>7} HTTP  n"
        )
        print(f"\n{title}\n{'-' * (len(title) + 8)}", flush=True)
    repeat = args.repeat
    for label, url, _meetings in listed:
        if args.only and args.only not in label:
            continue
        times: list[float] = []
        queries = 0
        response: Any = None
        wanted = repeat
        first = 0.0
        for attempt in range(1 + repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - t
            if attempt == 0:  # the first request warms up; a slow page is timed fewer times
                first = elapsed
                wanted = SLOW_REPEAT if elapsed > SLOW_SECONDS else repeat
                continue
            times.append(elapsed)
            queries = max(queries, len(ctx.captured_queries))
            if len(times) >= wanted:
                break
        high = p95(times) * 1000
        within = high <= BUDGET_MS and queries <= BUDGET_QUERIES and response.status_code == 200
        print(
            f"{label:<{WIDTH}} {first * 1000:>9.0f} {statistics.median(times) * 1000:>8.0f} "
            f"{high:>8.0f} "
            f"{queries:>8} {len(response.content) / 1024:>7.0f} {response.status_code:>4}  "
            f"{len(times):<3} {'ok' if within else 'OVER'}",
            flush=True,
        )
        if args.show_queries:
            for query in ctx.captured_queries:
                sql = " ".join(query["sql"].split())
                print(f"    {float(query['time']) * 1000:7.1f} ms  {sql[:160]}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
