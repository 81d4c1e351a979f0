"""The 台账: page by month, .xlsx export (command and page), names only with member access."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.life.ledger import export_ledger, ledger_build
from tests.factories import make_org
from tests.life.helpers import attend, meet


@pytest.fixture
def year_of_records(tree):
    group = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    a = meet(tree["branch_a"], "支部党员大会", dt.date(2025, 3, 31), minutes="会议记录正文")
    attend(a, tree["members_a"][0], False, "因病")
    attend(a, tree["members_a"][1], True)
    meet(
        tree["branch_a"], "主题党日", dt.date(2025, 3, 5), entered_on=dt.date(2025, 5, 1), late=True
    )
    meet(group, "党小组会", dt.date(2025, 7, 1))
    meet(tree["branch_a"], "支委会", dt.date(2024, 12, 31))  # another year
    meet(tree["branch_b"], "支委会", dt.date(2025, 3, 1))  # another branch
    return a


@pytest.mark.django_db
def test_ledger_build(tree, year_of_records):
    ledger = ledger_build(tree["secretary_a"], "BA001", 2025)
    assert ledger.total == 3
    assert [r.meeting.meeting_type for r in ledger.months[3]] == ["主题党日", "支部党员大会"]
    assert ledger.months[3][1].absent == f"{tree['members_a'][0].name}（因病）"
    assert [r.meeting.org.code for r in ledger.months[7]] == ["GA001"]
    table = {kind: total for kind, _m, total in ledger.count_table()}
    assert table["支部党员大会"] == 1 and table["支委会"] == 0
    assert any(
        f.rule == "LIFE-THEME-DAY-MONTHLY" and f.period == "2025-01" for f in ledger.findings
    )
    # the system administrator sees no record of organizational life: minutes name members
    with pytest.raises(PermissionDenied):
        ledger_build(tree["sysadmin"], "BA001", 2025)


@pytest.mark.django_db
def test_export_xlsx(tree, year_of_records, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export_ledger(path, actor=SYSTEM, code="BA001", year=2025)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["台账", "统计", "检查"]
    values = [c for row in book["台账"].iter_rows(values_only=True) for c in row if c]
    assert "甲村党支部 2025 年组织生活台账" in values
    assert "2025年3月（2 条）" in values and "会议记录正文" in values
    assert "2025年12月（0 条）" in values
    stats = {row[0]: row[-1] for row in book["统计"].iter_rows(min_row=2, values_only=True)}
    assert stats["主题党日"] == 1 and stats["党小组会"] == 1
    entry = AuditEntry.objects.get(action="life.ledger.export")
    assert entry.after == {"year": 2025, "records": 3, "names": True, "format": "xlsx"}


@pytest.mark.django_db
def test_export_docx(tree, year_of_records, tmp_path):
    import zipfile
    from xml.dom import minidom

    path = tmp_path / "ledger.docx"
    export_ledger(path, actor=SYSTEM, code="BA001", year=2025)
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == {
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
        }
        for name in archive.namelist():
            minidom.parseString(archive.read(name))  # noqa: S318  (our own file: well-formed?)
        text = archive.read("word/document.xml").decode("utf-8")
    assert "甲村党支部 2025 年组织生活台账" in text
    assert "2025年3月（2 条）" in text and "会议记录正文" in text
    assert f"{tree['members_a'][0].name}（因病）" in text
    assert 'w:eastAsia="宋体"' in text


@pytest.mark.django_db
def test_export_pdf_from_the_records(tree, year_of_records, tmp_path):
    from tests.core.test_pdf import page_count, shown_text

    path = tmp_path / "ledger.pdf"
    export_ledger(path, actor=tree["secretary_a"], code="BA001", year=2025)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and page_count(data) >= 1
    text = shown_text(data)
    assert "甲村党支部 2025 年组织生活台账" in text
    assert "2025年3月（2 条）" in text and "会议记录正文" in text
    assert "2025年12月（0 条）" in text and "本月无记录" in text
    assert f"{tree['members_a'][0].name}（因病）" in text
    assert "主题党日" in text and "党小组会" in text
    assert "2024-12-31" not in text  # another year
    entry = AuditEntry.objects.get(action="life.ledger.export")
    assert entry.after == {"year": 2025, "records": 3, "names": True, "format": "pdf"}
    # no member access (the 系统管理员): no ledger at all, nothing written or audited
    path.unlink()
    with pytest.raises(PermissionDenied):
        export_ledger(path, actor=tree["sysadmin"], code="BA001", year=2025)
    assert not path.exists()
    assert AuditEntry.objects.filter(action="life.ledger.export").count() == 1


@pytest.mark.django_db
def test_export_pdf_outside_scope_writes_nothing(tree, year_of_records, tmp_path):
    path = tmp_path / "ledger.pdf"
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        export_ledger(path, actor=tree["admin_b"], code="BA001", year=2025)
    assert not path.exists() and AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_export_command(tree, year_of_records, tmp_path, capsys):
    path = tmp_path / "l.xlsx"
    call_command("export_ledger", "--org", "BA001", "--year", "2025", str(path))
    assert "（3 条记录）" in capsys.readouterr().out and path.exists()
    with pytest.raises(CommandError, match=r"只能导出为 \.xlsx、\.docx 或 \.pdf"):
        call_command("export_ledger", "--org", "BA001", "--year", "2025", str(tmp_path / "l.csv"))
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_ledger", "--org", "NOPE", "--year", "2025", str(path))


@pytest.mark.django_db
def test_ledger_page_and_download(tree, year_of_records):
    client = Client()
    client.force_login(tree["secretary_a"])
    html = client.get("/life/orgs/BA001/ledger/?year=2025").content.decode()
    assert "2025年3月（2 条）" in html and "因病" in html
    assert client.get("/life/orgs/BA001/ledger/?year=x").status_code == 400
    assert client.get("/life/orgs/BA001/ledger.xlsx?year=2025").status_code == 405
    response = client.post("/life/orgs/BA001/ledger.xlsx?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "ledger-BA001-2025.xlsx" in response["Content-Disposition"]
    response = client.post("/life/orgs/BA001/ledger.docx?year=2025")
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    response = client.post("/life/orgs/BA001/ledger.pdf?year=2025")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response.content.startswith(b"%PDF-")
        and "ledger-BA001-2025.pdf" in (response["Content-Disposition"])
    )
    assert client.get("/life/orgs/BA001/ledger.pdf?year=2025").status_code == 405
    assert client.post("/life/orgs/BA001/ledger.odt?year=2025").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("admin_b", 404), ("auditor", 403), ("secadmin", 403), ("inspector_a", 200)]
)
def test_ledger_matrix(tree, year_of_records, user, code):
    client = Client()
    client.force_login(tree[user])
    before = AuditEntry.objects.count()
    assert client.get("/life/orgs/BA001/ledger/?year=2025").status_code == code
    assert client.post("/life/orgs/BA001/ledger.xlsx?year=2025").status_code == code
    response = client.post("/life/orgs/BA001/ledger.pdf?year=2025")
    assert response.status_code == code
    if code != 200:
        assert not response.content.startswith(b"%PDF")
    assert AuditEntry.objects.count() == before + (2 if code == 200 else 0)


@pytest.mark.django_db
def test_dangjian_export_ledger(tree, year_of_records, tmp_path, capsys):
    path = tmp_path / "台账.docx"
    call_command("export_data", "ledger", str(path), "--org", "BA001", "--year", "2025")
    assert path.exists() and "（3 条记录）" in capsys.readouterr().out
    pdf_path = tmp_path / "台账.pdf"
    call_command("export_data", "ledger", str(pdf_path), "--org", "BA001", "--year", "2025")
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(CommandError, match="--org"):
        call_command("export_data", "ledger", str(path))
