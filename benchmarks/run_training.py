"""Training benchmark: seed a tier with a year of meetings (with attendance) and upper-level
courses, time the yearly training figures of the whole tier and of one town.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_training.py --tier district --database-url postgres://…/EMPTY
    .venv/bin/python benchmarks/run_training.py --tier city --database-url postgres://…/EMPTY

The database must be empty (or hold the tier already, with ``--reuse``). Courses: one per
committee under the root (``COURSES_PER_TOWN``) whose participants are about 70 % of its members
(written with ``bulk_create`` after the course is entered through the service: a benchmark's
setup, not a path users take). Prints the seed times, the rows, and the time and query count of
:func:`dangjian.training.figures.subtree_figures` for the root and for one town as of 31
December (best of ``--repeat`` runs), then the same for LIFE-ABSENT-6-MONTHS over the whole
tier (it reads the attendance written here and the dated roll of its candidates).
"""

from __future__ import annotations

import datetime as dt
import random
import time

import common

COURSES_PER_TOWN = 2


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser, year=True)
    common.add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    where = common.use_database(parser, args, name="training")
    common.seed_tier(parser, args, where)
    common.seed_year_of_meetings(args.year, args.seed, attendance=True, details=True)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.training.figures import subtree_figures
    from dangjian.training.models import Course, Participant
    from dangjian.training.services import CourseInput, course_create

    root = Organization.objects.filter(depth=1).order_by("path").first()
    assert root is not None
    towns = list(Organization.objects.filter(depth=root.depth + 1).order_by("path"))
    rng = random.Random(args.seed)
    if not Course.objects.exists():
        started = time.perf_counter()
        rows = 0
        with transaction.atomic():
            for town in towns:
                ids = list(
                    Member.objects.filter(org__path__startswith=town.path).values_list(
                        "pk", flat=True
                    )
                )
                for n in range(COURSES_PER_TOWN):
                    start = dt.date(args.year, 3 + 4 * n, 10)
                    c = course_create(
                        actor=SYSTEM,
                        data=CourseInput(
                            organizer=town,
                            title=f"{town.name}第{n + 1}期党员培训班",
                            starts_on=start,
                            ends_on=start + dt.timedelta(days=2),
                            hours=rng.choice(["8", "12", "16", "24"]),
                        ),
                    )
                    chosen = [pk for pk in ids if rng.random() < 0.7]
                    Participant.objects.bulk_create(
                        [Participant(course=c, member_id=pk) for pk in chosen], batch_size=5000
                    )
                    rows += len(chosen)
        common.line(
            "courses",
            f"{time.perf_counter() - started:.1f} s ({Course.objects.count():,} courses, "
            f"{rows:,} participants)",
        )
    common.analyze()
    day = dt.date(args.year + 1, 1, 15)
    for label, org in (("figures, whole tier", root), ("figures, one town", towns[0])):
        best = None
        queries = 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                f = subtree_figures(org, args.year, day)
                took = time.perf_counter() - started
            queries = len(ctx.captured_queries)
            best = took if best is None else min(best, took)
        common.line(
            label,
            f"{best:.2f} s, {queries} queries ({f.total.members:,} members, "
            f"{f.total.met:,} met, {len(f.branches):,} branches)",
        )
    _absences(args.year, args.repeat, root.code)
    return 0


def _absences(year: int, repeat: int, code: str) -> None:
    """LIFE-ABSENT-6-MONTHS over the whole tier as of 31 December: it reads the attendance
    written above and the dated roll of its candidates."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.rules.runner import findings_for

    best = None
    found: list = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            found = findings_for(
                SYSTEM,
                rules="LIFE",
                rule_ids=["LIFE-ABSENT-6-MONTHS"],
                org_code=code,
                at=dt.date(year, 12, 31),
            )
            took = time.perf_counter() - started
        queries = len(ctx.captured_queries)
        best = took if best is None else min(best, took)
    common.line(
        "LIFE-ABSENT-6-MONTHS, whole tier",
        f"{best:.2f} s, {queries} queries ({len(found):,} findings)",
    )


if __name__ == "__main__":
    raise SystemExit(main())
