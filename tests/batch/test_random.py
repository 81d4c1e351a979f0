"""On randomly generated organizations, rolls and meetings (a seeded generator, written through
the services so the rollups are kept), the batch engine finds exactly what the row path finds
for the rules it covers; the command prints the same findings, and a configured parameter
reaches the batch SQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.batch.engines import DuckDBEngine
from dangjian.batch.run import run_batch
from dangjian.batch.snapshot import export_snapshot
from dangjian.life.choices import MeetingType
from dangjian.life.services import MeetingInput, meeting_record
from dangjian.members.services import StatusInput, member_status_record
from dangjian.orgs.models import Organization
from dangjian.orgs.services import ElectionDelayInput, org_election_delay_record
from tests.batch.helpers import compare
from tests.factories import make_member, make_org

SEED = 20261206
SECTORS = ["农村", "社区", "机关", "国有企业", "高校"]
POSTS = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "", "", "", ""]
BRANCH_MEETINGS = [
    MeetingType.ASSEMBLY,
    MeetingType.COMMITTEE,
    MeetingType.LECTURE,
    MeetingType.THEME_DAY,
    MeetingType.ORG_LIFE,
    MeetingType.DEMOCRATIC_REVIEW,
    MeetingType.HEART_TALK,
]


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _maybe(rng: random.Random, p: float, value):
    return value if rng.random() < p else None


def build_world(rng: random.Random, today: dt.date) -> None:
    """A random district: 党委 → (党总支 →) branches of every kind → 党小组, random terms,
    founding days, vacancies, delays, rolls, posts, standings and meetings."""
    root = make_org(None, org_type="党委", sector="机关", code="R0001")
    committees = [root]
    for i in range(3):
        committees.append(
            make_org(root, org_type="党委", sector=rng.choice(SECTORS), code=f"C{i:03d}")
        )
    parents = list(committees)
    for i in range(3):
        parents.append(
            make_org(
                rng.choice(committees[1:]),
                org_type="党总支",
                sector=rng.choice(SECTORS),
                code=f"G{i:03d}",
            )
        )
    branches = []
    for i in range(40):
        kind = rng.choice(["党支部"] * 6 + ["联合党支部", "临时党支部"])
        founded = _maybe(rng, 0.4, _day(rng, dt.date(2024, 6, 1), today))
        started = _maybe(rng, 0.8, _day(rng, founded or dt.date(2019, 1, 1), today))
        org = make_org(
            rng.choice(parents),
            org_type=kind,
            sector=rng.choice(SECTORS),
            code=f"B{i:03d}",
            founded_on=founded,
            term_started_on=started if kind != "临时党支部" else None,
            term_years=rng.choice([None, None, 3, 5, 2]) if started else None,
            units_covered=rng.randint(2, 8) if kind == "联合党支部" else None,
            secretary_vacant_since=_maybe(rng, 0.15, _day(rng, dt.date(2025, 6, 1), today)),
        )
        branches.append(org)
        if rng.random() < 0.3:
            make_org(org, org_type="党小组", sector=org.sector, code=f"P{i:03d}")
    for org in [*committees[1:], *parents[4:], *branches]:
        if org.term_started_on and org.term_ends_on and rng.random() < 0.3:
            ends = org.term_ends_on
            with contextlib.suppress(ValidationError):
                org_election_delay_record(
                    actor=SYSTEM,
                    org=org,
                    data=ElectionDelayInput(
                        approved_by="上级党委",
                        approved_on=min(today, max(org.term_started_on, ends)),
                        new_deadline=ends + dt.timedelta(days=rng.randint(30, 360)),
                    ),
                    today=today,
                )
    for org in branches:
        if org.org_type == "临时党支部":
            continue
        secretary = False
        for _ in range(rng.randint(0, 12)):
            post = rng.choice(POSTS)
            if post == "书记":
                if secretary:
                    post = ""
                secretary = True
            joined = _day(rng, dt.date(2015, 1, 1), today - dt.timedelta(days=1))
            probationary = rng.random() < 0.2 or joined > today - dt.timedelta(days=366)
            member = make_member(
                org,
                member_type="预备党员" if probationary else "正式党员",
                joined_on=joined,
                post=post,
            )
            if rng.random() < 0.06:
                with contextlib.suppress(ValidationError):
                    member_status_record(
                        actor=SYSTEM,
                        member=member,
                        data=StatusInput(
                            kind=rng.choice(["留党察看", "停止党籍", "死亡"]),
                            started_on=_day(rng, joined, today),
                            decided_by="上级党委",
                        ),
                        today=today,
                    )
    groups = list(Organization.objects.filter(org_type="党小组"))
    first = dt.date(today.year - 1, 9, 1)
    for org in branches + groups:
        for _ in range(rng.randint(0, 25)):
            kind = MeetingType.GROUP if org.org_type == "党小组" else rng.choice(BRANCH_MEETINGS)
            held = _day(rng, first, today)
            data = MeetingInput(
                org=org, meeting_type=kind, held_on=held, topic=f"会议{rng.random():.6f}"
            )
            if kind == MeetingType.ORG_LIFE and rng.random() < 0.3:
                data.also_counts_as = [MeetingType.DEMOCRATIC_REVIEW]
            if kind in (MeetingType.ORG_LIFE, MeetingType.HEART_TALK) and held.month <= 2:
                data.year = rng.choice([None, held.year - 1])
            if kind == MeetingType.LECTURE and rng.random() < 0.5:
                data.lecturer_role = "上级党委书记"
                data.lecturer_org = rng.choice(committees)
                if held.month <= 2 and rng.random() < 0.5:
                    data.year = held.year - 1
            with contextlib.suppress(ValidationError):
                meeting_record(actor=SYSTEM, data=data)


@pytest.fixture
def world(db, today):
    build_world(random.Random(SEED), today)


def test_duckdb_equals_row_path_on_random_data(world, today, tmp_path):
    export_snapshot(tmp_path, today)
    with DuckDBEngine() as engine:
        assert compare(engine, tmp_path, today) > 50


@pytest.mark.parametrize("seed", [1, 2])
def test_more_random_worlds(db, today, tmp_path, seed):
    build_world(random.Random(seed), today)
    export_snapshot(tmp_path, today)
    with DuckDBEngine() as engine:
        compare(engine, tmp_path, today)


def test_early_in_the_year_the_past_year_is_still_due(world, today, tmp_path):
    """Checked on another day the snapshot is exported for that day: in January the yearly
    rules still judge last year (所属年度, due until the end of February)."""
    day = dt.date(today.year + 1, 1, 15)
    export_snapshot(tmp_path, day)
    with DuckDBEngine() as engine:
        compare(engine, tmp_path, day)


def test_a_configured_parameter_reaches_the_batch_sql(world, today, tmp_path):
    rules = {
        "SETUP-BRANCH-MIN-FULL": {"min_full": 5},
        "LIFE-LECTURE-QUARTERLY": {"frequency": "month"},
        "LIFE-HEART-TALK-YEARLY": {"types": ["谈心谈话", "组织生活会"]},
    }
    with override_settings(DANGJIAN_RULES=rules):
        export_snapshot(tmp_path, today)
        with DuckDBEngine() as engine:
            compare(engine, tmp_path, today)
            result = run_batch(engine, tmp_path)
    periods = {k[3] for k in result.rows() if k[0] == "LIFE-LECTURE-QUARTERLY"}
    assert f"{today.year}-03" in periods
    assert "LIFE-HEART-TALK-YEARLY" in {n.rule_id for n in result.not_covered}


def test_the_command_exports_and_runs(world, today, tmp_path, capsys):
    snap = tmp_path / "snap"
    call_command("batch", "export", "--out", str(snap))
    assert "已导出" in capsys.readouterr().out
    out = tmp_path / "found.json"
    call_command("batch", "run", "--snapshot", str(snap), "--format", "json", "--out", str(out))
    data = json.loads(out.read_text("utf-8"))
    with DuckDBEngine() as engine:
        keys = run_batch(engine, snap).rows()
    assert [(f["rule"], f["subject"], f["severity"], f["period"]) for f in data["findings"]] == keys
    assert {n["rule"] for n in data["not_covered"]} >= {"LIFE-LATE-ENTRY"}
    assert all(f["title"] for f in data["findings"])
    call_command("batch", "run", "--rules", "SETUP")  # exports first into a temporary directory
    text = capsys.readouterr().out
    assert "组织编码" in text and "引擎 duckdb" in text
    call_command("batch", "run", "--format", "parquet", "--out", str(tmp_path / "f.parquet"))
    assert (tmp_path / "f.parquet").stat().st_size > 0


def test_a_snapshot_of_an_earlier_day_counts_the_records_held_by_then(world, today, tmp_path):
    """The rollup holds today's records; a snapshot of an earlier day counts the meetings held
    by that day from the records, and the rolls as they stood then."""
    day = today - dt.timedelta(days=40)
    export_snapshot(tmp_path, day)
    with DuckDBEngine() as engine:
        assert compare(engine, tmp_path, day) > 50
