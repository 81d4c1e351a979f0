"""Exports: columns, unmasked numbers with an audit entry, permissions, and the round trip."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.exchange.columns import MEMBER_COLUMNS, ORG_COLUMNS
from dangjian.exchange.exporters import export_members, export_orgs
from dangjian.exchange.importers import import_members, import_orgs
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from tests.factories import make_id_number, make_member, make_org


def _district() -> None:
    """A small district made through the services by the operator (no users, so it can be wiped)."""
    root = make_org(
        None, org_type="党委", sector="机关", code="R0001", name="区委", region_code="110105"
    )
    town = make_org(
        root, org_type="党委", sector="农村", code="T0001", founded_on=dt.date(2001, 5, 1)
    )
    general = make_org(town, org_type="党总支", sector="农村", code="G0001", term_years=3)
    joint = make_org(
        root,
        org_type="联合党支部",
        sector="非公有制企业",
        code="J0001",
        units_covered=4,
        term_started_on=dt.date(2023, 4, 1),
        secretary_vacant_since=dt.date(2025, 9, 1),
    )
    community = make_org(root, org_type="党支部", sector="社区", code="C0001")
    branches = [
        make_org(general, org_type="党支部", sector="农村", code=f"B{i:04d}") for i in range(3)
    ]
    make_org(branches[0], org_type="党小组", sector="农村", code="P0001")
    for i, branch in enumerate([*branches, joint, community]):
        make_member(
            branch,
            post="书记",
            phone="13912340000",
            name=f"书记{i}",
            id_number=make_id_number(dt.date(1970, 1, 1 + i), female=bool(i % 2)),
        )
        make_member(
            branch,
            member_type="预备党员",
            joined_on=dt.date(2025, 6, 1),
            name=f"预备{i}",
            residence_community=community,
            ethnicity="回族",
            education="本科",
            category="学生",
        )
        make_member(branch, phone="010-88886666", name=f"党员{i}")


def _wipe() -> None:
    Member.objects.all().delete()
    Organization.objects.all().delete()


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_round_trip(db, tmp_path, ext):
    _district()
    orgs1, members1 = tmp_path / f"orgs1.{ext}", tmp_path / f"members1.{ext}"
    assert export_orgs(orgs1, actor=SYSTEM) == 9
    assert export_members(members1, actor=SYSTEM) == 15
    _wipe()
    report = import_orgs(orgs1, actor=SYSTEM)
    assert report.ok and report.created == 9, report.error_lines()
    report = import_members(members1, actor=SYSTEM)
    assert report.ok and report.created == 15, report.error_lines()
    orgs2, members2 = tmp_path / f"orgs2.{ext}", tmp_path / f"members2.{ext}"
    export_orgs(orgs2, actor=SYSTEM)
    export_members(members2, actor=SYSTEM)
    if ext == "csv":
        assert orgs1.read_bytes() == orgs2.read_bytes()
        assert members1.read_bytes() == members2.read_bytes()
    else:
        for one, two in [(orgs1, orgs2), (members1, members2)]:
            assert _cells(one) == _cells(two)
    # and a re-import of the export is a no-op
    again = import_members(members2, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 15)


def _cells(path):
    workbook = load_workbook(path, read_only=True)
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def test_export_content_and_audit(tree, tmp_path):
    path = tmp_path / "m.csv"
    before = AuditEntry.objects.count()
    assert export_members(path, actor=tree["admin_a"]) == 4  # own subtree only
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == MEMBER_COLUMNS
    numbers = {r[1] for r in rows[1:]}
    assert numbers == {m.id_number() for m in tree["members_a"]}  # full, unmasked
    assert {r[10] for r in rows[1:]} == {"BA001"}
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert len(entries) == 1
    assert entries[0].action == "export" and entries[0].after["count"] == 4
    assert entries[0].after["file"] == "m.csv" and entries[0].actor_name == "admin_a"


def test_org_export_of_subtree_names_outside_parent(tree, tmp_path):
    path = tmp_path / "o.xlsx"
    assert export_orgs(path, actor=tree["admin_a"]) == 2
    cells = _cells(path)
    assert cells[0] == ORG_COLUMNS
    assert cells[1][:5] == ["TA001", "甲镇党委", "D0001", "党委", "农村"]
    assert cells[2][:3] == ["BA001", "甲村党支部", "TA001"]
    # importing one's own export back changes nothing and is allowed
    report = import_orgs(path, actor=tree["admin_a"])
    assert report.ok and report.unchanged == 2, report.error_lines()


@pytest.mark.parametrize("who", ["inspector_a", "sysadmin", "auditor"])
def test_member_export_needs_pii_permission(tree, tmp_path, who):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        export_members(tmp_path / "m.csv", actor=tree[who])
    assert not (tmp_path / "m.csv").exists()
    assert AuditEntry.objects.count() == before


def test_xlsx_row_limit_is_a_clear_error(tree, tmp_path, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.test import Client
    from django.urls import reverse

    from dangjian.exchange import exporters
    from tests.factories import PASSWORD

    monkeypatch.setattr(exporters, "XLSX_MAX_ROWS", 3)
    before = AuditEntry.objects.count()
    with pytest.raises(exporters.ExportError, match="超过 Excel 单个工作表的上限 3 行"):
        export_members(tmp_path / "m.xlsx", actor=SYSTEM)
    assert export_members(tmp_path / "m.csv", actor=SYSTEM) == 6  # csv has no such limit
    with pytest.raises(CommandError, match=r"请导出为 \.csv"):
        call_command("export_data", "orgs", str(tmp_path / "o.xlsx"))
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    response = client.post(reverse("exchange:export", args=["members", "xlsx"]))
    assert response.status_code == 400 and "请导出为 .csv" in response.content.decode()
    assert AuditEntry.objects.count() == before + 1  # only the csv export happened
