from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from dangjian.accounts.models import User
from dangjian.core import workdays
from tests.factories import make_member, make_org, make_user

#: The day every test runs on, whatever the machine's clock says (CI also runs the suite with the
#: clock set years ahead to prove it). A test that needs another day says so with
#: ``@pytest.mark.today("2026-12-31T23:59")``; one that crosses midnight moves ``clock``.
SUITE_TODAY = "2026-11-23T10:00"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock(request):
    """Freeze the clock at the suite's day (or the test's ``today`` mark); time still ticks from
    there, so timeouts and elapsed-time checks behave. ``clock.move_to(...)`` moves it."""
    mark = request.node.get_closest_marker("today")
    start = _moment(mark.args[0] if mark else SUITE_TODAY)
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    """Failed logins are counted per client address in the default cache, which outlives a
    test: every test starts from an empty cache (the test client's address is always the same)."""
    cache.clear()
    yield
    cache.clear()


def _calendar_as_in_1_11(monkeypatch: pytest.MonkeyPatch) -> None:
    years = frozenset(y for y in workdays._library_years() if y <= 2026)
    monkeypatch.setattr(workdays, "_library_years", lambda: years)
    workdays.reset()


@pytest.fixture(autouse=True)
def calendar_as_in_1_11(monkeypatch):
    """The working-day calendar's built-in years as chinese-calendar 1.11 knows them
    (2004–2026), whatever release is installed: a later one that knows 2027 must not change
    what the tests mean (a 2027 day is "not checked" unless a test adds a year file)."""
    _calendar_as_in_1_11(monkeypatch)
    yield
    workdays.reset()


@contextlib.contextmanager
def rolled_back_after(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Data a whole test module reads, written once (on the suite's day, with the suite's
    calendar) in a transaction that stays open while the module's tests run and is rolled back
    after them. Each test of the module (``db``, not ``transactional_db``) runs in a savepoint
    inside it, so it sees the data as ``build`` left it, whatever the test before it wrote.
    Python objects the data returns are shared by the module's tests: they must not change
    them in place. The clock starts two hours before the suite's moment, on the same day."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with (
                # written before the tests' clock starts (which then does not run backwards)
                time_machine.travel(_moment(SUITE_TODAY) - dt.timedelta(hours=2), tick=True),
                pytest.MonkeyPatch.context() as mp,
            ):
                _calendar_as_in_1_11(mp)
                data = build()
            workdays.reset()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def today(clock) -> dt.date:
    """The test's day in China (Asia/Shanghai), as pages and services see it."""
    return dt.datetime.now(SHANGHAI).date()


@pytest.fixture
def tree(db):
    """A small district: 组织部 root → two 党委 → branches with members.

    Returns a dict of named nodes and users so tests can speak about "the other subtree".
    """
    return build_tree()


def seed_demo_district() -> None:
    """The demo district as ``dangjian demo --tier tiny`` seeds it (seed 42), story included,
    on the day it runs (a module's data is written on the suite's day)."""
    from django.utils import timezone

    from dangjian.demo.seed import seed_database
    from dangjian.demo.story import seed_demo_story

    today = timezone.localdate()
    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    list(seed_demo_story(today, seed=42))


def build_tree() -> dict[str, Any]:
    """The ``tree`` fixture's district (for module-scoped data built from it)."""
    root = make_org(None, org_type="党委", sector="机关", code="D0001", name="测试区委组织部")
    town_a = make_org(root, org_type="党委", sector="农村", code="TA001", name="甲镇党委")
    town_b = make_org(root, org_type="党委", sector="社区", code="TB001", name="乙街道党工委")
    branch_a = make_org(town_a, org_type="党支部", sector="农村", code="BA001", name="甲村党支部")
    branch_b = make_org(town_b, org_type="党支部", sector="社区", code="BB001", name="乙社区党支部")
    members_a = [make_member(branch_a) for _ in range(4)]
    members_b = [make_member(branch_b, phone="13812345678") for _ in range(2)]
    return {
        "root": root,
        "town_a": town_a,
        "town_b": town_b,
        "branch_a": branch_a,
        "branch_b": branch_b,
        "members_a": members_a,
        "members_b": members_b,
        "admin": make_user(root, "org_admin", username="admin"),
        "admin_a": make_user(town_a, "committee_admin", username="admin_a"),
        "admin_b": make_user(town_b, "committee_admin", username="admin_b"),
        "inspector_a": make_user(town_a, "inspector", username="inspector_a"),
        "secretary_a": make_user(branch_a, "branch_secretary", username="secretary_a"),
        "sysadmin": make_user(root, "sys_admin", username="sysadmin"),
        "secadmin": make_user(root, "security_admin", username="secadmin"),
        "auditor": make_user(root, "audit_admin", username="auditor"),
    }


@pytest.fixture
def login(request):
    """``login("admin_a")`` → a web client logged in as that user of ``tree`` (or as a ``User``
    given itself); ``login(None)`` → an anonymous client. Keyword arguments go to ``Client``."""

    def make(user: str | User | None, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        if isinstance(user, str):
            user = request.getfixturevalue("tree")[user]
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api(request):
    """``api("admin_a")`` → an API client carrying a fresh token of that user of ``tree`` (or of
    a ``User`` given itself); ``api(None)`` → an anonymous API client. The token throttle counts
    in the cache, so the cache is emptied before and after the test."""
    from dangjian.api.services import token_issue

    cache.clear()

    def make(user: str | User | None) -> APIClient:
        client = APIClient()
        if isinstance(user, str):
            user = request.getfixturevalue("tree")[user]
        if user is not None:
            _token, raw = token_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    yield make
    cache.clear()


#: The modules that take longest on one worker (a browser walk, a demo district seeded, the
#: authorization matrix), longest first: run before the rest, so that the workers of
#: ``--dist loadscope`` end together instead of one waiting on a long module collected last.
#: Measured with ``--junitxml`` (the module's total); a module missing here only runs later.
LONGEST_FIRST = (
    "tests/browser/test_phone.py",
    "tests/test_authorization.py",
    "tests/demo/test_demo.py",
    "tests/findings/test_store_demo.py",
    "tests/web/test_every_page_chinese.py",
    "tests/demo/test_demo_empty.py",
    "tests/recruit/test_seed.py",
    "tests/batch/test_spark.py",
    "tests/life/test_rollup_facts.py",
    "tests/demo/test_rollups.py",
    "tests/life/test_minutes_signatures.py",
    "tests/recruit/test_browser.py",
    "tests/recruit/test_budget.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable
