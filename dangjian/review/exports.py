"""The results of a 述职评议 as .xlsx (through :mod:`dangjian.core.spreadsheet`): one row per
reporting organization — its ballots counted per grade, the grade they suggest and the grade
set. The secretary is not named: the results are the organizations'."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet

from dangjian.core.spreadsheet import append_row

from .choices import Grade
from .models import Campaign, Report
from .selectors import ballots_by_report, distribution, rule_text

HEADERS = [
    "组织编码",
    "组织名称",
    "述职报告",
    "好（票）",
    "较好（票）",
    "一般（票）",
    "差（票）",
    "票数建议等次",
    "评议等次",
    "问题数",
]


def result_rows(campaign: Campaign, reports: QuerySet[Report]) -> list[list[Any]]:
    from django.db.models import Count

    ballots = ballots_by_report(campaign)
    out: list[list[Any]] = []
    for r in reports.annotate(n_problems=Count("problems")).order_by("org__path"):
        b = ballots.get(r.pk)
        counts = b.counts if b else {g: 0 for g in Grade.values}
        out.append(
            [
                r.org.code,
                r.org.name,
                "已提交" if r.submitted_at else "未提交",
                *(counts[g] for g in Grade.values),
                (b.proposed if b else "") or "—",
                r.grade or "未评定",
                r.n_problems,  # type: ignore[attr-defined]
            ]
        )
    return out


def results_xlsx(campaign: Campaign, reports: QuerySet[Report]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "述职评议结果"
    dist = distribution(campaign, reports)
    append_row(ws, [f"{campaign.title}结果"])
    append_row(
        ws,
        [
            f"等次比例规则：{rule_text(campaign)}；"
            + "，".join(f"{g} {dist[g]} 个" for g in Grade.values)
            + f"，未评定 {dist['']} 个；按组织统计，不对个人排名"
        ],
    )
    append_row(ws, HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in result_rows(campaign, reports):
        append_row(ws, row)
    ws.freeze_panes = "A4"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def results_pdf(campaign: Campaign, reports: QuerySet[Report]) -> bytes:
    """The results as a PDF bulletin by organization (通报): the distribution, then one row
    per organization (ballots, grade, problems) — no person named, no ranking."""
    from dangjian.core.pdf import PdfDocument

    dist = distribution(campaign, reports)
    doc = PdfDocument(f"{campaign.title}结果通报", subtitle=campaign.org.name, landscape_pages=True)
    doc.heading("等次分布")
    doc.paragraph(
        f"等次比例规则：{rule_text(campaign)}。"
        + "，".join(f"{g} {dist[g]} 个" for g in Grade.values)
        + f"，未评定 {dist['']} 个。按组织统计，不对个人排名。"
    )
    doc.heading("各组织述职评议结果")
    doc.table(
        HEADERS[1:], [row[1:] for row in result_rows(campaign, reports)], widths=[4] + [1] * 8
    )
    return doc.render()
