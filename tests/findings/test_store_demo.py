"""The findings store over the demo district, seeded once for the module (with the store on):
a refresh stores what the on-demand check finds, in one run or in parts, recruitment included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
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


def _table(table):
    """What the overview shows of a compliance table: every cell, the groups, the count."""
    cells = {
        (row.rule, cell.label): (cell.checked, cell.met, cell.running)
        for row in table.rows
        for cell in row.cells
    }
    groups = {
        kind: [(g.name, g.label, g.rates, g.checked, g.met) for g in rows]
        for kind, rows in table.groups.items()
    }
    return cells, groups, table.result.checked_orgs, table.at


@pytest.mark.django_db
def test_the_life_overview_from_the_counters_equals_a_run_of_the_rules(today, store_on, demo):
    """The counters the refresh keeps give the overview of the year what a run of the LIFE
    rules gives: for the whole tree, a 党委 below and with each filter; after a meeting is
    recorded (until the refresh the counters do not answer), after a move and after a
    deletion; and `dangjian rollups check` finds them equal to their marks."""
    from django.utils import timezone

    from dangjian.life import tally
    from dangjian.life.compliance import compliance, from_counters
    from dangjian.life.models import ComplianceTally
    from dangjian.orgs.rollups import org_counts_differences
    from dangjian.orgs.services import org_move
    from tests.factories import make_org, make_user
    from tests.life.helpers import meet

    year = timezone.localdate().year
    root = Organization.objects.get(depth=1)
    admin = make_user(root, "org_admin")
    assert from_counters(admin, year=year) is None  # nothing evaluated yet
    refresh(at=today, chunk=200)
    town = Organization.objects.filter(depth=2, org_type="党委").order_by("path")[1]
    branch = Organization.objects.filter(path__startswith=town.path, org_type="党支部").first()
    sector = branch.sector
    scopes = [
        {},
        {"org_code": town.code},
        {"sector": sector},
        {"region": branch.region_code[:4]},
        {"org_type": "党支部"},
        {"org_code": town.code, "sector": sector, "org_type": "党支部"},
    ]

    def settle():
        """The refresh of what the writes noted, as the task after them does."""
        noted = FindingsState.objects.filter(dirty_since__isnull=False)
        new = Organization.objects.exclude(pk__in=FindingsState.objects.values("org_id"))
        ids = [*noted.values_list("org_id", flat=True), *new.values_list("pk", flat=True)]
        refresh(ids, at=today)

    def same(where, scopes=scopes[:2]):
        """The tables equal for ``scopes`` (after a write: the whole tree and the 党委)."""
        for params in scopes:
            counted = from_counters(admin, year=year, **params)
            assert counted is not None, (where, params)
            computed = compliance(admin, year=year, **params)
            assert _table(counted) == _table(computed), (where, params)
        assert tally.differences() == [], where

    same("after a whole refresh", scopes)
    cells = _table(from_counters(admin, year=year))[0]
    assert sum(checked for checked, _met, _r in cells.values()) > 1000
    assert any(met < checked for checked, met, _r in cells.values())
    assert from_counters(admin, year=year - 1) is None  # the current year only

    # a meeting recorded: the counters stop answering until the refresh of the branch
    meet(branch, "主题党日", today.replace(day=1))
    assert from_counters(admin, year=year) is None
    refresh([branch.pk], at=today)
    same("after a meeting")

    # a branch moved under another 党委: its counts leave the old 党委 and join the new one
    other = Organization.objects.filter(depth=2, org_type="党委").exclude(pk=town.pk).first()
    before = ComplianceTally.objects.filter(org=other, rule="").first()
    org_move(actor=SYSTEM, org=branch, new_parent=other)
    settle()
    same("after a move")
    after = ComplianceTally.objects.filter(org=other, rule="", sector=before.sector)
    assert sum(after.values_list("sub_c01", flat=True)) >= before.sub_c01

    # a branch set up and evaluated, then deleted: its marks leave the counters above it
    added = make_org(town, org_type="党支部", founded_on=dt.date(year, 1, 5))
    settle()
    same("after a new branch")
    Organization.objects.get(pk=added.pk).delete()
    assert org_counts_differences() == []  # the sizes above it lose it
    settle()
    same("after a deletion")

    # a counter gone wrong is listed by the check and mended by the rebuild
    row = ComplianceTally.objects.filter(org=root).exclude(rule="").first()
    ComplianceTally.objects.filter(pk=row.pk).update(sub_c01=row.sub_c01 + 5)
    assert tally.differences() != []
    with pytest.raises(CommandError):
        call_command("rollups", "check")
    tally.rebuild()
    same("after the rebuild", scopes)
