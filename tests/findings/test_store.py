"""The findings store equals the on-demand check (``run_check``) on the same date: after a
whole refresh of the demo, and after random writes through the services with the refreshes
they trigger; a finding that goes away is resolved, not deleted."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from dangjian.accounts.scope import SYSTEM
from dangjian.demo.seed import seed_database
from dangjian.members.services import member_update
from dangjian.orgs.models import Organization
from dangjian.rules.models import FindingCount, FindingsState, StoredFinding
from dangjian.rules.runner import run_check
from dangjian.rules.store import (
    counts_differences,
    evaluation,
    open_rows,
    refresh,
    stored_families,
    subject_key,
)
from tests import test_rollups_random as writes
from tests.factories import make_member, make_org, make_user
from tests.members.test_rollups import input_of


def checked(at):
    """(rule, org code, subject, severity, period) → (message, evidence, due date) of the
    on-demand check over every organization."""
    result = run_check(SYSTEM, rules=stored_families(), at=at)
    return {
        (f.rule, f.subject, subject_key(f), f.severity, f.period or "", f.message): (
            f.message,
            f.evidence,
            f.due_date,
        )
        for f in result.findings
    }, len(result.findings)


def stored():
    rows = StoredFinding.objects.filter(resolved_at__isnull=True).select_related("org")
    found = [r.as_finding(r.org.code) for r in rows]
    return {
        (f.rule, f.subject, subject_key(f), f.severity, f.period or "", f.message): (
            f.message,
            f.evidence,
            f.due_date,
        )
        for f in found
    }


def assert_equal(at, where=""):
    want, n = checked(at)
    assert len(want) == n, "the check gave two findings with the same identity"
    have = stored()
    missing = sorted(set(want) - set(have))[:5]
    extra = sorted(set(have) - set(want))[:5]
    assert not missing and not extra, (where, missing, extra)
    changed = [k for k in want if want[k] != have[k]][:5]
    assert not changed, (where, changed)
    # the counts by rule of every subtree, kept by the same writes, equal a recount
    assert counts_differences() == [], where


@pytest.mark.django_db
def test_random_writes_and_their_refreshes_keep_the_store_equal(
    today, tmp_path, store_on, django_capture_on_commit_callbacks
):
    # the tree is built with its own refreshes (each block below is a committed transaction)
    with django_capture_on_commit_callbacks(execute=True):
        root = make_org(None, org_type="党委", sector="机关", code="R0001")
        towns = [make_org(root, org_type="党委", code=f"T000{i}") for i in (1, 2)]
        general = make_org(towns[0], org_type="党总支", code="G0001")
        for parent in (towns[0], towns[1], general, root):
            branch = make_org(parent, org_type="党支部")
            for _ in range(2):
                make_member(branch)
    assert_equal(today, "start")
    rng = random.Random(20261206)
    world = writes.World(rng, today, tmp_path)
    functions = [f for f, weight in writes.WRITES for _ in range(weight)]
    done: dict[str, int] = {}
    steps: list[str] = []
    for step in range(60):
        write = rng.choice(functions)
        # the write commits, then its refresh runs (the tests' immediate task backend)
        with django_capture_on_commit_callbacks(execute=True):
            try:
                steps.append(write(world))
                done[write.__name__] = done.get(write.__name__, 0) + 1
            except ValidationError as exc:
                steps.append(f"{write.__name__} 被拒绝：{exc.messages[0]}")
        if step % 3 == 2:
            assert_equal(today, steps[-6:])
    assert_equal(today, steps[-6:])
    assert len(done) >= 8, done
    assert evaluation("", today) is not None


@pytest.mark.django_db
def test_a_finding_that_goes_away_is_resolved(today, store_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        root = make_org(None, org_type="党委", sector="机关", code="R0001")
        branch = make_org(root, org_type="党支部", code="B0001")
        members = [make_member(branch, member_type="正式党员") for _ in range(2)]
    rule = "SETUP-BRANCH-MIN-FULL"
    row = StoredFinding.objects.get(rule=rule, org=branch)
    assert row.resolved_at is None and row.first_seen is not None
    # a third full member: the branch meets the minimum, the trigger refreshes it
    with django_capture_on_commit_callbacks(execute=True):
        make_member(branch, member_type="正式党员")
    row.refresh_from_db()
    assert row.resolved_at is not None
    assert not open_rows("", rule_ids=[rule]).filter(org=branch).exists()
    assert_equal(today, "resolved")
    # back below the minimum: a new open row, the resolved one kept as history
    with django_capture_on_commit_callbacks(execute=True):
        member_update(
            actor=SYSTEM,
            member=members[0],
            data=input_of(members[0], member_type="预备党员", confirmed_on=None),
        )
    assert StoredFinding.objects.filter(rule=rule, org=branch).count() == 2
    assert open_rows("", rule_ids=[rule]).filter(org=branch).count() == 1
    assert_equal(today, "again")


@pytest.mark.django_db
def test_a_deleted_organization_refreshes_the_tree_above(
    today, store_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        root = make_org(None, org_type="党委", sector="机关", code="R0001")
        general = make_org(root, org_type="党总支", code="G0001")
        branches = [make_org(general, org_type="党支部", code=f"B000{i}") for i in (1, 2)]
    assert_equal(today, "built")
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.get(pk=branches[1].pk).delete()
    assert_equal(today, "deleted")
    assert evaluation("", today) is not None


@pytest.mark.django_db
def test_the_next_day_every_open_row_takes_the_new_date(today, store_on):
    import datetime as dt

    root = make_org(None, org_type="党委", sector="机关", code="R0001")
    make_org(root, org_type="党支部", code="B0001")
    refresh(at=today)
    assert set(StoredFinding.objects.values_list("at", flat=True)) == {today}
    later = today + dt.timedelta(days=1)
    refresh(at=later)
    assert evaluation("", later) is not None and evaluation("", today) is None
    open_ats = StoredFinding.objects.filter(resolved_at__isnull=True).values_list("at", flat=True)
    assert set(open_ats) == {later}
    assert_equal(later, "next day")


@pytest.mark.django_db
def test_changed_rule_parameters_make_the_store_answer_no_more_until_refreshed(
    today, store_on, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        root = make_org(None, org_type="党委", sector="机关", code="R0001")
        branch = make_org(root, org_type="党支部", code="B0001")
        for _ in range(3):
            make_member(branch, member_type="正式党员")
    assert evaluation("", today) is not None
    assert not StoredFinding.objects.filter(rule="SETUP-BRANCH-MIN-FULL", org=branch).exists()
    settings.DANGJIAN_RULES = {"SETUP-BRANCH-MIN-FULL": {"min_full": 5}}
    assert evaluation("", today) is None  # the pages compute from the records meanwhile
    # a write in the tree refreshes all of it with the new parameters
    with django_capture_on_commit_callbacks(execute=True):
        make_member(branch, member_type="预备党员")
    assert evaluation("", today) is not None
    assert StoredFinding.objects.filter(
        rule="SETUP-BRANCH-MIN-FULL", org=branch, resolved_at__isnull=True
    ).exists()
    assert_equal(today, "new parameters")


def stored_rows():
    """Every stored row (open or resolved) by identity, with its content and date."""
    rows = StoredFinding.objects.select_related("org")
    return sorted(
        (
            r.rule,
            r.org.code,
            r.subject_key,
            r.period,
            r.severity,
            r.message,
            repr(sorted(r.evidence.items())),
            r.due_date,
            r.org_path,
            r.at,
            r.resolved_at is None,
        )
        for r in rows
    )


@pytest.mark.django_db
def test_plan_chunks_covers_every_organization_once(store_on):
    from dangjian.rules.store import plan_chunks

    root = make_org(None, org_type="党委", sector="机关", code="R0001")
    towns = [make_org(root, org_type="党委", code=f"T000{i}") for i in (1, 2)]
    big = [make_org(towns[0], org_type="党支部") for _ in range(3)]
    small = make_org(towns[1], org_type="党支部")
    leaf = make_org(root, org_type="党支部", code="L0001")
    roots, upper = plan_chunks("", 3)
    # the root and the first town hold more than 3; the leaves right under them go with them
    assert upper == sorted([root.path, towns[0].path, leaf.path, *(b.path for b in big)])
    assert roots == [towns[1].path]
    assert small.path.startswith(towns[1].path)
    # one a part: every leaf sits right under an organization above the parts
    everyone = sorted(Organization.objects.values_list("path", flat=True))
    assert plan_chunks("", 1) == ([], everyone)
    # a subtree within the size is one part
    assert plan_chunks(towns[0].path, 10) == ([towns[0].path], [])


@pytest.mark.django_db
def test_random_writes_keep_the_store_equal_in_tiny_chunks(
    today, tmp_path, store_on, django_capture_on_commit_callbacks, monkeypatch
):
    from dangjian.rules import store

    monkeypatch.setattr(store, "CHUNK", 2)
    test_random_writes_and_their_refreshes_keep_the_store_equal(
        today, tmp_path, store_on, django_capture_on_commit_callbacks
    )


@pytest.mark.django_db
def test_recruit_findings_come_from_the_store_only_for_the_whole_recruitment_scope(
    today, store_on, monkeypatch
):
    """A reader whose recruitment scope (查看发展党员) is narrower than its findings scope is
    answered by the check, which shows only the cases it may view; SETUP still comes from the
    store."""
    from dangjian.accounts.roles import Perm
    from dangjian.rules import store

    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    refresh(at=today)
    root = Organization.objects.get(depth=1)
    admin = make_user(root, "org_admin")
    assert store.answer(admin, rules="RECRUIT", at=today) is not None
    assert store.answer(admin, rules="SETUP", at=today) is not None
    real = store.scope_prefix

    def narrower(actor, perm):
        prefix = real(actor, perm)
        return None if perm == Perm.RECRUIT_VIEW else prefix

    monkeypatch.setattr(store, "scope_prefix", narrower)
    assert store.answer(admin, rules="RECRUIT", at=today) is None
    assert store.answer(admin, rules=["SETUP", "RECRUIT"], at=today) is None
    assert store.answer(admin, rules="SETUP", at=today) is not None


@pytest.mark.django_db
def test_a_write_below_refreshes_its_subtree_and_the_organizations_above_it_only(
    today, store_on, django_capture_on_commit_callbacks
):
    """The families that read the subtree (a 党委's members below it) are evaluated again for
    the touched branch and the organizations above it alone, with the members the last
    evaluation counted in their other subtrees: the same rows as a check of everything."""
    with django_capture_on_commit_callbacks(execute=True):
        root = make_org(None, org_type="党委", sector="机关", code="R0001")
        town_1 = make_org(root, org_type="党委", code="T0001")
        town_2 = make_org(root, org_type="党委", code="T0002")
        branches = [make_org(town, org_type="党支部") for town in (town_1, town_1, town_2)]
        for branch in branches:
            for _ in range(3):
                make_member(branch)
    refresh(at=today)  # every state with its subtree's members
    assert FindingsState.objects.get(org=root).members == 9
    assert FindingsState.objects.get(org=town_2).members == 3

    def message(org):
        row = open_rows("", rule_ids=["SETUP-GENERAL-BRANCH-SIZE"]).get(org=org)
        return row.message

    assert "党委所属党员 9 名" in message(root)
    with django_capture_on_commit_callbacks(execute=False):
        make_member(branches[0])  # its refresh is run below, by hand
    report = refresh([branches[0].pk], at=today)
    # the branch, then its town and the root on their own rolls: not the other town's subtree
    assert report.orgs == 3
    assert "党委所属党员 10 名" in message(root)
    assert "党委所属党员 7 名" in message(town_1)
    assert "党委所属党员 3 名" in message(town_2)
    assert FindingsState.objects.get(org=root).members == 10
    assert_equal(today, "after a write below")
    assert evaluation("", today) is not None

    # a subtree whose members were never counted (a state from before they were): the
    # organizations above are evaluated over the whole tree, with the same result
    FindingsState.objects.filter(org=town_2).update(members=None)
    with django_capture_on_commit_callbacks(execute=False):
        make_member(branches[1])
    report = refresh([branches[1].pk], at=today)
    assert report.orgs == Organization.objects.count()
    assert "党委所属党员 11 名" in message(root)
    assert FindingsState.objects.get(org=town_2).members == 3
    assert_equal(today, "after a fallback")


@pytest.mark.django_db
def test_the_counts_by_rule_are_rebuilt_by_the_command(today, store_on):
    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    refresh(at=today)
    kept = sorted(FindingCount.objects.values_list("org_id", "rule", "severity", "sub_findings"))
    assert kept and counts_differences() == []
    # a count gone wrong is listed by the check and mended by the rebuild
    FindingCount.objects.filter(pk=FindingCount.objects.order_by("pk")[0].pk).update(
        sub_findings=999
    )
    with pytest.raises(CommandError):
        call_command("rollups", "check")
    call_command("rollups", "rebuild")
    assert counts_differences() == []
    got = sorted(FindingCount.objects.values_list("org_id", "rule", "severity", "sub_findings"))
    assert got == kept
