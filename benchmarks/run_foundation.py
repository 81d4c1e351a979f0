"""Foundation benchmark: seed a tier, import 100,000 members, run the setup check, time pages.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_foundation.py                 # city tier, PostgreSQL
    .venv/bin/python benchmarks/run_foundation.py --tier district # smaller, quicker
    .venv/bin/python benchmarks/run_foundation.py --keep          # keep the database afterwards
    .venv/bin/python benchmarks/run_foundation.py --sqlite /tmp/bench.sqlite3

PostgreSQL: ``--database-url`` (default ``$DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/h_demo_bench``). When the database name is the default
``h_demo_bench`` the script drops and creates it fresh and drops it again at the end unless
``--keep``; any other database must be empty (the seed refuses to mix data).

Prints: seed time; import time for a generated 100,000-member CSV file; setup-check time for the
whole tier with the count of findings per rule; time and query count of the tree page and of two
organization pages (a town committee and a branch), logged in as a root 组织部管理员.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import common

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h_demo_bench"
BENCH_DB = "h_demo_bench"


def _recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="city", choices=["tiny", "district", "city"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sqlite", metavar="PATH", help="run against this SQLite file instead")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the kept database as it is: no re-creation, no seed if it holds data",
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()

    fresh_pg = False
    if args.sqlite:
        db_path = Path(args.sqlite).resolve()
        if db_path.exists() and not args.reuse:
            parser.error(f"{db_path} exists; give a new file")
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        where = f"SQLite {db_path}"
    else:
        url = args.database_url
        fresh_pg = urlparse(url).path.lstrip("/") == BENCH_DB and not args.reuse
        if fresh_pg:
            _recreate_postgres(url)
        os.environ["DATABASE_URL"] = url
        where = f"PostgreSQL {urlparse(url).path.lstrip('/')}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.dev"
    var_dir = tempfile.mkdtemp(prefix="dangjian-bench-")
    os.environ.setdefault("DANGJIAN_VAR_DIR", var_dir)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dangjian.accounts.models import User
    from dangjian.accounts.scope import SYSTEM
    from dangjian.accounts.services import user_create
    from dangjian.demo.accounts import new_password
    from dangjian.demo.seed import database_is_empty, seed_database
    from dangjian.members.models import Member
    from dangjian.orgs.choices import BRANCH_TYPES
    from dangjian.orgs.models import Organization

    try:
        common.line("database", where)
        t = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        common.line("migrate", f"{time.perf_counter() - t:.1f} s")

        if args.reuse and not database_is_empty():
            common.line(
                "seed",
                f"skipped (--reuse: {Organization.objects.count():,} organizations, "
                f"{Member.objects.count():,} members already there)",
            )
        else:
            result = seed_database(tier=args.tier, seed=args.seed, progress=True)
            common.line(
                f"seed --tier {args.tier} --seed {args.seed}",
                f"{result.seconds:.1f} s ({result.organizations:,} organizations, "
                f"{result.members:,} members, {result.members / result.seconds:,.0f} members/s)",
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        # setup check for the whole tier, on the seeded data
        try:
            from dangjian.rules.runner import findings_for
        except ImportError:
            common.line("setup check", "skipped: rules not available")
            findings_for = None  # type: ignore[assignment]
        else:
            t = time.perf_counter()
            try:
                findings = findings_for(SYSTEM)
            except Exception as exc:  # report and go on with the other figures
                common.line("setup check", f"FAILED: {exc!r}")
            else:
                elapsed = time.perf_counter() - t
                orgs = Organization.objects.count()
                common.line(
                    "setup check, whole tier (seeded data)",
                    f"{elapsed:.1f} s ({orgs:,} organizations)",
                )
                for rule, n in sorted(Counter(f.rule for f in findings).items()):
                    common.line(f"  {rule}", f"{n:,}")
                common.line("  total findings", f"{len(findings):,}")

        # import of a 100,000-member file
        try:
            from dangjian.exchange.importers import import_members
        except ImportError:
            common.line("import members", "skipped: importer not available")
            imported = False
        else:
            branches = list(
                Organization.objects.filter(org_type__in=BRANCH_TYPES).values_list(
                    "code", flat=True
                )
            )
            csv_path = Path(var_dir) / "members.csv"
            t = time.perf_counter()
            common.write_members_file(csv_path, branches, [], [], args.import_rows, args.seed)
            common.line("  (generate csv file)", f"{time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            try:
                report = import_members(csv_path, actor=SYSTEM)
            except Exception as exc:  # report and go on with the other figures
                common.line("import members", f"FAILED: {exc!r}")
                report = None
            elapsed = time.perf_counter() - t
            imported = report is not None and report.ok
            if report is None:
                pass
            elif report.ok:
                common.line(
                    f"import members ({args.import_rows:,} rows, csv)",
                    f"{elapsed:.1f} s (created {report.created:,}, updated {report.updated:,})",
                )
            else:
                common.line("import members", f"REJECTED after {elapsed:.1f} s: {report.summary()}")
                for line in report.error_lines()[:5]:
                    common.line("", line)

        # the same check again, now with the imported members
        if imported and findings_for is not None:
            t = time.perf_counter()
            try:
                total = len(findings_for(SYSTEM))
            except Exception as exc:
                common.line("setup check after import", f"FAILED: {exc!r}")
            else:
                elapsed = time.perf_counter() - t
                common.line("setup check after import", f"{elapsed:.1f} s ({total:,} findings)")

        # pages, as a root 组织部管理员
        root = Organization.objects.filter(depth=1).order_by("path").first()
        assert root is not None
        user = User.objects.filter(username="bench_admin").first() or user_create(
            actor=SYSTEM,
            username="bench_admin",
            password=new_password(),
            org=root,
            roles=["org_admin"],
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        town = (
            Organization.objects.filter(depth__gt=root.depth, org_type="党委", sector="农村")
            .order_by("path")
            .first()
        )
        branch = (
            Organization.objects.filter(org_type="党支部", members__isnull=False)
            .order_by("path")
            .first()
        )
        pages = [("tree page", reverse("web:tree"))]
        for label, org in (("org page (town committee)", town), ("org page (branch)", branch)):
            if org is not None:
                size = Member.objects.filter(org=org).count()
                pages.append((f"{label} {org.code}/{size}m", reverse("web:org", args=[org.code])))
        for label, url in pages:
            for attempt in ("cold", "warm"):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    try:
                        response = client.get(url)
                    except Exception as exc:  # report and go on with the other figures
                        common.line(f"{label} [{attempt}]", f"FAILED: {exc!r}")
                        break
                    elapsed = time.perf_counter() - t
                common.line(
                    f"{label} [{attempt}]",
                    f"{elapsed * 1000:.0f} ms, {len(ctx.captured_queries)} queries, "
                    f"HTTP {response.status_code}",
                )
    finally:
        connection.close()
        if fresh_pg and not args.keep:
            _recreate_postgres(os.environ["DATABASE_URL"], drop_only=True)
            common.line("database", f"dropped {BENCH_DB} (use --keep to keep it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
