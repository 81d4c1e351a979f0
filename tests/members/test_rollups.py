"""Member counts per organization (members.rollups): every write of the roll keeps them, in the
same transaction, equal to a rebuild from the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.exchange.importers import import_members, import_orgs
from dangjian.members.models import Member, MemberCount
from dangjian.members.rollups import counts_differences, counts_rebuild, expected_counts
from dangjian.members.services import (
    MemberInput,
    StatusInput,
    member_admit,
    member_cancel_probation,
    member_convert,
    member_status_record,
    member_update,
)
from dangjian.orgs.services import org_move
from tests.exchange.helpers import member_row, members_file, org_row, orgs_file
from tests.factories import make_id_number, make_member, make_org

pytestmark = pytest.mark.django_db


def row(org) -> tuple[int, int, int, int, int, int]:
    """(full, probationary, left, sub_full, sub_probationary, sub_left) of ``org``."""
    found = MemberCount.objects.filter(org=org).first()
    if found is None:
        return (0, 0, 0, 0, 0, 0)
    return (
        found.full,
        found.probationary,
        found.left,
        found.sub_full,
        found.sub_probationary,
        found.sub_left,
    )


def consistent() -> None:
    assert counts_differences() == []


def input_of(member: Member, **changes) -> MemberInput:
    data = MemberInput(
        name=member.name,
        id_number=member.id_number(),
        member_type=member.member_type,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
        org=member.org,
        gender=member.gender,
        birth_date=member.birth_date,
        post=member.post,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def test_create_counts_the_branch_and_every_organization_above(tree):
    assert row(tree["branch_a"]) == (4, 0, 0, 4, 0, 0)
    assert row(tree["town_a"]) == (0, 0, 0, 4, 0, 0)
    assert row(tree["root"]) == (0, 0, 0, 6, 0, 0)
    make_member(tree["branch_b"], member_type="预备党员")
    assert row(tree["branch_b"]) == (2, 1, 0, 2, 1, 0)
    assert row(tree["root"]) == (0, 0, 0, 6, 1, 0)
    consistent()


def test_one_write_is_one_statement_for_the_branch_and_its_ancestors(tree):
    with CaptureQueriesContext(connection) as ctx:
        make_member(tree["branch_a"])
    sql = [q["sql"] for q in ctx.captured_queries]
    writes = [q for q in sql if "membercount" in q]
    assert len(writes) == 1 and writes[0].startswith("INSERT") and "ON CONFLICT" in writes[0]
    assert row(tree["root"])[3] == 7


def test_move_to_another_subtree_shifts_both_paths(tree):
    member = tree["members_a"][0]
    member_update(actor=SYSTEM, member=member, data=input_of(member, org=tree["branch_b"]))
    assert row(tree["branch_a"])[3] == 3 and row(tree["town_a"])[3] == 3
    assert row(tree["branch_b"])[3] == 3 and row(tree["town_b"])[3] == 3
    assert row(tree["root"])[3] == 6
    consistent()


def test_type_change_convert_and_redate(tree):
    member = tree["members_a"][1]
    member_update(
        actor=SYSTEM,
        member=member,
        data=input_of(member, member_type="预备党员", confirmed_on=None),
    )
    assert row(tree["branch_a"])[:2] == (3, 1) and row(tree["root"])[3:5] == (5, 1)
    member_convert(actor=SYSTEM, member=member, confirmed_on=dt.date(2012, 1, 1))
    assert row(tree["branch_a"])[:2] == (4, 0) and row(tree["root"])[3:5] == (6, 0)
    consistent()


def test_admission_and_cancelled_probation(tree, today):
    data = MemberInput(
        name="新党员",
        id_number=make_id_number(dt.date(1995, 3, 3)),
        member_type="预备党员",
        joined_on=today - dt.timedelta(days=30),
        org=tree["branch_b"],
    )
    admitted = member_admit(actor=SYSTEM, data=data, today=today)
    assert row(tree["branch_b"])[:2] == (2, 1) and row(tree["town_b"])[4] == 1
    member_cancel_probation(actor=SYSTEM, member=admitted)
    assert row(tree["branch_b"])[:2] == (2, 0) and row(tree["root"])[4] == 0
    consistent()


def test_leaving_the_party_moves_the_member_to_left(tree, today):
    first, second, third = tree["members_a"][:3]

    def status(member, kind, ends_on=None):
        member_status_record(
            actor=SYSTEM,
            member=member,
            data=StatusInput(kind, today - dt.timedelta(days=60), "甲镇党委", ends_on),
            today=today,
        )

    status(first, "留党察看", today + dt.timedelta(days=200))  # on the roll, without rights
    assert row(tree["branch_a"])[:3] == (4, 0, 0)
    status(second, "开除党籍")
    assert row(tree["branch_a"])[:3] == (3, 0, 1) and row(tree["root"])[3:] == (5, 0, 1)
    status(second, "死亡")  # already off the roll: counted once
    assert row(tree["branch_a"])[:3] == (3, 0, 1)
    status(third, "除名", today - dt.timedelta(days=10))  # revoked later: back on the roll
    assert row(tree["branch_a"])[:3] == (3, 0, 1)
    member_update(actor=SYSTEM, member=second, data=input_of(second, org=tree["branch_b"]))
    assert row(tree["branch_a"])[2] == 0 and row(tree["branch_b"])[2] == 1
    consistent()


def test_refused_write_changes_no_count(tree):
    member = tree["members_a"][0]
    before = row(tree["root"])
    with pytest.raises(ValidationError):
        member_update(
            actor=SYSTEM, member=member, data=input_of(member, org=tree["branch_b"], name="")
        )
    assert row(tree["root"]) == before
    consistent()


def test_org_move_shifts_the_subtree_totals(tree):
    general = make_org(tree["town_a"], org_type="党总支", code="GA001")
    inner = make_org(general, org_type="党支部", code="GB001")
    make_member(inner)
    make_member(inner, member_type="预备党员")
    assert row(tree["town_a"])[3:5] == (5, 1)
    org_move(actor=SYSTEM, org=general, new_parent=tree["town_b"])
    assert row(tree["town_a"])[3:5] == (4, 0)
    assert row(tree["town_b"])[3:5] == (3, 1)
    assert row(general)[3:5] == (1, 1) and row(inner)[:2] == (1, 1)
    assert row(tree["root"])[3:5] == (7, 1)
    org_move(actor=SYSTEM, org=tree["branch_a"], new_parent=general)
    assert row(tree["town_a"])[3:5] == (0, 0) and row(general)[3:5] == (5, 1)
    assert row(tree["town_b"])[3:5] == (7, 1)
    consistent()


def test_import_creates_moves_and_retypes(tree, tmp_path):
    rows = [member_row("BA001", name=f"导入{i}", born=dt.date(1980, 1, 1 + i)) for i in range(3)]
    rows.append(member_row("BB001", name="导入预备", member_type="预备党员"))
    assert import_members(members_file(tmp_path / "a.csv", rows), actor=SYSTEM).created == 4
    assert row(tree["branch_a"])[:2] == (7, 0) and row(tree["branch_b"])[:2] == (2, 1)
    consistent()
    rows[0]["所在党组织编码"] = "BB001"
    rows[1]["党员类型"], rows[1]["转正日期"] = "预备党员", None
    report = import_members(members_file(tmp_path / "b.csv", rows), actor=SYSTEM)
    assert report.ok and report.updated == 2
    assert row(tree["branch_a"])[:2] == (5, 1) and row(tree["branch_b"])[:2] == (3, 1)
    assert row(tree["root"])[3:5] == (8, 2)
    consistent()


def test_org_import_move_shifts_the_totals(tree, tmp_path):
    rows = [org_row("BA001", "TB001", "党支部", "农村", name="甲村党支部")]
    assert import_orgs(orgs_file(tmp_path / "o.csv", rows), actor=SYSTEM).ok
    assert row(tree["town_a"])[3] == 0 and row(tree["town_b"])[3] == 6
    consistent()


def test_rebuild_repairs_and_rebuild_of_a_subtree_fixes_the_ancestors(tree):
    MemberCount.objects.filter(org=tree["branch_a"]).update(full=99, sub_full=99)
    found = counts_differences()
    assert [(d.org_id, d.column, d.stored, d.expected) for d in found] == [
        (tree["branch_a"].pk, "full", 99, 4),
        (tree["branch_a"].pk, "sub_full", 99, 4),
    ]
    assert str(found[0]) == "甲村党支部（BA001）：正式党员 汇总为 99，按记录应为 4"
    # the row of a subtree was lost: rebuilding it puts its totals back above it
    MemberCount.objects.filter(org=tree["town_b"]).delete()
    MemberCount.objects.filter(org=tree["branch_b"]).delete()
    MemberCount.objects.filter(org=tree["root"]).update(sub_full=4)
    counts_rebuild(tree["town_b"])
    assert row(tree["town_b"])[3] == 2 and row(tree["root"])[3] == 6
    counts_rebuild(tree["town_a"])
    consistent()
    MemberCount.objects.all().delete()
    assert counts_rebuild() == len(expected_counts()) == 5
    consistent()
