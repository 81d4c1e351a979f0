"""The console command dispatches to the product commands and to Django's own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dangjian.cli import COMMANDS, main


def test_help_lists_every_product_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("demo", "seed", "import", "export", "check", "user", "audit", "manage"):
        assert f"  {name}" in out


def test_product_commands_map_to_management_commands():
    from django.core.management import get_commands

    known = get_commands()
    missing = [cmd for cmd in COMMANDS.values() if cmd not in known]
    assert missing == []


@pytest.mark.parametrize("argv", [["manage", "check"], ["check", "--help"]])
def test_module_entry_point_runs(argv):
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian", *argv], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr


def test_unknown_command_fails_with_message():
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "dangjian", "no_such_command"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode != 0
    assert "no_such_command" in proc.stderr
