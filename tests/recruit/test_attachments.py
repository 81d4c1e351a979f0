"""Documents of a case (全程记实): upload, download, delete on the case page and through
``/api/v1/recruitment/cases/<id>/attachments/``; limits, audit and the authorization matrix."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.recruit import services
from dangjian.recruit.models import RecruitAttachment
from tests.recruit.helpers import D, open_case

PDF = b"%PDF-1.4\n% a scanned application\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/api/v1/recruitment/cases/"


def _state():
    return (
        tuple(RecruitAttachment.objects.order_by("pk").values_list("pk", "case_id", "step")),
        AuditEntry.objects.count(),
    )


def _pdf(name: str = "申请书.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def case(tree):
    return open_case(tree["branch_a"], D(2025, 1, 5))


def _attach(case, step: int | None = 1, name: str = "申请书.pdf") -> RecruitAttachment:
    return services.attachment_add(actor=SYSTEM, case=case, name=name, data=PDF, step=step)


# --- service ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_keeps_digest_type_step_and_audits(tree, case):
    item = services.attachment_add(
        actor=tree["secretary_a"], case=case, name="C:\\scan\\志愿书.pdf", data=PDF, step=9
    )
    assert (item.name, item.step, item.content_type, item.size) == (
        "志愿书.pdf",
        9,
        "application/pdf",
        len(PDF),
    )
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    entry = AuditEntry.objects.filter(action="recruit.attachment_add").get()
    assert entry.after["sha256"] == item.sha256 and entry.after["step"] == 9
    assert entry.object_id == str(case.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "step", "text"),
    [
        (b"", None, "是空的"),
        (b"MZ\x90\x00 not a document", None, "不是 JPEG、PNG 图片或 PDF 文件"),
        (b"%PDF-" + b"x" * (services.ATTACHMENT_MAX_BYTES), None, "过大"),
        (PDF, 26, "步骤"),
        (PDF, 0, "步骤"),
    ],
)
def test_bad_documents_are_refused_in_chinese_and_nothing_written(tree, case, data, step, text):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=tree["secretary_a"], case=case, name="x", data=data, step=step
        )
    assert text in " ".join(exc.value.messages)
    assert _state() == before


@pytest.mark.django_db
def test_limit_per_case(tree, case, monkeypatch):
    monkeypatch.setattr(services, "ATTACHMENTS_PER_CASE", 2)
    _attach(case)
    _attach(case)
    with pytest.raises(ValidationError, match="最多 2 个"):
        _attach(case)
    assert RecruitAttachment.objects.count() == 2


@pytest.mark.django_db
def test_service_refuses_actors_outside_the_branch(tree, case):
    item = _attach(case)
    before = _state()
    for user in ("admin_b", "inspector_a"):
        with pytest.raises(PermissionDenied):
            services.attachment_add(actor=tree[user], case=case, name="a.pdf", data=PDF)
        with pytest.raises(PermissionDenied):
            services.attachment_delete(actor=tree[user], attachment=item)
    with pytest.raises(PermissionDenied):
        services.attachment_read(actor=tree["inspector_a"], attachment=item)
    assert _state() == before


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_upload_list_download_delete(tree, case, login):
    client = login("secretary_a")
    page = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "材料（全程记实）" in page and "没有材料" in page
    response = client.post(
        f"/recruit/cases/{case.pk}/attachments/",
        {"step": "1", "files": [_pdf(), SimpleUploadedFile("谈话.png", PNG)]},
    )
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    items = list(RecruitAttachment.objects.order_by("pk"))
    assert [(a.name, a.step, a.content_type) for a in items] == [
        ("申请书.pdf", 1, "application/pdf"),
        ("谈话.png", 1, "image/png"),
    ]
    page = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "申请书.pdf" in page and "第 1 步 递交入党申请书" in page
    download = client.get(f"/recruit/cases/{case.pk}/attachments/{items[0].pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="recruit.attachment_download").count() == 1
    response = client.post(f"/recruit/cases/{case.pk}/attachments/{items[1].pk}/delete/")
    assert response.status_code == 302
    assert list(RecruitAttachment.objects.values_list("name", flat=True)) == ["申请书.pdf"]
    assert AuditEntry.objects.filter(action="recruit.attachment_delete").count() == 1


@pytest.mark.django_db
def test_page_upload_is_all_or_nothing_with_the_error_on_the_form(tree, case, login):
    client = login("secretary_a")
    before = _state()
    response = client.post(
        f"/recruit/cases/{case.pk}/attachments/",
        {"files": [_pdf(), SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")]},
    )
    assert response.status_code == 400
    assert "不是 JPEG、PNG 图片或 PDF 文件" in response.content.decode()
    assert _state() == before
    response = client.post(f"/recruit/cases/{case.pk}/attachments/", {"step": "1"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()
    response = client.post(
        f"/recruit/cases/{case.pk}/attachments/", {"step": "30", "files": [_pdf()]}
    )
    assert response.status_code == 400 and "步骤无效" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_inspector_sees_the_list_but_cannot_download(tree, case, login):
    _attach(case)
    client = login("inspector_a")
    page = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "申请书.pdf" in page and "只有可查看党员个人信息的人员能下载" in page
    assert "上传材料" not in page and f"/recruit/cases/{case.pk}/attachments/" not in page


def _page_targets(case, item):
    pk = case.pk
    return [
        ("post", f"/recruit/cases/{pk}/attachments/", {"files": [_pdf()]}),
        ("get", f"/recruit/cases/{pk}/attachments/{item.pk}/", None),
        ("post", f"/recruit/cases/{pk}/attachments/{item.pk}/delete/", {}),
    ]


#: user → status per page target (upload, download, delete)
PAGE_MATRIX = {
    None: [302, 302, 302],
    "sysadmin": [403, 403, 403],
    "auditor": [403, 403, 403],
    "inspector_a": [403, 403, 403],
    "admin_b": [404, 404, 404],
    "secretary_a": [302, 200, 302],
    "admin_a": [302, 200, 302],
    "admin": [302, 200, 302],
}


@pytest.mark.django_db
@pytest.mark.parametrize("user", list(PAGE_MATRIX))
def test_page_authorization_matrix(tree, case, user, login):
    client = login(user)
    expected = PAGE_MATRIX[user]
    for index, status in enumerate(expected):
        item = _attach(case)
        method, url, data = _page_targets(case, item)[index]
        before = _state()
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == status, (user, url, response.status_code)
        if status != 200 and not (status == 302 and user):
            assert _state() == before, (user, url)
        if user is None:
            assert "login" in response["Location"]


@pytest.mark.django_db
def test_a_case_of_another_branch_cannot_be_reached_through_an_attachment_id(tree, case, login):
    other = open_case(tree["branch_b"], D(2025, 2, 1), name="李四")
    item = _attach(other)
    client = login("secretary_a")
    before = _state()
    assert client.get(f"/recruit/cases/{case.pk}/attachments/{item.pk}/").status_code == 404
    response = client.post(f"/recruit/cases/{case.pk}/attachments/{item.pk}/delete/")
    assert response.status_code == 404
    assert _state() == before


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_upload_list_download_delete(tree, case, api):
    client = api("secretary_a")
    url = f"{BASE}{case.pk}/attachments/"
    response = client.post(url, {"file": [_pdf(), _pdf("介绍人意见.pdf")], "step": "9"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(i["name"], i["step"]) for i in body] == [("申请书.pdf", 9), ("介绍人意见.pdf", 9)]
    assert body[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = client.get(url).json()
    assert [i["id"] for i in listed] == [i["id"] for i in body]
    download = client.get(body[0]["url"])
    assert download.status_code == 200 and download.content == PDF
    assert download["Digest"] == f"sha-256={body[0]['sha256']}"
    assert client.delete(body[1]["url"]).status_code == 204
    assert RecruitAttachment.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="recruit.attachment").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["recruit.attachment_add"] * 2
        + ["recruit.attachment_download", "recruit.attachment_delete"]
    )


@pytest.mark.django_db
def test_api_errors_are_400_in_chinese_and_write_nothing(tree, case, api):
    client = api("secretary_a")
    url = f"{BASE}{case.pk}/attachments/"
    before = _state()
    response = client.post(url, {"file": [_pdf(), _pdf("x.bin", b"GIF89a")]})
    assert response.status_code == 400
    assert "不是 JPEG、PNG 图片或 PDF 文件" in response.json()["file"][0]
    response = client.post(url, {"file": [_pdf()], "step": "abc"})
    assert response.status_code == 400 and "步骤" in response.json()["step"][0]
    response = client.post(url, {})
    assert response.status_code == 400 and "请选择要上传的文件" in response.json()["file"][0]
    assert _state() == before


# (name, method, url, body) — the attachment is created afresh before each call
API_TARGETS = [
    ("list", "get", lambda c, a: f"{BASE}{c.pk}/attachments/", False),
    ("upload", "post", lambda c, a: f"{BASE}{c.pk}/attachments/", True),
    ("download", "get", lambda c, a: f"{BASE}{c.pk}/attachments/{a.pk}/", False),
    ("delete", "delete", lambda c, a: f"{BASE}{c.pk}/attachments/{a.pk}/", False),
]
#: user → status per API target (list, upload, download, delete)
API_MATRIX = {
    None: [401, 401, 401, 401],
    "sysadmin": [403, 403, 403, 403],
    "inspector_a": [200, 403, 403, 403],
    "admin_b": [404, 404, 404, 404],
    "secretary_a": [200, 201, 200, 204],
    "admin_a": [200, 201, 200, 204],
}


@pytest.mark.django_db
@pytest.mark.parametrize("user", list(API_MATRIX))
def test_api_authorization_matrix(tree, case, api, user):
    client = api(user)
    for (name, method, url, upload), status in zip(API_TARGETS, API_MATRIX[user], strict=True):
        item = _attach(case)
        before = _state()
        if upload:
            response = client.post(url(case, item), {"file": _pdf()}, format="multipart")
        else:
            response = getattr(client, method)(url(case, item))
        if user is None:
            assert response.status_code in (401, 403), name
        else:
            assert response.status_code == status, (user, name, response.content)
        if response.status_code >= 400:
            assert _state() == before, (user, name)
        if name == "list" and status == 200:
            assert item.name in response.content.decode()
