"""同时计为, 所属年度 and approved leave through the API, the import and the ledger exports."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.life.importers import COLUMNS, import_meetings
from dangjian.life.ledger import export_ledger
from dangjian.life.models import Meeting
from tests.life.helpers import attend, meet

pytestmark = pytest.mark.django_db
URL = "/api/v1/meetings/"
D = dt.date


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.today("2027-01-20T09:00")
def test_api_records_types_year_and_leave(tree, api):
    a, b = tree["members_a"][:2]
    body = {
        "org": "BA001",
        "meeting_type": "组织生活会",
        "also_counts_as": ["民主评议党员"],
        "held_on": "2027-01-15",
        "year": 2026,
        "topic": "2026年度组织生活会",
        "attendance": [
            {"member": a.pk, "present": True},
            {"member": b.pk, "present": False, "reason": "请假（已批准）", "note": "外出务工"},
        ],
    }
    response = api("secretary_a").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["also_counts_as"] == ["民主评议党员"] and data["year"] == 2026
    assert {r["member"]: (r["reason"], r["note"]) for r in data["attendance"]}[b.pk] == (
        "请假（已批准）",
        "外出务工",
    )
    # a patch of the topic keeps the year; a patch of the year to nonsense is refused
    client = api("secretary_a")
    pk = data["id"]
    response = client.patch(f"{URL}{pk}/", {"topic": "年度组织生活会"}, format="json")
    assert response.status_code == 200 and response.json()["year"] == 2026
    response = client.patch(f"{URL}{pk}/", {"year": 2024}, format="json")
    assert response.status_code == 400
    assert "相差超过一年" in response.json()["year"][0]
    listed = client.get(f"{URL}?type=民主评议党员").json()
    assert [r["id"] for r in listed["results"]] == [pk]


@pytest.mark.today("2027-01-20T09:00")
@pytest.mark.parametrize(
    "extra,field,text",
    [
        ({"also_counts_as": ["茶话会"]}, "also_counts_as", "“茶话会”无效"),
        ({"also_counts_as": ["组织生活会"]}, "also_counts_as", "不能再选会议类型本身"),
        ({"year": 2028}, "year", "只能计入当年或上一年度"),
        (
            {"attendance": [{"member": 0, "present": False}]},
            "attendance",
            "",
        ),
    ],
)
def test_api_refuses_bad_types_and_years(tree, api, extra, field, text):
    body = {
        "org": "BA001",
        "meeting_type": "组织生活会",
        "held_on": "2027-01-15",
        "topic": "年度组织生活会",
        **extra,
    }
    response = api("secretary_a").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors and text in str(errors[field])
    assert Meeting.objects.count() == 0


def test_api_leave_without_reason_names_the_member(tree, api):
    a = tree["members_a"][0]
    body = {
        "org": "BA001",
        "meeting_type": "主题党日",
        "held_on": "2026-11-10",
        "topic": "重温入党誓词",
        "attendance": [{"member": a.pk, "present": False, "reason": "请假（已批准）"}],
    }
    response = api("secretary_a").post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["attendance"] == [f"{a.name}请假（已批准）：请填写请假事由"]


# --- import ------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, object]], header: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return path


BASE = ["组织编码", "会议类型", "日期", "主题"]


@pytest.mark.today("2027-02-10T09:00")
def test_import_with_types_and_year(tree, tmp_path):
    header = [*BASE, "同时计为", "所属年度"]
    rows = [
        {
            "组织编码": "BA001",
            "会议类型": "组织生活会",
            "日期": "2027-01-15",
            "主题": "2026年度组织生活会",
            "同时计为": "民主评议党员",
            "所属年度": 2026,
        },
        {
            "组织编码": "BA001",
            "会议类型": "支部党员大会",
            "日期": "2027-01-20",
            "主题": "学习全会精神",
            "同时计为": "主题党日、党课",
        },
    ]
    report = import_meetings(write_csv(tmp_path / "m.csv", rows, header), actor=SYSTEM)
    assert report.ok, report.error_lines()
    org_life = Meeting.objects.get(meeting_type="组织生活会")
    assert (org_life.also_counts_as, org_life.year) == ("民主评议党员", 2026)
    assembly = Meeting.objects.get(meeting_type="支部党员大会")
    assert (assembly.also_counts_as, assembly.year) == ("党课、主题党日", 2027)
    # the same meeting under another of its types, and a nonsense year: refused, nothing written
    bad = [
        {"组织编码": "BA001", "会议类型": "主题党日", "日期": "2027-01-20", "主题": "学习全会精神"},
        {
            "组织编码": "BA001",
            "会议类型": "谈心谈话",
            "日期": "2027-01-25",
            "主题": "支委谈心",
            "所属年度": 2025,
        },
        {
            "组织编码": "BA001",
            "会议类型": "支委会",
            "日期": "2027-01-26",
            "主题": "研究工作",
            "同时计为": "主题党日",
        },
    ]
    report = import_meetings(write_csv(tmp_path / "bad.csv", bad, header), actor=SYSTEM)
    assert not report.ok
    lines = "\n".join(report.error_lines())
    assert "已有同一次会议的记录" in lines and "主题党日重复计算" in lines
    assert "所属年度 2025 与会议日期 2027-01-25 相差超过一年" in lines
    assert "支委会只能单独记录" in lines
    assert Meeting.objects.count() == 2
    # a file without the columns leaves them as they are; with them, they are set
    report = import_meetings(
        write_csv(tmp_path / "plain.csv", [{**rows[0], "同时计为": "", "所属年度": ""}], BASE),
        actor=SYSTEM,
    )
    assert report.ok and report.unchanged == 1
    org_life.refresh_from_db()
    assert (org_life.also_counts_as, org_life.year) == ("民主评议党员", 2026)
    report = import_meetings(
        write_csv(tmp_path / "clear.csv", [{**rows[0], "同时计为": ""}], header), actor=SYSTEM
    )
    assert report.ok and report.updated == 1
    org_life.refresh_from_db()
    assert (org_life.also_counts_as, org_life.year) == ("", 2026)


def test_two_rows_of_the_same_meeting_in_one_file(tree, tmp_path):
    header = [*BASE, "同时计为"]
    rows = [
        {"组织编码": "BA001", "会议类型": "支部党员大会", "日期": "2026-03-10", "主题": "学习"},
        {
            "组织编码": "BA001",
            "会议类型": "主题党日",
            "日期": "2026-03-10",
            "主题": "学习",
            "同时计为": "支部党员大会",
        },
    ]
    report = import_meetings(write_csv(tmp_path / "m.csv", rows, header), actor=SYSTEM)
    assert not report.ok
    assert any("与第2行是同一次会议" in line for line in report.error_lines())


def test_import_columns_are_documented():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for column in ("同时计为", "所属年度"):
        assert column in COLUMNS and f"`{column}`" in readme


# --- ledger exports ----------------------------------------------------------------------------


@pytest.mark.today("2027-02-10T09:00")
def test_ledger_exports_name_types_years_and_findings_in_chinese(tree, tmp_path):
    a = tree["members_a"][0]
    m = meet(tree["branch_a"], "支部党员大会", D(2026, 3, 10), also_counts_as="主题党日")
    attend(m, a, False, "请假（已批准）")
    m.attendance.filter(member=a).update(note="外出务工")
    meet(tree["branch_a"], "组织生活会", D(2027, 1, 15), year=2026)
    xlsx = tmp_path / "ledger.xlsx"
    export_ledger(xlsx, actor=SYSTEM, code="BA001", year=2026)
    book = openpyxl.load_workbook(xlsx)
    rows = list(book["台账"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "日期")
    assert "同时计为" in header and "所属年度" in header
    march = next(r for r in rows if r and r[1] == "支部党员大会")
    assert march[2] == "主题党日" and march[3] == 2026
    assert f"{a.name}（请假（已批准）：外出务工）" in march
    titles = [r[0] for r in rows if r and isinstance(r[0], str)]
    assert "次年召开、计入 2026 年度的记录（1 条）" in titles
    stats = {r[0]: r for r in book["统计"].iter_rows(values_only=True) if r and r[0]}
    assert stats["主题党日"][3] == 1 and stats["主题党日"][13] == 1  # March, and the year
    assert stats["组织生活会"][13] == 1
    checks = list(book["检查"].iter_rows(values_only=True))
    assert checks[0] == ("要求", "级别", "周期", "组织", "说明", "截止", "证据")
    body = [c for r in checks[1:] for c in r if isinstance(c, str)]
    assert body and not {"error", "due", "warning"} & set(body)
    assert any(c.startswith("每月开展 1 次主题党日（LIFE-THEME-DAY-MONTHLY）") for c in body)
    assert "2026年1月" in body and "错误" in body and "甲村党支部" in body
    docx = tmp_path / "ledger.docx"
    export_ledger(docx, actor=SYSTEM, code="BA001", year=2026)
    import zipfile

    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "支部党员大会（同时计为主题党日）" in xml
    assert "组织生活会（计入2026年度）" in xml
