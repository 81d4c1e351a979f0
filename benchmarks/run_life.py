"""Organizational-life benchmark: seed a tier and a year of meetings, time the LIFE check.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_life.py --database-url postgres://…/EMPTY_DB
    .venv/bin/python benchmarks/run_life.py --sqlite /tmp/life.sqlite3
    .venv/bin/python benchmarks/run_life.py --tier district --sqlite /tmp/d.sqlite3

The database must be empty (or hold a tier already, with ``--reuse``). Prints: the tier seed
time, the time to write a year of records (``seed_meetings``, no per-person attendance at city
scale), the time and query count of ``findings_for(SYSTEM, rules="LIFE")`` for the whole tier as
of 31 December with the findings per rule, the same for one town committee's subtree, the
time of the formalism hints (near-duplicate minutes scan, month-end clustering, same figures),
the near-duplicate scan from the stored MinHash signatures and by reading every text (both
timed, findings compared), and the upper-level overview table of the whole tier: computed
without the cache from the records and from the rollup ``MeetingMonths`` (what every page view
cost before the cache; tables compared), the data version check, a cache miss and a cache hit
(``--overview-only`` measures just that, on a database seeded before with ``--reuse``).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections import Counter
from typing import Any

import common


def _line(label: str, value: str) -> None:
    common.line(label, value)


def main() -> int:
    parser = common.new_parser(__doc__)
    common.add_seed_options(parser, year=True)
    common.add_database_options(parser)
    parser.add_argument("--attendance", action="store_true", help="also write attendance rows")
    parser.add_argument(
        "--overview-only", action="store_true", help="time only the overview table (cached)"
    )
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="skip the LIFE checks: time the hints (both ways) and the overview only",
    )
    args = parser.parse_args()

    where = common.use_database(parser, args, name="life")
    common.seed_tier(parser, args, where)
    common.seed_year_of_meetings(args.year, args.seed, attendance=args.attendance, details=True)
    common.analyze()

    if args.no_check and not args.overview_only:
        _hints(args.year)
    elif not args.overview_only:
        _checks(args.year)
    _overview(args.year)
    from django.db import connection

    connection.close()
    return 0


def _checks(year: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.accounts.scope import SYSTEM
    from dangjian.orgs.models import Organization
    from dangjian.rules.runner import findings_for

    at = dt.date(year, 12, 31)
    runs = [("LIFE check, whole tier", None)]
    town = Organization.objects.filter(depth=3, org_type="党委").order_by("path").first()
    if town is not None:
        runs.append((f"LIFE check, one town {town.code}", town.code))
    for label, code in runs:
        for attempt in ("cold", "warm"):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                found = findings_for(SYSTEM, rules="LIFE", at=at, org_code=code)
                elapsed = time.perf_counter() - t
            _line(
                f"{label} [{attempt}]",
                f"{elapsed:.1f} s, {len(ctx.captured_queries)} queries, {len(found):,} findings",
            )
        if code is None:
            for rule, n in sorted(Counter(f.rule for f in found).items()):
                _line(f"  {rule}", f"{n:,}")
    _hints(year)


def _hints(year: int) -> None:
    from dangjian.accounts.scope import SYSTEM
    from dangjian.life.rules.hints import copied_minutes, end_of_period, same_attendance

    _signed()
    for hint in (copied_minutes, end_of_period, same_attendance):
        t = time.perf_counter()
        hints = hint(SYSTEM, year=year)
        _line(f"{hint.__name__}, whole tier", f"{time.perf_counter() - t:.1f} s, {len(hints):,}")
    _copied_both_ways(year)


def _signed() -> None:
    """Sign the records written before the signatures existed (a reused database)."""
    from dangjian.life.models import Meeting
    from dangjian.life.signatures import signatures_rebuild

    if Meeting.objects.filter(minutes_signature__isnull=True).exists():
        t = time.perf_counter()
        done = signatures_rebuild(missing_only=True)
        _line("minutes signatures backfilled", f"{time.perf_counter() - t:.1f} s ({done:,})")


def _copied_both_ways(year: int) -> None:
    """HINT-COPIED-MINUTES from the stored signatures and by reading every text (the path
    without signatures): time, findings, and whether they agree."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.life.rules import hints

    found = {}
    signed = hints._signature_candidates
    for label, candidates in (("texts", hints._sentence_candidates), ("signatures", signed)):
        hints._signature_candidates = candidates  # type: ignore[assignment]
        try:
            gc.collect()
            t = time.perf_counter()
            found[label] = [f.as_dict() for f in hints.copied_minutes(SYSTEM, year=year)]
            elapsed = time.perf_counter() - t
        finally:
            hints._signature_candidates = signed  # type: ignore[assignment]
        _line(f"copied minutes from {label}", f"{elapsed:.2f} s, {len(found[label]):,}")
    _line("  same findings", str(found["texts"] == found["signatures"]))


def _overview(year: int) -> None:
    """The overview page's table for the whole tier: computed, version check, miss, hit."""
    from django.core.cache import cache

    from dangjian.accounts.scope import SYSTEM
    from dangjian.life.compliance import compliance, compliance_cached, data_version

    def timed(label: str, func: Any) -> Any:
        t = time.perf_counter()
        value = func()
        _line(label, f"{time.perf_counter() - t:.2f} s")
        return value

    tables = {}
    for source in ("records", "rollups"):
        gc.collect()
        tables[source] = timed(
            f"overview table from the {source} (no cache)",
            lambda source=source: compliance(SYSTEM, year=year, source=source),
        )
    _line("  organizations checked", f"{tables['rollups'].result.checked_orgs:,}")
    same = [(r.rule, [vars(c) for c in r.cells]) for r in tables["records"].rows] == [
        (r.rule, [vars(c) for c in r.cells]) for r in tables["rollups"].rows
    ]
    _line("  same table", str(same))
    del tables
    gc.collect()
    timed("  data version (5 index reads)", data_version)
    cache.clear()
    timed(
        "overview table, cache miss (compute + store)", lambda: compliance_cached(SYSTEM, year=year)
    )
    for attempt in (1, 2):
        timed(
            f"overview table, cache hit [{attempt}]", lambda: compliance_cached(SYSTEM, year=year)
        )


if __name__ == "__main__":
    raise SystemExit(main())
