"""``dangjian import`` / ``dangjian export``: exit status, stderr report, stdout summary."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from dangjian import cli
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .helpers import counts, member_row, members_file, org_row, orgs_file


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """``run_from_argv`` closes every connection when a command ends; the test's own
    transaction (PostgreSQL) must survive that."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_import_rejected_prints_report_and_exits_1(tree, tmp_path, capsys):
    path = orgs_file(tmp_path / "bad.csv", [org_row("N1", "NOPE1"), org_row("N1", "TA001")])
    state = counts()
    with pytest.raises(SystemExit) as exc:
        cli.main(["import", "orgs", str(path)])
    assert exc.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert "bad.csv 第2行 上级组织编码 “NOPE1” 上级组织编码“NOPE1”在文件和数据库中不存在" in lines
    assert "bad.csv 第3行 组织编码 “N1” 组织编码与第2行重复" in lines
    assert any("导入被拒绝" in line and "2 个问题" in line for line in lines)
    assert counts() == state


def test_import_ok_prints_summary(tree, tmp_path, capsys):
    path = orgs_file(tmp_path / "o.csv", [org_row("N1", "TA001")])
    assert cli.main(["import", "orgs", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.strip() == "组织导入完成：o.csv 共 1 行，新增 1，更新 0，未变 0"
    assert Organization.objects.filter(code="N1").exists()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.actor_name.startswith("命令行:")


def test_dry_run_writes_nothing(tree, tmp_path):
    path = members_file(tmp_path / "m.csv", [member_row("BA001")])
    out = io.StringIO()
    state = counts()
    call_command("import_data", "members", str(path), "--dry-run", stdout=out)
    assert "试运行（未写入）" in out.getvalue() and "新增 1" in out.getvalue()
    assert counts() == state


def test_unreadable_file_via_call_command(tree, tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("x")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_data", "members", str(path), stderr=err)
    assert exc.value.returncode == 1
    assert "不支持的文件类型 .txt" in err.getvalue()


def test_export_commands(tree, tmp_path, capsys):
    orgs, members = tmp_path / "o.xlsx", tmp_path / "m.csv"
    assert cli.main(["export", "orgs", str(orgs)]) == 0
    assert cli.main(["export", "members", str(members)]) == 0
    out, _ = capsys.readouterr()
    assert f"已导出组织 5 条到 {orgs}" in out
    assert f"已导出党员 {Member.objects.count()} 条到 {members}" in out
    assert members.read_text(encoding="utf-8-sig").count("\n") == Member.objects.count() + 1


def test_export_to_unsupported_extension_fails_cleanly(tree, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("export_data", "orgs", str(tmp_path / "o.json"))
    assert "不支持的文件类型 .json" in str(exc.value)


def test_missing_input_and_unwritable_output(tree, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_data", "orgs", str(tmp_path / "none.csv"), stderr=err)
    assert exc.value.returncode == 1
    assert "none.csv 整个文件 — （空） 文件 none.csv 不存在或不是普通文件" in err.getvalue()
    before = AuditEntry.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("export_data", "members", str(tmp_path / "no" / "such" / "m.csv"))
    assert "无法写入" in str(exc.value)
    assert AuditEntry.objects.count() == before  # no audit entry for an export that did not happen
