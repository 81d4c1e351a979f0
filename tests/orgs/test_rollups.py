"""Subtree sizes (OrgCount): kept by creating, importing and moving organizations, equal to a
rebuild from the tree after any sequence of writes; ``rollups check`` and ``rebuild`` see them."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.scope import SYSTEM
from dangjian.exchange import orgs_import
from dangjian.exchange.importers import import_orgs
from dangjian.members.selectors import subtree_counts
from dangjian.orgs.models import Organization, OrgCount
from dangjian.orgs.rollups import (
    expected_org_counts,
    org_counts_differences,
    org_counts_rebuild,
)
from dangjian.orgs.services import org_move
from tests.exchange.helpers import org_row, orgs_file
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def _size(code: str) -> int:
    org = Organization.objects.get(code=code)
    return Organization.objects.filter(path__startswith=org.path).count()


def _stored(code: str) -> int:
    return OrgCount.objects.get(org__code=code).orgs


def test_create_counts_the_new_organization_in_every_row_above(tree):
    assert [_stored(c) for c in ("D0001", "TA001", "BA001")] == [5, 2, 1]
    make_org(tree["branch_a"], org_type="党小组", sector="农村", code="GA001")
    assert [_stored(c) for c in ("D0001", "TA001", "BA001", "GA001", "TB001")] == [6, 3, 2, 1, 2]
    assert org_counts_differences() == []


def test_random_creates_and_moves_equal_a_rebuild(tree):
    rng = random.Random(12)
    committees = [tree["town_a"], tree["town_b"]]
    for step in range(40):
        action = rng.random()
        if action < 0.55:
            parent = rng.choice(committees)
            kind = rng.choice(["党委", "党支部", "党支部"])
            org = make_org(parent, org_type=kind, sector="社区", code=f"R{step:04d}")
            if kind != "党支部":
                committees.append(org)
        else:
            movable = list(Organization.objects.filter(depth__gte=3, org_type="党支部"))
            if not movable:
                continue
            org = rng.choice(movable)
            target = rng.choice([c for c in committees if not c.path.startswith(org.path)])
            target.refresh_from_db()
            org_move(actor=SYSTEM, org=org, new_parent=target)
        for c in committees:
            c.refresh_from_db()
    assert org_counts_differences() == []
    for org in Organization.objects.all():
        assert subtree_counts([org])[org.pk].orgs == _size(org.code), org.code


def test_moving_a_subtree_moves_its_size(tree):
    make_org(tree["branch_a"], org_type="党小组", sector="农村", code="GA001")
    org_move(actor=SYSTEM, org=tree["branch_a"], new_parent=tree["town_b"])
    assert [_stored(c) for c in ("D0001", "TA001", "TB001", "BA001")] == [6, 1, 4, 2]
    assert org_counts_differences() == []


@pytest.mark.parametrize("bulk", [False, True])
def test_import_creates_and_moves_keep_the_sizes(tree, tmp_path, monkeypatch, bulk):
    if bulk:  # the path of large files: paths allocated in memory, rows inserted in bulk
        monkeypatch.setattr(orgs_import, "TREEBEARD_MAX", 0)
    rows = [
        org_row("NC001", "TA001", "党总支", "农村"),
        org_row("NB001", "NC001", "党支部", "农村"),
        org_row("NG001", "NB001", "党小组", "农村"),
        # an existing branch moves under the new 党总支
        org_row("BB001", "NC001", "党支部", "社区", name="乙社区党支部"),
    ]
    report = import_orgs(orgs_file(tmp_path / "orgs.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert _stored("NC001") == 4 and _stored("TA001") == 6 and _stored("TB001") == 1
    assert _stored("D0001") == 8
    assert org_counts_differences() == []


def test_rebuild_repairs_a_subtree_and_the_rows_above(tree):
    from django.db.models import F

    # six organizations counted under the branch that are not there (up the whole path)
    OrgCount.objects.filter(org__code__in=["BA001", "TA001", "D0001"]).update(orgs=F("orgs") + 6)
    found = [str(d) for d in org_counts_differences()]
    assert "甲村党支部（BA001）：本组织及下级组织数 汇总为 7，按组织体系应为 1" in found
    assert "甲镇党委（TA001）：本组织及下级组织数 汇总为 8，按组织体系应为 2" in found
    assert len(found) == 3
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rollups", "check", stdout=out)
    assert "本组织及下级组织数" in out.getvalue()
    assert org_counts_rebuild(tree["town_a"]) == 2
    assert org_counts_differences() == []
    assert expected_org_counts() == {(o.pk,): {"orgs": _size(o.code)} for o in
        Organization.objects.all()}  # fmt: skip
    OrgCount.objects.all().delete()
    call_command("rollups", "rebuild", stdout=StringIO())
    assert org_counts_differences() == [] and OrgCount.objects.count() == 5
