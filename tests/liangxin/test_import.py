from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.liangxin.imports import COLUMNS, import_units
from dangjian.liangxin.models import Unit
from dangjian.liangxin.uscc import numbered_uscc

HEADER = list(COLUMNS)


def row(town_code, n, **extra):
    values = {
        "单位名称": f"导入公司{n}",
        "统一社会信用代码": numbered_uscc(10_000 + n, "330102"),
        "单位类型": "非公企业",
        "所属行业": "制造业",
        "规模": "小型",
        "地址": "",
        "行政区划代码": "330102",
        "管理党组织编码": town_code,
        "党组织建立方式": "未组建",
        "所在党组织编码": "",
        "从业人员数": 20,
        "党员数": 1,
    }
    values.update(extra)
    return [values[c] for c in HEADER]


def csv_file(rows, name="名录.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    data.name = name
    return data


def xlsx_file(rows, name="名录.xlsx"):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = name
    return data


def test_ten_thousand_rows_xlsx(register):
    code = register.town_a.code
    rows = [row(code, n) for n in range(10_000)]
    before = Unit.objects.count()
    report = import_units(xlsx_file(rows), actor=SYSTEM)
    assert report.ok, report.error_lines()[:5]
    assert (report.rows, report.created) == (10_000, 10_000)
    assert Unit.objects.count() == before + 10_000
    assert AuditEntry.objects.filter(action="liangxin.import").count() == 1


def test_one_bad_row_writes_nothing(register):
    code = register.town_a.code
    rows = [row(code, n) for n in range(10_000)]
    rows[9_000][HEADER.index("统一社会信用代码")] = "91330102000000005N"
    rows[5][HEADER.index("从业人员数")] = "很多"
    before = Unit.objects.count()
    report = import_units(csv_file(rows), actor=SYSTEM)
    assert not report.ok
    lines = report.error_lines()
    assert any("第7行" in line and "从业人员数" in line for line in lines)
    assert any("第9002行" in line and "校验位不正确" in line for line in lines)
    assert Unit.objects.count() == before


def test_duplicates_in_file_and_register(register):
    code = register.town_a.code
    rows = [row(code, n) for n in range(5)]
    # the same code, written differently, on rows 2 and 5; row 4 an already registered code
    rows[3][HEADER.index("统一社会信用代码")] = " " + rows[0][1].lower()
    rows[2][HEADER.index("统一社会信用代码")] = register.units["甲公司"].uscc
    report = import_units(csv_file(rows), actor=SYSTEM)
    lines = report.error_lines()
    assert any("第5行" in line and "与第2行的统一社会信用代码重复" in line for line in lines)
    assert len(lines) == 1  # row 4 would update 甲公司: not a problem, but nothing is written
    assert not Unit.objects.filter(name__startswith="导入公司").exists()
    assert Unit.objects.filter(name="甲公司").exists()


def test_the_register_sent_again_updates_its_units(register):
    """The yearly register again: a changed row updates its unit, an equal one changes nothing,
    a new code is registered; one audit entry names the codes changed."""
    code = register.town_a.code
    first = import_units(csv_file([row(code, n) for n in range(3)]), actor=SYSTEM)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    changed = row(
        code,
        1,
        从业人员数=35,
        党员数=4,
        党组织建立方式="单独组建",
        所在党组织编码=register.own_a.code,
    )
    again = [row(code, 0), changed, row(code, 2, 单位名称="导入公司二厂"), row(code, 3)]
    dry = import_units(csv_file(again), actor=SYSTEM, dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (1, 2, 1)
    assert Unit.objects.get(name="导入公司1").employees == 20  # a dry run writes nothing
    report = import_units(csv_file(again), actor=register.town_a_admin)
    assert report.ok, report.error_lines()
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 1, 2, 1)
    assert "新增 1，更新 2，未变 1" in report.summary()
    unit = Unit.objects.get(uscc=numbered_uscc(10_001, "330102"))
    assert (unit.employees, unit.members, unit.org_mode) == (35, 4, "单独组建")
    assert unit.party_org == register.own_a
    assert Unit.objects.filter(name="导入公司二厂").count() == 1
    assert not Unit.objects.filter(name="导入公司2").exists()
    entry = AuditEntry.objects.filter(action="liangxin.import").latest("seq")
    assert entry.after["import_updated"] == 2
    assert entry.after["import_updated_codes"] == sorted(
        numbered_uscc(10_000 + n, "330102") for n in (1, 2)
    )


def test_a_code_registered_outside_the_scope_is_refused_without_its_name(register):
    ji = register.units["己公司"]  # managed by town B
    rows = [row(register.town_a.code, 1, 统一社会信用代码=ji.uscc)]
    report = import_units(csv_file(rows), actor=register.town_a_admin)
    [line] = report.error_lines()
    assert "第2行" in line and "管辖范围以外" in line and "己公司" not in line
    assert Unit.objects.get(pk=ji.pk).org == register.town_b


def test_unknown_org_and_scope(register):
    rows = [row("NOPE", 1), row(register.town_b.code, 2)]
    report = import_units(csv_file(rows), actor=register.town_a_admin)
    lines = report.error_lines()
    assert any("第2行" in line and "没有这个编码的党组织" in line for line in lines)
    assert any("第3行" in line and "管辖范围" in line for line in lines)


def test_dry_run_and_bad_files(register):
    report = import_units(csv_file([row(register.town_a.code, 1)]), actor=SYSTEM, dry_run=True)
    assert report.ok and report.created == 1 and not Unit.objects.filter(name="导入公司1").exists()
    bad = io.BytesIO(b"\xff\xfe garbage")
    bad.name = "x.csv"
    assert not import_units(bad, actor=SYSTEM).ok
    other = io.BytesIO(b"a,b\n1,2\n")
    other.name = "x.txt"
    assert "不支持的文件类型" in import_units(other, actor=SYSTEM).error_lines()[0]


def test_needs_the_right(register):
    with pytest.raises(PermissionDenied):
        import_units(csv_file([row(register.town_a.code, 1)]), actor=register.inspector)


def test_random_codes_are_deduplicated(register):
    rng = random.Random(3)
    code = register.town_a.code
    numbers = [rng.randrange(200) for _ in range(50)]
    rows = [row(code, n) for n in numbers]
    report = import_units(csv_file(rows), actor=SYSTEM)
    assert len(report.errors) == len(numbers) - len(set(numbers))
