"""Organization import: happy path, idempotence, bulk paths, every kind of bad input, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.core.tree import tree_problems
from dangjian.exchange import orgs_import
from dangjian.exchange.columns import ORG_COLUMNS
from dangjian.exchange.importers import import_orgs
from dangjian.orgs.models import Organization

from .helpers import counts, errors_of, org_row, orgs_file, write_csv, write_xlsx


def _tree_ok() -> None:
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert tree_problems(Organization).ok


def test_creates_nested_orgs_and_audits_each(tree, tmp_path):
    rows = [
        org_row("NC001", "TA001", "党总支", "农村", 成立日期="2019/03/01"),
        org_row("NB001", "NC001", "党支部", "农村", 本届任期开始日期="2022.06.30", 任期年限=5),
        org_row("NG001", "NB001", "党小组", "农村"),
        org_row("NB002", "BA001", "党小组", "农村", 书记空缺起始日期="2025年1月5日"),
    ]
    before_audit = AuditEntry.objects.count()
    report = import_orgs(orgs_file(tmp_path / "orgs.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    nb = Organization.objects.get(code="NB001")
    assert Organization.objects.get_parent(nb).code == "NC001"
    assert nb.term_started_on == dt.date(2022, 6, 30) and nb.term_years == 5
    assert Organization.objects.get(code="NC001").founded_on == dt.date(2019, 3, 1)
    assert Organization.objects.get(code="NB002").secretary_vacant_since == dt.date(2025, 1, 5)
    _tree_ok()
    entries = list(AuditEntry.objects.filter(seq__gt=before_audit).order_by("seq"))
    assert [e.action for e in entries] == ["org.create"] * 4
    assert entries[0].object_id == "NC001" and entries[0].after["parent"] == "TA001"
    assert entries[1].scope_path == nb.path


def test_second_import_changes_nothing(tree, tmp_path):
    rows = [
        org_row("NC001", "TA001", "党总支", "农村"),
        org_row("NB001", "NC001", "党支部", "农村"),
    ]
    path = orgs_file(tmp_path / "orgs.xlsx", rows)
    assert import_orgs(path, actor=SYSTEM).created == 2
    state = counts()
    again = import_orgs(path, actor=SYSTEM)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts() == state


def test_changed_row_is_updated_with_before_and_after(tree, tmp_path):
    rows = [org_row("BA001", "TA001", "党支部", "农村", name="甲村第一党支部", 覆盖单位数=2)]
    report = import_orgs(orgs_file(tmp_path / "o.csv", rows), actor=SYSTEM)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "org.update"
    assert entry.before["name"] == "甲村党支部" and entry.after["name"] == "甲村第一党支部"
    assert Organization.objects.get(code="BA001").units_covered == 2


def test_move_under_another_committee(tree, tmp_path):
    rows = [org_row("BA001", "TB001", "党支部", "农村", name="甲村党支部")]
    report = import_orgs(orgs_file(tmp_path / "o.csv", rows), actor=SYSTEM)
    assert report.ok and report.updated == 1
    moved = Organization.objects.get(code="BA001")
    assert moved.path.startswith(tree["town_b"].path)
    assert AuditEntry.objects.order_by("-seq").first().action == "org.move"
    _tree_ok()


def test_bulk_path_allocation_matches_treebeard(tree, tmp_path, monkeypatch):
    monkeypatch.setattr(orgs_import, "TREEBEARD_MAX", 0)
    rows = [org_row("ROOT2", None, "党委", "机关")]
    for i in range(40):  # children listed before their parent on purpose
        rows.append(org_row(f"B{i:03d}", f"C{i % 4}", "党支部", "社区"))
    rows += [org_row(f"C{i}", "ROOT2", "党委", "社区") for i in range(4)]
    rows += [org_row(f"X{i}", "TA001", "党支部", "农村") for i in range(3)]
    report = import_orgs(orgs_file(tmp_path / "o.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert report.created == len(rows)
    _tree_ok()
    ta = Organization.objects.get(code="TA001")
    assert ta.numchild == 4
    assert [c.code for c in Organization.objects.get_children(ta)] == ["BA001", "X0", "X1", "X2"]
    c0 = Organization.objects.get(code="C0")
    assert c0.numchild == 10 and Organization.objects.get_parent(c0).code == "ROOT2"
    # treebeard keeps working on top of the allocated paths
    Organization.objects.add_child(
        c0, {"code": "LATE1", "name": "后加", "org_type": "党支部", "sector": "社区"}
    )
    _tree_ok()


def _reject(tmp_path, rows, actor=SYSTEM, name="o.csv"):
    state = counts()
    report = import_orgs(orgs_file(tmp_path / name, rows), actor=actor)
    assert not report.ok
    assert report.created == report.updated == 0
    assert counts() == state, "a rejected import must write nothing"
    return errors_of(report)


def test_duplicate_codes_in_file(tree, tmp_path):
    rows = [org_row("N1", "TA001"), org_row("N2", "TA001"), org_row("N1", "TB001")]
    assert _reject(tmp_path, rows) == [(4, "组织编码", "组织编码与第2行重复")]


def test_bad_values_are_reported_per_cell(tree, tmp_path):
    rows = [
        org_row("N1", "TA001", 成立日期="2020-13-01"),
        org_row("N-2", "TA001"),
        org_row("N3", "TA001", "党部"),
        org_row("N4", "TA001", sector="农业"),
        org_row("N5", "TA001", 任期年限="三年"),
        org_row("N6", "TA001", 行政区划代码="1101"),
        org_row("N7", "TA001", 成立日期="2020-1"),
        org_row("N8", "TA001", name=""),
        org_row("N9", "TA001", 覆盖单位数="9999999999"),
    ]
    errors = _reject(tmp_path, rows)
    assert (2, "成立日期", "日期“2020-13-01”不存在") in errors
    assert (3, "组织编码", "组织编码只能由字母和数字组成，最长 32 位") in errors
    assert any(r == 4 and c == "组织类别" and "“党部”无效" in m for r, c, m in errors)
    assert any(r == 5 and c == "所属领域" and "“农业”无效" in m for r, c, m in errors)
    assert (6, "任期年限", "“三年”不是整数") in errors
    assert (7, "行政区划代码", "行政区划代码应为 6 位或 12 位数字") in errors
    assert (8, "成立日期", "日期“2020-1”格式错误，应为 YYYY-MM-DD") in errors
    assert (9, "组织名称", "组织名称不能为空") in errors
    assert (10, "覆盖单位数", "覆盖单位数过大（最多 100000）") in errors


def test_unknown_parent(tree, tmp_path):
    errors = _reject(tmp_path, [org_row("N1", "NOPE1")])
    assert errors == [(2, "上级组织编码", "上级组织编码“NOPE1”在文件和数据库中不存在")]


def test_type_nesting(tree, tmp_path):
    rows = [org_row("N1", "BA001", "党支部"), org_row("N2", "TA001", "党小组")]
    errors = _reject(tmp_path, rows)
    assert errors == [
        (2, "组织类别", "党支部之下只能设党小组（上级组织 BA001 是党支部）"),
        (
            3,
            "组织类别",
            "党小组只能设在党支部（联合党支部、临时党支部）之下（上级组织 TA001 是党委）",
        ),
    ]


def test_cycle_inside_the_file(tree, tmp_path):
    rows = [
        org_row("K1", "K3", "党委"),
        org_row("K2", "K1", "党委"),
        org_row("K3", "K2", "党委"),
        org_row("K4", "K4", "党委"),
    ]
    errors = _reject(tmp_path, rows)
    assert (2, "上级组织编码", "上级组织关系形成循环：K1 → K3 → K2 → K1") in errors
    assert any(r == 3 and "循环" in m for r, _, m in errors)
    assert any(r == 4 and "循环" in m for r, _, m in errors)
    assert (5, "上级组织编码", "上级组织不能是组织自身（会形成循环）") in errors


def test_existing_org_under_its_own_descendant(tree, tmp_path):
    rows = [org_row("TA001", "BA001", "党委", "农村", name="甲镇党委")]
    errors = _reject(tmp_path, rows)
    assert errors[-1][:2] == (2, "上级组织编码")
    assert "不能把组织移到它自身的下级组织 BA001 之下" in errors[-1][2]


def test_existing_org_under_descendant_via_file_chain(tree, tmp_path):
    # TA001 goes under a new committee NEW1, which the file puts under BA001's group: a loop
    rows = [
        org_row("TA001", "NEW1", "党委", "农村", name="甲镇党委"),
        org_row("NEW1", "TA001", "党委"),
    ]
    errors = _reject(tmp_path, rows)
    assert {r for r, c, m in errors if c == "上级组织编码" and "循环" in m} == {2, 3}


def test_retyping_a_branch_with_members(tree, tmp_path):
    rows = [org_row("BA001", "TA001", "党总支", "农村", name="甲村党支部")]
    errors = _reject(tmp_path, rows)
    assert errors == [
        (2, "组织类别", "该组织有党员 4 名，党员只能编入党支部或联合党支部，不能改为党总支")
    ]


def test_retyping_a_branch_with_members_into_a_temporary_branch(tree, tmp_path):
    rows = [org_row("BA001", "TA001", "临时党支部", "农村", name="甲村党支部")]
    [(row, column, message)] = _reject(tmp_path, rows)
    assert (row, column) == (2, "组织类别")
    assert message.startswith("该组织有党员 4 名，不能改为临时党支部")
    assert "组织关系仍在原党支部" in message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("o.xls", b"whatever", "不支持的文件类型 .xls，请使用 .xlsx 或 .csv（UTF-8 编码）文件"),
        (
            "o.xlsx",
            b"PK\x03\x04 not really a zip",
            "文件已损坏或不是有效的 Excel (.xlsx) 文件，无法读取",
        ),
        ("o.xlsx", b"", "文件已损坏或不是有效的 Excel (.xlsx) 文件，无法读取"),
        ("o.csv", b"", "文件为空（没有表头和数据）"),
        ("o.csv", "组织编码,组织名称,组织类别,所属领域\r\n".encode(), "文件中只有表头，没有数据行"),
        (
            "o.csv",
            "组织编码,组织名称,组织类别\r\nN1,新,党支部\r\n".encode(),
            "缺少必填列：所属领域",
        ),
        (
            "o.csv",
            "组织编码,组织名称,组织类别,所属领域\r\nN1,新,党支部,社区\r\n".encode("gbk"),
            "CSV 文件不是 UTF-8 编码，请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”后再导入",
        ),
        (
            "o.csv",
            "组织编码,组织编码,组织类别,所属领域\r\nN1,新,党支部,社区\r\n".encode(),
            "表头中“组织编码”列出现了两次",
        ),
    ],
)
def test_malformed_files(tree, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    state = counts()
    report = import_orgs(path, actor=SYSTEM)
    assert errors_of(report) == [(None, "", message)]
    assert report.error_lines() == [f"{name} 整个文件 — （空） {message}"]
    assert counts() == state


def test_columns_in_any_order_bom_unknown_column_and_excel_dates(tree, tmp_path):
    header = ["所属领域", "备注", "组织名称", "组织编码", "组织类别", "上级组织编码", "成立日期"]
    csv_path = write_csv(
        tmp_path / "o.csv",
        header,
        [["社区", "x", "新支部", "N1", "党支部", "TB001", "2020年3月4日"]],
        bom=True,
    )
    report = import_orgs(csv_path, actor=SYSTEM)
    assert report.ok and report.created == 1
    assert report.warnings == ["忽略未知列“备注”"]
    xlsx = write_xlsx(
        tmp_path / "o.xlsx",
        header,
        [["社区", None, "新支部2", "N2", "党支部", "TB001", dt.datetime(2021, 5, 6)]],
    )
    assert import_orgs(xlsx, actor=SYSTEM).created == 1
    assert Organization.objects.get(code="N2").founded_on == dt.date(2021, 5, 6)
    assert Organization.objects.get(code="N1").founded_on == dt.date(2020, 3, 4)


def test_without_parent_column_existing_orgs_stay_in_place(tree, tmp_path):
    header = [c for c in ORG_COLUMNS if c != "上级组织编码"]
    path = write_csv(
        tmp_path / "o.csv", header, [["BA001", "甲村党支部（新名）", "党支部", "农村"] + [None] * 7]
    )
    report = import_orgs(path, actor=SYSTEM)
    assert report.ok and report.updated == 1
    org = Organization.objects.get(code="BA001")
    assert org.name == "甲村党支部（新名）" and Organization.objects.get_parent(org).code == "TA001"


def test_scope_committee_admin_cannot_touch_other_subtree(tree, tmp_path):
    admin_a = tree["admin_a"]
    rows = [
        org_row("N1", "TB001"),  # create under the other committee
        org_row("BB001", "TB001", "党支部", "社区", name="改名"),  # change the other subtree
        org_row("N2", None, "党委"),  # a new root
        org_row("N3", "TA001"),  # fine on its own
    ]
    errors = _reject(tmp_path, rows, actor=admin_a)
    assert errors == [
        (2, "上级组织编码", "上级组织编码“TB001”不存在或不在您的管辖范围内"),
        (3, "组织编码", "该组织编码已被您管辖范围以外的组织使用，不能导入或修改"),
        (4, "上级组织编码", "只有全部范围的管理员才能建立顶级组织，请填写上级组织编码"),
    ]
    report = import_orgs(orgs_file(tmp_path / "ok.csv", [rows[3]]), actor=admin_a)
    assert report.ok and report.created == 1


def test_actor_without_permission_is_refused(tree, tmp_path):
    path = orgs_file(tmp_path / "o.csv", [org_row("N1", "TA001")])
    state = counts()
    with pytest.raises(PermissionDenied):
        import_orgs(path, actor=tree["inspector_a"])
    assert counts() == state


def test_dry_run_counts_but_writes_nothing(tree, tmp_path):
    rows = [org_row("N1", "TA001"), org_row("BA001", "TA001", "党支部", "农村", name="新名")]
    state = counts()
    report = import_orgs(orgs_file(tmp_path / "o.csv", rows), actor=SYSTEM, dry_run=True)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert counts() == state


def test_zip_that_is_not_a_workbook(tree, tmp_path):
    import zipfile

    path = tmp_path / "o.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "不是工作簿")
    report = import_orgs(path, actor=SYSTEM)
    assert errors_of(report) == [(None, "", "文件已损坏或不是有效的 Excel (.xlsx) 文件，无法读取")]


def test_title_row_before_the_header(tree, tmp_path):
    rows = [["党组织名册", None, None, None], list(ORG_COLUMNS[:4])]
    path = write_xlsx(tmp_path / "o.xlsx", ["党组织名册"], rows[1:])
    report = import_orgs(path, actor=SYSTEM)
    assert len(report.errors) == 1 and report.errors[0].row is None
    assert report.errors[0].message.startswith("第 1 行应为表头（列名），但其中没有任何可识别的列")


def test_row_numbers_count_blank_rows_like_excel(tree, tmp_path):
    header = ORG_COLUMNS
    good = [org_row("N1", "TA001").get(c) for c in header]
    bad = [org_row("N-2", "TA001").get(c) for c in header]
    path = write_xlsx(tmp_path / "o.xlsx", header, [good, [None] * len(header), [], bad])
    state = counts()
    report = import_orgs(path, actor=SYSTEM)
    assert errors_of(report) == [(5, "组织编码", "组织编码只能由字母和数字组成，最长 32 位")]
    assert counts() == state


def test_unknown_columns_warn_once(tree, tmp_path):
    header = [*ORG_COLUMNS[:5], "备注", "备注"]
    path = write_csv(
        tmp_path / "o.csv", header, [["N1", "新", "TA001", "党支部", "农村", "a", "b"]]
    )
    report = import_orgs(path, actor=SYSTEM)
    assert report.ok and report.warnings == ["忽略未知列“备注”"]


def test_absent_columns_keep_values_but_empty_cells_clear_them(tree, tmp_path):
    import_orgs(
        orgs_file(
            tmp_path / "full.csv",
            [
                org_row(
                    "BA001",
                    "TA001",
                    "党支部",
                    "农村",
                    name="甲村党支部",
                    成立日期="2001-02-03",
                    覆盖单位数=3,
                )
            ],
        ),
        actor=SYSTEM,
    )
    header = ["组织编码", "组织名称", "组织类别", "所属领域"]
    path = write_csv(
        tmp_path / "short.csv", header, [["BA001", "甲村党支部（改）", "党支部", "农村"]]
    )
    report = import_orgs(path, actor=SYSTEM)
    assert report.ok and report.updated == 1
    org = Organization.objects.get(code="BA001")
    assert org.name == "甲村党支部（改）"
    assert org.founded_on == dt.date(2001, 2, 3) and org.units_covered == 3
    assert Organization.objects.get_parent(org).code == "TA001"
    cleared = write_csv(
        tmp_path / "clear.csv",
        [*header, "成立日期"],
        [["BA001", "甲村党支部（改）", "党支部", "农村", ""]],
    )
    assert import_orgs(cleared, actor=SYSTEM).updated == 1
    org.refresh_from_db()
    assert org.founded_on is None and org.units_covered == 3


def test_retyping_a_committee_that_has_branches(tree, tmp_path):
    rows = [org_row("TA001", "D0001", "党支部", "农村", name="甲镇党委")]
    errors = _reject(tmp_path, rows)
    assert errors == [(2, "组织类别", "下级组织 BA001：党支部之下只能设党小组")]
