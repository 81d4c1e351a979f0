"""Assessment benchmark: score a whole campaign for a tier (default: the city, ~60,000 orgs).

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_assess.py --database-url postgres://…/EMPTY_DB
    .venv/bin/python benchmarks/run_assess.py --sqlite /tmp/assess.sqlite3
    .venv/bin/python benchmarks/run_assess.py --tier district --sqlite /tmp/d.sqlite3

The database must be empty (or hold a tier already, with ``--reuse``). Seeds the tier and a
year of meetings (as ``run_life.py``), opens a campaign of ``--standard`` (default ``wuhao``)
over the whole tier for that year with a 10 % spot-check, writes made-up self- and spot-check
scores (the demo seed's generator), optionally ``--surveys`` answers, and prints the time and
query count of scoring the whole campaign (``campaign_compute``), of storing the results
(``campaign_save``), and of one branch's live preview (its self-check page).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
from decimal import Decimal

import common


def _line(label: str, value: str) -> None:
    common.line(label, value)


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser, year=True)
    parser.add_argument("--standard", default="wuhao")
    common.add_database_options(parser)
    parser.add_argument("--surveys", action="store_true", help="also open surveys with answers")
    args = parser.parse_args()

    where = common.use_database(parser, args, name="assess")
    common.seed_tier(parser, args, where)
    common.seed_year_of_meetings(args.year, args.seed)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.assess.models import CampaignOrg
    from dangjian.assess.scoring import campaign_compute, campaign_save
    from dangjian.assess.selectors import org_preview
    from dangjian.assess.services import CampaignInput, campaign_open
    from dangjian.demo.assess import made_up_scores, made_up_surveys
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    assert root is not None
    t = time.perf_counter()
    campaign = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name=f"{args.year} 年度基准测试考核 {time.time():.0f}",
            standard_key=args.standard,
            root=root,
            period_start=dt.date(args.year, 1, 1),
            period_end=dt.date(args.year, 12, 31),
            spot_share=Decimal("0.1"),
            sampling_seed=args.seed,
        ),
    )
    participants = CampaignOrg.objects.filter(campaign=campaign).count()
    _line(
        "campaign_open (with sampling)", f"{time.perf_counter() - t:.1f} s, {participants:,} orgs"
    )
    rng = random.Random(args.seed)
    t = time.perf_counter()
    n_self, n_spot = made_up_scores(campaign, rng)
    _line("made-up scores", f"{time.perf_counter() - t:.1f} s ({n_self:,} self, {n_spot:,} spot)")
    if args.surveys:
        t = time.perf_counter()
        answers = made_up_surveys(
            campaign, rng, dt.date(args.year + 1, 1, 5), dt.date(args.year + 1, 1, 31)
        )
        _line("surveys", f"{time.perf_counter() - t:.1f} s ({answers:,} answers)")
    common.analyze()

    at = dt.date(args.year + 1, 2, 15)
    run = None
    for attempt in ("cold", "warm"):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            run = campaign_compute(campaign, at=at)
            elapsed = time.perf_counter() - t
        _line(
            f"campaign_compute, whole tier [{attempt}]",
            f"{elapsed:.1f} s, {len(ctx.captured_queries)} queries, {len(run.scores):,} scored",
        )
    assert run is not None
    t = time.perf_counter()
    with transaction.atomic():
        campaign_save(campaign, run)
    _line("campaign_save (results with breakdowns)", f"{time.perf_counter() - t:.1f} s")
    summary = run.summary()
    _line("  stars", str(summary["stars"]))
    _line("  tiers", str(summary["tiers"]))
    del run  # a web request does not hold a city's scores in memory
    gc.collect()
    branch = (
        CampaignOrg.objects.filter(campaign=campaign).select_related("org").order_by("pk").first()
    )
    if branch is not None:
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            org_preview(SYSTEM, campaign, branch.org, at=at)
            elapsed = time.perf_counter() - t
        _line(
            f"one branch's preview {branch.org.code}",
            f"{elapsed * 1000:.0f} ms, {len(ctx.captured_queries)} queries",
        )
    connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
