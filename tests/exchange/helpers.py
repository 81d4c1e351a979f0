"""Builders for exchange files written into ``tmp_path`` by code (no data files in the repo)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dangjian.core.models import AuditEntry
from dangjian.exchange.columns import MEMBER_COLUMNS, ORG_COLUMNS
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from tests.factories import make_id_number


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def org_row(
    code: str, parent: str | None, org_type: str = "党支部", sector: str = "社区", **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "组织编码": code,
        "组织名称": extra.pop("name", f"{code}{org_type}"),
        "上级组织编码": parent,
        "组织类别": org_type,
        "所属领域": sector,
    }
    row.update(extra)
    return row


def member_row(org: str, *, member_type: str = "正式党员", **extra: Any) -> dict[str, Any]:
    born = extra.pop("born", dt.date(1985, 5, 20))
    row: dict[str, Any] = {
        "姓名": extra.pop("name", "张三"),
        "公民身份号码": extra.pop("id_number", None) or make_id_number(born),
        "党员类型": member_type,
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01" if member_type == "正式党员" else None,
        "所在党组织编码": org,
    }
    row.update(extra)
    return row


def rows_to_file(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    """Write dict rows with exactly ``columns`` as header, as csv or xlsx by extension."""
    values = [[r.get(c) for c in columns] for r in rows]
    if path.suffix == ".xlsx":
        return write_xlsx(path, columns, values)
    return write_csv(path, columns, values)


def orgs_file(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    return rows_to_file(path, ORG_COLUMNS, rows)


def members_file(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    return rows_to_file(path, MEMBER_COLUMNS, rows)


def counts() -> tuple[int, int, int]:
    """(organizations, members, audit entries) — to assert that nothing was written."""
    return Organization.objects.count(), Member.objects.count(), AuditEntry.objects.count()


def errors_of(report: Any) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.message) for e in report.errors]
