"""Meetings per organization, year and type by month (life.rollups): kept by record, update,
delete and import, equal to a rebuild from the records."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.life.importers import COLUMNS, import_meetings
from dangjian.life.models import MeetingMonths
from dangjian.life.rollups import months_differences, months_rebuild
from dangjian.life.services import MeetingInput, meeting_delete, meeting_record, meeting_update

from .helpers import meet

pytestmark = pytest.mark.django_db
D = dt.date


def months(org, year: int, kind: str) -> tuple[list[int], int, int]:
    """(month counts, mask, counted) of ``org`` in ``year`` for ``kind``."""
    found = MeetingMonths.objects.filter(org=org, year=year, meeting_type=kind).first()
    if found is None:
        return [0] * 12, 0, 0
    return found.months, found.mask, found.counted


def record(org, **values):
    data = {"meeting_type": "支部党员大会", "held_on": D(2026, 3, 15), "topic": "学习党章"}
    data.update(values)
    return meeting_record(actor=SYSTEM, data=MeetingInput(org=org, **data))


def test_record_update_delete_keep_the_months(tree):
    branch = tree["branch_a"]
    first = record(branch, also_counts_as=["主题党日"])
    record(branch, held_on=D(2026, 3, 20), topic="第二次")
    counts, mask, counted = months(branch, 2026, "支部党员大会")
    assert counts[2] == 2 and mask == 0b100 and counted == 2
    assert months(branch, 2026, "主题党日")[1:] == (0b100, 1)
    data = MeetingInput(
        org=branch, meeting_type="支部党员大会", held_on=D(2026, 5, 8), topic="学习党章"
    )
    meeting_update(actor=SYSTEM, meeting=first, data=data)
    counts, mask, counted = months(branch, 2026, "支部党员大会")
    assert counts[2] == 1 and counts[4] == 1 and mask == 0b10100 and counted == 2
    assert months(branch, 2026, "主题党日")[1:] == (0, 0)
    meeting_delete(actor=SYSTEM, meeting=first)
    assert months(branch, 2026, "支部党员大会")[1:] == (0b100, 1)
    assert months_differences() == []


def test_a_record_counted_for_the_year_before(tree):
    branch = tree["branch_a"]
    record(branch, meeting_type="组织生活会", held_on=D(2026, 1, 10), year=2025, topic="年度")
    assert months(branch, 2026, "组织生活会") == ([1] + [0] * 11, 1, 0)
    assert months(branch, 2025, "组织生活会") == ([0] * 12, 0, 1)
    assert months_differences() == []


def test_import_creates_and_updates(tree, tmp_path):
    def write(path: Path, rows: list[list[object]]) -> Path:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        return path

    rows: list[list[object]] = [
        ["BA001", "支部党员大会", "2026-01-15", "学习党章", 10, 8, "", "2026-01-20"] + [""] * 4,
        ["BA001", "主题党日", "2026-02-03", "志愿服务"] + [""] * 8,
        ["BB001", "组织生活会", "2026-01-05", "年度"] + [""] * 7 + ["2025"],
    ]
    assert import_meetings(write(tmp_path / "a.csv", rows), actor=SYSTEM).created == 3
    assert months(tree["branch_a"], 2026, "支部党员大会")[1:] == (0b1, 1)
    assert months(tree["branch_b"], 2025, "组织生活会")[2] == 1
    rows[0][10] = "主题党日"  # 同时计为
    rows[2][11] = "2026"  # 所属年度
    report = import_meetings(write(tmp_path / "b.csv", rows), actor=SYSTEM)
    assert report.ok and report.updated == 2, report.error_lines()
    assert months(tree["branch_a"], 2026, "主题党日")[1:] == (0b11, 2)
    assert months(tree["branch_b"], 2025, "组织生活会")[2] == 0
    assert months(tree["branch_b"], 2026, "组织生活会")[1:] == (0b1, 1)
    assert months_differences() == []


def test_check_lists_differences_and_rebuild_repairs(tree):
    branch = tree["branch_a"]
    meet(branch, "党课", D(2026, 4, 2), rollup=False)  # written around the services: not counted
    found = months_differences()
    assert [str(d) for d in found] == [
        "甲村党支部（BA001） 2026年 党课（4月）：汇总为 0，按记录应为 1",
        "甲村党支部（BA001） 2026年 党课（计入本年度）：汇总为 0，按记录应为 1",
    ]
    assert months_rebuild(tree["town_a"]) == 1
    assert months_differences() == []
    assert months(branch, 2026, "党课")[1] == 0b1000


def test_a_record_is_one_statement_on_the_months(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        record(
            tree["branch_a"],
            meeting_type="组织生活会",
            also_counts_as=["民主评议党员"],
            held_on=D(2026, 1, 8),
            year=2025,
        )
    writes = [q["sql"] for q in ctx.captured_queries if "meetingmonths" in q["sql"]]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]  # four rows, one statement
    for kind in ("组织生活会", "民主评议党员"):
        assert months(tree["branch_a"], 2025, kind)[2] == 1
        assert months(tree["branch_a"], 2026, kind)[1:] == (0b1, 0)
