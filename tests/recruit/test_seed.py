"""The demo's recruitment cases: every stage, plans, a few procedural findings; deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.demo.recruit import DEFECTS, seed_demo_recruit
from dangjian.demo.seed import seed_database
from dangjian.members.models import Member
from dangjian.recruit.models import RecruitCase, RecruitPlan
from dangjian.recruit.selectors import dashboard

TODAY = dt.date(2026, 11, 23)


def _snapshot() -> list[tuple]:
    rows = []
    for case in RecruitCase.objects.order_by("pk").prefetch_related("steps", "notices", "reviews"):
        rows.append(
            (
                case.org.code,
                case.name,
                case.id_number_digest,
                case.priority_group,
                case.status,
                case.approver_id,
                tuple((s.number, s.round, s.done_on, s.late) for s in case.steps.all()),
                tuple((n.kind, n.first_day, n.last_day) for n in case.notices.all()),
                tuple(r.reviewed_on for r in case.reviews.all()),
            )
        )
    plans = tuple(
        (
            p.org.code,
            p.year,
            p.quota,
            tuple(sorted((q.priority_group, q.quota) for q in p.quotas.all())),
        )
        for p in RecruitPlan.objects.order_by("org__path")
    )
    return [*rows, plans]


@pytest.mark.django_db
def test_seed_covers_every_stage_with_findings_and_is_deterministic():
    seed_database(tier="tiny", seed=42, progress=False)
    lines = seed_demo_recruit(TODAY, seed=42)
    assert len(lines) == 1 and "发展党员案例" in lines[0]
    assert seed_demo_recruit(TODAY, seed=42) == []  # cases exist: nothing more
    board = dashboard(SYSTEM, TODAY.year, TODAY)
    assert all(
        board.by_stage[s] > 0 for s in ("applicant", "activist", "candidate", "probationary")
    )
    assert board.by_stage["closed"] >= 1
    assert board.overdue_approvals and board.probation_ending and board.conversions_due
    assert len(board.with_findings) >= len(DEFECTS) - 1
    assert any(f.severity == "error" for p in board.plans for f in p.findings)
    assert RecruitCase.objects.filter(status="converted").exists()
    admitted = RecruitCase.objects.filter(member__isnull=False)
    assert all(c.member.joined_on == c.steps.get(number=15).done_on for c in admitted)
    first = _snapshot()
    # the same seed on the same tree gives the same cases and plans
    members = list(admitted.values_list("member_id", flat=True))
    RecruitCase.objects.all().delete()
    RecruitPlan.objects.all().delete()
    Member.objects.filter(pk__in=members).delete()
    seed_demo_recruit(TODAY, seed=42)
    assert _snapshot() == first


@pytest.mark.django_db
def test_the_demo_branch_secretary_has_cases_of_her_own():
    from dangjian.demo.accounts import demo_nodes

    seed_database(tier="tiny", seed=42, progress=False)
    seed_demo_recruit(TODAY, seed=42)
    branch = demo_nodes()["weak_branch"]
    own = RecruitCase.objects.filter(org=branch)
    assert own.exists() and all(c.status == "open" for c in own)
