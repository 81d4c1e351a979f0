"""Recruitment rollups: the dashboard and the approval queue read from the stored rows against
the same pages read from the records, and the cost of keeping the rows on a write of a case.

Usage (from the repository root), on a database that holds the demo district already
(``dangjian demo --no-serve`` with the same ``DATABASE_URL``; the database is not changed, every
write is rolled back):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_rollups \\
        .venv/bin/python benchmarks/run_recruit_rollups.py [--repeat 7] [--writes 40]

Prints, for the root organization's administrator (``--user``, default the demo's
``zzb_admin``): the time (median, p50 and p95 of ``--repeat``) and the query count of
``/recruit/dashboard/`` and ``/recruit/queue/`` (and their second pages) with the rows and
with the rows switched off (the records path; not with ``--rows-only``), then p50/p95 of
``record_step`` on ``--writes`` open cases with the upkeep
(:func:`dangjian.recruit.rollups.case_changed`) and without it (not with ``--pages-only``).

On a larger tier (``run_recruit.py``'s generator, e.g. the city with one case a branch):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_recruit_city DANGJIAN_VAR_DIR=… \
        .venv/bin/python benchmarks/run_recruit_rollups.py --user bench_admin --repeat 20 \
        --pages-only --rows-only
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WIDTH = 56


def _line(label: str, value: str) -> None:
    print(f"{label:<{WIDTH}} {value}", flush=True)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--user", default="zzb_admin", help="the root's administrator")
    parser.add_argument("--pages-only", action="store_true", help="no writes, no SETUP check")
    parser.add_argument("--rows-only", action="store_true", help="not the records path")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("DATABASE_URL 未设置：请指向已生成演示数据的数据库")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
    import django

    django.setup()
    from unittest import mock

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.recruit import rollups, selectors, services
    from dangjian.recruit.models import CaseState, RecruitCase
    from dangjian.recruit.services import StepInput

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    today = timezone.localdate()
    if (
        RecruitCase.objects.filter(state__isnull=True).exists()
        or not CaseState.objects.filter(computed_on=today).exists()
    ):
        _line("rows rebuilt for today (cases)", f"{rollups.rebuild():,}")
    _line("cases / rows", f"{RecruitCase.objects.count():,} / {CaseState.objects.count():,}")
    user = User.objects.filter(username=args.user).first()
    if user is None:
        parser.error(f"找不到账号 {args.user}")
    client = Client()
    client.force_login(user)

    def page(url: str) -> tuple[list[float], int, int]:
        client.get(url)  # warm the session
        times: list[float] = []
        queries, size = 0, 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            queries = max(queries, len(ctx.captured_queries))
            size = len(response.content)
        return times, queries, size

    def show(label: str, times: list[float], q: int, size: int) -> None:
        _line(
            label,
            f"{statistics.median(times) * 1000:7.1f} ms (p50 {_pct(times, 0.5) * 1000:.1f}, "
            f"p95 {_pct(times, 0.95) * 1000:.1f})  {q:3d} queries  {size / 1024:6.0f} KB",
        )

    urls = ["/recruit/dashboard/", "/recruit/queue/"]
    if args.pages_only:
        urls += ["/recruit/dashboard/?page_findings=2&page_overdue=2", "/recruit/queue/?page=2"]
    for url in urls:
        show(f"{url} rows", *page(url))
        if not args.rows_only:
            with mock.patch.object(selectors, "usable", lambda prefix, at: (False, False)):
                show(f"{url} records", *page(url))
    if args.pages_only:
        return 0

    # a write of a case: record the talk (step 2) of applicants, or a review of open cases
    cases = list(RecruitCase.objects.filter(status="open").order_by("pk")[: args.writes])
    from dangjian.accounts.scope import SYSTEM

    def write(case: RecruitCase) -> float:
        with transaction.atomic():
            start = time.perf_counter()
            services.record_step(
                actor=SYSTEM, case=case, data=StepInput(number=2, done_on=today, talker="书记")
            )
            spent = time.perf_counter() - start
            transaction.set_rollback(True)
        return spent

    def measure() -> list[float]:
        return [write(c) for c in cases]

    with_rows = measure()
    with mock.patch.object(services, "case_changed", lambda *a, **k: None):
        without = measure()
    with_rows = measure()  # again, after the warm-up of both
    for label, values in (("record_step with upkeep", with_rows), ("without", without)):
        _line(
            f"{label} (n={len(values)})",
            f"p50 {_pct(values, 0.5) * 1000:6.1f} ms  p95 {_pct(values, 0.95) * 1000:6.1f} ms",
        )

    # SETUP over the whole district: the committee read from its rollup or from the roll
    from django.test import override_settings

    from dangjian.members.committee import committee_differences, committee_rebuild
    from dangjian.rules.runner import run_check

    if committee_differences():
        _line("committee rows rebuilt", f"{committee_rebuild():,}")
    for label, on in (("SETUP check, committee from rows", True), ("from the roll", False)):
        with override_settings(DANGJIAN_SETUP_FROM_ROLLUPS=on):
            times, found = [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                found = len(run_check(SYSTEM, rules="SETUP", at=today).findings)
                times.append(time.perf_counter() - start)
        _line(label, f"{statistics.median(times) * 1000:7.1f} ms  {found:,} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
