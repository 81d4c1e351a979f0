"""``dangjian recruit check FILE.json``: JSON parsed back, table, bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

CASES = [
    {
        "case": "R-001",
        "org": "BR0001",
        "birth_date": "2000-03-01",
        "steps": {"1": "2023-01-10", "2": "2023-01-28", "3": "2023-07-15"},
        "contacts": 2,
        "introducers": ["full", "full"],
        "political_review": "pass",
        "training_hours": 24,
        "publicity": {"activist": ["2023-07-03", "2023-07-07"]},
        "probation_extension_months": 0,
    },
    {"case": "R-002", "org": "BR0001", "steps": {"1": "2025-01-01", "15": "2025-06-01"}},
    {
        "case": "R-003",
        "org": "BR0002",
        "birth_date": "2008-01-01",
        "steps": {"1": "2025-06-01", "2": "2025-06-10"},
        "admission_vote": {"entitled": 10, "present": 5, "yes": 6},
    },
]


def write(tmp_path: Path, data: Any, name: str = "cases.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("recruit", *args, stdout=out)
    return out.getvalue()


def test_json_output_parses_and_keeps_the_findings_shape(tmp_path: Path) -> None:
    path = write(tmp_path, CASES)
    data = json.loads(run("check", str(path), "--at", "2025-08-01", "--format", "json"))
    assert set(data) == {"findings", "not_checked", "not_checked_reasons"}
    by_case: dict[str, set[tuple[str, str]]] = {}
    for f in data["findings"]:
        assert set(f) <= {
            "rule",
            "subject",
            "severity",
            "period",
            "message",
            "source",
            "evidence",
            "due_date",
        }
        assert {"rule", "subject", "severity", "message", "source", "evidence"} <= set(f)
        by_case.setdefault(f["subject"], set()).add((f["rule"], f["severity"]))
    assert "R-001" not in by_case
    assert by_case["R-002"] == {
        ("RECRUIT-TALK-1-MONTH", "error"),
        ("RECRUIT-APPROVAL-3-MONTHS", "due"),
    }
    assert ("RECRUIT-AGE-18", "error") in by_case["R-003"]
    assert ("RECRUIT-VOTE-MAJORITY", "error") in by_case["R-003"]
    due = next(f for f in data["findings"] if f["severity"] == "due")
    assert due["due_date"] == "2025-09-01"
    # an activist since 2023-07-15 without any half-yearly assessment on record
    assert data["not_checked"].get("R-001") == ["RECRUIT-ACTIVIST-REVIEW-HALF-YEAR"]
    assert "RECRUIT-AGE-18" in data["not_checked"]["R-002"]
    assert "RECRUIT-VOTE-MAJORITY" in data["not_checked"]["R-002"]
    assert "R-003" not in data["not_checked"]


def test_at_changes_the_result(tmp_path: Path) -> None:
    path = write(tmp_path, CASES[1:2])
    later = json.loads(run("check", str(path), "--at", "2025-09-02", "--format", "json"))
    approval = [f for f in later["findings"] if f["rule"] == "RECRUIT-APPROVAL-3-MONTHS"]
    assert [f["severity"] for f in approval] == ["error"]


def test_table_output(tmp_path: Path) -> None:
    path = write(tmp_path, CASES)
    out = run("check", str(path), "--at", "2025-08-01")
    assert "R-002" in out and "RECRUIT-TALK-1-MONTH" in out and "待办" in out
    assert "未检查（数据缺失）R-002" in out


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[{", "不是有效的 JSON"),
        ('{"case": "R-1"}', "JSON 数组"),
        ('[{"case": "R-7", "org": "B"}]', "案例 R-7 字段 steps"),
        ('[{"case": "R-7", "org": "B", "steps": {"0": "2025-01-01"}}]', r"steps\.0"),
        ('[{"case": "R-7", "org": "B", "steps": {"1": "2025-13-01"}}]', r"案例 R-7 字段 steps\.1"),
    ],
)
def test_bad_files_exit_2_with_chinese_message(tmp_path: Path, content: str, match: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(CommandError, match=match) as info:
        run("check", str(path), "--format", "json")
    assert info.value.returncode == 2


def test_missing_file_bad_at_and_format(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="文件不存在") as info:
        run("check", str(tmp_path / "none.json"))
    assert info.value.returncode == 2
    path = write(tmp_path, CASES)
    with pytest.raises(CommandError, match="--at"):
        run("check", str(path), "--at", "2025-02-30")
    with pytest.raises(CommandError, match="未知输出格式"):
        run("check", str(path), "--format", "xml")


def test_console_command_exit_status(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    good = write(tmp_path, CASES, "good.json")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dangjian",
            "recruit",
            "check",
            str(good),
            "--at",
            "2025-08-01",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"]
    bad = write(tmp_path, '[{"case": "R-8", "org": "B", "steps": {"1": "x"}}]', "bad.json")
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian", "recruit", "check", str(bad)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "案例 R-8 字段 steps.1" in proc.stderr


def test_cases_with_plans_and_local_configuration(tmp_path: Path, settings: Any) -> None:
    data = {
        "cases": [
            {"case": "R-1", "org": "BR1", "steps": {"17": "2025-03-01"}, "priority_group": "青年"},
            {"case": "R-2", "org": "BR1", "steps": {"17": "2025-04-01"}},
        ],
        "plans": [{"org": "BR1", "year": 2025, "quota": 1, "groups": {"青年": 1}}],
    }
    path = write(tmp_path, data)
    out = json.loads(run("check", str(path), "--at", "2025-06-01", "--format", "json"))
    plan = [f for f in out["findings"] if f["rule"] == "RECRUIT-PLAN"]
    assert [(f["subject"], f["severity"], f["period"]) for f in plan] == [("BR1", "error", "2025")]
    settings.DANGJIAN_RULES = {"RECRUIT-PLAN": {"enabled": False}}
    out = json.loads(run("check", str(path), "--at", "2025-06-01", "--format", "json"))
    assert not [f for f in out["findings"] if f["rule"] == "RECRUIT-PLAN"]
    settings.DANGJIAN_RULES = {"RECRUIT-ARCHIVE": {"weeks": 2}}
    with pytest.raises(CommandError, match="未知参数") as exc:
        run("check", str(path), "--format", "json")
    assert exc.value.returncode == 2
