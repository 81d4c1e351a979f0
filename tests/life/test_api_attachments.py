"""``/api/v1/meetings/<id>/attachments/``: upload, list, download, delete; scope, limits, audit."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.models import AuditEntry
from dangjian.life.models import MeetingAttachment
from dangjian.life.services import ATTACHMENT_MAX_BYTES
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"1" * 64


@pytest.fixture
def meeting(tree):
    return meet(tree["branch_a"], "支部党员大会", dt.date(2026, 3, 1))


def url(meeting, attachment_id=None) -> str:
    base = f"/api/v1/meetings/{meeting.pk}/attachments/"
    return f"{base}{attachment_id}/" if attachment_id else base


def state():
    return (
        MeetingAttachment.objects.count(),
        AuditEntry.objects.filter(action__startswith="life.attachment").count(),
    )


def upload(client, meeting, *files):
    return client.post(url(meeting), {"file": list(files)}, format="multipart")


def test_upload_list_download_delete(tree, meeting, api):
    client = api("secretary_a")
    response = upload(
        client,
        meeting,
        SimpleUploadedFile("签字页.png", PNG, content_type="application/pdf"),
        SimpleUploadedFile("../../记录.pdf", PDF, content_type="image/png"),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert [(a["name"], a["content_type"], a["size"]) for a in created] == [
        ("签字页.png", "image/png", len(PNG)),  # sniffed, the client's claim is ignored
        ("记录.pdf", "application/pdf", len(PDF)),
    ]
    assert created[0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    entries = AuditEntry.objects.filter(action="life.attachment.add", object_id=str(meeting.pk))
    assert entries.count() == 2 and entries.first().actor_id == tree["secretary_a"].pk
    listed = client.get(url(meeting)).json()
    assert [a["id"] for a in listed] == [a["id"] for a in created]
    download = client.get(created[1]["url"])
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in download["Content-Disposition"]
    assert client.delete(created[0]["url"]).status_code == 204
    assert [a["name"] for a in client.get(url(meeting)).json()] == ["记录.pdf"]
    assert AuditEntry.objects.filter(action="life.attachment.delete").count() == 1


@pytest.mark.parametrize(
    "files,text",
    [
        ([], "请选择要上传的文件"),
        ([("big.png", PNG + b"\x00" * ATTACHMENT_MAX_BYTES)], "过大"),
        ([("a.png", PNG), ("x.html", b"<script>alert(1)</script>")], "不是 JPEG、PNG 图片或 PDF"),
        ([("empty.pdf", b"")], "空"),
    ],
)
def test_bad_upload_writes_nothing(tree, meeting, api, files, text):
    before = state()
    response = upload(api("secretary_a"), meeting, *[SimpleUploadedFile(n, d) for n, d in files])
    assert response.status_code == 400
    assert text in str(response.json())
    assert state() == before


def test_at_most_ten_per_record(tree, meeting, api):
    client = api("secretary_a")
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(10)]
    assert upload(client, meeting, *files).status_code == 201
    before = state()
    response = upload(client, meeting, SimpleUploadedFile("11.png", PNG))
    assert response.status_code == 400 and "最多 10 个附件" in str(response.json())
    assert state() == before


@pytest.mark.parametrize(
    "user,read,write",
    [
        ("secretary_a", 200, 201),
        ("admin_a", 200, 201),
        ("admin", 200, 201),
        ("inspector_a", 200, 403),  # may read member records, not record meetings
        ("admin_b", 404, 404),  # another subtree: no existence leak
        ("auditor", 403, 403),
        ("sysadmin", 403, 403),
        ("secadmin", 403, 403),
        (None, 401, 401),
    ],
)
def test_authorization_matrix(tree, meeting, api, user, read, write):
    owner = api("secretary_a")
    existing = upload(owner, meeting, SimpleUploadedFile("a.png", PNG)).json()[0]
    client = api(user)
    before = state()
    assert client.get(url(meeting)).status_code == read
    download = client.get(existing["url"])
    assert download.status_code == read
    if read != 200:
        assert download.content != PNG
    assert upload(client, meeting, SimpleUploadedFile("b.png", PNG)).status_code == write
    deleted = client.delete(existing["url"])
    assert deleted.status_code == (204 if write == 201 else write)
    if write != 201:
        assert state() == before


def test_attachment_of_another_meeting_is_not_found(tree, meeting, api):
    client = api("secretary_a")
    item = upload(client, meeting, SimpleUploadedFile("a.png", PNG)).json()[0]
    other = meet(tree["branch_a"], "支委会", dt.date(2026, 3, 2))
    assert client.get(url(other, item["id"])).status_code == 404
    assert client.delete(url(other, item["id"])).status_code == 404
    assert MeetingAttachment.objects.count() == 1
