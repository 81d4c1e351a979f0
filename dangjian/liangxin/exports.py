"""The coverage report as .xlsx (:mod:`dangjian.core.spreadsheet`) and PDF
(:mod:`dangjian.core.pdf`): the figures by region and by sector, units only — no person."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from dangjian.core.spreadsheet import append_row

from .selectors import Coverage, CoverageRow

HEADERS = [
    "单位数",
    "组织覆盖",
    "组织覆盖率（%）",
    "工作覆盖",
    "工作覆盖率（%）",
    "空白点",
    "从业人员",
    "党员",
]


def _cells(row: CoverageRow) -> list[Any]:
    def rate(value: Any) -> Any:
        return float(value) if value is not None else "—"

    return [
        row.total,
        row.organized,
        rate(row.organized_rate),
        row.worked,
        rate(row.worked_rate),
        row.blank,
        row.employees,
        row.members,
    ]


def title(cov: Coverage, scope: str) -> str:
    return f"{scope}两新组织党建覆盖情况（{cov.year} 年）"


def method(cov: Coverage) -> str:
    return (
        f"统计日 {cov.at:%Y-%m-%d}。组织覆盖：单独或联合建立党组织；工作覆盖：有党建指导员或"
        f"联系人，且本年度指导活动不少于 {cov.min_visits} 次；空白点：两者都没有。"
    )


def _sections(cov: Coverage) -> list[tuple[str, str, list[CoverageRow]]]:
    return [
        ("按行政区划", "行政区划", [*cov.by_region, cov.total]),
        ("按行业", "行业", [*cov.by_industry, cov.total]),
    ]


def coverage_xlsx(cov: Coverage, scope: str) -> bytes:
    wb = Workbook()
    first = True
    for name, label, rows in _sections(cov):
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = name
        append_row(ws, [title(cov, scope)])
        append_row(ws, [method(cov)])
        append_row(ws, ["代码" if label == "行政区划" else "类别", label, *HEADERS])
        for row in rows:
            append_row(ws, [row.key, row.label, *_cells(row)])
        ws.freeze_panes = "C4"
        ws.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def coverage_pdf(cov: Coverage, scope: str) -> bytes:
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(title(cov, scope), subtitle=method(cov), landscape_pages=True)
    for name, label, rows in _sections(cov):
        doc.heading(name)
        doc.table(
            [label, *HEADERS],
            [[row.label, *_cells(row)] for row in rows],
            widths=[3] + [1] * len(HEADERS),
        )
    return doc.render()
