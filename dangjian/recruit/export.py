"""Export of a case's record (the data of the 入党志愿书 and of the archive) as .docx or .pdf.

:func:`case_record` collects the record once — the applicant (ID and phone numbers masked: the
export is a working copy, the plain numbers stay encrypted in the database), the steps with
their dates and data, public notices, activist reviews, the political review (result, date and
body only) and the checker's findings — and :func:`export_case` renders it with the project's
writers (:class:`dangjian.life.docx.DocxWriter`, :class:`dangjian.core.pdf.PdfDocument`) and
writes an audit entry (an export copies personal data out of the system).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.labels import evidence_text, rule_with_id, severity_label, source_label
from dangjian.life.docx import DocxWriter

from .adapter import current_steps
from .case import STEPS
from .models import Decision, NoticeKind, RecruitCase
from .rules import all_specs
from .selectors import case_findings, case_timeline

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: the status of a contact or introducer on the day of the step, as the record shows it
STATUS_LABELS = {
    "full": "正式党员",
    "probationary": "预备党员",
    "probation_watch": "留党察看或停止党籍期间",
    "not_member": "当日不是党员",
}


class ExportUnavailable(Exception):
    """The requested format cannot be produced here (Chinese message)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    widths: list[float] | None = None


@dataclass
class Section:
    title: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    table: Table | None = None
    text: str = ""


@dataclass
class CaseRecord:
    title: str
    subtitle: str
    sections: list[Section]


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def step_lines(details: dict[str, Any]) -> list[str]:
    """A step's data in Chinese, one line per item (talk-giver, people with their status, vote,
    decision); the case page and the exported record say the same."""
    lines: list[str] = []
    if details.get("talker"):
        lines.append(f"谈话人：{details['talker']}")
    for key, label in (("contacts", "培养联系人"), ("introducers", "入党介绍人")):
        people = details.get(key)
        if isinstance(people, list) and people:
            names = "、".join(
                f"{p.get('name', '')}（{STATUS_LABELS.get(str(p.get('status')), '状态不明')}）"
                for p in people
                if isinstance(p, dict)
            )
            lines.append(f"{label}：{names}")
    vote = details.get("vote")
    if isinstance(vote, dict):
        lines.append(
            f"应到有表决权 {vote.get('entitled')} 人，实到 {vote.get('present')} 人，"
            f"书面意见 {vote.get('written_opinions', 0)} 份，赞成 {vote.get('yes')} 票"
        )
        roll = vote.get("roll_entitled")
        if isinstance(roll, int) and roll != vote.get("entitled"):
            lines.append(f"注意：名册中当日有表决权的正式党员为 {roll} 人")
    if details.get("decision"):
        try:
            label = Decision(details["decision"]).label
        except ValueError:
            label = str(details["decision"])
        if details.get("extension_months"):
            label += f"（{details['extension_months']} 个月）"
        lines.append(f"结论：{label}")
    return lines


def step_data(details: dict[str, Any]) -> str:
    """A step's data in one line of Chinese (:func:`step_lines` joined)."""
    return "；".join(step_lines(details))


def case_record(case: RecruitCase, at: dt.date | None = None) -> CaseRecord:
    """The record of ``case`` (use :func:`dangjian.recruit.selectors.case_get`: prefetched)."""
    at = at or timezone.localdate()
    timeline = case_timeline(case, at)
    report = case_findings(case, at)
    titles = {s.id: s.title for s in all_specs()}
    applicant = Section(
        "一、申请人基本情况",
        facts=[
            ("案例编号", case.case_no),
            ("姓名", case.name),
            ("性别", case.gender),
            ("出生日期", _d(case.birth_date)),
            *(
                [
                    (
                        "公民身份号码、联系电话",
                        f"已于 {case.numbers_purged_at:%Y-%m-%d} 按保存期限删除",
                    )
                ]
                if case.numbers_purged_at
                else [
                    ("公民身份号码", case.id_number_masked),
                    ("联系电话", case.phone_masked or "—"),
                ]
            ),
            ("人员类别", case.category or "—"),
            ("重点群体", case.priority_group),
            ("所在党支部", case.org.name),
            ("审批党委", case.approver.name if case.approver else "—"),
            ("当前阶段", f"{timeline.stage_label}（{case.get_status_display()}）"),
        ],
    )
    review = Section(
        "二、政治审查与集中培训",
        facts=[
            ("政治审查结论", case.get_political_review_display()),
            ("政治审查日期", _d(case.political_review_on)),
            ("审查单位", case.political_review_body or "—"),
            (
                "集中培训学时",
                f"{case.training_hours:g}" if case.training_hours is not None else "—",
            ),
            ("延长预备期", f"{case.probation_extension_months} 个月"),
        ],
    )
    steps = sorted(case.steps.all(), key=lambda s: (s.number, s.round))
    in_force = {s.pk for s in current_steps(case).values()}
    step_rows = [
        [
            s.number,
            STEPS[s.number] + ("" if s.round == 1 else f"（第 {s.round} 轮）"),
            _d(s.done_on),
            step_data(s.details or {}),
            (s.note or "") + ("（已被第 2 轮取代）" if s.pk not in in_force else ""),
            "补录" if s.late else "",
        ]
        for s in steps
    ]
    step_section = Section(
        "三、发展程序记实",
        table=Table(
            ["步骤", "名称", "日期", "情况", "说明", "备注"], step_rows, [1, 4, 2, 6, 4, 1]
        ),
    )
    notices = sorted(case.notices.all(), key=lambda n: n.first_day)
    notice_section = Section(
        "四、公示",
        table=Table(
            ["类别", "首日", "末日"],
            [[NoticeKind(n.kind).label, _d(n.first_day), _d(n.last_day)] for n in notices],
        ),
    )
    review_section = Section(
        "五、入党积极分子考察",
        table=Table(
            ["考察日期", "考察意见"],
            [[_d(r.reviewed_on), r.note] for r in case.reviews.all()],
            [1, 4],
        ),
    )
    findings = sorted(report.findings, key=lambda f: (f.severity, f.rule))
    finding_section = Section(
        f"六、程序检查（截至 {at.isoformat()}）",
        table=Table(
            ["规则", "级别", "情况", "依据", "证据"],
            [
                [
                    rule_with_id(f.rule),
                    severity_label(f.severity),
                    f.message,
                    source_label(f.source),
                    evidence_text(f.evidence),
                ]
                for f in findings
            ],
            [3, 1, 5, 3, 3],
        ),
        text="；".join(
            f"{titles.get(r, '发展党员程序')}（{r}：{report.reason(case.case_no, r)}）"
            for r in report.not_checked.get(case.case_no, [])
        ),
    )
    documents = list(
        case.attachments.order_by("step", "pk").values_list("step", "name", "size", "sha256")
    )
    document_section = Section(
        "七、材料目录",
        table=Table(
            ["步骤", "文件名", "大小（KB）", "SHA-256"],
            [
                [step or "—", name, f"{size / 1024:.0f}", digest]
                for step, name, size, digest in documents
            ],
            [1, 4, 1, 5],
        ),
    )
    return CaseRecord(
        title="发展党员全程纪实表",
        subtitle=f"{case.org.name} · {case.case_no} · 导出于 {at.isoformat()}",
        sections=[
            applicant,
            review,
            step_section,
            notice_section,
            review_section,
            finding_section,
            document_section,
        ],
    )


def to_docx(record: CaseRecord) -> bytes:
    doc = DocxWriter(landscape=False)
    doc.heading(record.title)
    doc.paragraph(record.subtitle)
    for section in record.sections:
        doc.paragraph(section.title, bold=True, size=24)
        if section.facts:
            doc.table(["项目", "内容"], [[k, v] for k, v in section.facts])
        if section.table is not None:
            if section.table.rows:
                doc.table(section.table.headers, section.table.rows)
            else:
                doc.paragraph("（无）")
        if section.text:
            doc.paragraph(f"数据不全、未能检查的规则：{section.text}")
    buffer = io.BytesIO()
    doc.save(buffer)  # type: ignore[arg-type]
    return buffer.getvalue()


def to_pdf(record: CaseRecord) -> bytes:
    try:
        from dangjian.core.pdf import PdfDocument
    except ImportError:  # pragma: no cover - the module is part of the project
        raise ExportUnavailable("本系统尚未提供 PDF 导出，请导出 .docx") from None
    doc = PdfDocument(record.title, subtitle=record.subtitle)
    for section in record.sections:
        doc.heading(section.title)
        if section.facts:
            doc.table(["项目", "内容"], [[k, v] for k, v in section.facts], widths=[1, 3])
        if section.table is not None:
            if section.table.rows:
                doc.table(section.table.headers, section.table.rows, widths=section.table.widths)
            else:
                doc.paragraph("（无）")
        if section.text:
            doc.paragraph(f"数据不全、未能检查的规则：{section.text}")
    return doc.render()


def pdf_available() -> bool:
    try:
        import dangjian.core.pdf  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


def export_case(*, actor: Actor, case: RecruitCase, fmt: str, at: dt.date | None = None) -> bytes:
    """The record of ``case`` as ``fmt`` (``docx`` or ``pdf``), audited."""
    require(actor, Perm.RECRUIT_VIEW, case.org.path)
    if fmt not in CONTENT_TYPES:
        raise ExportUnavailable("只能导出为 .docx 或 .pdf")
    record = case_record(case, at)
    data = to_docx(record) if fmt == "docx" else to_pdf(record)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.RECRUIT_CASE_EXPORT,
            object_type="recruit_case",
            object_id=str(case.pk),
            object_repr=str(case),
            scope_path=case.org.path,
            after={"format": fmt, "case_no": case.case_no},
        )
    return data
