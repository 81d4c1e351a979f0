"""A city switches rules or changes their parameters with a JSON file, without code."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _list_rules(tmp_path, content: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings.test"}
    env.pop("DANGJIAN_RULES_FILE", None)
    if content is not None:
        path = tmp_path / "rules.json"
        path.write_text(content, encoding="utf-8")
        env["DANGJIAN_RULES_FILE"] = str(path)
    return subprocess.run(
        [sys.executable, "-m", "dangjian", "check", "--list-rules"],
        capture_output=True,
        text=True,
        env=env,
    )


def _line(out: str, rule_id: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(rule_id))


def test_rules_file_switches_a_rule_off(tmp_path):
    default = _list_rules(tmp_path, None)
    assert default.returncode == 0, default.stderr
    assert "停用" not in _line(default.stdout, "SETUP-BRANCH-MAX")
    local = _list_rules(tmp_path, json.dumps({"SETUP-BRANCH-MAX": {"enabled": False}}))
    assert local.returncode == 0, local.stderr
    assert "停用" in _line(local.stdout, "SETUP-BRANCH-MAX")
    assert "停用" not in _line(local.stdout, "SETUP-BRANCH-MIN-FULL")


def test_broken_rules_file_is_named_in_the_error(tmp_path):
    proc = _list_rules(tmp_path, "{not json")
    assert proc.returncode != 0
    assert "DANGJIAN_RULES_FILE" in proc.stderr
