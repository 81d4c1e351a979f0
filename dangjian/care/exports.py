"""The .xlsx files of the hardship register, written through :mod:`dangjian.core.spreadsheet`:

- :func:`branch_register_xlsx` — a branch's own register (names, reasons, levels, help and visit
  totals); only for the branch itself (:func:`register_rows` refuses anyone else), audited;
- :func:`figures_xlsx` — the figures by organization of :func:`dangjian.care.selectors.figures_for`
  (no person in it), for the upper levels.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Sum

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, SystemActor, require
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.spreadsheet import append_row
from dangjian.orgs.models import Organization

from .models import Hardship
from .selectors import Figures, own_org

REGISTER_HEADERS = [
    "姓名",
    "致困原因",
    "困难程度",
    "登记日期",
    "销号日期",
    "销号原因",
    "帮扶组织",
    "帮扶次数",
    "帮扶金额（元）",
    "走访次数",
    "最近走访",
]
FIGURE_HEADERS = [
    "组织编码",
    "组织名称",
    "年末在册困难党员",
    "其中特别困难",
    "本年新登记",
    "本年帮扶次数",
    "本年帮扶金额（元）",
    "本年走访次数",
]


def register_rows(actor: Actor, branch: Organization) -> list[list[Any]]:
    """The rows of ``branch``'s register: the branch's own users (and the operator) only —
    an upper level, even one whose scope covers the branch, is refused."""
    require(actor, Perm.CARE_VIEW, branch.path)
    mine = own_org(actor)
    if not isinstance(actor, SystemActor) and (mine is None or mine.pk != branch.pk):
        raise PermissionDenied("困难党员名册只能由本党支部导出；上级组织请导出按组织汇总的统计")
    entries = (
        Hardship.objects.filter(org=branch)
        .select_related("member")
        .prefetch_related("helpers")
        .annotate(
            n_helps=Count("helps", distinct=True),
            n_visits=Count("visits", distinct=True),
            last_visit=Max("visits__visited_on"),
        )
        .order_by("until", "-since", "pk")
    )
    amounts = dict(
        Hardship.objects.filter(org=branch)
        .annotate(total=Sum("helps__amount"))
        .values_list("pk", "total")
    )
    rows = []
    for h in entries:
        rows.append(
            [
                h.member.name,
                h.reason,
                h.level,
                h.since,
                h.until,
                h.close_reason and h.get_close_reason_display(),
                "、".join([branch.name, *(o.name for o in h.helpers.all())]),
                h.n_helps,
                float(amounts.get(h.pk) or Decimal(0)),
                h.n_visits,
                h.last_visit,
            ]
        )
    return rows


def _book(title: str, subtitle: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "困难党员帮扶"
    append_row(ws, [title])
    append_row(ws, [subtitle])
    append_row(ws, headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    ws.freeze_panes = "A4"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def branch_register_xlsx(actor: Actor, branch: Organization, at: dt.date) -> bytes:
    """``branch``'s register as .xlsx (audited: it names persons)."""
    rows = register_rows(actor, branch)
    audit_about(
        actor,
        AuditAction.CARE_EXPORT,
        AuditSubject("care_hardship", branch, branch.path, f"{branch.name}困难党员名册"),
        after={"rows": len(rows)},
    )
    return _book(
        f"{branch.name}困难党员名册",
        f"导出日期 {at:%Y-%m-%d}；内部资料，注意保密",
        REGISTER_HEADERS,
        rows,
    )


def figures_xlsx(figures: Figures) -> bytes:
    """The figures by organization as .xlsx (no person in it)."""
    rows = [
        [
            f.code,
            f.name,
            f.on_register,
            f.special,
            f.registered,
            f.helps,
            float(f.amount),
            f.visits,
        ]
        for f in [*figures.rows, figures.total]
    ]
    root = figures.root.name if figures.root else "全部"
    return _book(
        f"{root}困难党员帮扶统计（{figures.year} 年）",
        f"截至 {min(figures.at, dt.date(figures.year, 12, 31)):%Y-%m-%d}；"
        "在册人数按党员所在党支部统计，帮扶和走访按实施的组织统计",
        FIGURE_HEADERS,
        rows,
    )
