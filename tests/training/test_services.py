"""Entering courses and participants: bad input is refused in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.training.importers import participants_import
from dangjian.training.models import Course, Participant
from dangjian.training.services import (
    CourseInput,
    course_create,
    course_delete,
    participant_remove,
    participants_add,
    participants_add_branch,
)
from tests.authz import state
from tests.training.helpers import course

D = dt.date


def _input(org, **kw):
    values = {
        "organizer": org,
        "title": "村党组织书记培训班",
        "starts_on": D(2026, 5, 10),
        "ends_on": D(2026, 5, 12),
        "hours": "24",
    }
    values.update(kw)
    return CourseInput(**values)


def _refused(call, field: str, text: str):
    before = state()
    with pytest.raises(ValidationError) as exc:
        call()
    assert any(text in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert state() == before
    return exc.value


def test_a_course_is_entered_once_with_participants_and_audited(tree):
    members = tree["members_a"][:2]
    c = course_create(
        actor=tree["admin_a"], data=_input(tree["town_a"]), member_ids=[m.pk for m in members]
    )
    assert c.hours == Decimal("24.0") and c.participants.count() == 2
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "training.course.create" and entry.scope_path == tree["town_a"].path


def test_end_before_start_is_refused(tree):
    _refused(
        lambda: course_create(actor=SYSTEM, data=_input(tree["town_a"], ends_on=D(2026, 5, 9))),
        "ends_on",
        "早于开始日期",
    )


def test_one_day_course_is_accepted(tree):
    c = course_create(actor=SYSTEM, data=_input(tree["town_a"], ends_on=D(2026, 5, 10)))
    assert c.starts_on == c.ends_on


@pytest.mark.parametrize(
    ("hours", "text"),
    [("-8", "不能为负数"), ("0", "应大于 0"), ("abc", "不是数字"), ("1000", "不能超过"),
     ("1.25", "1 位小数"), ("", "请填写学时"), ("NaN", "应为数字")],
)  # fmt: skip
def test_bad_hours_are_refused(tree, hours, text):
    _refused(
        lambda: course_create(actor=SYSTEM, data=_input(tree["town_a"], hours=hours)),
        "hours",
        text,
    )


def test_participant_outside_the_organizer_subtree_is_refused_and_nothing_written(tree):
    inside, outside = tree["members_a"][0], tree["members_b"][0]
    _refused(
        lambda: course_create(
            actor=SYSTEM, data=_input(tree["town_a"]), member_ids=[inside.pk, outside.pk]
        ),
        "members",
        "不属于甲镇党委及其下级组织",
    )


def test_duplicate_participant_is_refused(tree):
    m = tree["members_a"][0]
    _refused(
        lambda: course_create(actor=SYSTEM, data=_input(tree["town_a"]), member_ids=[m.pk, m.pk]),
        "members",
        "重复添加",
    )
    c = course(tree["town_a"], [m])
    _refused(
        lambda: participants_add(actor=SYSTEM, course=c, member_ids=[m.pk]),
        "members",
        "已是本培训班学员",
    )
    _refused(
        lambda: participants_add(actor=SYSTEM, course=c, member_ids=[999999]),
        "members",
        "没有编号为 999999 的党员",
    )


def test_every_problem_is_reported_at_once(tree):
    exc = _refused(
        lambda: course_create(
            actor=SYSTEM,
            data=_input(tree["town_a"], title="", hours="-1", ends_on=D(2026, 1, 1)),
        ),
        "title",
        "请填写培训班名称",
    )
    assert set(exc.message_dict) == {"title", "hours", "ends_on"}


def test_the_organizer_must_be_in_the_actor_scope(tree):
    before = state()
    with pytest.raises(PermissionDenied):
        course_create(actor=tree["admin_a"], data=_input(tree["town_b"]))
    with pytest.raises(PermissionDenied):
        course_create(actor=tree["secretary_a"], data=_input(tree["branch_a"]))
    assert state() == before


def test_bulk_add_by_branch_adds_the_roll_not_yet_there(tree):
    c = course(tree["root"], [tree["members_a"][0]])
    added = participants_add_branch(actor=tree["admin"], course=c, branch=tree["town_a"])
    assert added == 3 and c.participants.count() == 4
    _refused(
        lambda: participants_add_branch(actor=tree["admin"], course=c, branch=tree["branch_a"]),
        "branch",
        "没有尚未添加的党员",
    )
    town_course = course(tree["town_a"])
    _refused(
        lambda: participants_add_branch(actor=SYSTEM, course=town_course, branch=tree["branch_b"]),
        "branch",
        "不是甲镇党委的下级组织",
    )


def test_remove_and_delete(tree):
    m = tree["members_a"][0]
    c = course(tree["town_a"], [m])
    participant_remove(actor=SYSTEM, course=c, member_id=m.pk)
    assert not Participant.objects.exists()
    _refused(
        lambda: participant_remove(actor=SYSTEM, course=c, member_id=m.pk),
        "member",
        "不是本培训班学员",
    )
    course_delete(actor=SYSTEM, course=c)
    assert not Course.objects.exists()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "training.course.delete" and entry.object_id != "None"


def _csv(rows: list[str]) -> io.BytesIO:
    data = io.BytesIO("\n".join(["姓名,公民身份号码,备注", *rows]).encode("utf-8-sig"))
    data.name = "学员.csv"
    return data


def test_import_is_all_or_nothing(tree):
    a, b = tree["members_a"][:2]
    outsider = tree["members_b"][0]
    c = course(tree["town_a"])
    bad = _csv(
        [
            f"{a.name},{a.id_number()}",
            f"错名,{b.id_number()}",
            f"{outsider.name},{outsider.id_number()}",
            f"{a.name},{a.id_number()}",
            "某人,",
        ]
    )
    exc = _refused(
        lambda: participants_import(actor=SYSTEM, course=c, source=bad), "file", "第 3 行“姓名”"
    )
    text = "\n".join(exc.message_dict["file"])
    assert "第 4 行“公民身份号码”：甲镇党委及其下级组织中没有该党员" in text
    assert "第 5 行：与第 2 行是同一名党员" in text
    assert "第 6 行“公民身份号码”：不能为空" in text
    good = _csv([f"{a.name},{a.id_number()}", f"{b.name},{b.id_number().lower()}"])
    added, warnings = participants_import(actor=SYSTEM, course=c, source=good)
    assert added == 2 and warnings == ["忽略未知列“备注”"]
    again = _csv([f"{a.name},{a.id_number()}"])
    _refused(
        lambda: participants_import(actor=SYSTEM, course=c, source=again),
        "file",
        "已是本培训班学员",
    )


def test_import_of_an_xlsx_file_and_a_bad_file(tree):
    from openpyxl import Workbook

    a = tree["members_a"][0]
    c = course(tree["town_a"])
    book = Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "姓名"])
    sheet.append([a.id_number(), a.name])
    data = io.BytesIO()
    book.save(data)
    data.name = "学员.xlsx"
    data.seek(0)
    assert participants_import(actor=SYSTEM, course=c, source=data)[0] == 1
    wrong = io.BytesIO(b"x")
    wrong.name = "学员.txt"
    _refused(lambda: participants_import(actor=SYSTEM, course=c, source=wrong), "file", ".txt")


def test_the_audit_trail_reads_in_chinese(tree):
    import re

    from dangjian.web.audit_display import entry_changes

    c = course(tree["town_a"], [tree["members_a"][0]])
    participants_add_branch(actor=SYSTEM, course=c, branch=tree["branch_a"])
    participant_remove(actor=SYSTEM, course=c, member_id=tree["members_a"][1].pk)
    entries = AuditEntry.objects.filter(object_type="training_course").order_by("seq")
    assert [e.action for e in entries] == [
        "training.course.create",
        "training.participants.add",
        "training.participant.remove",
    ]
    for e in entries:
        for label, old, new in entry_changes(e):
            assert re.search(r"[\u4e00-\u9fff]", label), label
            assert not re.search(r"[a-z]{3,}", f"{old}{new}"), (label, old, new)
