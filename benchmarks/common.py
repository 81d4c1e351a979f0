"""What the benchmark scripts share: the database options, choosing the database, seeding a tier
and a year of meetings, a generated file of new members, printing a result line.

The scripts run as ``.venv/bin/python benchmarks/run_X.py``: Python puts ``benchmarks/`` first on
the module path, so they ``import common``; importing it puts the repository root on the path too
(for ``dangjian``). Django is set up by :func:`seed_tier`, after :func:`use_database` has chosen
the database, so the ``dangjian`` imports below stay inside the functions.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def line(label: str, value: str, *, width: int = 48) -> None:
    """One result line: the label padded to ``width``, then the value."""
    print(f"{label:<{width}} {value}", flush=True)


def new_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with ``--tier`` (the first option)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--tier", default="city", choices=["tiny", "district", "city"])
    return parser


def add_seed_options(parser: argparse.ArgumentParser, *, year: bool = False) -> None:
    """``--seed`` (of every synthetic generator) and, with ``year``, ``--year`` of the meetings."""
    parser.add_argument("--seed", type=int, default=42)
    if year:
        parser.add_argument("--year", type=int, default=2025)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """``--database-url`` (default ``$DATABASE_URL``), ``--sqlite PATH`` and ``--reuse``."""
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sqlite", metavar="PATH", help="run against this SQLite file instead")
    parser.add_argument("--reuse", action="store_true", help="keep what the database holds")


def use_database(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    *,
    name: str,
    sqlite_by_default: bool = False,
) -> str:
    """Point the Django settings at the database the options name; return it, for printing.

    ``--sqlite PATH`` wins over ``--database-url`` and must be a new file unless ``--reuse``.
    With neither the script stops with a usage error, or, with ``sqlite_by_default``, runs on a
    new SQLite file in the temporary directory (and then also prints a ``sqlite:`` URL as SQLite;
    without it every URL is printed as a PostgreSQL database). ``name`` names the temporary files.
    """
    if args.sqlite or (sqlite_by_default and not args.database_url):
        if args.sqlite:
            db_path = Path(args.sqlite).resolve()
        else:
            fresh = tempfile.mktemp(suffix=".sqlite3", prefix=f"{name}-bench-")  # noqa: S306
            db_path = Path(fresh).resolve()
        if db_path.exists() and not args.reuse:
            parser.error(f"{db_path} exists; give a new file or --reuse")
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        where = f"SQLite {db_path}"
    elif args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        parsed = urlparse(args.database_url)
        if sqlite_by_default and parsed.scheme.startswith("sqlite"):
            where = f"SQLite {parsed.path}"
        else:
            where = f"PostgreSQL {parsed.path.lstrip('/')}"
    else:
        parser.error("give --database-url (an empty PostgreSQL database) or --sqlite PATH")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.dev"
    os.environ.setdefault("DANGJIAN_VAR_DIR", tempfile.mkdtemp(prefix=f"dangjian-{name}-bench-"))
    return where


def seed_tier(
    parser: argparse.ArgumentParser, args: argparse.Namespace, where: str, *, width: int = 48
) -> None:
    """Set Django up, migrate, and seed ``--tier`` into the empty database.

    A database that holds data already is kept with ``--reuse`` (else a usage error).
    """
    import django

    django.setup()
    from django.core.management import call_command

    from dangjian.demo.seed import database_is_empty, seed_database
    from dangjian.orgs.models import Organization

    line("database", where, width=width)
    call_command("migrate", interactive=False, verbosity=0)
    if database_is_empty():
        result = seed_database(tier=args.tier, seed=args.seed, progress=False)
        line(
            f"seed --tier {args.tier}",
            f"{result.seconds:.1f} s ({result.organizations:,} organizations, "
            f"{result.members:,} members)",
            width=width,
        )
    elif not args.reuse:
        parser.error("the database is not empty (use --reuse to keep its data)")
    else:
        line("seed", f"reused ({Organization.objects.count():,} organizations)", width=width)


def seed_year_of_meetings(
    year: int,
    seed: int,
    *,
    attendance: bool = False,
    details: bool = False,
    until: dt.date | None = None,
    signatures: bool = True,
    width: int = 48,
) -> None:
    """Write a year of meeting records (up to ``until``) unless the database has some of
    ``year`` already; ``signatures``: sign the minutes for the near-duplicate hint.

    ``details`` prints the late entries and attendance rows besides the count of records.
    """
    from dangjian.demo.life import seed_meetings
    from dangjian.life.models import Meeting

    if Meeting.objects.filter(held_on__year=year).exists():
        line("seed_meetings", f"reused ({Meeting.objects.count():,} records)", width=width)
        return
    done = seed_meetings(
        year=year, seed=seed, attendance=attendance, until=until, signatures=signatures
    )
    if details:
        written = (
            f"{done.meetings:,} records, {done.late:,} late, {done.attendance:,} attendance rows"
        )
    else:
        written = f"{done.meetings:,}"
    line(f"seed_meetings --year {year}", f"{done.seconds:.1f} s ({written})", width=width)


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after the bulk inserts (nothing on SQLite)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


#: the generated dates lie before this day, whatever day the benchmark runs
AS_OF = dt.date(2026, 1, 1)


EDUCATION = ["初中", "高中", "中专", "大专", "大学本科", "研究生"]


def write_members_file(
    path: Path, branches: list[str], communities: list[str], free: list[str], rows: int, seed: int
) -> None:
    """Write ``rows`` new members to ``path`` (CSV); ``free``: branches without a 书记."""
    from dangjian.core.idnumber import compose_id
    from dangjian.demo import names
    from dangjian.demo.seed import _region_years
    from dangjian.exchange.columns import MEMBER_COLUMNS
    from dangjian.members.choices import Category

    rng = random.Random(f"bench-import:{seed}")
    regions = [
        code
        for code, ranges in sorted(_region_years().items())
        if code.startswith("14") and any(a <= 1940 and b >= 2006 for a, b in ranges)
    ]
    surnames = [s for s, _ in names.SURNAMES]
    weights = [w for _, w in names.SURNAMES]
    male = names.GIVEN_OLD_MALE + names.GIVEN_MID_MALE
    female = names.GIVEN_OLD_FEMALE + names.GIVEN_MID_FEMALE
    categories = [str(c) for c in Category.values]
    secretaries = list(free)
    rng.shuffle(secretaries)
    used: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(MEMBER_COLUMNS)
        for _ in range(rows):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))  # to 1989
            while True:
                number = compose_id(rng.choice(regions), born, rng.randrange(1000))
                if number not in used:
                    used.add(number)
                    break
            is_male = int(number[16]) % 2 == 1
            given = male if is_male else female
            name = rng.choices(surnames, weights)[0] + "".join(
                rng.choice(given) for _ in range(rng.choice((1, 2, 2)))
            )
            adult = (
                born.replace(year=born.year + 18)
                if (born.month, born.day) != (2, 29)
                else (dt.date(born.year + 18, 3, 1))
            )
            joined = adult + dt.timedelta(days=rng.randrange(365 * 22))
            joined = min(joined, AS_OF - dt.timedelta(days=rng.randrange(30, 400)))
            confirmed = joined + dt.timedelta(days=366)
            full = confirmed < AS_OF
            branch = rng.choice(branches)
            post = ""
            if secretaries and rng.random() < 0.02:
                branch, post = secretaries.pop(), "书记"
            out.writerow(
                [
                    name,
                    number,
                    "男" if is_male else "女",
                    rng.choice(names.ETHNIC_MINORITIES) if rng.random() < 0.08 else "汉族",
                    born.isoformat(),
                    rng.choice(EDUCATION),
                    rng.choice(categories),
                    "正式党员" if full else "预备党员",
                    joined.isoformat(),
                    confirmed.isoformat() if full else "",
                    branch,
                    post,
                    f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    rng.choice(communities) if communities and rng.random() < 0.3 else "",
                ]
            )
