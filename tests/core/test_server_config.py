"""The production server's configuration: the shared cache chosen from REDIS_URL, the gunicorn
configuration, ``dangjian serve``, and SQLite's options."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dangjian.settings.base import cache_settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(module: str, **env: str) -> dict:
    """CACHES and DATABASES of a settings module as a fresh process computes them."""
    code = (
        "import importlib, json, sys; "
        f"s = importlib.import_module({module!r}); "
        "print(json.dumps({'caches': s.CACHES, 'db': s.DATABASES['default']}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(proc.stdout)


def test_redis_is_the_cache_when_redis_url_is_set(tmp_path) -> None:
    found = _settings_in_subprocess(
        "dangjian.settings.base",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DANGJIAN_VAR_DIR=str(tmp_path),
    )
    default = found["caches"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_without_redis_the_cache_is_a_folder_every_process_shares(tmp_path) -> None:
    found = _settings_in_subprocess("dangjian.settings.base", DANGJIAN_VAR_DIR=str(tmp_path))
    default = found["caches"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == str(tmp_path.resolve() / "cache")


def test_the_file_cache_is_seen_by_another_process(tmp_path) -> None:
    """What one gunicorn worker counts (a rate limit), another reads (unlike local memory)."""
    from django.core.cache.backends.filebased import FileBasedCache

    conf = cache_settings("", tmp_path)["default"]
    mine = FileBasedCache(conf["LOCATION"], {k: v for k, v in conf.items() if k != "LOCATION"})
    mine.set("hits", 3, None)  # no expiry: this process runs on the suite's frozen clock
    code = (
        "from django.conf import settings; settings.configure(); "
        "from django.core.cache.backends.filebased import FileBasedCache; "
        f"c = FileBasedCache({conf['LOCATION']!r}, {{'KEY_PREFIX': 'dangjian'}}); "
        "print(c.incr('hits'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "4"
    assert mine.get("hits") == 4


def test_sqlite_waits_for_the_lock_in_wal_mode(tmp_path) -> None:
    found = _settings_in_subprocess(
        "dangjian.settings.base",
        DANGJIAN_VAR_DIR=str(tmp_path),
        DANGJIAN_SQLITE_BUSY_TIMEOUT="7",
    )
    options = found["db"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 7.0


def test_sessions_are_kept_on_the_server_and_saved_only_when_changed() -> None:
    from django.conf import settings

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_the_gunicorn_configuration_is_sane(monkeypatch) -> None:
    for name in ("DANGJIAN_BIND", "DANGJIAN_WORKERS", "DANGJIAN_THREADS", "DANGJIAN_KEEPALIVE"):
        monkeypatch.delenv(name, raising=False)
    conf = importlib.reload(importlib.import_module("dangjian.settings.gunicorn"))
    assert conf.worker_class == "gthread"
    assert 2 <= conf.workers <= 8 and conf.threads >= 2
    # an idle connection outlives the client's and the proxy's reuse of it (60 s)
    assert conf.keepalive > 60
    assert conf.timeout > 10 and conf.graceful_timeout > 0
    assert conf.bind == ["127.0.0.1:8000"]
    monkeypatch.setenv("DANGJIAN_WORKERS", "5")
    monkeypatch.setenv("DANGJIAN_BIND", "0.0.0.0:9000")
    conf = importlib.reload(conf)
    assert conf.workers == 5 and conf.bind == ["0.0.0.0:9000"]


def test_gunicorn_accepts_the_configuration() -> None:
    """gunicorn itself reads the file and checks every setting (``--check-config``)."""
    proc = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c",
         "python:dangjian.settings.gunicorn", "dangjian.wsgi:application"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings.test"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.django_db
def test_serve_prepares_and_names_the_gunicorn_command(monkeypatch, settings, tmp_path) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.delenv("DANGJIAN_WORKERS", raising=False)
    out = StringIO()
    call_command("serve", "--dry-run", "--no-migrate", "--workers", "3", stdout=out)
    command = "gunicorn -c python:dangjian.settings.gunicorn dangjian.wsgi:application"
    assert command in out.getvalue()
    assert os.environ["DANGJIAN_WORKERS"] == "3"
    assert (tmp_path / "static" / "css" / "app.css").exists()  # collected
    monkeypatch.delenv("DANGJIAN_WORKERS")
