"""Import of meetings: all-or-nothing, per-row Chinese errors, idempotent, scoped; CLI."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.life.importers import COLUMNS, import_meetings
from dangjian.life.models import Meeting
from tests.factories import make_org

HEADER = COLUMNS


def write_csv(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def good_rows() -> list[list[object]]:
    return [
        ["BA001", "支部党员大会", "2026-01-15", "学习党章", 10, 8, "记录一", "2026-01-20"],
        ["BA001", "支委会", "2026/02/03", "研究发展党员", "", "", "", "2026-04-01"],
        ["BB001", "主题党日", "2026年3月5日", "志愿服务", "", "", "", ""],
    ]


@pytest.mark.django_db
def test_import_creates_and_is_idempotent(tree, tmp_path):
    path = write_csv(tmp_path / "meetings.csv", good_rows())
    report = import_meetings(path, actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert "会议记录导入完成" in report.summary()
    committee = Meeting.objects.get(meeting_type="支委会")
    assert committee.late and committee.entered_on == dt.date(2026, 4, 1)
    assembly = Meeting.objects.get(meeting_type="支部党员大会")
    assert (assembly.expected, assembly.present, assembly.late) == (10, 8, False)
    theme = Meeting.objects.get(meeting_type="主题党日")
    assert theme.entered_on == timezone.localdate()  # 录入日期 defaults to the import date
    assert AuditEntry.objects.filter(action="life.meeting.import").count() == 3
    late_entry = AuditEntry.objects.get(action="life.meeting.import", object_id=str(committee.pk))
    assert late_entry.after["late"] is True and late_entry.after["late_days_limit"] == 30

    again = import_meetings(path, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Meeting.objects.count() == 3

    rows = good_rows()
    rows[0][6] = "记录一（修订）"
    changed = import_meetings(write_csv(tmp_path / "m2.csv", rows), actor=SYSTEM)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Meeting.objects.get(pk=assembly.pk).minutes == "记录一（修订）"


@pytest.mark.django_db
def test_import_xlsx(tree, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["BA001", "党课", dt.date(2026, 3, 31), "党史学习", None, None, None, None])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    report = import_meetings(path, actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert Meeting.objects.get().held_on == dt.date(2026, 3, 31)


@pytest.mark.django_db
def test_bad_rows_reject_the_whole_file(tree, tmp_path):
    make_org(tree["branch_a"], org_type="党小组", code="GA001")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        *good_rows(),  # Excel rows 2-4
        ["NOPE1", "支委会", "2026-01-01", "x", "", "", "", ""],  # row 5
        ["BA001", "茶话会", "2026-01-01", "x", "", "", "", ""],  # row 6
        ["BA001", "支委会", "2026-02-30", "x", "", "", "", ""],  # row 7
        ["BA001", "支委会", future, "x", "", "", "", ""],  # row 8
        ["BA001", "党小组会", "2026-01-01", "x", "", "", "", ""],  # row 9
        ["GA001", "支委会", "2026-01-01", "x", "", "", "", ""],  # row 10
        ["BA001", "支委会", "2026-01-01", "", "", "", "", ""],  # row 11
        ["BA001", "支委会", "2026-01-01", "x", 5, 9, "", ""],  # row 12
        ["BA001", "支委会", "2026-01-01", "x", "五", "", "", ""],  # row 13
        [
            "BA001",
            "支部党员大会",
            "2026-01-15",
            "学习党章",
            "",
            "",
            "",
            "",
        ],  # row 14 duplicate of 2
        ["BA001", "支委会", "2026-03-01", "x", "", "", "", "2026-02-01"],  # row 15 entered before
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    report = import_meetings(path, actor=SYSTEM)
    assert not report.ok
    assert Meeting.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="life.").count() == 0
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e.row, []).append((e.column, e.message))
    assert by_row[5][0][0] == "组织编码" and "“NOPE1”不存在" in by_row[5][0][1]
    assert by_row[6][0][0] == "会议类型" and "茶话会" in by_row[6][0][1]
    assert by_row[7][0][0] == "日期" and "不存在" in by_row[7][0][1]
    assert by_row[8][0][0] == "日期" and "晚于今天" in by_row[8][0][1]
    assert by_row[9][0][0] == "组织编码" and "党小组会应记在党小组下" in by_row[9][0][1]
    assert by_row[10][0][0] == "组织编码" and "应由党支部" in by_row[10][0][1]
    assert by_row[11][0][0] == "主题" and "主题不能为空" in by_row[11][0][1]
    assert by_row[12][0][0] == "实到人数" and "不能多于应到人数" in by_row[12][0][1]
    assert by_row[13][0][0] == "应到人数" and "不是整数" in by_row[13][0][1]
    assert by_row[14][0][0] == "主题" and "与第2行是同一次会议" in by_row[14][0][1]
    assert by_row[15][0][0] == "录入日期" and "不能早于会议日期" in by_row[15][0][1]
    assert set(by_row) == set(range(5, 16))
    assert "未写入任何数据" in report.summary()
    assert "第5行 组织编码 “NOPE1”" in report.error_lines()[0]


@pytest.mark.django_db
def test_import_scope(tree, tmp_path):
    path = write_csv(tmp_path / "m.csv", good_rows())
    report = import_meetings(path, actor=tree["admin_a"])
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, "组织编码")]
    assert "不存在或不在您的管辖范围内" in report.errors[0].message
    assert Meeting.objects.count() == 0
    denied = import_meetings(path, actor=tree["inspector_a"])
    assert not denied.ok and "没有导入组织生活记录的权限" in denied.errors[0].message
    rows = [r for r in good_rows() if r[0] == "BA001"]
    ok = import_meetings(write_csv(tmp_path / "a.csv", rows), actor=tree["secretary_a"])
    assert ok.ok and ok.created == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content,text",
    [
        ("组织编码,会议类型,日期\nBA001,支委会,2026-01-01\n", "缺少必填列：主题"),
        ("组织编码,会议类型,日期,主题\n", "只有表头"),
    ],
)
def test_file_level_errors(tree, tmp_path, content, text):
    path = tmp_path / "m.csv"
    path.write_text(content, encoding="utf-8")
    report = import_meetings(path, actor=SYSTEM)
    assert not report.ok and text in report.errors[0].message


@pytest.mark.django_db
def test_dry_run_writes_nothing(tree, tmp_path):
    report = import_meetings(write_csv(tmp_path / "m.csv", good_rows()), actor=SYSTEM, dry_run=True)
    assert report.ok and report.created == 3
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_cli(tree, tmp_path, capsys):
    path = write_csv(tmp_path / "m.csv", good_rows())
    call_command("import_data", "meetings", str(path))
    assert "会议记录导入完成" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [["BA001", "茶话会", "2026-01-01", "x"]], HEADER[:4])
    with pytest.raises(CommandError) as exc:
        call_command("import_data", "meetings", str(bad))
    assert exc.value.returncode == 1
    assert "茶话会" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_page(tree, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    rows = [r for r in good_rows() if r[0] == "BA001"]
    path = write_csv(tmp_path / "m.csv", rows)
    client = Client()
    client.force_login(tree["secretary_a"])
    assert client.get("/life/import/").status_code == 200
    upload = SimpleUploadedFile("../会议.csv", path.read_bytes(), content_type="text/csv")
    response = client.post("/life/import/", {"file": upload})
    assert response.status_code == 200
    assert "会议记录导入完成：会议.csv 共 2 行，新增 2" in response.content.decode()
    bad = write_csv(tmp_path / "b.csv", [["BB001", "支委会", "2026-01-01", "x"]], HEADER[:4])
    upload = SimpleUploadedFile("b.csv", bad.read_bytes())
    html = client.post("/life/import/", {"file": upload}).content.decode()
    assert "不存在或不在您的管辖范围内" in html and "第2行" in html
    assert Meeting.objects.count() == 2
    upload = SimpleUploadedFile("b.txt", b"x")
    assert client.post("/life/import/", {"file": upload}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("user,code", [("inspector_a", 403), ("sysadmin", 403), (None, 302)])
def test_import_page_denied(tree, tmp_path, user, code):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    if user:
        client.force_login(tree[user])
    path = write_csv(tmp_path / "m.csv", good_rows())
    upload = SimpleUploadedFile("m.csv", path.read_bytes())
    assert client.post("/life/import/", {"file": upload}).status_code == code
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_exchange_page_points_to_the_meetings_import(tree):
    from django.test import Client

    client = Client()
    client.force_login(tree["secretary_a"])
    assert 'href="/life/import/"' in client.get("/exchange/").content.decode()
