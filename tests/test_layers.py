"""The dependency-direction check (tools/layers.py): the package passes it, and it catches each
kind of problem in a small made-up package."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "layers.py"

_spec = importlib.util.spec_from_file_location("layers_check", SCRIPT)
assert _spec is not None and _spec.loader is not None
layers = importlib.util.module_from_spec(_spec)
sys.modules["layers_check"] = layers  # dataclasses look their module up
_spec.loader.exec_module(layers)


def test_the_package_keeps_its_layers() -> None:
    assert layers.check(ROOT) == []


def test_the_script_runs_and_says_so() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no upward imports" in done.stdout


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package ``dangjian`` under tmp_path with the given files; returns the checker's report."""
    monkeypatch.setattr(layers, "ALLOWED", [])

    def build(files: dict[str, str]) -> list[str]:
        for name, text in {"__init__.py": "", **files}.items():
            path = tmp_path / "dangjian" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            for parent in path.relative_to(tmp_path).parents:
                init = tmp_path / parent / "__init__.py"
                if parent != Path(".") and not init.exists():
                    init.write_text("")
            path.write_text(text)
        return layers.check(tmp_path)

    return build


def test_a_clean_package_has_no_problem(fake) -> None:
    assert (
        fake(
            {
                "core/dates.py": "",
                "orgs/models.py": "from dangjian.core import dates\n",
                "members/models.py": "from dangjian.orgs.models import x\n",
                "life/services.py": "from ..members import models\n",
                "life/views.py": "from dangjian.web.helpers import paginate\n",
                "web/helpers.py": "from dangjian.life.services import y\n",
            }
        )
        == []
    )


def test_an_upward_import_is_reported_even_inside_a_function(fake) -> None:
    problems = fake(
        {
            "life/models.py": "",
            "life/views.py": "",
            "life/services.py": "def f():\n    from .views import page\n",
        }
    )
    assert len(problems) == 1
    assert "life/services.py:2: upward import" in problems[0]
    assert "dangjian.life.views (L4 interface)" in problems[0]


def test_type_checking_imports_are_ignored(fake) -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from dangjian.web.helpers import x\n"
        "else:\n    from dangjian.web import helpers\n"
    )
    problems = fake({"web/helpers.py": "", "core/tree.py": text})
    assert len(problems) == 1
    assert "core/tree.py:5: upward import" in problems[0]


def test_base_apps_are_ordered(fake) -> None:
    problems = fake(
        {
            "accounts/scope.py": "",
            "orgs/selectors.py": "from dangjian.members.models import Member\n",
            "members/models.py": "from dangjian.accounts import scope\n",
        }
    )
    assert problems == [
        "dangjian/orgs/selectors.py:1: base apps are ordered core ← accounts ← orgs ← members: "
        "dangjian.orgs.selectors imports dangjian.members.models"
    ]


def test_a_cycle_between_domain_apps_is_reported_with_its_imports(fake) -> None:
    problems = fake(
        {
            "assess/models.py": "",
            "assess/bulletin.py": "from dangjian.rectify import selectors\n",
            "rectify/selectors.py": "from dangjian.assess.models import Result\n",
        }
    )
    assert len(problems) == 1
    assert problems[0].startswith("cycle between apps of L3 domain: assess, rectify")
    assert "assess → rectify: dangjian/assess/bulletin.py:1" in problems[0]
    assert "rectify → assess: dangjian/rectify/selectors.py:1" in problems[0]


def test_an_apps_rules_module_is_a_domain_module(fake) -> None:
    problems = fake(
        {
            "rules/registry.py": "",
            "orgs/rules.py": "from dangjian.rules.registry import rule\n",
            "orgs/models.py": "from .rules import setup_findings\n",
        }
    )
    assert len(problems) == 1
    assert "dangjian.orgs.models (L1 base) imports dangjian.orgs.rules (L3 domain)" in problems[0]


def test_private_names_across_apps(fake) -> None:
    problems = fake(
        {
            "web/views/orgs.py": "def _ancestors(): ...\n",
            "life/views.py": "from dangjian.web.views.orgs import _ancestors, tree\n",
            "life/selectors.py": "from ._private import x\nfrom .models import _own\n",
            "life/_private.py": "",
            "life/models.py": "",
        }
    )
    assert problems == [
        "dangjian/life/views.py:1: private name imported from another app: _ancestors from "
        "dangjian.web.views.orgs into dangjian.life.views"
    ]


def test_seed_modules_live_in_demo_and_unknown_apps_are_reported(fake) -> None:
    problems = fake({"life/seed.py": "", "demo/life.py": "", "newapp/models.py": ""})
    assert problems == [
        "dangjian/life/seed.py: seed data builders live in dangjian/demo/, "
        "not in dangjian.life.seed"
    ]
    problems = fake({"life/services.py": "from dangjian.newapp import models\n"})
    assert any("dangjian.newapp.models belongs to no layer" in p for p in problems)


def test_the_allowlist_silences_an_import_and_a_stale_entry_is_reported(
    fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"core/labels.py": "from dangjian.rules import catalogue\n", "rules/catalogue.py": ""}
    assert len(fake(files)) == 1
    entry = ("dangjian.core.labels", "dangjian.rules.*", "being moved")
    monkeypatch.setattr(layers, "ALLOWED", [entry])
    assert layers.check(tmp_path) == []
    (tmp_path / "dangjian" / "core" / "labels.py").write_text("")
    assert layers.check(tmp_path) == [
        "allowlist entry matches nothing, remove it: dangjian.core.labels → dangjian.rules.* "
        "(being moved)"
    ]


def test_the_script_exits_1_and_lists_the_problems(fake, tmp_path: Path) -> None:
    fake({"core/tree.py": "from dangjian.life import models\n", "life/models.py": ""})
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "dangjian/core/tree.py:1: upward import" in done.stdout
    assert "layer problem(s)" in done.stdout.splitlines()[-1]
