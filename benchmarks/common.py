"""What the benchmark scripts share: the database options, choosing the database, seeding a tier
and a year of meetings, printing a result line.

The scripts run as ``.venv/bin/python benchmarks/run_X.py``: Python puts ``benchmarks/`` first on
the module path, so they ``import common``; importing it puts the repository root on the path too
(for ``dangjian``). Django is set up by :func:`seed_tier`, after :func:`use_database` has chosen
the database, so the ``dangjian`` imports below stay inside the functions.
"""

from __future__ import annotations

import argparse
import os
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
    year: int, seed: int, *, attendance: bool = False, details: bool = False, width: int = 48
) -> None:
    """Write a year of meeting records unless the database has some of ``year`` already.

    ``details`` prints the late entries and attendance rows besides the count of records.
    """
    from dangjian.demo.life import seed_meetings
    from dangjian.life.models import Meeting

    if Meeting.objects.filter(held_on__year=year).exists():
        line("seed_meetings", f"reused ({Meeting.objects.count():,} records)", width=width)
        return
    done = seed_meetings(year=year, seed=seed, attendance=attendance)
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
