"""Export of a case's record (入党志愿书 / archive data) to .docx and PDF: content, masking,
scope, audit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from dangjian.core.models import AuditEntry
from dangjian.recruit.export import case_record, export_case, to_docx
from dangjian.recruit.selectors import case_get
from tests.factories import make_user
from tests.recruit.helpers import D, step, walk_to_admission


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(
            archive.namelist()
        )
        return archive.read("word/document.xml").decode("utf-8")


@pytest.fixture
def admitted(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    step(case, 9, D(2024, 7, 19), introducers=tree["members_a"][:2])
    return case


@pytest.mark.django_db
def test_record_holds_every_step_with_its_data(tree, admitted):
    case = case_get(tree["admin_a"], admitted.pk)
    record = case_record(case, D(2026, 11, 1))
    titles = [s.title for s in record.sections]
    assert titles[0] == "一、申请人基本情况" and titles[2] == "三、发展程序记实"
    facts = dict(record.sections[0].facts)
    assert facts["公民身份号码"] == case.id_number_masked
    assert case.id_number() not in str(record)
    steps = record.sections[2].table
    assert steps is not None
    assert [row[0] for row in steps.rows] == [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
    ]  # fmt: skip
    by_number = {row[0]: row for row in steps.rows}
    assert "应到有表决权 20 人，实到 15 人，书面意见 0 份，赞成 11 票" in by_number[15][3]
    assert by_number[9][3].startswith("入党介绍人：") and "（正式党员）" in by_number[9][3]
    assert by_number[17][3] == "结论：同意"
    review = dict(record.sections[1].facts)
    assert review["政治审查结论"] == "合格" and review["审查单位"] == "甲镇党委组织办"


@pytest.mark.django_db
def test_docx_is_a_word_document_with_the_record(tree, admitted):
    case = case_get(tree["admin_a"], admitted.pk)
    xml = _document_xml(to_docx(case_record(case, D(2026, 11, 1))))
    assert xml.startswith("<?xml") and "<w:tbl>" in xml
    assert "发展党员全程纪实表" in xml and case.name in xml and case.case_no in xml
    assert "上级党委审批" in xml and "2024-09-20" in xml


@pytest.mark.django_db
def test_export_pages_docx_and_pdf_are_audited_and_scoped(tree, admitted):
    client = Client()
    client.force_login(tree["inspector_a"])
    before = AuditEntry.objects.count()
    response = client.post(f"/recruit/cases/{admitted.pk}/export.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"recruit-{admitted.case_no}.docx" in response["Content-Disposition"]
    assert admitted.name in _document_xml(response.content)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None and entry.action == "recruit.case_export"
    assert entry.after == {"format": "docx", "case_no": admitted.case_no}
    pdf = client.post(f"/recruit/cases/{admitted.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"%%EOF" in pdf.content[-64:]
    assert client.get(f"/recruit/cases/{admitted.pk}/export.pdf").status_code == 405
    assert client.post(f"/recruit/cases/{admitted.pk}/export.odt").status_code == 400
    # another subtree: no such case, nothing audited
    other = Client()
    other.force_login(tree["admin_b"])
    count = AuditEntry.objects.count()
    assert other.post(f"/recruit/cases/{admitted.pk}/export.docx").status_code == 404
    no_role = Client()
    no_role.force_login(tree["sysadmin"])
    assert no_role.post(f"/recruit/cases/{admitted.pk}/export.docx").status_code == 403
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db
def test_export_service_checks_the_scope(tree, admitted):
    from django.core.exceptions import PermissionDenied

    outsider = make_user(tree["branch_b"], "branch_secretary", username="export_outsider")
    case = case_get(tree["admin_a"], admitted.pk)
    with pytest.raises(PermissionDenied):
        export_case(actor=outsider, case=case, fmt="docx")


@pytest.mark.django_db
def test_record_lists_the_documents_by_name_and_digest_not_content(tree, admitted):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.recruit.services import attachment_add

    data = b"%PDF-1.4 the signed volunteer form%%EOF"
    item = attachment_add(actor=SYSTEM, case=admitted, name="志愿书.pdf", data=data, step=9)
    case = case_get(tree["admin_a"], admitted.pk)
    record = case_record(case, D(2026, 11, 1))
    section = record.sections[-1]
    assert section.title == "七、材料目录" and section.table is not None
    assert section.table.rows == [[9, "志愿书.pdf", "0", item.sha256]]
    assert "signed volunteer form" not in str(record)
