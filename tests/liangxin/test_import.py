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
    assert any("第4行" in line and "已登记（甲公司）" in line for line in lines)
    assert not Unit.objects.filter(name__startswith="导入公司").exists()


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
