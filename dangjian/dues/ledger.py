"""The yearly dues ledger of a branch (党费收缴台账): each member on the roll with the month's
amounts paid, the year's total, the branch's totals by month and its remittances; as .xlsx
(:mod:`dangjian.core.spreadsheet`) and PDF (:mod:`dangjian.core.pdf`). The income base is not
in it (the amount owed a month is)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import months
from .models import DuesBase, DuesPayment, DuesRemittance
from .services import on_roll

MONTH_HEADERS = [f"{m}月" for m in range(1, 13)]


@dataclass
class LedgerRow:
    name: str
    category: str
    due: Decimal | None
    #: per month: the amount paid, ``None`` unpaid, ``""`` not on the roll
    cells: list[Decimal | str | None]
    total: Decimal


@dataclass
class Ledger:
    org: Organization
    year: int
    rows: list[LedgerRow] = field(default_factory=list)
    month_totals: list[Decimal] = field(default_factory=list)
    total: Decimal = Decimal(0)
    remitted: list[DuesRemittance] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.org.name} {self.year} 年党费收缴台账"


def ledger_build(actor: Actor, org: Organization, year: int) -> Ledger:
    require(actor, Perm.MEMBER_VIEW, org.path)
    span = months.span(dt.date(year, 1, 1), dt.date(year, 12, 1))
    members = list(
        Member.objects.filter(org=org, joined_on__lte=dt.date(year, 12, 31))
        .prefetch_related("statuses")
        .order_by("name", "pk")
    )
    ids = [m.pk for m in members]
    bases = {b.member_id: b for b in DuesBase.objects.filter(member_id__in=ids, year=year)}
    paid: dict[tuple[int, dt.date], Decimal] = {
        (mid, mo): amt
        for mid, mo, amt in DuesPayment.objects.filter(
            member_id__in=ids, month__year=year
        ).values_list("member_id", "month", "amount")
    }
    ledger = Ledger(org, year, month_totals=[Decimal(0)] * 12)
    for m in members:
        if not any(on_roll(m, mo) for mo in span):
            continue
        cells: list[Decimal | str | None] = []
        total = Decimal(0)
        for i, mo in enumerate(span):
            if not on_roll(m, mo):
                cells.append("")
                continue
            amount = paid.get((m.pk, mo))
            cells.append(amount)
            if amount is not None:
                total += amount
                ledger.month_totals[i] += amount
        b = bases.get(m.pk)
        ledger.rows.append(
            LedgerRow(
                m.name,
                b.get_category_display() if b else "未核定",
                b.monthly_due if b else None,
                cells,
                total,
            )
        )
        ledger.total += total
    ledger.remitted = list(
        DuesRemittance.objects.filter(org=org, year=year)
        .select_related("to_org")
        .order_by("remitted_on")
    )
    return ledger


def _cell(value: Decimal | str | None) -> str:
    if value is None:
        return "未交"
    if value == "":
        return "—"
    return f"{value}"


HEADERS = ["姓名", "交纳类别", "每月应交（元）", *MONTH_HEADERS, "全年合计（元）"]


def _table(ledger: Ledger) -> list[list[str]]:
    body = [
        [
            r.name,
            r.category,
            "" if r.due is None else str(r.due),
            *(_cell(c) for c in r.cells),
            str(r.total),
        ]
        for r in ledger.rows
    ]
    body.append(["合计", "", "", *(str(t) for t in ledger.month_totals), str(ledger.total)])
    return body


def export_xlsx(ledger: Ledger) -> bytes:
    from openpyxl import Workbook

    from dangjian.core.spreadsheet import append_row

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    append_row(ws, [ledger.title])
    append_row(ws, ["“未交”：当月在名册上但未交纳；“—”：当月不在名册上（尚未入党或已出党）"])
    append_row(ws, HEADERS)
    for row in _table(ledger):
        append_row(ws, row)
    ws.freeze_panes = "B4"
    ws2 = wb.create_sheet("上缴")
    append_row(ws2, ["上缴日期", "接收组织", "金额（元）", "备注"])
    for r in ledger.remitted:
        append_row(ws2, [r.remitted_on.isoformat(), r.to_org.name, str(r.amount), r.note])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_pdf(ledger: Ledger) -> bytes:
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(
        ledger.title,
        subtitle="单位：元；“未交”：当月在名册上但未交纳；“—”：当月不在名册上",
        landscape_pages=True,
    )
    doc.heading("按月收缴")
    doc.table(HEADERS, _table(ledger), widths=[2, 2, 1.4] + [1] * 12 + [1.4])
    doc.heading("上缴党费")
    if ledger.remitted:
        doc.table(
            ["上缴日期", "接收组织", "金额", "备注"],
            [[r.remitted_on, r.to_org.name, str(r.amount), r.note] for r in ledger.remitted],
            widths=[1, 2, 1, 2],
        )
    else:
        doc.paragraph("本年度尚无上缴记录。")
    return doc.render()
