"""REL-ONE-BRANCH and REL-TRANSFER-DEADLINE findings, the reminders, the letter, import/export."""

from __future__ import annotations

import datetime as dt
import io

from dangjian.accounts.scope import SYSTEM
from dangjian.members.models import Member
from dangjian.notify.models import Message
from dangjian.rules.runner import findings_for
from dangjian.transfer.choices import TransferState
from dangjian.transfer.exchange import export_transfers, import_transfers
from dangjian.transfer.jobs import remind
from dangjian.transfer.letter import letter_pdf
from dangjian.transfer.models import Transfer
from dangjian.transfer.rules import collect_facts
from dangjian.transfer.services import TransferInput, transfer_request
from tests.factories import make_id_number, make_member

from .conftest import TODAY

D = dt.date


def _ask(w, on):
    data = TransferInput(member=w.member, requested_on=on, reason="工作变动", to_org=w.far)
    return transfer_request(actor=w.east_sec, data=data, issue=True, today=TODAY)


def _deadline(at):
    return [
        f for f in findings_for(SYSTEM, rules="REL", at=at) if f.rule == "REL-TRANSFER-DEADLINE"
    ]


def test_deadline_day_is_due_the_day_after_is_overdue(world):
    t = _ask(world, D(2026, 3, 1))
    assert t.due_on == D(2026, 5, 30)
    assert _deadline(D(2026, 5, 22)) == []  # 8 days before: nothing yet
    (due,) = _deadline(D(2026, 5, 23))  # 7 days before
    assert due.severity == "due" and due.evidence["days_left"] == 7
    (last,) = _deadline(D(2026, 5, 30))
    assert last.severity == "due" and last.subject == "EAST1"
    (late,) = _deadline(D(2026, 5, 31))
    assert late.severity == "warning" and late.evidence["overdue_days"] == 1
    assert late.evidence["letters"] == [t.letter_no] and late.source


def test_one_branch_in_transit_is_fine_a_member_on_a_committee_is_not(world):
    _ask(world, D(2026, 6, 1))
    assert not [
        f for f in findings_for(SYSTEM, rules="REL", at=TODAY) if f.rule == "REL-ONE-BRANCH"
    ]
    # a member left on a 党委 (legacy data: the type does not hold members)
    Member.objects.filter(pk=world.stay.pk).update(org=world.sub)
    (bad,) = [f for f in findings_for(SYSTEM, rules="REL", at=TODAY) if f.rule == "REL-ONE-BRANCH"]
    assert bad.subject == "SUBC1" and bad.severity == "error" and bad.evidence == {"members": 1}


def test_open_transfer_whose_member_moved_meanwhile_is_flagged(world):
    _ask(world, D(2026, 6, 1))
    Member.objects.filter(pk=world.member.pk).update(org=world.west)
    facts = {f.code: f for f in collect_facts("", TODAY)}
    assert len(facts["EAST1"].stray_open) == 1


def test_reminders_once_to_the_receiver_then_overdue_to_the_sender(world):
    t = _ask(world, D(2026, 3, 1))
    assert remind(D(2026, 5, 22)) == {"at": "2026-05-22", "due_soon": 0, "overdue": 0}
    assert remind(D(2026, 5, 25))["due_soon"] == 1
    assert remind(D(2026, 5, 26))["due_soon"] == 0  # told once
    msg = Message.objects.get(kind="due_soon")
    assert msg.user == world.far_sec and t.letter_no in msg.subject
    assert remind(D(2026, 5, 30))["overdue"] == 0  # the last day is in time
    assert remind(D(2026, 5, 31))["overdue"] == 1
    assert Message.objects.get(kind="overdue").user == world.east_sec


def test_letter_pdf(world):
    t = _ask(world, D(2026, 6, 1))
    data = letter_pdf(t)
    assert data.startswith(b"%PDF")


def _csv(text: str) -> io.BytesIO:
    buf = io.BytesIO(text.encode("utf-8-sig"))
    buf.name = "转接.csv"
    return buf


def test_import_all_or_nothing_with_chinese_row_errors(world):
    number = world.member.id_number()
    bad = _csv(
        "公民身份号码,接收党组织编码,转接原因,申请日期,介绍信开具日期\n"
        f"{number},FAR1,工作变动,2026-06-01,2026-06-02\n"
        f"{world.stay.id_number()},SUBC1,工作变动,2026-06-01,\n"
    )
    report = import_transfers(bad, actor=world.east_sec, file_label="转接.csv", today=TODAY)
    assert not report.ok and not Transfer.objects.exists()
    (err,) = report.errors
    assert err.row == 3 and err.column == "接收党组织编码" and "是党委" in err.message
    good = (
        "公民身份号码,接收党组织编码,系统外接收党组织,转接原因,申请日期,介绍信开具日期\n"
        f"{number},FAR1,,工作变动,2026-06-01,2026-06-02\n"
        f"{world.stay.id_number()},,外省某党支部,居住地变动,2026/06/03,\n"
    )
    report = import_transfers(_csv(good), actor=world.east_sec, file_label="转接.csv", today=TODAY)
    assert report.ok and report.created == 2
    states = sorted(Transfer.objects.values_list("state", flat=True))
    assert states == [TransferState.IN_TRANSIT, TransferState.REQUESTED]
    again = import_transfers(_csv(good), actor=world.east_sec, file_label="转接.csv", today=TODAY)
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert Transfer.objects.count() == 2


def test_import_refuses_members_outside_scope_without_naming_them(world):
    stranger = make_member(world.far, id_number=make_id_number())
    text = (
        "公民身份号码,接收党组织编码,转接原因,申请日期\n"
        f"{stranger.id_number()},WEST1,工作变动,2026-06-01\n"
    )
    report = import_transfers(_csv(text), actor=world.east_sec, file_label="x.csv", today=TODAY)
    (err,) = report.errors
    assert "不在您管辖范围" in err.message and stranger.name not in err.line()
    assert stranger.id_number() not in err.line()


def test_export_csv(world, tmp_path):
    _ask(world, D(2026, 6, 1))
    path = tmp_path / "out.csv"
    assert export_transfers(path, Transfer.objects.all()) == 1
    text = path.read_text(encoding="utf-8-sig")
    assert "介绍信编号" in text and "在途" in text and world.member.id_number() not in text


def test_cli_remind_import_export(world, tmp_path, capsys):
    from django.core.management import call_command

    from dangjian.cli import COMMANDS

    assert COMMANDS["transfer"] == "transfer"
    _ask(world, D(2026, 3, 1))
    call_command("transfer", "remind", "--at", "2026-05-31")
    assert "超期提醒 1 条" in capsys.readouterr().out
    out = tmp_path / "t.xlsx"
    call_command("transfer", "export", str(out))
    assert out.exists() and "已导出组织关系转接 1 件" in capsys.readouterr().out
