"""Bulk path allocation and tree repair (dangjian.core.tree, tree_repair command)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from treebeard.exceptions import PathOverflow

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.core.tree import TreeBuilder, step_key, step_position, tree_problems, tree_repair
from dangjian.orgs.models import Organization
from tests.factories import make_org


def _org(code: str, org_type: str = "党支部") -> Organization:
    return Organization(code=code, name=f"组织{code}", org_type=org_type, sector="社区")


def test_step_keys_follow_treebeard_alphabet():
    assert step_key(Organization, 1) == "0001"
    assert step_key(Organization, 10) == "000A"
    assert step_key(Organization, 36) == "0010"
    assert step_position(Organization, "0010") == 36
    # same encoding as treebeard's own path builder
    assert Organization._get_path("", 1, 1295) == step_key(Organization, 1295)
    assert step_key(Organization, 36**4 - 1) == "ZZZZ"
    with pytest.raises(PathOverflow):
        step_key(Organization, 36**4)


def test_builder_appends_after_existing_children_and_keeps_counts(tree):
    town_a = Organization.objects.get(code="TA001")
    before_children = town_a.numchild
    builder: TreeBuilder[Organization] = TreeBuilder(Organization)
    new_branches = [builder.add(_org(f"NB{i:03d}"), town_a) for i in range(40)]
    general = builder.add(_org("NG001", "党总支"), town_a)
    subs = [builder.add(_org(f"NS{i:03d}"), general) for i in range(3)]
    new_root = builder.add(_org("NR001", "党委"), None)
    with CaptureQueriesContext(connection) as ctx:
        builder.flush(batch_size=10)
    # 45 rows in batches of 10 plus one numchild update, not a query per node
    assert len(ctx.captured_queries) <= 10
    assert tree_problems(Organization).ok

    town_a.refresh_from_db()
    assert town_a.numchild == before_children + 41
    assert Organization.objects.get(code="NG001").numchild == 3
    # paths continue after the existing child BA001, in insertion order
    ba = Organization.objects.get(code="BA001")
    assert new_branches[0].path == town_a.path + step_key(
        Organization, step_position(Organization, ba.path[-4:]) + 1
    )
    assert [s.path[:-4] for s in subs] == [general.path] * 3
    assert new_root.depth == 1 and new_root.path > Organization.objects.get(code="D0001").path
    # treebeard's node API keeps working on top of bulk-made nodes
    later = make_org(town_a, code="LATER1")
    assert later.path == town_a.path + step_key(Organization, before_children + 42)
    later_sub = make_org(Organization.objects.get(code="NG001"), code="LATER2")
    assert later_sub.path == general.path + "0004"
    assert tree_problems(Organization).ok


def test_builder_second_flush_bumps_parents_written_by_the_first(db):
    builder: TreeBuilder[Organization] = TreeBuilder(Organization)
    root = builder.add(_org("R1", "党委"), None)
    builder.flush()
    builder.add(_org("C1"), root)
    builder.add(_org("C2"), root)
    builder.flush()
    assert Organization.objects.get(code="R1").numchild == 2
    assert tree_problems(Organization).ok
    assert builder.created == 3


def test_problems_found_and_repaired_with_audit(tree):
    Organization.objects.filter(code="TA001").update(numchild=9)
    Organization.objects.filter(code="BB001").update(depth=7)
    found = tree_problems(Organization)
    assert [p for _, p in found.wrong_numchild] == [Organization.objects.get(code="TA001").path]
    assert len(found.wrong_depth) == 1 and not found.ok
    audit_before = AuditEntry.objects.count()

    before, after = tree_repair(Organization, actor=SYSTEM, fix=True)
    assert before.counts()["wrong_numchild"] == 1 and after.ok
    assert Organization.objects.get(code="TA001").numchild == 1
    assert Organization.objects.get(code="BB001").depth == 3
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audit_before + 1
    assert entry.action == "tree.repair"
    assert entry.before["counts"]["wrong_depth"] == 1
    assert entry.after["counts"]["wrong_depth"] == 0


def test_report_only_changes_nothing_and_orphans_are_not_guessed(tree):
    Organization.objects.filter(code="TA001").update(numchild=5)
    audit_before = AuditEntry.objects.count()
    before, after = tree_repair(Organization, actor=SYSTEM, fix=False)
    assert before is after and not before.ok
    assert Organization.objects.get(code="TA001").numchild == 5
    assert AuditEntry.objects.count() == audit_before

    # an orphan (its parent path does not exist) is reported and left alone
    Organization.objects.filter(code="BB001").update(path="0009ZZZZ", depth=2)
    found = tree_problems(Organization)
    assert [p for _, p in found.orphans] == ["0009ZZZZ"]


def test_command_reports_fixes_and_exit_status(tree):
    out = StringIO()
    call_command("tree_repair", stdout=out)
    assert "组织树结构一致" in out.getvalue()

    Organization.objects.filter(code="TB001").update(numchild=0)
    out = StringIO()
    with pytest.raises(CommandError, match="--fix"):
        call_command("tree_repair", stdout=out)
    assert "下级数（numchild）与实际不符：1 个" in out.getvalue()

    out = StringIO()
    call_command("tree_repair", "--fix", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] and report["repaired"]
    assert report["before"]["counts"]["wrong_numchild"] == 1
    assert Organization.objects.get(code="TB001").numchild == 1

    Organization.objects.filter(code="BB001").update(path="00AB")  # a root with depth 3
    Organization.objects.filter(code="BA001").update(path="0001A")
    with pytest.raises(CommandError, match="人工处理"):
        call_command("tree_repair", "--fix", stdout=StringIO())
