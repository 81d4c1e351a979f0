"""Random write sequences through the services and the imports: after each, the rollup tables
kept by the writes equal a rebuild from the records (rebuild = incremental).

A seeded generator (fixed seed) draws 120 sequences of 8 writes each over a small tree; each
sequence runs in a transaction that is rolled back, so they all start from the same tree. A
failure names the sequence and its writes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.exchange.importers import import_members
from dangjian.life.importers import COLUMNS as MEETING_COLUMNS
from dangjian.life.importers import import_meetings
from dangjian.life.models import Meeting
from dangjian.life.rollups import months_differences
from dangjian.life.services import MeetingInput, meeting_delete, meeting_record, meeting_update
from dangjian.members.models import Member
from dangjian.members.rollups import counts_differences
from dangjian.members.services import (
    MemberInput,
    StatusInput,
    member_admit,
    member_cancel_probation,
    member_convert,
    member_status_record,
    member_update,
)
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_move
from tests.exchange.helpers import member_row, members_file, write_csv
from tests.factories import make_id_number, make_member, make_org
from tests.members.test_rollups import input_of

SEQUENCES = 120
STEPS = 8
SEED = 20261123
BRANCH_TYPES = ["支部党员大会", "支委会", "党课", "主题党日", "组织生活会"]


class World:
    def __init__(self, rng: random.Random, today: dt.date, tmp: Path) -> None:
        self.rng, self.today, self.tmp, self.files = rng, today, tmp, 0

    def branches(self) -> list[Organization]:
        return list(Organization.objects.filter(org_type="党支部").order_by("pk"))

    def pick_member(self, **where) -> Member | None:
        found = list(Member.objects.filter(**where).select_related("org").order_by("pk"))
        return self.rng.choice(found) if found else None

    def pick_meeting(self) -> Meeting | None:
        found = list(Meeting.objects.select_related("org").order_by("pk"))
        return self.rng.choice(found) if found else None

    def day(self, back: int = 500) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(0, back))

    def file(self, suffix: str) -> Path:
        self.files += 1
        return self.tmp / f"f{self.files}{suffix}"


def create(w: World) -> str:
    kind = w.rng.choice(["正式党员", "预备党员"])
    make_member(w.rng.choice(w.branches()), member_type=kind)
    return f"新增{kind}"


def move_or_retype(w: World) -> str:
    member = w.pick_member()
    if member is None:
        return "无党员可改"
    changes: dict = {}
    if w.rng.random() < 0.7:
        changes["org"] = w.rng.choice(w.branches())
    if w.rng.random() < 0.5:
        full = member.member_type == "正式党员"
        changes["member_type"] = "预备党员" if full else "正式党员"
        changes["confirmed_on"] = None if full else member.joined_on + dt.timedelta(days=366)
    member_update(actor=SYSTEM, member=member, data=input_of(member, **changes))
    return f"修改党员 {member.pk} {sorted(changes)}"


def convert(w: World) -> str:
    member = w.pick_member(member_type="预备党员")
    if member is None:
        return "无预备党员"
    member_convert(actor=SYSTEM, member=member, confirmed_on=member.joined_on + dt.timedelta(366))
    return f"转正 {member.pk}"


def admit(w: World) -> str:
    data = MemberInput(
        name="接收",
        id_number=make_id_number(dt.date(1990, 1, 1) + dt.timedelta(days=w.rng.randint(0, 3000))),
        member_type="预备党员",
        joined_on=w.day(300),
        org=w.rng.choice(w.branches()),
    )
    member_admit(actor=SYSTEM, data=data, today=w.today)
    return "接收预备党员"


def cancel(w: World) -> str:
    member = w.pick_member(member_type="预备党员")
    if member is None:
        return "无预备党员"
    member_cancel_probation(actor=SYSTEM, member=member)
    return f"取消预备党员资格 {member.pk}"


def status(w: World) -> str:
    member = w.pick_member()
    if member is None:
        return "无党员"
    kind, ends = w.rng.choice(
        [("开除党籍", None), ("死亡", None), ("除名", 30), ("留党察看", 200), ("停止党籍", None)]
    )
    start = max(member.joined_on + dt.timedelta(days=1), w.day(100))
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind, start, "上级党委", start + dt.timedelta(ends) if ends else None),
        today=w.today + dt.timedelta(days=1),
    )
    return f"{kind} {member.pk}"


def move_org(w: World) -> str:
    targets = list(Organization.objects.filter(org_type__in=["党委", "党总支"]).order_by("pk"))
    movable = w.branches() + list(Organization.objects.filter(org_type="党总支"))
    org = w.rng.choice(movable)
    parent = w.rng.choice(targets)
    org_move(actor=SYSTEM, org=org, new_parent=parent)
    return f"移动组织 {org.code} → {parent.code}"


def meeting_input(w: World, org: Organization, topic: str) -> MeetingInput:
    """A random record of ``org``: a type, a date in the last 500 days, sometimes held also as
    the 主题党日, a 组织生活会 early in a year counted for the year before."""
    kind = w.rng.choice(BRANCH_TYPES)
    held = w.day()
    also = ["主题党日"] if kind == "支部党员大会" and w.rng.random() < 0.4 else []
    year = held.year - 1 if kind == "组织生活会" and held.month <= 2 else None
    return MeetingInput(
        org=org, meeting_type=kind, held_on=held, topic=topic, also_counts_as=also, year=year
    )


def record(w: World) -> str:
    data = meeting_input(w, w.rng.choice(w.branches()), f"主题{w.rng.randint(1, 10**6)}")
    meeting_record(actor=SYSTEM, data=data)
    return f"记录{data.meeting_type} {data.held_on}"


def change_meeting(w: World) -> str:
    meeting = w.pick_meeting()
    if meeting is None:
        return "无会议"
    org = w.rng.choice(w.branches()) if w.rng.random() < 0.3 else meeting.org
    data = meeting_input(w, org, meeting.topic)
    meeting_update(actor=SYSTEM, meeting=meeting, data=data)
    return f"修改会议 {meeting.pk} → {data.meeting_type} {data.held_on}"


def delete_meeting(w: World) -> str:
    meeting = w.pick_meeting()
    if meeting is None:
        return "无会议"
    meeting_delete(actor=SYSTEM, meeting=meeting)
    return f"删除会议 {meeting.pk}"


def import_roll(w: World) -> str:
    rows = []
    for member in Member.objects.order_by("pk")[: w.rng.randint(0, 2)]:
        branch = w.rng.choice(w.branches())
        rows.append(
            member_row(branch.code, name=member.name, id_number=member.id_number())
            | {"党员类型": member.member_type, "转正日期": member.confirmed_on}
            | {"入党日期": member.joined_on}
        )
    for _ in range(w.rng.randint(1, 2)):
        rows.append(member_row(w.rng.choice(w.branches()).code, name="导入"))
    report = import_members(members_file(w.file(".csv"), rows), actor=SYSTEM)
    return f"导入党员 {report.created}+{report.updated}" + ("" if report.ok else "（拒绝）")


def import_life(w: World) -> str:
    rows = []
    for _ in range(w.rng.randint(1, 3)):
        held = w.day()
        row = [w.rng.choice(w.branches()).code, w.rng.choice(BRANCH_TYPES), held.isoformat()]
        row += [f"导入{w.rng.randint(1, 10**6)}"] + [""] * (len(MEETING_COLUMNS) - 4)
        rows.append(row)
    report = import_meetings(write_csv(w.file(".csv"), MEETING_COLUMNS, rows), actor=SYSTEM)
    return f"导入会议 {report.created}" + ("" if report.ok else "（拒绝）")


WRITES: list[tuple[Callable[[World], str], int]] = [
    (create, 4),
    (move_or_retype, 4),
    (convert, 2),
    (admit, 2),
    (cancel, 1),
    (status, 2),
    (move_org, 2),
    (record, 5),
    (change_meeting, 2),
    (delete_meeting, 2),
    (import_roll, 1),
    (import_life, 1),
]


@pytest.mark.django_db
def test_random_write_sequences_keep_the_rollups_equal_to_a_rebuild(today, tmp_path):
    root = make_org(None, org_type="党委", sector="机关", code="R0001")
    towns = [make_org(root, org_type="党委", code=f"T000{i}") for i in (1, 2)]
    general = make_org(towns[0], org_type="党总支", code="G0001")
    for parent in (towns[0], towns[1], general, root):
        branch = make_org(parent, org_type="党支部")
        for _ in range(2):
            make_member(branch)
    rng = random.Random(SEED)
    world = World(rng, today, tmp_path)
    functions = [f for f, weight in WRITES for _ in range(weight)]
    done: dict[str, int] = {}
    for sequence in range(SEQUENCES):
        with transaction.atomic():
            steps = []
            for _ in range(STEPS):
                write = rng.choice(functions)
                try:
                    steps.append(write(world))
                    done[write.__name__] = done.get(write.__name__, 0) + 1
                except ValidationError as exc:
                    steps.append(f"{write.__name__} 被拒绝：{exc.messages[0]}")
            counts, months = counts_differences(), months_differences()
            assert not counts and not months, (sequence, steps, counts[:5], months[:5])
            transaction.set_rollback(True)
    # every kind of write took place (not only refused ones)
    assert set(done) == {f.__name__ for f, _w in WRITES}, done
