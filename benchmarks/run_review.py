"""述职评议 benchmark: the results of every secretary of a province (≈ 500,000 reports) from the
raters' ballots, on PostgreSQL.

Usage (from the repository root, with the virtual environment):

    createdb -h 127.0.0.1 -U postgres h_review
    .venv/bin/python benchmarks/run_review.py --database-url postgres://postgres@127.0.0.1:5432/h_review

The database must be empty (or hold this benchmark's data already, with ``--reuse``). With a
fixed seed it bulk-generates a province's reporting tree — ``--organizers`` organizations that
hold a 述职评议 (the towns and the committees above them), each with the organizations that
report to it, ``--reports`` in all — one campaign per organizer with the default items and
raters, and for every report the ballots of the three kinds of raters (``bulk_create``: a
benchmark's setup, not the path users take; the services write one report at a time). Then it
times :func:`dangjian.review.selectors.results_from_ballots` over every campaign (best of
``--repeat``): each report's grade from its ballots and each campaign's distribution checked
against its rule, and prints the time and the peak memory of the run (tracemalloc).
"""

from __future__ import annotations

import random
import time
import tracemalloc

import common

BATCH = 10000
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's, 4 characters a level


def _step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def _generate(args: object, rng: random.Random) -> None:
    from django.db import transaction

    from dangjian.orgs.models import Organization
    from dangjian.review.choices import DEFAULT_ITEMS, DEFAULT_RULE, Grade, RaterKind
    from dangjian.review.models import Campaign, RatingTally, Report

    organizers: int = args.organizers  # type: ignore[attr-defined]
    reports: int = args.reports  # type: ignore[attr-defined]
    per = max(1, reports // organizers)
    started = time.perf_counter()
    with transaction.atomic():
        (root,) = Organization.objects.bulk_create(
            [
                Organization(
                    path=_step(1),
                    depth=1,
                    numchild=0,
                    code="P0000",
                    name="某省委",
                    org_type="党委",
                    sector="机关",
                    region_code="330000",
                )
            ]
        )
        tops = []
        for i in range(organizers):
            path = root.path + _step(i + 1)
            tops.append(
                Organization(
                    path=path,
                    depth=2,
                    numchild=per,
                    code=f"T{i:06d}",
                    name=f"第{i + 1}镇党委",
                    org_type="党委",
                    sector="农村",
                )
            )
        Organization.objects.bulk_create(tops, batch_size=BATCH)
        Organization.objects.filter(pk=root.pk).update(numchild=organizers)
        tops = list(Organization.objects.filter(depth=2).order_by("path"))
        children: list[Organization] = []
        for t in tops:
            for j in range(per):
                children.append(
                    Organization(
                        path=t.path + _step(j + 1),
                        depth=3,
                        numchild=0,
                        code=f"{t.code}V{j:05d}",
                        name=f"{t.name[:-2]}第{j + 1}村党支部",
                        org_type="党支部",
                        sector="农村",
                    )
                )
            if len(children) >= BATCH * 5:
                Organization.objects.bulk_create(children, batch_size=BATCH)
                children = []
        Organization.objects.bulk_create(children, batch_size=BATCH)
        campaigns = Campaign.objects.bulk_create(
            [
                Campaign(
                    org=t,
                    year=2025,
                    title=f"2025年度{t.name}书记抓基层党建述职评议考核",
                    items=list(DEFAULT_ITEMS),
                    rater_kinds=list(RaterKind.values),
                    grade_rule=dict(DEFAULT_RULE),
                )
                for t in tops
            ],
            batch_size=BATCH,
        )
        by_org = {c.org_id: c for c in campaigns}
        rows: list[Report] = []
        orgs = Organization.objects.filter(depth=3).values_list("pk", "path").order_by("path")
        top_of = {t.path: t.pk for t in tops}
        for pk, path in orgs.iterator(chunk_size=BATCH):
            rows.append(Report(campaign=by_org[top_of[path[:8]]], org_id=pk))
            if len(rows) >= BATCH * 5:
                Report.objects.bulk_create(rows, batch_size=BATCH)
                rows = []
        Report.objects.bulk_create(rows, batch_size=BATCH)
        common.line("generated reports", f"{time.perf_counter() - started:.1f} s")
        tallies: list[RatingTally] = []
        item = DEFAULT_ITEMS[0]
        for pk in Report.objects.values_list("pk", flat=True).order_by("pk").iterator(BATCH):
            lean = rng.choice((0, 0, 1, 1, 1, 2, 3))
            for kind in RaterKind.values:
                votes = [0, 0, 0, 0]
                for _ in range(8):
                    votes[min(3, max(0, lean + rng.choice((-1, 0, 0, 0, 1))))] += 1
                tallies.append(
                    RatingTally(
                        report_id=pk,
                        rater_kind=kind,
                        item=item,
                        **dict(zip(("good", "fairly_good", "average", "poor"), votes, strict=True)),
                    )
                )
            if len(tallies) >= BATCH * 5:
                RatingTally.objects.bulk_create(tallies, batch_size=BATCH)
                tallies = []
        RatingTally.objects.bulk_create(tallies, batch_size=BATCH)
    assert Grade.GOOD in DEFAULT_RULE
    common.line("generated", f"{time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser)
    common.add_database_options(parser)
    parser.add_argument("--reports", type=int, default=500_000)
    parser.add_argument("--organizers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    where = common.use_database(parser, args, name="review")

    import django

    django.setup()
    from django.core.management import call_command

    from dangjian.review.models import Campaign, RatingTally, Report
    from dangjian.review.selectors import results_from_ballots

    common.line("database", where)
    call_command("migrate", interactive=False, verbosity=0)
    if not Campaign.objects.exists():
        _generate(args, random.Random(args.seed))
        common.analyze()
    elif not args.reuse:
        parser.error("the database is not empty (use --reuse to keep its data)")
    common.line(
        "rows",
        f"{Campaign.objects.count():,} campaigns, {Report.objects.count():,} reports, "
        f"{RatingTally.objects.count():,} tallies",
    )
    best = float("inf")
    peak = 0
    results = {}
    for _ in range(args.repeat):
        tracemalloc.start()
        started = time.perf_counter()
        results = results_from_ballots(Campaign.objects.all())
        best = min(best, time.perf_counter() - started)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    graded = sum(r.reports for r in results.values())
    over = sum(1 for r in results.values() if r.over_rule)
    common.line("results of every report (best)", f"{best:.2f} s ({graded:,} reports)")
    common.line("peak memory (tracemalloc)", f"{peak / 2**20:.0f} MiB")
    common.line("campaigns whose ballots exceed the rule", f"{over:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
