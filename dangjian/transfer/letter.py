"""The introduction letter (组织关系介绍信) as a PDF, with its receipt (回执) slip below.

The letter names the member (name, gender, member type) with the masked ID number only: the
receiving organization checks the person against the letter, the full number travels with the
member's file, not in a download."""

from __future__ import annotations

from dangjian.core.pdf import PdfDocument
from dangjian.members.models import Member

from .models import Transfer


def letter_pdf(t: Transfer) -> bytes:
    """The letter of ``t`` (issued: it has a number and a validity)."""
    member: Member = t.member
    doc = PdfDocument("中国共产党党员组织关系介绍信", subtitle=f"编号：{t.letter_no}")
    doc.paragraph(f"{t.receiver_name}：")
    doc.paragraph(
        f"　　{member.name}同志（{member.gender}，{member.member_type}，"
        f"公民身份号码 {member.id_number_masked}），因{t.reason}，"
        f"其党员组织关系由{t.from_org.name}转到你处，请接洽。"
    )
    doc.paragraph(f"　　本介绍信有效期 {t.valid_days} 天，至 {t.due_on} 止。")
    doc.spacer(6)
    doc.paragraph(f"{t.from_org.name}（盖章）")
    doc.paragraph(f"开具日期：{t.issued_on}")
    doc.spacer(10)
    doc.heading("回执", level=2)
    doc.table(
        ["介绍信编号", "党员姓名", "接收党组织", "接收日期", "回执编号"],
        [[t.letter_no, member.name, t.receiver_name, "", ""]],
        widths=[2, 1, 3, 1.4, 1.4],
    )
    doc.paragraph(f"请接收党组织填写后退回{t.from_org.name}。")
    return doc.render()
