"""The benchmarks are not run by the suite (they print figures), but what they import must exist:
a module that moves takes its benchmark's imports with it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_every_name_a_benchmark_imports_from_the_package_exists():
    missing = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dangjian")
            ):
                continue
            assert node.module is not None
            module = importlib.import_module(node.module)
            for alias in node.names:
                if hasattr(module, alias.name):
                    continue
                try:
                    importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    missing.append(f"{path.name}: {node.module}.{alias.name}")
    assert missing == []


def test_the_load_test_loads_in_locust() -> None:
    """locust reads ``load_locust.py`` and finds its user class (in a separate process: locust
    patches the standard library with gevent when imported)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(BENCHMARKS / "load_locust.py"), "--list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "DistrictUser" in proc.stdout


def test_the_load_test_refuses_a_host_that_is_not_this_machine(tmp_path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(BENCHMARKS / "load_locust.py"),
         "--headless", "-u", "1", "-r", "1", "-t", "2s", "--host", "http://192.0.2.1:8000",
         "--csv", str(tmp_path / "refused")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "not a loopback address" in proc.stdout + proc.stderr
    assert (
        not (tmp_path / "refused_stats.csv").exists()
        or "login" not in (tmp_path / "refused_stats.csv").read_text()
    )
