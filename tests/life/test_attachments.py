"""Attachments (photos / PDFs of the signed minutes): sniffed type, size limit, scope, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import AuditEntry
from dangjian.life.models import MeetingAttachment
from tests.life.helpers import meet

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def meeting(tree):
    return meet(tree["branch_a"], "支部党员大会", dt.date(2026, 3, 1))


def _state():
    return (MeetingAttachment.objects.count(), AuditEntry.objects.count())


@pytest.mark.django_db
def test_upload_download_delete(tree, meeting, login):
    client = login("secretary_a")
    files = [
        SimpleUploadedFile("签字页.png", PNG, content_type="text/plain"),
        SimpleUploadedFile("../../记录.pdf", PDF, content_type="image/png"),
    ]
    response = client.post(f"/life/meetings/{meeting.pk}/attachments/", {"files": files})
    assert response.status_code == 302
    items = list(MeetingAttachment.objects.order_by("pk"))
    assert [(a.name, a.content_type) for a in items] == [
        ("签字页.png", "image/png"),
        ("记录.pdf", "application/pdf"),
    ]
    assert AuditEntry.objects.filter(action="life.attachment.add").count() == 2
    html = client.get(f"/life/meetings/{meeting.pk}/").content.decode()
    assert "签字页.png" in html
    download = client.get(f"/life/attachments/{items[0].pk}/")
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.post(f"/life/attachments/{items[0].pk}/delete/").status_code == 302
    assert MeetingAttachment.objects.count() == 1
    assert AuditEntry.objects.get(action="life.attachment.delete").before["name"] == "签字页.png"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content,text",
    [
        (b"<script>alert(1)</script>", "不是 JPEG、PNG 图片或 PDF 文件"),
        (b"", "是空的"),
        (PNG + b"0" * (5 * 1024 * 1024), "过大"),
    ],
)
def test_bad_files_write_nothing(tree, meeting, content, text, login):
    client = login("secretary_a")
    before = _state()
    files = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.png", content)]
    response = client.post(
        f"/life/meetings/{meeting.pk}/attachments/", {"files": files}, follow=True
    )
    assert text in response.content.decode()
    assert _state() == before  # the good file of the batch is not kept either


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,upload,download",
    [
        ("inspector_a", 403, 200),
        ("admin_b", 404, 404),
        ("sysadmin", 403, 403),
        ("auditor", 403, 403),
        (None, 302, 302),
    ],
)
def test_attachment_matrix(tree, meeting, user, upload, download, login):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.life.services import attachment_add

    item = attachment_add(actor=SYSTEM, meeting=meeting, name="x.pdf", data=PDF)
    client = login(user)
    before = _state()
    files = [SimpleUploadedFile("y.png", PNG)]
    assert (
        client.post(f"/life/meetings/{meeting.pk}/attachments/", {"files": files}).status_code
        == upload
    )
    assert client.get(f"/life/attachments/{item.pk}/").status_code == download
    assert client.post(f"/life/attachments/{item.pk}/delete/").status_code in (
        upload,
        403,
        404,
        302,
    )
    assert _state() == before
