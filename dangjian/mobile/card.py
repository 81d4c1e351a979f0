"""The printable 流动党员活动证 (A4 PDF through :mod:`dangjian.core.pdf`): the holder's name and
branch, the place he went, the 流动党员 党组织 he joins there, the card's number and validity, and
a table for the host organizations to note his activities. No ID number; the phone masked."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.pdf import PdfDocument
from dangjian.rules.params import params_on

from .models import Outflow
from .rules import TRANSFER

#: blank rows of the activity table, for the host organization to fill in by hand
BLANK_ROWS = 8


def card_pdf(outflow: Outflow) -> bytes:
    """The card of ``outflow`` (its activities recorded so far, then blank rows)."""
    member = outflow.member
    # REL-TRANSFER's months in force, as the reminders judge them
    away_months = params_on(TRANSFER.id, timezone.localdate())["away_months"]
    doc = PdfDocument("流动党员活动证", subtitle=f"编号：{outflow.card_no or '（未发放）'}")
    doc.table(
        ["项目", "内容"],
        [
            ["姓名", member.name],
            ["所在党支部（组织关系所在）", member.org.name],
            ["党员类型", member.member_type],
            ["外出日期", outflow.started_on.isoformat()],
            ["流入地", f"{outflow.place}（行政区划代码 {outflow.region_code}）"],
            ["工作单位", outflow.employer or "—"],
            ["外出期间联系电话", outflow.phone_masked or "—"],
            ["流入地党组织", outflow.host_label],
            ["发放日期", outflow.card_issued_on.isoformat() if outflow.card_issued_on else "—"],
            ["有效期至", outflow.card_valid_to.isoformat() if outflow.card_valid_to else "—"],
        ],
        widths=[2, 5],
    )
    doc.heading("参加流入地党组织活动情况", level=2)
    rows = [
        [a.held_on.isoformat(), a.subject, ""] for a in outflow.activities.order_by("held_on", "pk")
    ]
    rows += [["", "", ""] for _ in range(BLANK_ROWS)]
    doc.table(["日期", "活动内容", "流入地党组织签章"], rows, widths=[2, 4, 2])
    doc.paragraph(
        "说明：持证党员外出期间的组织关系仍在原党支部；请流入地党组织在活动后填写本表并签章。"
        f"外出 {away_months} 个月以上且地点固定的，应转接组织关系"
        "（《中国共产党党员教育管理工作条例》第二十五条）。"
    )
    return doc.render()
