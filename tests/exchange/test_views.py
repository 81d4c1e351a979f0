"""The import/export page: who may upload and download, CSRF, size limit, report rendering."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization

from .helpers import counts, member_row, members_file, org_row, orgs_file

INDEX = reverse("exchange:index")


def _upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_anonymous_is_sent_to_login(tree, tmp_path):
    response = Client().get(INDEX)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    state = counts()
    path = orgs_file(tmp_path / "o.csv", [org_row("N1", "TA001")])
    response = Client().post(INDEX, {"kind": "orgs", "file": _upload(path)})
    assert response.status_code == 302
    response = Client().post(reverse("exchange:export", args=["members", "csv"]))
    assert response.status_code == 302
    assert counts() == state


def test_page_renders_for_a_logged_in_user(tree, login):
    response = login(tree["admin_a"]).get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "导入组织或党员" in body and 'enctype="multipart/form-data"' in body
    assert reverse("exchange:export", args=["members", "xlsx"]) in body


def test_allowed_user_imports_and_sees_counts(tree, tmp_path, login):
    path = orgs_file(tmp_path / "新组织.csv", [org_row("N1", "TA001"), org_row("N2", "TA001")])
    response = login(tree["admin_a"]).post(INDEX, {"kind": "orgs", "file": _upload(path)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "组织导入完成：新组织.csv 共 2 行，新增 2，更新 0，未变 0" in body
    assert Organization.objects.filter(code__in=["N1", "N2"]).count() == 2
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.actor_name == "admin_a"


def test_rejected_upload_shows_the_report_table(tree, tmp_path, login):
    rows = [member_row("BA001", 入党日期="2010-02-30"), member_row("TB001")]
    path = members_file(tmp_path / "m.xlsx", rows)
    state = counts()
    response = login(tree["admin_a"]).post(INDEX, {"kind": "members", "file": _upload(path)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "未写入任何数据" in body
    assert "第2行" in body and "日期“2010-02-30”不存在" in body
    assert "第3行" in body and "所在党组织编码“TB001”不存在或不在您的管辖范围内" in body
    assert counts() == state


def test_dry_run_from_the_page(tree, tmp_path, login):
    path = members_file(tmp_path / "m.csv", [member_row("BA001")])
    state = counts()
    response = login(tree["admin_a"]).post(
        INDEX, {"kind": "members", "file": _upload(path), "dry_run": "on"}
    )
    assert "试运行（未写入）" in response.content.decode()
    assert counts() == state


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("inspector_a", "orgs"),
        ("inspector_a", "members"),
        ("secretary_a", "orgs"),
        ("auditor", "members"),
    ],
)
def test_user_without_permission_gets_403(tree, tmp_path, who, kind, login):
    path = (
        orgs_file(tmp_path / "o.csv", [org_row("N1", "BA001", "党小组")])
        if kind == "orgs"
        else members_file(tmp_path / "m.csv", [member_row("BA001")])
    )
    state = counts()
    response = login(tree[who]).post(INDEX, {"kind": kind, "file": _upload(path)})
    assert response.status_code == 403
    assert counts() == state


def test_csrf_is_enforced(tree, tmp_path, login):
    path = orgs_file(tmp_path / "o.csv", [org_row("N1", "TA001")])
    state = counts()
    client = login(tree["admin_a"], enforce_csrf_checks=True)
    response = client.post(INDEX, {"kind": "orgs", "file": _upload(path)})
    assert response.status_code == 403
    response = client.post(reverse("exchange:export", args=["members", "csv"]))
    assert response.status_code == 403
    assert counts() == state


def test_oversized_upload_is_refused_before_parsing(tree, settings, login):
    settings.DANGJIAN_MAX_UPLOAD_MB = 0.1
    big = SimpleUploadedFile("m.csv", b"x" * 300_000)
    state = counts()
    response = login(tree["admin_a"]).post(INDEX, {"kind": "members", "file": big})
    assert response.status_code == 413
    assert "文件过大" in response.content.decode() and "上限为 0.1 MB" in response.content.decode()
    assert counts() == state


def test_upload_just_over_the_limit_is_refused_by_the_form(tree, settings, login):
    settings.DANGJIAN_MAX_UPLOAD_MB = 0.1
    limit = int(0.1 * 1024 * 1024)
    big = SimpleUploadedFile("m.csv", b"x" * (limit + 10))
    response = login(tree["admin_a"]).post(INDEX, {"kind": "members", "file": big})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


def test_wrong_extension_and_missing_file(tree, login):
    client = login(tree["admin_a"])
    response = client.post(INDEX, {"kind": "orgs", "file": SimpleUploadedFile("o.xls", b"abc")})
    assert response.status_code == 400
    assert "不支持的文件类型 .xls" in response.content.decode()
    response = client.post(INDEX, {"kind": "orgs"})
    assert response.status_code == 400


def test_export_download_is_scoped_and_audited(tree, login):
    before = AuditEntry.objects.count()
    response = login(tree["admin_a"]).post(reverse("exchange:export", args=["members", "csv"]))
    assert response.status_code == 200
    # a Chinese file name (issue 9: no English on what users see), encoded for every browser
    assert response["Content-Disposition"].startswith(
        "attachment; filename*=utf-8''" + quote("党员名册-TA001-")
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {m.id_number() for m in tree["members_a"]}
    assert AuditEntry.objects.count() == before + 1
    response = login(tree["admin_a"]).post(reverse("exchange:export", args=["orgs", "xlsx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_export_refusals(tree, login):
    before = AuditEntry.objects.count()
    inspector = login(tree["inspector_a"])
    assert inspector.post(reverse("exchange:export", args=["members", "csv"])).status_code == 403
    assert inspector.post(reverse("exchange:export", args=["orgs", "csv"])).status_code == 200
    assert (
        login(tree["auditor"]).post(reverse("exchange:export", args=["orgs", "csv"])).status_code
        == 403
    )
    admin = login(tree["admin_a"])
    assert admin.post(reverse("exchange:export", args=["members", "json"])).status_code == 404
    assert admin.get(reverse("exchange:export", args=["members", "csv"])).status_code == 405
    assert AuditEntry.objects.count() == before


def test_form_offers_only_what_the_user_may_import(tree, login):
    body = login(tree["secretary_a"]).get(INDEX).content.decode()
    assert '<option value="members"' in body and '<option value="orgs"' not in body
    body = login(tree["inspector_a"]).get(INDEX).content.decode()
    assert "您的角色没有导入数据的权限" in body


def test_long_reports_are_capped_on_the_page(tree, tmp_path, login):
    rows = [org_row(f"N{i}", "TA001", "党部") for i in range(1005)]
    path = orgs_file(tmp_path / "o.csv", rows)
    body = (
        login(tree["admin_a"]).post(INDEX, {"kind": "orgs", "file": _upload(path)}).content.decode()
    )
    assert "仅显示前 1000 个问题（共 1005 个）" in body
    assert body.count('<td data-label="问题">') == 1000
