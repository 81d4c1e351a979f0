"""The dashboard and the approval queue at the root within issue 12's budget (≤ 15 queries), on
hundreds of cases written by the benchmark's generator (``benchmarks/run_recruit.py``, the rows
built once by the rebuild): every list holds more than one page, and the pages read from the
stored rows show what the records give."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import rollups
from dangjian.recruit.models import (
    ActivistReview,
    CaseState,
    CaseStatus,
    CaseWaiting,
    RecruitCase,
    RecruitNotice,
    RecruitStep,
)
from dangjian.recruit.selectors import approval_queue, dashboard
from dangjian.recruit.services import set_plan
from dangjian.recruit.views import DASHBOARD_PER_PAGE
from dangjian.web.helpers import PER_PAGE
from tests.recruit.test_rollups import board_contents

BUDGET = 15
PER_BRANCH = 300
CASE_LINK = re.compile(r'href="/recruit/cases/(\d+)/"')


def _seed_cases(per_branch: int) -> dict[str, int]:
    benchmarks = str(Path(__file__).resolve().parents[2] / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    from run_recruit import seed_cases

    return seed_cases(per_branch=per_branch, seed=42)


def _probation_ends(today: dt.date, n: int, days: int) -> None:
    """Move the records of ``n`` probationary cases earlier, so that their probation ends
    ``days`` after ``today`` (the generator's cases are recent: none ends within two months)."""
    later = today + dt.timedelta(days=60)  # not one moved already
    admitted = CaseState.objects.filter(status=CaseStatus.ADMITTED, probation_ends__gt=later)
    for state in admitted.order_by("case_no")[:n]:
        assert state.probation_ends is not None
        back = state.probation_ends - (today + dt.timedelta(days=days))
        RecruitStep.objects.filter(case_id=state.case_id).update(done_on=F("done_on") - back)
        ActivistReview.objects.filter(case_id=state.case_id).update(
            reviewed_on=F("reviewed_on") - back
        )
        RecruitNotice.objects.filter(case_id=state.case_id).update(
            first_day=F("first_day") - back, last_day=F("last_day") - back
        )


@pytest.fixture
def many(tree):
    today = timezone.localdate()
    counts = _seed_cases(PER_BRANCH)
    _probation_ends(today, 3, 30)  # ending soon
    rollups.rebuild(at=today)
    _probation_ends(today, 3, -10)  # ended, the conversion to discuss
    set_plan(actor=SYSTEM, org=tree["town_a"], year=2026, quota=5, group_quotas={"青年": 2})
    rollups.rebuild(at=today)
    return counts


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_generator_writes_its_cases_and_their_rows(tree, many):
    assert many["cases"] == 2 * PER_BRANCH == RecruitCase.objects.count()
    assert many["steps"] == RecruitStep.objects.count() > many["cases"]
    assert CaseState.objects.count() == many["cases"]  # the rows built once, at the end
    assert rollups.differences() == []
    today = timezone.localdate()
    assert rollups.usable("", today) == (True, True)


@pytest.mark.django_db
def test_the_root_dashboard_and_queue_keep_the_query_budget_with_lists_of_several_pages(
    tree, many, login
):
    today = timezone.localdate()
    board = dashboard(tree["admin"], today.year, today)
    # every list is longer than a page: the budget is not met by lists that are short
    assert len(board.with_findings) > DASHBOARD_PER_PAGE
    assert len(board.overdue_approvals) > DASHBOARD_PER_PAGE
    assert len(board.probation_ending) == len(board.conversions_due) == 3
    assert len(approval_queue(tree["admin"], today)) > PER_PAGE
    assert board.plans
    client = login("admin")
    client.get("/recruit/dashboard/")  # warm the per-user caches
    for url in (
        "/recruit/dashboard/",
        "/recruit/dashboard/?page_findings=2&page_overdue=2",
        "/recruit/queue/",
        "/recruit/queue/?page=2",
    ):
        html, queries = _get(client, url)
        assert queries <= BUDGET, (url, queries)
        assert CASE_LINK.search(html), url
    html, _queries = _get(client, "/recruit/dashboard/")
    assert f"<strong>{len(board.with_findings)}</strong>有程序问题的案例" in html


@pytest.mark.django_db
def test_the_stored_dashboard_equals_the_records_on_hundreds_of_cases(tree, many):
    today = timezone.localdate()
    for user in ("admin", "admin_a"):
        for year in (today.year, today.year - 1):
            stored = board_contents(dashboard(tree[user], year, today))
            recorded = board_contents(dashboard(tree[user], year, today, records=True))
            assert stored == recorded, (user, year)
        assert approval_queue(tree[user], today) == approval_queue(tree[user], today, records=True)
    assert CaseWaiting.objects.exists()


@pytest.mark.django_db
def test_the_demo_dashboard_and_queue_keep_the_query_budget_at_the_root(today, login):
    from dangjian.demo.recruit import seed_demo_recruit
    from dangjian.demo.seed import seed_database
    from dangjian.orgs.models import Organization
    from tests.factories import make_user

    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    seed_demo_recruit(today, seed=42)
    client = login(make_user(Organization.objects.get(depth=1), "org_admin"))
    client.get("/recruit/dashboard/")  # warm the per-user caches
    for url in ("/recruit/dashboard/", "/recruit/queue/"):
        html, queries = _get(client, url)
        assert queries <= BUDGET, (url, queries)
        assert CASE_LINK.search(html), url
