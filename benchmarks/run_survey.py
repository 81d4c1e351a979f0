"""Survey benchmark: open a survey for every branch of a tier, seed answers, time ``rates_for``.

Usage (from the repository root; the database must be empty, or hold a tier with ``--reuse``):

    .venv/bin/python benchmarks/run_survey.py --database-url postgres://…/EMPTY_DB
    .venv/bin/python benchmarks/run_survey.py --sqlite /tmp/survey-city.sqlite3

Prints the tier seed time, the time of ``open_surveys`` for all branches (population from the
member rolls, audited), the time to write ``--answers`` seeded answers per survey, and the time
and query count of ``rates_for`` for the whole tier and for one town's organizations.

Measured 2026-11-23 (2 vCPU shared with other jobs), ``--tier city --seed 42 --answers 30``:
47,072 branch surveys, 1,412,160 answers.

=============================  ==========  ========
step                           PostgreSQL  SQLite
=============================  ==========  ========
open_surveys, all branches     15.0 s      28.4 s
seed_responses                 191.5 s     110.6 s
rates_for, whole city          2.9 s       5.7 s
rates_for, one town (105)      0.17 s      0.13 s
=============================  ==========  ========

``rates_for`` always runs 2 queries. ``open_surveys`` includes the roll counts and 47,072 audit
entries.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path


def _line(label: str, value: str) -> None:
    print(f"{label:<44} {value}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="city", choices=["tiny", "district", "city"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--answers", type=int, default=30, help="answers per survey")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sqlite", metavar="PATH")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.sqlite).resolve()}"
    elif args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        parser.error("give --database-url (an empty PostgreSQL database) or --sqlite PATH")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.dev"
    os.environ.setdefault("DANGJIAN_VAR_DIR", tempfile.mkdtemp(prefix="dangjian-survey-bench-"))

    import django
    import django.utils.timezone

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.demo.seed import database_is_empty, seed_database
    from dangjian.orgs.choices import BRANCH_TYPES
    from dangjian.orgs.models import Organization
    from dangjian.survey.models import Response, Survey
    from dangjian.survey.selectors import rates_for
    from dangjian.survey.services import open_surveys, seed_responses_many

    _line("database", connection.vendor)
    call_command("migrate", interactive=False, verbosity=0)
    if database_is_empty():
        result = seed_database(tier=args.tier, seed=args.seed, progress=False)
        _line(f"seed --tier {args.tier}", f"{result.seconds:.1f} s ({result.organizations:,} orgs)")
    elif not args.reuse:
        parser.error("the database is not empty (use --reuse to keep its data)")
    key = "bench:1"
    branches = list(Organization.objects.filter(org_type__in=list(BRANCH_TYPES)).order_by("path"))
    if not Survey.objects.filter(key=key).exists():
        start = time.perf_counter()
        made = open_surveys(
            SYSTEM,
            orgs=branches,
            key=key,
            title="基准测评",
            opens_on=django.utils.timezone.localdate(),
            closes_on=django.utils.timezone.localdate(),
        )
        _line("open_surveys (all branches)", f"{time.perf_counter() - start:.1f} s ({len(made):,})")
        rng = random.Random(args.seed)
        start = time.perf_counter()
        written = 0
        for i in range(0, len(made), 2000):
            written += seed_responses_many(made[i : i + 2000], rng, args.answers)
        _line("seed_responses", f"{time.perf_counter() - start:.1f} s ({written:,} answers)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _line("answers stored", f"{Response.objects.count():,}")
    for label, ids in [
        ("rates_for (whole tier)", None),
        ("rates_for (one town)", _one_town(Organization, 3 if args.tier == "city" else 2)),
    ]:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            rates = rates_for(key, org_ids=ids)
        elapsed = time.perf_counter() - start
        below = sum(1 for r in rates.values() if (r.satisfaction.value or 0) < 0.6)
        _line(
            label,
            f"{elapsed:.2f} s, {len(ctx.captured_queries)} queries, {len(rates):,} orgs, "
            f"{below:,} below 60% satisfied",
        )
    return 0


def _one_town(organization: type, depth: int) -> list[int]:
    town = organization.objects.filter(depth=depth, numchild__gt=0).order_by("path").first()  # type: ignore[attr-defined]
    if town is None:
        return []
    return list(
        organization.objects.filter(path__startswith=town.path).values_list("pk", flat=True)  # type: ignore[attr-defined]
    )


if __name__ == "__main__":
    raise SystemExit(main())
