"""The findings store over the demo district, seeded once for the module (with the store on):
a refresh stores what the on-demand check finds, in one run or in parts, recruitment included."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization
from dangjian.rules.models import FindingCount, FindingsState, StoredFinding
from dangjian.rules.runner import run_check
from dangjian.rules.store import evaluation, open_rows, refresh, stored_families
from tests.conftest import rolled_back_after, seed_demo_district
from tests.findings.test_store import assert_equal, stored_rows


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    def seed() -> None:
        with override_settings(DANGJIAN_FINDINGS_STORE=True):
            seed_demo_district()

    with rolled_back_after(django_db_blocker, seed):
        yield


@pytest.mark.django_db
def test_a_refresh_of_the_demo_stores_what_the_check_finds(today, store_on, demo):
    report = refresh(at=today)
    assert report.found > 50 and report.skipped == 0
    assert report.created == report.found
    assert_equal(today, "demo")
    assert {"SETUP", "LIFE"} <= set(StoredFinding.objects.values_list("family", flat=True))
    # idempotent: a second refresh changes no row
    again = refresh(at=today)
    assert (again.created, again.updated, again.resolved) == (0, 0, 0)
    assert_equal(today, "again")
    # every organization evaluated for the day: the store answers for the root and a branch
    assert FindingsState.objects.count() == Organization.objects.count()
    assert evaluation("", today) is not None
    assert evaluation("", today.replace(day=1)) is None  # another checking date
    # the command does the same (and prints in Chinese)
    call_command("findings", "refresh", "--at", today.isoformat())
    assert_equal(today, "command")


@pytest.mark.django_db
def test_a_refresh_in_tiny_chunks_stores_the_same_rows_as_one_run(today, store_on, demo):
    from dangjian.rules.store import plan_chunks

    whole = refresh(at=today, chunk=10**9)
    assert whole.subtrees == 1 and whole.found > 50
    one_run = stored_rows()
    StoredFinding.objects.all().delete()
    FindingsState.objects.all().delete()
    FindingCount.objects.all().delete()  # the store emptied by hand, its counts with it
    # three organizations a part: many subtrees, and the organizations above them evaluated
    # together with the members the subtrees counted
    roots, upper = plan_chunks("", 3)
    assert len(roots) >= 3 and len(upper) > 2
    parts = refresh(at=today, chunk=3)
    assert (parts.found, parts.created, parts.orgs) == (whole.found, whole.found, whole.orgs)
    assert stored_rows() == one_run
    assert_equal(today, "chunked")
    assert evaluation("", today) is not None
    # a chunked refresh of an unchanged tree changes nothing
    again = refresh(at=today, chunk=3)
    assert (again.created, again.updated, again.resolved) == (0, 0, 0)
    # the command takes the size of a part
    call_command("findings", "refresh", "--at", today.isoformat(), "--chunk", "2")
    assert stored_rows() == one_run


@pytest.mark.django_db
def test_recruit_findings_are_stored_as_the_check_finds_them_and_follow_a_case(
    today, store_on, demo
):
    from dangjian.recruit.models import CaseStatus, RecruitCase
    from dangjian.recruit.services import withdraw_case

    assert "RECRUIT" in stored_families()
    refresh(at=today, chunk=4)
    want = run_check(SYSTEM, rules="RECRUIT", at=today).findings
    rows = open_rows("", families=["RECRUIT"]).select_related("org")
    have = [r.as_finding(r.org_code) for r in rows]
    key = lambda f: (f.rule, f.subject, f.period or "", f.severity, f.message)  # noqa: E731
    cases = set(RecruitCase.objects.values_list("case_no", flat=True))
    assert len(want) > 5 and any(f.subject in cases for f in want)
    assert sorted(map(key, have)) == sorted(map(key, want))
    assert_equal(today, "recruit")
    # a case withdrawn through the service: noted, so the readers ask the records until the
    # next refresh, which stores what the check then finds
    flagged = {f.subject for f in want}
    case = RecruitCase.objects.filter(status=CaseStatus.OPEN, case_no__in=flagged).first()
    assert case is not None
    withdraw_case(actor=SYSTEM, case=case, on=today, today=today)
    assert evaluation("", today) is None
    refresh(at=today, chunk=4)
    assert_equal(today, "withdrawn")
