"""Page benchmark: time the list pages of an existing database as one signed-in account.

Usage (from the repository root, with the virtual environment; the demo district first):

    .venv/bin/dangjian demo --no-serve
    .venv/bin/python benchmarks/run_pages.py                      # var/dangjian.sqlite3, zzb_admin
    .venv/bin/python benchmarks/run_recruit.py --tier district --per-branch 20 --sqlite /tmp/r.db
    .venv/bin/python benchmarks/run_pages.py --sqlite /tmp/r.db --user bench_admin
    .venv/bin/python benchmarks/run_pages.py --database-url postgres://… --var-dir var

The database is only read (the sign-in writes one session). ``--var-dir`` is the directory with
the keys of that database (default ``var/``, the demo's); ``--user bench_admin`` creates that
account (组织部管理员 at the root) in a database that has none, such as a benchmark's.

For each page: the time of the first request and the median of ``--repeat`` more, the number of SQL
queries, the size of the page and its HTTP status. The recruitment pages come first (the dashboard
at the root and its second page of cases with findings, the approval queue, the case list and its
"has findings" filter), then the other list pages.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

import common

WIDTH = 46

#: label → URL (reversed names with their query string), in the order printed
PAGES = [
    ("recruitment dashboard", "recruit:dashboard", ""),
    ("recruitment dashboard, findings page 2", "recruit:dashboard", "?page_findings=2"),
    ("recruitment queue", "recruit:queue", ""),
    ("recruitment cases", "recruit:index", "?stage=activist"),
    ("recruitment cases with findings", "recruit:index", "?findings=yes"),
    ("recruitment plans", "recruit:plans", ""),
    ("meetings", "life:index", ""),
    ("rectification plans", "rectify:index", ""),
    ("assessment campaigns", "assess:index", ""),
    ("surveys", "survey:index", ""),
]


#: the account ``--user`` creates when a database (a benchmark's) has none: 组织部管理员 at the root
BENCH_USER = "bench_admin"


def _bench_admin() -> object:
    from dangjian.accounts.scope import SYSTEM
    from dangjian.accounts.services import user_create
    from dangjian.demo.accounts import new_password
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise SystemExit("the database holds no organization")
    return user_create(
        actor=SYSTEM, username=BENCH_USER, password=new_password(), org=root, roles=["org_admin"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", metavar="PATH", help="default: VAR_DIR/dangjian.sqlite3")
    parser.add_argument("--database-url", default="", help="instead of --sqlite")
    parser.add_argument("--var-dir", default=str(common.ROOT / "var"))
    parser.add_argument("--user", default="zzb_admin", help="the account that views the pages")
    parser.add_argument("--repeat", type=int, default=3, help="warm requests per page")
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    args = parser.parse_args()

    var_dir = Path(args.var_dir).resolve()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        where = args.database_url.rsplit("/", 1)[-1]
    else:
        db = Path(args.sqlite).resolve() if args.sqlite else var_dir / "dangjian.sqlite3"
        if not db.exists():
            parser.error(f"{db} does not exist: run `.venv/bin/dangjian demo --no-serve` first")
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        where = f"SQLite {db}"
    os.environ["DANGJIAN_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.dev"
    import django

    django.setup()
    # a page number past the end is a 400 page, reported below, not a log line
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dangjian.recruit.models import RecruitCase

    user = get_user_model().objects.filter(username=args.user).first()
    if user is None and args.user == BENCH_USER:
        user = _bench_admin()
    if user is None:
        parser.error(f"no account {args.user!r} in {where} (--user {BENCH_USER} creates one)")
    common.line("database", where, width=WIDTH)
    common.line("account", f"{args.user} ({user.org})", width=WIDTH)  # type: ignore[attr-defined]
    common.line("recruitment cases", f"{RecruitCase.objects.count():,}", width=WIDTH)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for label, name, query in PAGES:
        if args.only and args.only not in label:
            continue
        url = reverse(name) + query
        times = []
        for _ in range(1 + args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
        if response.status_code == 400 and "page_" in query:
            common.line(label, "no such page (the list has one page)", width=WIDTH)
            continue
        first, warm = times[0], statistics.median(times[1:]) if args.repeat else times[0]
        common.line(
            label,
            f"{first * 1000:,.0f} ms first, {warm * 1000:,.0f} ms warm, "
            f"{len(ctx.captured_queries)} queries, {len(response.content) / 1024:,.0f} KB, "
            f"HTTP {response.status_code}",
            width=WIDTH,
        )
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
