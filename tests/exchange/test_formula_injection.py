"""No exporter writes a live formula: every .xlsx and .csv export, fed the shared hostile strings
(tests/hostile.py) through names, topics, minutes and labels, writes them as inert text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.spreadsheet import csv_restore, csv_text, is_formula_like
from dangjian.exchange.exporters import export_members, export_orgs
from dangjian.exchange.readers import read_table
from dangjian.life.ledger import export_ledger
from dangjian.orgs.models import Region
from dangjian.rectify.bulletin import bulletin_build, campaign_ranking, export_xlsx
from tests.factories import make_member, make_org
from tests.hostile import HOSTILE, assert_csv_inert, assert_xlsx_inert, hostile
from tests.life.helpers import attend, meet
from tests.rectify.helpers import add_result, make_campaign

REGION = "120101001"


@pytest.fixture
def hostile_district(tree) -> dict[str, Any]:
    """``tree`` with a hostile string in every kind of text an export writes."""
    branch = make_org(
        tree["town_a"], sector="农村", code="BH001", name=hostile(0), region_code=REGION + "200"
    )
    members = [
        make_member(branch, name=hostile(i, f"党员{i}"), ethnicity=hostile(i + 1)[:20])
        for i in range(len(HOSTILE))
    ]
    meeting = meet(
        branch, "支部党员大会", dt.date(2025, 3, 31), topic=hostile(1), minutes=hostile(2)
    )
    attend(meeting, members[0], False, hostile(3)[:8])  # the column holds 8 characters
    Region.objects.create(code=REGION + "000", name=hostile(4))
    campaign = make_campaign(tree["root"], name=hostile(5))
    add_result(campaign, branch, 90)
    return {"branch": branch, "members": members, "meeting": meeting, "campaign": campaign}


def _file(tmp_path: Path, name: str, write: Callable[[Path], Any]) -> bytes:
    path = tmp_path / name
    write(path)
    return path.read_bytes()


def _orgs(world, tmp_path, ext):
    data = _file(tmp_path, f"orgs.{ext}", lambda p: export_orgs(p, actor=SYSTEM))
    return data, [world["branch"].name]


def _members(world, tmp_path, ext):
    data = _file(tmp_path, f"members.{ext}", lambda p: export_members(p, actor=SYSTEM))
    members = world["members"]
    return data, [m.name for m in members] + [m.ethnicity for m in members]


def _ledger(world, tmp_path, ext):
    code = world["branch"].code
    data = _file(
        tmp_path, "ledger.xlsx", lambda p: export_ledger(p, actor=SYSTEM, code=code, year=2025)
    )
    meeting = world["meeting"]
    return data, [world["branch"].name, meeting.topic, meeting.minutes]


def _bulletin(world, tmp_path, ext):
    b = bulletin_build(SYSTEM, world["campaign"])
    data = export_xlsx(b, campaign_ranking(SYSTEM, world["campaign"]))
    return data, [world["campaign"].name, world["branch"].name, hostile(4)]


EXPORTERS = [
    ("组织 xlsx", _orgs, "xlsx"),
    ("组织 csv", _orgs, "csv"),
    ("党员 xlsx", _members, "xlsx"),
    ("党员 csv", _members, "csv"),
    ("台账 xlsx", _ledger, "xlsx"),
    ("晾晒通报 xlsx", _bulletin, "xlsx"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "exporter", "ext"), EXPORTERS, ids=[e[0] for e in EXPORTERS])
def test_exports_write_hostile_text_as_text(hostile_district, tmp_path, label, exporter, ext):
    data, typed = exporter(hostile_district, tmp_path, ext)
    typed = [t for t in typed if is_formula_like(t)]
    assert typed, "the fixture put no hostile text into this export"
    if ext == "csv":
        assert_csv_inert(data, typed)
    else:
        assert_xlsx_inert(data, typed)


@pytest.mark.django_db
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_hostile_names_survive_the_round_trip(hostile_district, tmp_path, ext):
    """The quote the CSV export adds is taken off again on import: the names read back as typed."""
    path = tmp_path / f"members.{ext}"
    export_members(path, actor=SYSTEM)
    table = read_table(path, columns=["姓名"], required=["姓名"])
    names = {cells["姓名"] for _, cells in table.rows}
    assert {m.name for m in hostile_district["members"]} <= names


def test_neutraliser_leaves_numbers_and_plain_text_alone():
    assert csv_text(-5) == "-5" and csv_text(2.5) == "2.5" and csv_text(None) == ""
    assert csv_text(dt.date(2025, 1, 2)) == "2025-01-02"
    assert csv_text("张三") == "张三" and csv_text("a=b") == "a=b"
    assert csv_text("-5") == "'-5"  # a text that looks like a number is still a text
    for text in HOSTILE:
        assert csv_text(text) == f"'{text}" and csv_restore(csv_text(text)) == text
    assert csv_restore("'张三") == "'张三"  # only the guard's own quote is taken off
