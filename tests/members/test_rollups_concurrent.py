"""Member counts under a concurrent organization move, with two real transactions on
PostgreSQL (READ COMMITTED): a member of a branch leaves the party (a recorded standing: a
status row, roll events that refer to the branch, the counts) while the 党总支 above the branch
moves. The foreign keys are checked at commit, so without the branch row held first the two
deadlocked: the write waited at its commit for the branch row the move rewrote, the move for
the member counts the write held."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from dangjian.accounts.scope import SYSTEM
from dangjian.core import rollup
from dangjian.members import rollups
from dangjian.members.rollups import counts_differences
from dangjian.members.services import StatusInput, member_status_record
from dangjian.orgs.services import org_move
from tests.factories import make_member, make_org

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]


def _setup():
    root = make_org(None, org_type="党委", sector="机关", code="CR001")
    town_a = make_org(root, org_type="党委", code="CA001")
    town_b = make_org(root, org_type="党委", code="CB001")
    general = make_org(town_a, org_type="党总支", code="CG001")
    inner = make_org(general, org_type="党支部", code="CI001")
    make_member(inner, member_type="预备党员")
    return town_b, general, make_member(inner)


def leave(member) -> None:
    data = StatusInput("死亡", dt.date(2026, 1, 5), "上级党委")
    member_status_record(actor=SYSTEM, member=member, data=data, today=dt.date(2026, 11, 23))


def _run(first, second) -> None:
    errors: list[BaseException] = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(fn), name=fn.__name__) for fn in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def test_move_waits_for_a_write_that_holds_the_branch(monkeypatch):
    town_b, general, member = _setup()
    read, moved = threading.Event(), threading.Event()
    seen: list[bool] = []
    above = rollups._above

    def slow_above(paths):
        found = above(paths)
        if threading.current_thread().name == "writer" and not read.is_set():
            read.set()
            time.sleep(1.0)  # the move starts meanwhile and waits for the branch row
            seen.append(moved.is_set())
        return found

    monkeypatch.setattr(rollups, "_above", slow_above)

    def writer():
        leave(member)

    def mover():
        assert read.wait(20)
        org_move(actor=SYSTEM, org=general, new_parent=town_b)
        moved.set()

    _run(writer, mover)
    assert seen == [False]  # the move finished only after the write committed
    assert moved.is_set()
    assert counts_differences() == []


def test_write_waits_for_a_move_that_holds_the_subtree_row(monkeypatch):
    town_b, general, member = _setup()
    locked = threading.Event()
    add = rollup.add_to_rows

    def add_then_wait(*args, **kwargs):
        add(*args, **kwargs)
        if threading.current_thread().name == "mover" and not locked.is_set():
            locked.set()
            time.sleep(1.0)  # the writer reads the old paths and blocks on the locked rows

    monkeypatch.setattr(rollup, "add_to_rows", add_then_wait)

    def mover():
        org_move(actor=SYSTEM, org=general, new_parent=town_b)

    def writer():
        assert locked.wait(20)
        leave(member)

    _run(mover, writer)
    assert counts_differences() == []
