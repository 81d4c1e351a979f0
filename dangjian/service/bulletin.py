"""The monthly service bulletin (为民服务月报) of an organization's subtree, as .xlsx and PDF,
built like the assessment bulletin (the shared workbook and PDF helpers of ``dangjian.core``):
the month's figures per child organization (or grid), by category and by handling level, the
trend of the twelve months up to it, and how each rate is computed. Organizations only: nobody
is named or ranked.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone

from dangjian.accounts.scope import Actor
from dangjian.core.spreadsheet import append_row
from dangjian.orgs.models import Organization

from .dashboard import HEADERS, Board, Row, add_months, board, cells
from .stats import basic_weight

#: the months of the trend sheet, the bulletin's month included
TREND_MONTHS = 12


@dataclass(frozen=True)
class Bulletin:
    month: Board  # the month's figures
    trend: Board  # the twelve months up to it
    issued: dt.date

    @property
    def title(self) -> str:
        m = self.month.first
        return f"{self.month.title} 为民服务月报（{m.year} 年 {m.month} 月）"

    @property
    def subtitle(self) -> str:
        o = self.month.overall
        return (
            f"统计 {self.month.period_label}群众点单 {o.rates.total} 件；"
            f"超时未办结的工单 {self.month.overdue_total} 件（截至 {self.issued:%Y-%m-%d}）；"
            f"出具日期 {self.issued:%Y-%m-%d}"
        )


def bulletin_build(actor: Actor, root: Organization | None, month: dt.date) -> Bulletin:
    """The bulletin of ``root``'s subtree for ``month`` (its first day)."""
    month = month.replace(day=1)
    return Bulletin(
        month=board(actor, root, month, month),
        trend=board(actor, root, add_months(month, 1 - TREND_MONTHS), month),
        issued=timezone.localdate(),
    )


def method_notes() -> list[str]:
    """How each figure is computed (SERVICE-RATES), in Chinese."""
    w = basic_weight()
    return [
        "响应率 = 在响应时限内受理、不予受理、合并或上报的工单 ÷ 群众点单（不含合并的重复工单）。",
        "解决率 = 已解决（已解决、已评价、已办结且有办理结果）的工单 ÷ 受理的工单"
        "（不含不予受理和重复工单）。",
        f"满意率 = （满意 + {w:g} × 基本满意）÷ 已评价的工单。",
        "重新办理率 = 重新办理过的工单 ÷ 办理过（已解决或重新办理过）的工单。",
        "95% 区间为威尔逊（得分）置信区间；用时从群众点单起算，中位数和第90百分位按线性插值计算。",
        "本月报只统计组织，不涉及个人。",
    ]


def _sections(b: Bulletin) -> list[tuple[str, str, list[Row]]]:
    label = "网格" if b.month.children_are_grids else "组织"
    return [
        ("按组织" if label == "组织" else "按网格", label, [*b.month.children, b.month.overall]),
        ("按类别", "服务类别", b.month.categories),
        ("按承办层级", "承办层级", b.month.levels),
        (f"近{TREND_MONTHS}个月", "月份", [*b.trend.months, b.trend.overall]),
    ]


def export_xlsx(b: Bulletin) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    first = True
    for title, label, rows in _sections(b):
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title
        append_row(ws, [b.title])
        append_row(ws, [b.subtitle])
        with_overdue = title in ("按组织", "按网格")
        append_row(ws, [label, *HEADERS, *(["超时未办结"] if with_overdue else [])])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(ws, [row.label, *cells(row.rates), *([row.overdue] if with_overdue else [])])
        ws.freeze_panes = "B4"
        ws.column_dimensions["A"].width = 28
    ws = wb.create_sheet("说明")
    for note in method_notes():
        append_row(ws, [note])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


#: the columns of the PDF (the page is narrower than the workbook): indexes into HEADERS
PDF_COLUMNS = [0, 1, 3, 5, 7, 8, 9, 11]


def export_pdf(b: Bulletin) -> bytes:
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(b.title, subtitle=b.subtitle, landscape_pages=True)
    for title, label, rows in _sections(b):
        with_overdue = title in ("按组织", "按网格")
        doc.heading(title)
        headers = [label, *(HEADERS[i] for i in PDF_COLUMNS)]
        body = []
        for row in rows:
            values = cells(row.rates)
            body.append(
                [
                    row.label,
                    *(values[i] for i in PDF_COLUMNS),
                    *([row.overdue] if with_overdue else []),
                ]
            )
        if with_overdue:
            headers.append("超时未办结")
        doc.table(headers, body, widths=[3] + [1] * (len(headers) - 1))
    doc.heading("计算方法")
    for note in method_notes():
        doc.paragraph(note)
    return doc.render()
