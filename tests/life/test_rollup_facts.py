"""The LIFE frequency counts from the rollup ``life.MeetingMonths`` give exactly the findings and
the overview table of the grouped queries over the records (``dangjian check``'s path): on the
demo data and after seeded random writes through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.life.compliance import compliance
from dangjian.life.models import Meeting
from dangjian.life.rollups import months_differences
from dangjian.life.rules import facts_from
from dangjian.life.services import MeetingInput, meeting_delete, meeting_record, meeting_update
from dangjian.rules.runner import run_check
from tests.factories import make_member, make_org
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db

TYPES = ["支部党员大会", "支委会", "党课", "主题党日", "组织生活会", "民主评议党员", "谈心谈话"]


def findings(source: str, **filters):
    with facts_from(source):
        result = run_check(SYSTEM, rules="LIFE", **filters)
    return [f.as_dict() for f in result.findings], result.checked_orgs


def table(source: str, year: int, **filters):
    """Everything the overview shows of a year's table (cells, groups) and its findings."""
    found = compliance(SYSTEM, year=year, source=source, **filters)
    cells = [
        (row.rule, row.frequency, [(c.label, c.checked, c.met, c.running) for c in row.cells])
        for row in found.rows
    ]
    groups = {
        kind: [(g.name, g.label, g.rates, g.checked, g.met) for g in rows]
        for kind, rows in found.groups.items()
    }
    return cells, groups, [f.as_dict() for f in found.result.findings], found.at


def assert_same(today: dt.date) -> None:
    """Both sources agree on the findings at several days and on the tables of two years."""
    days = [
        today,
        dt.date(today.year - 1, 12, 31),
        dt.date(today.year, 2, 10),  # last year's yearly meetings still due
        dt.date(today.year, 6, 15),  # mid-month: records later in the month are not counted
        dt.date(today.year - 1, 3, 31),
    ]
    for at in days:
        records = findings("records", at=at)
        assert records[0], at  # something to compare
        assert findings("rollups", at=at) == records, at
    since = dt.date(today.year - 1, 7, 1)
    assert findings("rollups", at=today, since=since) == findings("records", at=today, since=since)
    for year in (today.year - 1, today.year):
        assert table("rollups", year) == table("records", year), year


def test_demo_data(today, monkeypatch):
    from dangjian.demo.seed import seed_database
    from dangjian.demo.story import seed_demo_story
    from dangjian.life.rules import checks

    seed_database(tier="tiny", seed=42, as_of=today, progress=False)
    list(seed_demo_story(today, seed=42))
    assert months_differences() == []
    assert Meeting.objects.count() > 1000
    read = []
    real = checks._rollup_counts
    monkeypatch.setattr(checks, "_rollup_counts", lambda *a, **k: read.append(1) or real(*a, **k))
    assert_same(today)
    assert len(read) == 8  # the rollups were read: 5 days, 1 window, 2 tables
    town = compliance(SYSTEM, year=today.year).result.facts
    assert town  # the table's facts (for the drill-down) are there


def _random_input(rng: random.Random, org, today: dt.date) -> MeetingInput:
    kind = rng.choice(TYPES)
    held = today - dt.timedelta(days=rng.randint(0, 700))
    also = []
    if kind == "支部党员大会" and rng.random() < 0.4:
        also = ["主题党日"]
    if kind == "组织生活会" and rng.random() < 0.5:
        also = ["民主评议党员"]
    year = (
        held.year - 1 if kind == "组织生活会" and held.month <= 2 and rng.random() < 0.7 else None
    )
    return MeetingInput(
        org=org,
        meeting_type=kind,
        held_on=held,
        topic=f"主题{rng.randint(1, 10**9)}",
        also_counts_as=also,
        year=year,
    )


@pytest.fixture
def random_records(tree, today):
    """About 400 records of six branches written, changed and deleted at random through the
    services (fixed seed), plus a few records dated after the days compared (written directly,
    keeping the rollup like every write)."""
    rng = random.Random(20261206)
    branches = [tree["branch_a"], tree["branch_b"]]
    for n in range(4):
        town = tree["town_a"] if n % 2 else tree["town_b"]
        branch = make_org(
            town,
            org_type="党支部",
            code=f"BR{n:03d}",
            founded_on=dt.date(today.year - 1, rng.randint(1, 12), 1) if n == 3 else None,
        )
        for post in ("书记", "副书记", "委员"):
            make_member(branch, post=post, joined_on=dt.date(2020, 1, 1))
        branches.append(branch)
    for _ in range(450):
        roll = rng.random()
        existing = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
        if roll < 0.75 or not existing:
            try:
                meeting_record(actor=SYSTEM, data=_random_input(rng, rng.choice(branches), today))
            except ValidationError:  # a duplicate of the same day and type: refused
                continue
        elif roll < 0.9:
            meeting = Meeting.objects.get(pk=rng.choice(existing))
            try:
                meeting_update(
                    actor=SYSTEM,
                    meeting=meeting,
                    data=_random_input(rng, rng.choice(branches), today),
                )
            except ValidationError:  # refused writes leave everything as it was
                continue
        else:
            meeting_delete(actor=SYSTEM, meeting=Meeting.objects.get(pk=rng.choice(existing)))
    # later in a month than a day compared, and counted for an earlier year after its deadline
    meet(branches[0], "主题党日", dt.date(today.year, 6, 20))
    meet(branches[1], "组织生活会", dt.date(today.year, 5, 3), year=today.year - 1)
    assert months_differences() == []
    return tree


def test_random_writes(random_records, today):
    assert Meeting.objects.count() > 250
    assert_same(today)
    # one town's subtree, one sector
    assert table("rollups", today.year, org_code="TA001") == table(
        "records", today.year, org_code="TA001"
    )
    assert table("rollups", today.year, sector="社区") == table(
        "records", today.year, sector="社区"
    )


@override_settings(
    DANGJIAN_RULES={
        "LIFE-THEME-DAY-MONTHLY": {"min_count": 2},
        "LIFE-ORG-LIFE-MEETING-YEARLY": {"next_year_months": 1},
        # two types and two meetings: counted once per record, so the records are read
        "LIFE-ASSEMBLY-QUARTERLY": {"types": ["支部党员大会", "主题党日"], "min_count": 2},
    }
)
def test_random_writes_other_parameters(random_records, today):
    assert_same(today)
