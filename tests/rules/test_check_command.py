"""``dangjian check`` (management command ``check_rules``): json, table, errors with exit 2."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_member, make_org


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_rules", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def district(tree):
    make_org(
        tree["town_a"], org_type="联合党支部", sector="非公有制企业", code="JA001", units_covered=6
    )
    make_member(tree["branch_a"], post="书记", confirmed_on=dt.date(2026, 1, 15))
    return tree


def test_json_output_is_sorted_findings_in_exchange_format(district):
    data = json.loads(run("--rules", "SETUP", "--at", "2026-06-30", "--format", "json"))
    assert isinstance(data, list) and data
    keys = [(d["subject"], d["rule"]) for d in data]
    assert keys == sorted(keys)
    for item in data:
        assert set(item) >= {"rule", "subject", "severity", "message", "source", "evidence"}
        assert item["severity"] in {"error", "warning", "due"}
    short = [d for d in data if d["rule"] == "SETUP-BRANCH-MIN-FULL"]
    assert {d["subject"] for d in short} == {"BB001", "JA001"}
    bb = next(d for d in short if d["subject"] == "BB001")
    assert bb["evidence"]["full_members"] == 2
    age = next(d for d in data if d["rule"] == "SETUP-SECRETARY-PARTY-AGE")
    assert age["subject"] == "BA001" and age["evidence"]["party_age_days"] == 166


def test_org_rule_and_severity_filters(district):
    data = json.loads(run("--org", "TA001", "--at", "2026-06-30", "--format", "json"))
    assert {d["subject"] for d in data} <= {"TA001", "BA001", "JA001"}
    only = json.loads(
        run("--rule", "SETUP-JOINT-BRANCH-UNITS", "--at", "2026-06-30", "--format", "json")
    )
    assert [(d["subject"], d["evidence"]) for d in only] == [("JA001", {"units_covered": 6})]
    warnings = json.loads(run("--severity", "warning", "--format", "json", "--at", "2026-06-30"))
    assert warnings and {d["severity"] for d in warnings} == {"warning"}


def test_at_changes_the_result(district):
    before = json.loads(run("--at", "2026-01-20", "--format", "json", "--org", "BA001"))
    after = json.loads(run("--at", "2027-02-01", "--format", "json", "--org", "BA001"))
    assert any(d["rule"] == "SETUP-SECRETARY-PARTY-AGE" for d in before)
    assert not any(d["rule"] == "SETUP-SECRETARY-PARTY-AGE" for d in after)


def test_table_has_chinese_columns_and_summary(district):
    text = run("--at", "2026-06-30")
    assert "组织编码" in text and "规则" in text and "级别" in text
    row = next(ln for ln in text.splitlines() if ln.startswith("BB001"))
    assert "乙社区党支部" in row and "SETUP-BRANCH-MIN-FULL" in row and "错误" in row
    assert "检查日期 2026-06-30" in text
    summary = text.split("检查日期")[1]
    line = next(ln for ln in summary.splitlines() if ln.startswith("SETUP-BRANCH-MIN-FULL"))
    assert line.split()[-1] == "2"  # BB001 and JA001
    assert "SETUP-ELECTION-MARGIN" in text and "未检查" in text


def test_list_rules_marks_unchecked(db):
    data = json.loads(run("--list-rules", "--format", "json"))
    status = {d["rule"]: d["checked"] for d in data}
    assert status["SETUP-BRANCH-MIN-FULL"] is True
    assert status["SETUP-PROJECT-BRANCH"] is False
    assert status["SETUP-ELECTION-MARGIN"] is False
    assert status["SETUP-VOTERS"] is True


@pytest.mark.parametrize(
    "args,text",
    [
        (["--org", "NOPE"], "组织编码“NOPE”不存在"),
        (["--at", "2026-13-01"], "不存在"),
        (["--at", "yesterday"], "格式错误"),
        (["--rules", "ASSESS"], "尚未实现"),
        (["--rules", "FOO"], "未知规则族"),
        (["--rule", "SETUP-NOPE"], "未知或未实现的规则"),
        (["--severity", "fatal"], "未知的级别"),
        (["--format", "xml"], "未知输出格式"),
    ],
)
def test_bad_arguments(tree, args, text):
    with pytest.raises(CommandError, match=text) as exc:
        run(*args)
    assert exc.value.returncode == 2


@pytest.mark.parametrize(
    "argv,text",
    [
        (["--at", "2026-02-30"], "日期“2026-02-30”不存在"),
        (["--rules", "ASSESS"], "尚未实现"),
    ],
)
def test_console_exit_status_and_stderr(argv, text):
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian", "check", *argv],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert text in proc.stderr
    assert proc.stdout == ""
