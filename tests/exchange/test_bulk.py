"""Bulk behaviour: no per-row queries, Excel cells of every kind, many rows at once."""

from __future__ import annotations

import datetime as dt

from dangjian.accounts.scope import SYSTEM
from dangjian.core.tree import tree_problems
from dangjian.exchange.columns import MEMBER_COLUMNS
from dangjian.exchange.importers import import_members, import_orgs
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from tests.factories import make_id_number

from .helpers import member_row, members_file, org_row, orgs_file, write_xlsx


def test_member_import_query_count_does_not_grow_with_rows(
    tree, tmp_path, django_assert_max_num_queries
):
    rows = [
        member_row(
            "BA001" if i % 2 else "BB001",
            name=f"党员{i}",
            born=dt.date(1970, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(300)
    ]
    path = members_file(tmp_path / "m.csv", rows)
    # the roll history's 编入 events are bulk-inserted like the members (batches of the
    # SQLite bound-parameter limit) with two reads of what was written: 30 → 40
    with django_assert_max_num_queries(40):
        report = import_members(path, actor=SYSTEM)
    assert report.ok and report.created == 300
    with django_assert_max_num_queries(10):
        again = import_members(path, actor=SYSTEM)
    assert again.unchanged == 300


def test_org_import_query_count_does_not_grow_with_rows(
    tree, tmp_path, django_assert_max_num_queries
):
    rows = [org_row(f"C{i:03d}", "D0001", "党委", "社区") for i in range(20)]
    rows += [org_row(f"B{i:04d}", f"C{i % 20:03d}", "党支部", "社区") for i in range(400)]
    path = orgs_file(tmp_path / "o.csv", rows)
    with django_assert_max_num_queries(40):
        report = import_orgs(path, actor=SYSTEM)
    assert report.ok and report.created == 420
    assert tree_problems(Organization).ok
    assert Organization.objects.get(code="C007").numchild == 20


def test_excel_cells_dates_numbers_and_text(tree, tmp_path):
    number = make_id_number(dt.date(1979, 12, 31), female=False)
    header = MEMBER_COLUMNS
    row = {
        "姓名": "  赵六 ",
        "公民身份号码": number.lower(),
        "出生日期": dt.datetime(1979, 12, 31),
        "党员类型": "正式党员",
        "入党日期": dt.datetime(2001, 7, 1),
        "转正日期": "2002年7月1日",
        "所在党组织编码": "BA001",
        "联系电话": 13912345678,
        "民族": None,
    }
    path = write_xlsx(tmp_path / "m.xlsx", header, [[row.get(c) for c in header]])
    report = import_members(path, actor=SYSTEM)
    assert report.ok, report.error_lines()
    member = Member.objects.get(name="赵六")
    assert member.joined_on == dt.date(2001, 7, 1) and member.confirmed_on == dt.date(2002, 7, 1)
    assert member.phone() == "13912345678" and member.ethnicity == ""
