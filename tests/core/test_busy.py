"""Sessions are not written on a page view, and a database whose write lock another connection
holds answers 503 with Retry-After (dangjian/core/busy.py), not a 400 or a 500.

The suite's database lives in memory; the lock tests copy it into a SQLite file in WAL mode, run
the requests on that file through a connection with a short busy timeout, and hold the write lock
from a second connection, as an import in another process would."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.busy import RETRY_AFTER_SECONDS, is_database_busy

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock (PostgreSQL has row locks)"
)

LAST_SEEN = "dangjian_last_seen"


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
def test_a_page_view_does_not_write_the_session(login) -> None:
    client = login("admin")
    client.get(reverse("web:tree"))  # the first view after login stamps the idle clock
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:tree")).status_code == 200
        assert _session_writes(queries) == []


@pytest.mark.django_db
def test_the_idle_clock_is_refreshed_once_a_minute(login, clock) -> None:
    client = login("admin")
    client.get(reverse("web:tree"))
    stamped = client.session[LAST_SEEN]
    clock.shift(30)
    client.get(reverse("web:tree"))
    assert client.session[LAST_SEEN] == stamped
    clock.shift(31)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("web:tree"))
    assert len(_session_writes(queries)) == 1
    assert client.session[LAST_SEEN] > stamped + 60


# --- a busy database ---------------------------------------------------------------------------


def _file_copy(path: Path) -> None:
    """The suite's in-memory database (with the test's rows) as a SQLite file in WAL mode.
    (The tests commit their rows — ``transaction=True`` — for the copy to see them.)"""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()


@contextmanager
def _on_file(path: Path, timeout: float = 0.2) -> Iterator[None]:
    """Requests run on the file ``path`` (busy timeout ``timeout`` s) instead of the memory."""
    original = connections["default"]
    settings_dict = {
        **original.settings_dict,
        "NAME": str(path),
        "OPTIONS": {"timeout": timeout, "transaction_mode": "IMMEDIATE"},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original


@contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    """Another connection holds the write lock (like a long import in another process)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _assert_busy(response, *, json: bool = False) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    text = response.json()["detail"] if json else response.content.decode()
    assert "系统繁忙" in text and "重试" in text


@pytest.fixture
def db_file(tmp_path, tree) -> Path:
    return tmp_path / "busy.sqlite3"


@pytest.mark.django_db(transaction=True)
def test_reading_pages_go_on_while_another_connection_writes(login, db_file) -> None:
    client = login("admin")
    client.get(reverse("web:tree"))  # idle clock stamped: the next views only read
    _file_copy(db_file)
    with _on_file(db_file), _write_lock(db_file):
        for name in ("web:tree", "web:findings"):
            assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_session_that_cannot_be_saved_answers_503(login, db_file) -> None:
    """Django answers a failed session update with 400 "session interrupted"."""
    client = login("admin")  # no idle stamp yet: this view saves the session
    _file_copy(db_file)
    with _on_file(db_file), _write_lock(db_file):
        started = time.monotonic()
        response = client.get(reverse("web:tree"))
    _assert_busy(response)
    assert time.monotonic() - started < 5


@pytest.mark.django_db(transaction=True)
def test_a_view_that_cannot_write_answers_503(login, db_file) -> None:
    client = login("admin")
    client.get(reverse("web:tree"))
    _file_copy(db_file)
    with _on_file(db_file), _write_lock(db_file):
        response = client.post(reverse("logout"))
    _assert_busy(response)
    with _on_file(db_file):  # lock released: the same request goes through
        assert client.post(reverse("logout")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_as_json(db_file) -> None:
    from tests.factories import PASSWORD

    client = Client()
    _file_copy(db_file)
    with _on_file(db_file), _write_lock(db_file):
        response = client.post(
            "/api/v1/auth/token/",
            {"username": "admin", "password": PASSWORD},
            content_type="application/json",
        )
    _assert_busy(response, json=True)


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_middleware_answers_503(login, db_file) -> None:
    """The idle timeout logs out (a session delete) in its middleware, before any view."""
    client = login("admin", raise_request_exception=False)
    client.get(reverse("web:tree"))
    session = client.session
    session[LAST_SEEN] = time.time() - 24 * 3600
    session.save()
    _file_copy(db_file)
    with _on_file(db_file), _write_lock(db_file):
        response = client.get(reverse("web:tree"))
    _assert_busy(response)


def test_only_lock_errors_count_as_busy() -> None:
    from django.db import IntegrityError, OperationalError

    assert is_database_busy(OperationalError("database is locked"))
    try:
        try:
            raise OperationalError("database table is locked: django_session")
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as outer:
        assert is_database_busy(outer)
    assert not is_database_busy(OperationalError("no such table: x"))
    assert not is_database_busy(IntegrityError("UNIQUE constraint failed"))
    assert not is_database_busy(None)
