"""Recruitment benchmark: seed a tier plus N synthetic cases per branch, time the RECRUIT reads.

Usage (from the repository root, with the virtual environment):

    .venv/bin/python benchmarks/run_recruit.py --sqlite /tmp/recruit.sqlite3
    .venv/bin/python benchmarks/run_recruit.py --tier city --per-branch 1 --database-url postgres://…
    DATABASE_URL=postgres://…/EMPTY_DB .venv/bin/python benchmarks/run_recruit.py

The database of ``DATABASE_URL`` (or ``--sqlite PATH``; the default is a new SQLite file) must be
empty, or hold a tier already with ``--reuse``. The cases are written with bulk inserts (no audit,
no services: synthetic data, fixed ``--seed``), at every stage from application to full
membership, about one in eight with a procedural mistake. Prints the seed times, then the time
and query count of ``dangjian check --rules RECRUIT`` over everything (``findings_for``), the
upper-level dashboard (:func:`dangjian.recruit.selectors.dashboard`, the root organization's
view), the approval queue, and the case list filtered by "has findings".
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from typing import Any

import common

AT = dt.date(2026, 11, 1)
#: last step recorded → weight (the mix of stages in a year's pipeline)
LAST_STEP_MIX = [(2, 14), (6, 18), (12, 8), (15, 4), (17, 12), (21, 10), (23, 3), (25, 12)]
DEFECTS = ["late_talk", "short_activist", "late_approval", "late_archive", "no_prereview"]
WIDTH = 52
#: notice kind → the step it comes before
NOTICE_BEFORE = (("activist", 3), ("candidate", 7), ("admission", 17), ("conversion", 24))


def _line(label: str, value: str) -> None:
    common.line(label, value, width=WIDTH)


def main() -> int:
    parser = common.new_parser(__doc__)
    parser.add_argument("--per-branch", type=int, default=1, help="synthetic cases per branch")
    common.add_seed_options(parser)
    common.add_database_options(parser)
    args = parser.parse_args()

    where = common.use_database(parser, args, name="recruit", sqlite_by_default=True)
    common.seed_tier(parser, args, where, width=WIDTH)
    from django.db import connection

    from dangjian.recruit.models import RecruitCase

    if not RecruitCase.objects.exists():
        t = time.perf_counter()
        counts = seed_cases(per_branch=args.per_branch, seed=args.seed)
        _line(
            f"synthetic cases ({args.per_branch} per branch)",
            f"{time.perf_counter() - t:.1f} s ({counts['cases']:,} cases, "
            f"{counts['steps']:,} steps, {counts['notices']:,} notices, "
            f"{counts['reviews']:,} reviews)",
        )
    else:
        _line("cases", f"reused ({RecruitCase.objects.count():,})")
    common.analyze()
    measure()
    connection.close()
    return 0


#: cases generated, written and forgotten together (memory is bounded by a batch)
BATCH = 2000


def _write(model: Any, objs: list[Any], *, with_ids: bool = False) -> None:
    """Insert ``objs``: ``COPY`` on PostgreSQL (ids taken from the sequence first with
    ``with_ids``), ``bulk_create`` elsewhere (which sets the ids)."""
    from django.db import connection

    if not objs:
        return
    if connection.vendor == "postgresql":
        from dangjian.exchange.bulk import copy_insert

        copy_insert(model, objs, with_ids=with_ids)
    else:
        model.objects.bulk_create(objs, batch_size=500)


def _two_members_per_branch() -> dict[int, list[tuple[int, str]]]:
    """branch id → its first two full members (id, name), in one query that returns two rows a
    branch, not every member of the tier."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from dangjian.members.models import Member

    ranked = Member.objects.filter(member_type="正式党员").annotate(
        rank=Window(RowNumber(), partition_by=[F("org_id")], order_by=F("pk").asc())
    )
    people: dict[int, list[tuple[int, str]]] = {}
    for member_pk, org_pk, name in (
        ranked.filter(rank__lte=2).order_by("org_id", "pk").values_list("pk", "org_id", "name")
    ):
        people.setdefault(org_pk, []).append((member_pk, name))
    return people


def seed_cases(*, per_branch: int, seed: int, rollups_on: dt.date | None = None) -> dict[str, int]:
    """Write ``per_branch`` cases at every branch of the tree with their steps, notices and
    reviews (deterministic: fixed ``seed``), :data:`BATCH` cases at a time with ``COPY`` on
    PostgreSQL, then build their rollup rows once (``dangjian rollups rebuild`` on
    ``rollups_on``, default today: the pages read them). No audit, no services: synthetic data."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.core import crypto, idnumber
    from dangjian.demo.recruit import case_dates
    from dangjian.orgs.choices import BRANCH_TYPES
    from dangjian.orgs.models import Organization
    from dangjian.recruit import rollups
    from dangjian.recruit.models import (
        ActivistReview,
        CaseState,
        CaseStatus,
        CaseTally,
        CaseWaiting,
        PriorityGroup,
        RecruitCase,
        RecruitNotice,
        RecruitStep,
        StageCount,
    )

    postgres = connection.vendor == "postgresql"
    if postgres:
        from psycopg.types.json import Jsonb

    rng = random.Random(seed)
    orgs = Organization.objects.order_by("path").values_list("pk", "path", "org_type")
    committees: dict[str, int] = {}
    branches: list[tuple[int, str]] = []
    for pk, path, kind in orgs.iterator(chunk_size=20000):
        if kind in ("党委", "党工委"):
            committees[path] = pk
        elif kind in BRANCH_TYPES:
            branches.append((pk, path))
    people = _two_members_per_branch()
    number = idnumber.compose_id("110105", dt.date(2000, 3, 1), 7)
    cipher, digest, masked = crypto.encrypt(number), crypto.digest(number), idnumber.mask_id(number)
    groups = PriorityGroup.values
    stages, weights = zip(*LAST_STEP_MIX, strict=True)
    counts: Counter[str] = Counter()
    serial = 0
    batch_cases: list[Any] = []
    plans: list[tuple[int, int, dict[int, dt.date]]] = []
    # the details of a step that are the same for every case
    talk = {"talker": "党支部书记"}
    vote = {"vote": {"entitled": 20, "present": 16, "yes": 15, "written_opinions": 0}}

    def flush() -> None:
        _write(RecruitCase, batch_cases, with_ids=True)
        steps: list[Any] = []
        notices: list[Any] = []
        reviews: list[Any] = []
        for case, (branch_pk, last, when) in zip(batch_cases, plans, strict=True):
            mates = people.get(branch_pk, [])
            refs = [{"member": pk, "name": name, "status": "full"} for pk, name in mates]
            for n in range(1, last + 1):
                if n not in when:
                    continue
                details: dict[str, Any] = {}
                if n in (2, 16):
                    details = talk
                elif n == 5:
                    details = {"contacts": refs}
                elif n == 9:
                    details = {"introducers": refs}
                elif n in (15, 23):
                    details = vote
                elif n in (13, 17, 24):
                    details = {"decision": "approved", "decided_by": case.approver_id}
                steps.append(
                    RecruitStep(
                        case_id=case.pk,
                        number=n,
                        done_on=when[n],
                        details=Jsonb(details) if postgres else details,
                    )
                )
            for kind, before in NOTICE_BEFORE:
                if last >= before and before in when:
                    end = when[before] - dt.timedelta(days=1)
                    notices.append(
                        RecruitNotice(
                            case_id=case.pk,
                            kind=kind,
                            first_day=end - dt.timedelta(days=8),
                            last_day=end,
                        )
                    )
            if last >= 3:
                day = when[3] + dt.timedelta(days=180)
                stop = when.get(7, AT) if last >= 7 else AT
                while day <= min(stop, AT):
                    reviews.append(ActivistReview(case_id=case.pk, reviewed_on=day))
                    day += dt.timedelta(days=180)
        _write(RecruitStep, steps)
        _write(RecruitNotice, notices)
        _write(ActivistReview, reviews)
        counts["cases"] += len(batch_cases)
        counts["steps"] += len(steps)
        counts["notices"] += len(notices)
        counts["reviews"] += len(reviews)
        batch_cases.clear()
        plans.clear()

    with transaction.atomic():
        for branch_pk, path in branches:
            approver = None
            for i in range(len(path) - 4, 0, -4):
                approver = committees.get(path[:i])
                if approver is not None:
                    break
            for _ in range(per_branch):
                serial += 1
                last = rng.choices(stages, weights)[0]
                defects = {rng.choice(DEFECTS)} if rng.random() < 0.125 else set()
                anchor = AT - dt.timedelta(days=rng.randint(5, 120))
                probe = case_dates(anchor, defects)
                applied = anchor - (probe[last] - probe[1])
                status = CaseStatus.OPEN
                if last >= 24:
                    status = CaseStatus.CONVERTED
                elif last >= 17:
                    status = CaseStatus.ADMITTED
                batch_cases.append(
                    RecruitCase(
                        case_no=f"B{applied.year}-{serial:07d}",
                        org_id=branch_pk,
                        name=f"申请人{serial}",
                        gender="男" if serial % 2 else "女",
                        birth_date=dt.date(2000, 3, 1),
                        id_number_cipher=cipher,
                        id_number_digest=digest,
                        id_number_masked=masked,
                        priority_group=groups[serial % len(groups)],
                        approver_id=approver,
                        political_review="pass" if last >= 10 else "none",
                        political_review_on=applied + dt.timedelta(days=500)
                        if last >= 10
                        else None,
                        training_hours=24 if last >= 11 else None,
                        status=status,
                    )
                )
                plans.append((branch_pk, last, case_dates(applied, defects)))
                if len(batch_cases) >= BATCH:
                    flush()
        if batch_cases:
            flush()
    rollups.rebuild(at=rollups_on or timezone.localdate())
    if postgres and not connection.in_atomic_block:
        # the planner's statistics and the visibility map of the new rows (index-only scans)
        tables = [RecruitCase, RecruitStep, RecruitNotice, ActivistReview]
        tables += [CaseState, CaseWaiting, StageCount, CaseTally]
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return dict(counts)


def _timed(label: str, func: Any) -> Any:
    import gc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gc.collect()
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        value = func()
        elapsed = time.perf_counter() - t
    size = len(value) if hasattr(value, "__len__") else ""
    _line(label, f"{elapsed:.1f} s, {len(ctx.captured_queries)} queries, {size:,} items")
    return value


def measure() -> None:
    from dangjian.accounts.scope import SYSTEM
    from dangjian.recruit.models import RecruitCase
    from dangjian.recruit.selectors import approval_queue, dashboard, findings_by_loaded
    from dangjian.recruit.web_selectors import case_list
    from dangjian.rules.runner import findings_for

    _line("cases in the database", f"{RecruitCase.objects.count():,}")
    for attempt in ("cold", "warm"):
        found = _timed(
            f"check --rules RECRUIT, everything [{attempt}]",
            lambda: findings_for(SYSTEM, rules="RECRUIT", at=AT),
        )
    for rule, n in sorted(Counter(f.rule for f in found).items()):
        _line(f"  {rule}", f"{n:,}")
    board = _timed(
        "dashboard, whole tier (root view)",
        lambda: [dashboard(SYSTEM, AT.year, AT)],
    )[0]
    _line(
        "  by stage",
        ", ".join(f"{k} {v:,}" for k, v in board.by_stage.items()),
    )
    _line(
        "  with findings / overdue approvals",
        f"{len(board.with_findings):,} / {len(board.overdue_approvals):,}",
    )
    _timed("approval queue, whole tier", lambda: approval_queue(SYSTEM, AT))

    def has_findings() -> list[Any]:
        # what the case list does for ?findings=yes before it paginates
        from dangjian.recruit.adapter import load

        loaded = load(case_list(SYSTEM, at=AT))
        found = findings_by_loaded(loaded, AT)
        return [i for i in loaded if any(f.severity != "due" for f in found[i.case.case_no])]

    _timed("case list filtered by 'has findings', whole tier", has_findings)


if __name__ == "__main__":
    raise SystemExit(main())
