"""The batch command's refusals: Chinese messages, exit status 2."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.batch.nation import generate_nation


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("batch", *args)
    assert info.value.returncode == 2
    return str(info.value)


def test_bad_arguments_are_refused_in_chinese(tmp_path):
    assert "未知引擎" in _refused("run", "--engine", "oracle")
    assert "未知输出格式" in _refused("run", "--format", "xml")
    assert "--out" in _refused("run", "--format", "parquet")
    assert "快照目录" in _refused("export")
    assert "meta.json" in _refused("run", "--snapshot", str(tmp_path))


def test_a_snapshot_is_checked_on_its_own_date(tmp_path, capsys):
    generate_nation(tmp_path, at=dt.date(2026, 11, 23), scale=0.001)
    assert "不能按 2026-01-01 检查" in _refused(
        "run", "--snapshot", str(tmp_path), "--at", "2026-01-01"
    )
    call_command("batch", "run", "--snapshot", str(tmp_path), "--rules", "SETUP")
    out = capsys.readouterr().out
    assert "2026-11-23，引擎 duckdb" in out and "党支部正式党员不少于 3 名" in out
