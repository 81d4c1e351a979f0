"""The branch ledger (台账) of a year, generated from the records — never typed again.

:func:`ledger_build` gathers a branch's (or a 党小组's) records of a year by month, with the
attendance summary and the LIFE findings of that year, and the records held early in the next
year that count for it (所属年度); a record of several types is counted for each of them. The
ledger page prints it and :func:`export_ledger` writes it as an .xlsx workbook (a "台账" sheet
by month, a "统计" sheet with the count per type and month, a "检查" sheet with the year's LIFE
findings in Chinese), as a .docx document or as an A4 PDF (:mod:`dangjian.core.pdf`, Chinese
fonts). Names of absent members appear only for a user who may see member records
(``Perm.MEMBER_VIEW``).
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
from dangjian.accounts.scope import Actor, can, covers, require
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.labels import evidence_text
from dangjian.core.spreadsheet import append_row
from dangjian.life.rules import period_title, year_known_until
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get
from dangjian.rules.registry import SEVERITIES, Finding, rule_title
from dangjian.rules.runner import findings_for

from .choices import MeetingType
from .models import Attendance, Meeting
from .selectors import RECORD_READ, meeting_list

COLUMNS = [
    "日期",
    "会议类型",
    "同时计为",
    "所属年度",
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
    #: type → month → records held that month that count for the type
    counts: dict[str, Counter[int]] = field(default_factory=dict)
    #: type → records whose 所属年度 is the ledger's year
    for_year: Counter[str] = field(default_factory=Counter)
    #: records held in the next year that count for this year (所属年度)
    carried: list[Meeting] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    show_names: bool = False

    month_numbers = range(1, 13)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.months.values())

    def count_table(self) -> list[tuple[str, list[int], int]]:
        """(type, count per month 1–12 by date held, count for the year by 所属年度) for every
        meeting type; a record of several types counts once for each."""
        out = []
        for kind in MeetingType.values:
            per_month = [self.counts.get(kind, Counter()).get(m, 0) for m in range(1, 13)]
            out.append((kind, per_month, self.for_year.get(kind, 0)))
        return out

    @property
    def count_note(self) -> str:
        return (
            "各月按召开日期统计，一次会议同时计为几种类型的，每种类型各计 1 次；“全年”按所属年度"
            f"统计：次年年初召开、计入 {self.year} 年度的计入本年，本年年初召开、计入上一年度的"
            "不计入本年。"
        )


def ledger_build(actor: Actor, code: str, year: int) -> Ledger:
    """The ledger of the organization ``code`` for ``year``; 404 outside the actor's scope,
    ``PermissionDenied`` without member access."""
    if not 1900 <= year <= 2100:
        raise ValueError(f"年份 {year} 无效")
    require(actor, RECORD_READ)  # the records name members (三员分立: not the 系统管理员)
    org = org_get(actor, code, perm=RECORD_READ)
    today = timezone.localdate()
    at = min(dt.date(year, 12, 31), today)
    ledger = Ledger(org=org, year=year, at=at)
    ledger.show_names = covers(actor, Perm.MEMBER_VIEW, org.path)
    meetings = list(meeting_list(actor, org=org, subtree=True, year=year).order_by("held_on", "pk"))
    ledger.carried = list(
        meeting_list(actor, org=org, subtree=True, year=year + 1)
        .filter(year=year)
        .order_by("held_on", "pk")
    )
    absent: dict[int, list[str]] = defaultdict(list)
    if ledger.show_names and meetings:
        rows = (
            Attendance.objects.filter(meeting__in=[m.pk for m in meetings], present=False)
            .order_by("meeting_id", "member__name")
            .values_list("meeting_id", "member__name", "reason", "note")
        )
        for meeting_id, name, reason, note in rows:
            why = reason or "未说明"
            absent[meeting_id].append(f"{name}（{why}：{note}）" if note else f"{name}（{why}）")
    for m in meetings:
        ledger.months.setdefault(m.held_on.month, []).append(
            LedgerRow(m, "、".join(absent.get(m.pk, [])))
        )
        for kind in m.types:
            ledger.counts.setdefault(kind, Counter())[m.held_on.month] += 1
            ledger.for_year[kind] += m.year == year
    for m in ledger.carried:
        for kind in m.types:
            ledger.for_year[kind] += 1
    if at >= dt.date(year, 1, 1) and can(actor, Perm.FINDING_VIEW):
        # a past year's yearly requirements may be met early in the next year
        found = findings_for(
            actor,
            rules="LIFE",
            org_code=org.code,
            at=max(at, year_known_until(year, today)),
            since=dt.date(year, 1, 1),
        )
        ledger.findings = [f for f in found if (f.period or str(year)).startswith(str(year))]
    return ledger


def export_ledger(path: Path | str, *, actor: Actor, code: str, year: int) -> Ledger:
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
            action=AuditAction.LIFE_LEDGER_EXPORT,
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
        m.also_counts_as,
        m.year,
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


def _doc_row(ledger: Ledger, m: Meeting, absent: str) -> list[Any]:
    figures = f"{m.expected}/{m.present if m.present is not None else '—'}"
    return [
        m.held_on,
        m.type_label,
        m.topic,
        m.org.name,
        figures if m.expected is not None else "—",
        absent if ledger.show_names else "",
        m.entered_on,
        "是" if m.late else "",
        m.minutes,
    ]


def _month_rows(ledger: Ledger, month: int) -> list[list[Any]]:
    return [_doc_row(ledger, row.meeting, row.absent) for row in ledger.months.get(month, [])]


def _carried_title(ledger: Ledger) -> str:
    return f"次年召开、计入 {ledger.year} 年度的记录（{len(ledger.carried)} 条）"


def _carried_rows(ledger: Ledger) -> list[list[Any]]:
    return [_doc_row(ledger, m, "") for m in ledger.carried]


def finding_row(f: Finding) -> list[Any]:
    """A finding in Chinese for the "检查" sheet: title (with the rule id), severity, period."""
    title = rule_title(f.rule)
    return [
        f"{title}（{f.rule}）",
        SEVERITIES.get(f.severity, f.severity),
        period_title(f.period or ""),
        f.message,
        f.due_date,
    ]


def _month_title(ledger: Ledger, month: int) -> str:
    return f"{ledger.year}年{month}月（{len(ledger.months.get(month, []))} 条）"


def _write_docx(ledger: Ledger, path: Path | str) -> None:
    from .docx import DocxWriter

    doc = DocxWriter()
    doc.heading(_title(ledger))
    doc.paragraph(_summary(ledger))
    doc.paragraph("全年统计", bold=True, size=24)
    doc.table(*_count_rows(ledger))
    doc.paragraph(ledger.count_note)
    for month in range(1, 13):
        doc.paragraph(_month_title(ledger, month), bold=True, size=24)
        values = _month_rows(ledger, month)
        if not values:
            doc.paragraph("本月无记录")
            continue
        doc.table(DOC_COLUMNS, values)
    if ledger.carried:
        doc.paragraph(_carried_title(ledger), bold=True, size=24)
        doc.table(DOC_COLUMNS, _carried_rows(ledger))
    doc.save(path)


def _write_pdf(ledger: Ledger, path: Path | str) -> None:
    """The same content as the .docx ledger, as an A4 landscape PDF."""
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(_title(ledger), subtitle=_summary(ledger), landscape_pages=True)
    doc.heading("全年统计")
    header, counts = _count_rows(ledger)
    doc.table(header, counts, widths=[3, *[1] * 12, 1.2])
    doc.paragraph(ledger.count_note)
    for month in range(1, 13):
        doc.heading(_month_title(ledger, month))
        values = _month_rows(ledger, month)
        if not values:
            doc.paragraph("本月无记录")
            continue
        doc.table(DOC_COLUMNS, values, widths=PDF_WIDTHS)
    if ledger.carried:
        doc.heading(_carried_title(ledger))
        doc.table(DOC_COLUMNS, _carried_rows(ledger), widths=PDF_WIDTHS)
    Path(path).write_bytes(doc.render())


def _write_xlsx(ledger: Ledger, path: Path | str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    year = ledger.year
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    append_row(sheet, [f"{ledger.org.name} {year} 年组织生活台账"])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(
        sheet,
        [f"组织编码 {ledger.org.code}，共 {ledger.total} 条记录，生成于 {timezone.localdate()}"],
    )
    widths = [12, 12, 14, 8, 28, 18, 6, 6, 30, 12, 6, 60]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sections = [
        (f"{year}年{month}月（{len(ledger.months.get(month, []))} 条）", ledger.months.get(month))
        for month in range(1, 13)
    ]
    if ledger.carried:
        sections.append((_carried_title(ledger), [LedgerRow(m) for m in ledger.carried]))
    for title, rows in sections:
        append_row(sheet, [])
        append_row(sheet, [title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        if not rows:
            append_row(sheet, ["本月无记录"])
            continue
        append_row(sheet, COLUMNS)
        for row in rows:
            append_row(sheet, _row_values(ledger, row))
            for column in (1, 10):
                sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
            sheet.cell(row=sheet.max_row, column=12).alignment = Alignment(wrap_text=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    stats = book.create_sheet("统计")
    append_row(stats, ["会议类型", *[f"{m}月" for m in range(1, 13)], "全年"])
    for kind, per_month, total in ledger.count_table():
        append_row(stats, [kind, *per_month, total])
    append_row(stats, [])
    append_row(stats, [ledger.count_note])
    checks = book.create_sheet("检查")
    append_row(checks, ["要求", "级别", "周期", "组织", "说明", "截止", "证据"])
    names = _subject_names(ledger)
    for f in ledger.findings:
        title, severity, period, message, due = finding_row(f)
        append_row(
            checks,
            [
                title,
                severity,
                period,
                names.get(f.subject, f.subject),
                message,
                due,
                evidence_text(f.evidence),
            ],
        )
    book.save(path)


def _subject_names(ledger: Ledger) -> dict[str, str]:
    subjects = {f.subject for f in ledger.findings}
    return dict(Organization.objects.filter(code__in=subjects).values_list("code", "name"))


#: the export formats by file suffix
LEDGER_SUFFIXES = {".xlsx": _write_xlsx, ".docx": _write_docx, ".pdf": _write_pdf}
