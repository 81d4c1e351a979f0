"""The committee rollup (:mod:`dangjian.members.committee`): kept by every write of the roll
through the services, equal to a rebuild after random write sequences, and the SETUP findings
read from it (``DANGJIAN_SETUP_FROM_ROLLUPS``) equal those read from the roll."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.members.committee import committee_differences, committee_rebuild, committee_rows
from dangjian.members.models import Member
from dangjian.members.services import (
    StatusInput,
    member_cancel_probation,
    member_convert,
    member_status_record,
    member_update,
)
from dangjian.orgs.models import Organization, OrgCommittee
from dangjian.orgs.rules import findings_for_org
from dangjian.orgs.services import org_move
from dangjian.rules.runner import run_check
from tests.factories import make_member, make_org
from tests.members.test_rollups import input_of

POSTS = ["", "", "书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党小组长"]
SEQUENCES = 30
WRITES = 8


def setup_findings(at: dt.date, *, rows: bool) -> list[tuple[Any, ...]]:
    with override_settings(DANGJIAN_SETUP_FROM_ROLLUPS=rows):
        result = run_check(SYSTEM, rules="SETUP", at=at)
    return sorted(
        (f.rule, f.subject, f.severity, f.message, sorted(f.evidence.items()))
        for f in result.findings
    )


def one_org_findings(org: Organization, at: dt.date, *, rows: bool) -> list[Any]:
    with override_settings(DANGJIAN_SETUP_FROM_ROLLUPS=rows):
        return [(f.rule, f.message) for f in findings_for_org(SYSTEM, org, at=at)]


class World:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today = rng, today

    def branches(self) -> list[Organization]:
        return list(Organization.objects.filter(org_type="党支部").order_by("pk"))

    def member(self, **where: Any) -> Member | None:
        found = list(Member.objects.filter(**where).order_by("pk"))
        return self.rng.choice(found) if found else None

    def day(self) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(0, 3000))


def create(w: World) -> str:
    joined = w.day()
    kind = w.rng.choice(["正式党员", "预备党员"])
    confirmed = joined + dt.timedelta(days=w.rng.randint(300, 500)) if kind == "正式党员" else None
    make_member(
        w.rng.choice(w.branches()),
        member_type=kind,
        joined_on=joined,
        confirmed_on=confirmed,
        post=w.rng.choice(POSTS),
    )
    return f"新增{kind}"


def change(w: World) -> str:
    member = w.member()
    if member is None:
        return "无党员"
    changes: dict[str, Any] = {"post": w.rng.choice(POSTS)}
    if w.rng.random() < 0.4:
        changes["org"] = w.rng.choice(w.branches())
    member_update(actor=SYSTEM, member=member, data=input_of(member, **changes))
    return f"修改 {member.pk} {changes['post']}"


def convert(w: World) -> str:
    member = w.member(member_type="预备党员")
    if member is None:
        return "无预备党员"
    member_convert(actor=SYSTEM, member=member, confirmed_on=member.joined_on + dt.timedelta(366))
    return f"转正 {member.pk}"


def cancel(w: World) -> str:
    member = w.member(member_type="预备党员")
    if member is None:
        return "无预备党员"
    member_cancel_probation(actor=SYSTEM, member=member)
    return f"取消 {member.pk}"


def status(w: World) -> str:
    member = w.member(post__in=POSTS[2:])
    if member is None:
        return "无任职党员"
    kind, ends = w.rng.choice([("留党察看", 200), ("停止党籍", None), ("死亡", None)])
    start = max(
        member.joined_on + dt.timedelta(days=1), w.today - dt.timedelta(w.rng.randint(0, 400))
    )
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind, start, "上级党委", start + dt.timedelta(ends) if ends else None),
        today=w.today + dt.timedelta(days=1),
    )
    return f"{kind} {member.pk}"


def move(w: World) -> str:
    org = w.rng.choice(w.branches())
    parent = w.rng.choice(list(Organization.objects.filter(org_type="党委").order_by("pk")))
    org_move(actor=SYSTEM, org=org, new_parent=parent)
    return f"移动 {org.code}"


ACTIONS = [create, create, create, change, change, convert, cancel, status, move]


@pytest.mark.django_db
def test_random_roll_writes_keep_the_committee_rows_and_the_setup_findings(today):
    root = make_org(None, org_type="党委", sector="机关", code="C0001")
    towns = [make_org(root, org_type="党委", code=f"C000{i}") for i in (2, 3)]
    for town in towns:
        for _ in range(2):
            make_org(town, org_type="党支部", term_started_on=dt.date(2024, 3, 1))
    rng = random.Random(20261206)
    world = World(rng, today)
    done: list[str] = []
    later = today + dt.timedelta(days=600)  # after every horizon: the rows are read
    days = [later, today, today - dt.timedelta(days=400), today - dt.timedelta(days=2000)]
    for n in range(SEQUENCES):
        for _ in range(WRITES):
            action = rng.choice(ACTIONS)
            try:
                with transaction.atomic():
                    done.append(action(world))
            except ValidationError as exc:
                done.append(f"{action.__name__} 拒绝：{list(exc.message_dict)}")
        what = f"序列 {n}：{done[-WRITES:]}"
        assert committee_rows(Organization.objects.all(), later) is not None
        assert committee_differences() == [], what
        for at in days:
            assert setup_findings(at, rows=True) == setup_findings(at, rows=False), (what, at)
        branch = rng.choice(world.branches())
        assert one_org_findings(branch, today, rows=True) == one_org_findings(
            branch, today, rows=False
        ), what
    assert OrgCommittee.objects.filter(secretaries__gt=0).exists()
    rules = {f[0] for f in setup_findings(later, rows=True)}
    assert {"SETUP-SECRETARY-VACANT", "SETUP-VOTERS"} <= rules, rules
    assert OrgCommittee.objects.filter(probationary_holders__gt=0).exists()


@pytest.mark.django_db
def test_rows_do_not_hold_before_their_horizon_and_a_rebuild_restores_them(tree, today):
    make_member(tree["branch_a"], post="书记", joined_on=dt.date(2020, 1, 1))
    row = OrgCommittee.objects.get(org=tree["branch_a"])
    assert (row.secretaries, row.secretary_joined_on) == (1, dt.date(2020, 1, 1))
    assert row.horizon == dt.date(2021, 1, 1)  # the confirmation day
    orgs = Organization.objects.all()
    assert committee_rows(orgs, dt.date(2020, 6, 1)) is None
    assert committee_rows(orgs, today) is not None
    OrgCommittee.objects.all().delete()
    assert [str(d) for d in committee_differences()] == [
        "甲村党支部（BA001）：支委会汇总 任书记、副书记、委员的党员 为 （空），按记录应为 1",
        "甲村党支部（BA001）：支委会汇总 任书记的党员 为 （空），按记录应为 1",
        "甲村党支部（BA001）：支委会汇总 书记入党日期 为 （空），按记录应为 2020-01-01",
        "甲村党支部（BA001）：支委会汇总 书记转正日期 为 （空），按记录应为 2021-01-01",
        "甲村党支部（BA001）：支委会汇总 适用起始日期 为 （空），按记录应为 2021-01-01",
    ]
    assert committee_rebuild() == 1 and committee_differences() == []
