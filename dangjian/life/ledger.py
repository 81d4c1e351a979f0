"""The branch ledger (台账) of a year, generated from the records — never typed again.

:func:`ledger_build` gathers a branch's (or a 党小组's) records of a year by month, with the
attendance summary and the LIFE findings of that year; the ledger page prints it and
:func:`export_ledger` writes it as an .xlsx workbook (a "台账" sheet by month, a "统计" sheet
with the count per type and month, a "检查" sheet with the year's LIFE findings), as a .docx
document or as an A4 PDF (:mod:`dangjian.core.pdf`, Chinese fonts). Names of absent
members appear only for a user who may see member records (``Perm.MEMBER_VIEW``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers
from dangjian.core.audit import audit_record
from dangjian.core.labels import evidence_text, period_label, rule_with_id, severity_label
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get
from dangjian.rules.base import Finding
from dangjian.rules.selectors import findings_for

from .choices import MeetingType
from .models import Attendance, Meeting
from .selectors import meeting_list

COLUMNS = [
    "日期",
    "会议类型",
    "主题",
    "组织",
    "应到",
    "实到",
    "缺席人员（原因）",
    "录入日期",
    "补录",
    "记录",
]


@dataclass
class LedgerRow:
    meeting: Meeting
    absent: str = ""


@dataclass
class Ledger:
    org: Organization
    year: int
    at: dt.date
    months: dict[int, list[LedgerRow]] = field(default_factory=dict)
    counts: dict[str, Counter[int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    show_names: bool = False

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.months.values())

    def count_table(self) -> list[tuple[str, list[int], int]]:
        """(type, count per month 1–12, year total) for every meeting type."""
        out = []
        for kind in MeetingType.values:
            per_month = [self.counts.get(kind, Counter()).get(m, 0) for m in range(1, 13)]
            out.append((kind, per_month, sum(per_month)))
        return out


def ledger_build(actor: Any, code: str, year: int) -> Ledger:
    """The ledger of the organization ``code`` for ``year``; 404 outside the actor's scope."""
    if not 1900 <= year <= 2100:
        raise ValueError(f"年份 {year} 无效")
    org = org_get(actor, code)
    today = timezone.localdate()
    at = min(dt.date(year, 12, 31), today)
    ledger = Ledger(org=org, year=year, at=at)
    ledger.show_names = covers(actor, Perm.MEMBER_VIEW, org.path)
    meetings = list(meeting_list(actor, org=org, subtree=True, year=year).order_by("held_on", "pk"))
    absent: dict[int, list[str]] = defaultdict(list)
    if ledger.show_names and meetings:
        rows = (
            Attendance.objects.filter(meeting__in=[m.pk for m in meetings], present=False)
            .order_by("meeting_id", "member__name")
            .values_list("meeting_id", "member__name", "reason")
        )
        for meeting_id, name, reason in rows:
            absent[meeting_id].append(f"{name}（{reason or '未说明'}）")
    for m in meetings:
        ledger.months.setdefault(m.held_on.month, []).append(
            LedgerRow(m, "、".join(absent.get(m.pk, [])))
        )
        ledger.counts.setdefault(m.meeting_type, Counter())[m.held_on.month] += 1
    if at >= dt.date(year, 1, 1) and can(actor, Perm.FINDING_VIEW):
        ledger.findings = findings_for(
            actor, rules="LIFE", org_code=org.code, at=at, since=dt.date(year, 1, 1)
        )
    return ledger


def export_ledger(path: Path | str, *, actor: Any, code: str, year: int) -> Ledger:
    """Write the ledger to ``path`` as .xlsx, .docx or .pdf by its extension (audited: it may
    name members)."""
    suffix = Path(path).suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        raise ValueError("台账只能导出为 .xlsx、.docx 或 .pdf 文件")
    try:
        ledger = ledger_build(actor, code, year)
    except Http404 as exc:
        raise PermissionDenied(f"组织编码“{code}”不存在或不在您的管辖范围内") from exc
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="life.ledger.export",
            object_type="organization",
            object_id=ledger.org.code,
            object_repr=f"{ledger.org.name} {year} 年台账",
            scope_path=ledger.org.path,
            after={
                "year": year,
                "records": ledger.total,
                "names": ledger.show_names,
                "format": suffix[1:],
            },
        )
        LEDGER_SUFFIXES[suffix](ledger, path)
    return ledger


def _row_values(ledger: Ledger, row: LedgerRow) -> list[Any]:
    m = row.meeting
    return [
        m.held_on,
        m.meeting_type,
        m.topic,
        m.org.name,
        m.expected,
        m.present,
        row.absent if ledger.show_names else "",
        m.entered_on,
        "是" if m.late else "",
        m.minutes,
    ]


DOC_COLUMNS = [
    "日期",
    "会议类型",
    "主题",
    "组织",
    "应到/实到",
    "缺席（原因）",
    "录入日期",
    "补录",
    "记录",
]
#: relative column widths of the PDF month tables (the minutes get the most room)
PDF_WIDTHS = [2.3, 2.3, 3.6, 3.6, 2, 3, 2.3, 1, 7.5]


def _title(ledger: Ledger) -> str:
    return f"{ledger.org.name} {ledger.year} 年组织生活台账"


def _summary(ledger: Ledger) -> str:
    return f"组织编码 {ledger.org.code}，共 {ledger.total} 条记录，生成于 {timezone.localdate()}"


def _count_rows(ledger: Ledger) -> tuple[list[str], list[list[Any]]]:
    header = ["会议类型", *[f"{m}月" for m in range(1, 13)], "全年"]
    return header, [[kind, *per_month, total] for kind, per_month, total in ledger.count_table()]


def _month_rows(ledger: Ledger, month: int) -> list[list[Any]]:
    values = []
    for row in ledger.months.get(month, []):
        v = _row_values(ledger, row)
        figures = f"{v[4]}/{v[5]}" if v[4] is not None else "—"
        values.append([v[0], v[1], v[2], v[3], figures, v[6], v[7], v[8], v[9]])
    return values


def _month_title(ledger: Ledger, month: int) -> str:
    return f"{ledger.year}年{month}月（{len(ledger.months.get(month, []))} 条）"


def _write_docx(ledger: Ledger, path: Path | str) -> None:
    from .docx import DocxWriter

    doc = DocxWriter()
    doc.heading(_title(ledger))
    doc.paragraph(_summary(ledger))
    doc.paragraph("全年统计", bold=True, size=24)
    doc.table(*_count_rows(ledger))
    for month in range(1, 13):
        doc.paragraph(_month_title(ledger, month), bold=True, size=24)
        values = _month_rows(ledger, month)
        if not values:
            doc.paragraph("本月无记录")
            continue
        doc.table(DOC_COLUMNS, values)
    doc.save(path)


def _write_pdf(ledger: Ledger, path: Path | str) -> None:
    """The same content as the .docx ledger, as an A4 landscape PDF."""
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(_title(ledger), subtitle=_summary(ledger), landscape_pages=True)
    doc.heading("全年统计")
    header, counts = _count_rows(ledger)
    doc.table(header, counts, widths=[3, *[1] * 12, 1.2])
    for month in range(1, 13):
        doc.heading(_month_title(ledger, month))
        values = _month_rows(ledger, month)
        if not values:
            doc.paragraph("本月无记录")
            continue
        doc.table(DOC_COLUMNS, values, widths=PDF_WIDTHS)
    Path(path).write_bytes(doc.render())


def _write_xlsx(ledger: Ledger, path: Path | str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    year = ledger.year
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append([f"{ledger.org.name} {year} 年组织生活台账"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [f"组织编码 {ledger.org.code}，共 {ledger.total} 条记录，生成于 {timezone.localdate()}"]
    )
    widths = [12, 12, 28, 18, 6, 6, 30, 12, 6, 60]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for month in range(1, 13):
        rows = ledger.months.get(month, [])
        sheet.append([])
        sheet.append([f"{year}年{month}月（{len(rows)} 条）"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        if not rows:
            sheet.append(["本月无记录"])
            continue
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append(_row_values(ledger, row))
            for column in (1, 8):
                sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
            sheet.cell(row=sheet.max_row, column=10).alignment = Alignment(wrap_text=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    stats = book.create_sheet("统计")
    stats.append(["会议类型", *[f"{m}月" for m in range(1, 13)], "全年"])
    for kind, per_month, total in ledger.count_table():
        stats.append([kind, *per_month, total])
    checks = book.create_sheet("检查")
    checks.append(["规则", "级别", "周期", "组织", "说明", "截止", "证据"])
    for f in ledger.findings:
        checks.append(
            [
                rule_with_id(f.rule),
                severity_label(f.severity),
                period_label(f.period or ""),
                f.subject,
                f.message,
                f.due_date,
                evidence_text(f.evidence),
            ]
        )
    book.save(path)


#: the export formats by file suffix
LEDGER_SUFFIXES = {".xlsx": _write_xlsx, ".docx": _write_docx, ".pdf": _write_pdf}
