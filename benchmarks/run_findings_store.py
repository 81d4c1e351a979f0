"""The findings store on a prepared database (the demo district by default): the whole refresh,
the refresh a write triggers, the cost the trigger adds to a write, and the findings list read
from the store against the check from the records. Prints figures; asserts nothing.

    DATABASE_URL=postgres://…/DB DJANGO_SETTINGS_MODULE=dangjian.settings.dev \\
        .venv/bin/python benchmarks/run_findings_store.py [--writes 20]

The database must hold a seeded tier (``dangjian demo --no-serve`` or ``dangjian seed``).
The writes are meeting records through the service; they are deleted again at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument(
        "--chunk", type=int, default=None, help="organizations per part of a whole refresh"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from dangjian.accounts.scope import SYSTEM
    from dangjian.life.models import Meeting
    from dangjian.life.services import MeetingInput, meeting_delete, meeting_record
    from dangjian.orgs.models import Organization
    from dangjian.rules import store
    from dangjian.rules.models import StoredFinding
    from dangjian.rules.runner import run_check

    today = timezone.localdate()
    orgs = Organization.objects.count()
    print(f"organizations {orgs}, checking date {today}")

    import resource

    t = time.perf_counter()
    report = store.refresh(at=today, chunk=args.chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"whole refresh: {time.perf_counter() - t:.2f} s, "
        f"{report.found} findings (+{report.created} ~{report.updated} -{report.resolved}), "
        f"peak RSS so far {peak:.0f} MB"
    )
    t = time.perf_counter()
    report = store.refresh(at=today, chunk=args.chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"whole refresh again (nothing changed): {time.perf_counter() - t:.2f} s, "
        f"peak RSS so far {peak:.0f} MB"
    )
    t = time.perf_counter()
    result = run_check(SYSTEM, rules=store.stored_families(), at=today)
    print(
        f"dangjian check SETUP,LIFE from the records: {time.perf_counter() - t:.2f} s, "
        f"{len(result.findings)} findings"
    )

    branches = list(Organization.objects.filter(org_type="党支部").order_by("pk")[: args.writes])
    made: list[int] = []
    plain: list[float] = []
    triggered: list[float] = []
    refreshes: list[float] = []
    batches: list[list[int]] = []
    real = store._schedule
    store._schedule = lambda pending, queued: batches.append(sorted(pending))  # collect only
    try:
        for n, branch in enumerate(branches):
            data = MeetingInput(
                org=branch, meeting_type="党课", held_on=today, topic=f"基准测试 {n}"
            )
            settings.DANGJIAN_FINDINGS_STORE = n % 2 == 0
            t = time.perf_counter()
            with transaction.atomic():
                made.append(meeting_record(actor=SYSTEM, data=data).pk)
            (triggered if n % 2 == 0 else plain).append(time.perf_counter() - t)
    finally:
        store._schedule = real
        settings.DANGJIAN_FINDINGS_STORE = True
    for ids in batches:
        t = time.perf_counter()
        store.refresh(ids, at=today)
        refreshes.append(time.perf_counter() - t)

    def ms(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[max(0, round(0.95 * len(values)) - 1)]
        return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"

    print(f"meeting record, store triggers on ({len(triggered)}): {ms(triggered)}")
    print(f"meeting record, store triggers off ({len(plain)}): {ms(plain)}")
    print(
        f"refresh after one write (SETUP tree + LIFE of the branch, {len(refreshes)}): "
        f"{ms(refreshes)}"
    )

    scope = store.answer(SYSTEM, rules="SETUP")
    assert scope is not None
    t = time.perf_counter()
    page = list(scope.rows[:50])
    total = scope.rows.count()
    per_rule = scope.per_rule()
    print(
        f"findings list at the root from the store: {(time.perf_counter() - t) * 1000:.1f} ms "
        f"({total} rows, {len(per_rule)} rules, first page {len(page)})"
    )
    t = time.perf_counter()
    run_check(SYSTEM, rules="SETUP", at=today)
    print(f"the same list from the records: {(time.perf_counter() - t) * 1000:.1f} ms")
    print(f"stored rows (open and resolved): {StoredFinding.objects.count()}")

    for pk in made:
        meeting_delete(actor=SYSTEM, meeting=Meeting.objects.get(pk=pk))
    store.refresh(at=today)


if __name__ == "__main__":
    main()
