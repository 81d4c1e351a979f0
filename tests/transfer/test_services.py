"""The transfer's life at every boundary: dates, deadlines, states, the rolls before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.members.choices import RollKind
from dangjian.members.history import roll_on
from dangjian.members.models import Member, MemberCount, RollEvent
from dangjian.members.rollups import counts_differences, has_left
from dangjian.transfer.choices import TransferState
from dangjian.transfer.models import Transfer
from dangjian.transfer.services import (
    TransferInput,
    transfer_accept,
    transfer_cancel,
    transfer_issue,
    transfer_receipt,
    transfer_refuse,
    transfer_request,
)

from .conftest import TODAY

D = dt.date
JUNE_1 = D(2026, 6, 1)


def _ask(w, *, to=None, on=JUNE_1, issue=True, actor=None, **kw):
    data = TransferInput(
        member=w.member, requested_on=on, reason="工作变动", to_org=to or w.far, **kw
    )
    return transfer_request(actor=actor or w.east_sec, data=data, issue=issue, today=TODAY)


def _counts(org):
    row = MemberCount.objects.filter(org=org).first()
    return (row.sub_full + row.sub_probationary) if row else 0


def test_request_issues_a_numbered_letter_valid_90_days(world):
    t = _ask(world)
    assert t.state == TransferState.IN_TRANSIT
    assert t.letter_no == f"EAST1-2026-{t.pk:05d}"
    assert t.valid_days == 90 and t.due_on == D(2026, 8, 30)
    assert AuditEntry.objects.filter(action="transfer.issue", object_id=str(t.pk)).exists()


def test_counts_before_and_after_acceptance_no_double_count(world):
    assert (_counts(world.east), _counts(world.far), _counts(world.town)) == (2, 0, 2)
    t = _ask(world)
    # in transit: still on the sending roll only
    assert (_counts(world.east), _counts(world.far)) == (2, 0)
    assert Member.objects.get(pk=world.member.pk).org_id == world.east.pk
    transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 10), today=TODAY)
    assert (_counts(world.east), _counts(world.far)) == (1, 1)
    assert (_counts(world.town), _counts(world.other_town)) == (1, 1)
    t.refresh_from_db()
    assert t.state == TransferState.ACCEPTED and t.answered_on == D(2026, 6, 10)
    assert Member.objects.get(pk=world.member.pk).org_id == world.far.pk


def test_acceptance_on_the_request_day_is_allowed(world):
    t = _ask(world, on=D(2026, 6, 1))
    transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 1), today=TODAY)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.ACCEPTED


def test_acceptance_before_the_request_is_refused_and_nothing_written(world):
    t = _ask(world, on=D(2026, 6, 1))
    with pytest.raises(ValidationError) as exc:
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 5, 31), today=TODAY)
    assert "早于申请日期" in str(exc.value)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.IN_TRANSIT
    assert Member.objects.get(pk=world.member.pk).org_id == world.east.pk


def test_deadline_day_itself_accepts_the_day_after_does_not(world):
    t = _ask(world, on=D(2026, 3, 1))
    assert t.due_on == D(2026, 5, 30)
    with pytest.raises(ValidationError) as exc:
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 5, 31), today=TODAY)
    assert "已过期" in str(exc.value)
    transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 5, 30), today=TODAY)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.ACCEPTED


def test_a_committee_cannot_receive_members(world):
    with pytest.raises(ValidationError) as exc:
        _ask(world, to=world.sub)
    assert "是党委，不能接收党员组织关系" in str(exc.value)
    assert not Transfer.objects.exists()


def test_a_member_transferred_twice_is_refused(world):
    _ask(world)
    with pytest.raises(ValidationError) as exc:
        _ask(world, to=world.west)
    assert "不能重复转接" in str(exc.value)
    assert Transfer.objects.count() == 1


def test_after_a_cancel_a_new_transfer_may_be_opened(world):
    t = _ask(world)
    transfer_cancel(actor=world.east_sec, transfer=t, cancelled_on=D(2026, 6, 2), today=TODAY)
    again = _ask(world, to=world.west)
    assert again.state == TransferState.IN_TRANSIT


def test_accepting_after_a_refusal_is_refused(world):
    t = _ask(world)
    transfer_refuse(
        actor=world.far_sec,
        transfer=t,
        refused_on=D(2026, 6, 5),
        reason="不在本单位工作",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 6), today=TODAY)
    assert "已于 2026-06-05 退回" in str(exc.value)
    assert Member.objects.get(pk=world.member.pk).org_id == world.east.pk


def test_refusal_needs_a_reason(world):
    t = _ask(world)
    with pytest.raises(ValidationError) as exc:
        transfer_refuse(
            actor=world.far_sec, transfer=t, refused_on=D(2026, 6, 5), reason=" ", today=TODAY
        )
    assert "请填写退回原因" in str(exc.value)


def test_request_dated_in_the_future_or_before_joining(world):
    with pytest.raises(ValidationError) as exc:
        _ask(world, on=D(2026, 7, 1))
    assert "申请日期不能晚于今天" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        _ask(world, on=D(2009, 1, 1))
    assert "早于王转接的入党日期" in str(exc.value)


def test_the_sending_side_only_requests_and_the_receiving_side_only_accepts(world):
    with pytest.raises(PermissionDenied):
        _ask(world, actor=world.west_sec)
    t = _ask(world)
    with pytest.raises(PermissionDenied):
        transfer_accept(actor=world.east_sec, transfer=t, accepted_on=D(2026, 6, 2), today=TODAY)
    with pytest.raises(PermissionDenied):
        transfer_cancel(actor=world.far_sec, transfer=t, cancelled_on=D(2026, 6, 2), today=TODAY)


def test_request_then_issue_later(world):
    t = _ask(world, issue=False)
    assert t.state == TransferState.REQUESTED and not t.letter_no
    with pytest.raises(ValidationError):
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 2), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        transfer_issue(actor=world.east_sec, transfer=t, issued_on=D(2026, 5, 1), today=TODAY)
    assert "早于申请日期" in str(exc.value)
    t = transfer_issue(actor=world.east_sec, transfer=t, issued_on=D(2026, 6, 3), today=TODAY)
    assert t.due_on == D(2026, 9, 1)
    with pytest.raises(ValidationError) as exc:
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 2), today=TODAY)
    assert "早于介绍信开具日期" in str(exc.value)


def test_external_receiver_letter_and_receipt(world):
    data = TransferInput(
        member=world.member,
        requested_on=D(2026, 6, 1),
        reason="居住地变动",
        to_name="外省某村党支部",
    )
    t = transfer_request(actor=world.east_sec, data=data, issue=True, today=TODAY)
    with pytest.raises(ValidationError):
        transfer_accept(actor=world.far_sec, transfer=t, accepted_on=D(2026, 6, 2), today=TODAY)
    assert (_counts(world.east), _counts(world.town)) == (2, 2)
    t = transfer_receipt(
        actor=world.east_sec, transfer=t, received_on=D(2026, 6, 20), receipt_no="HZ-1", today=TODAY
    )
    assert t.state == TransferState.ACCEPTED and t.receipt_no == "HZ-1"
    # off the sending roll on the day received, counted nowhere here, the history says where
    assert (_counts(world.east), _counts(world.town)) == (1, 1)
    assert counts_differences() == []
    member = Member.objects.get(pk=world.member.pk)
    assert has_left(member)
    assert not roll_on(world.east, D(2026, 6, 20)).filter(pk=member.pk).exists()
    assert roll_on(world.east, D(2026, 6, 19)).filter(pk=member.pk).exists()
    last = RollEvent.objects.filter(member=member).order_by("-pk").first()
    assert (last.kind, last.on) == (RollKind.TRANSFER_OUT, D(2026, 6, 20))
    assert "外省某村党支部" in last.reason and "HZ-1" in last.reason
    # a second receipt, or a new transfer of a member no longer on the roll, is refused
    with pytest.raises(ValidationError):
        transfer_receipt(actor=world.east_sec, transfer=t, received_on=D(2026, 6, 21), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        transfer_request(actor=world.east_sec, data=data, today=TODAY)
    assert "已不在党员名册上" in str(exc.value)


def test_receipt_before_the_member_joined_the_branch_writes_nothing(world):
    data = TransferInput(
        member=world.member, requested_on=D(2026, 6, 1), reason="居住地变动", to_name="外省某党支部"
    )
    t = transfer_request(actor=world.east_sec, data=data, issue=True, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        transfer_receipt(actor=world.east_sec, transfer=t, received_on=D(2026, 5, 1), today=TODAY)
    assert "早于" in str(exc.value)
    t.refresh_from_db()
    assert t.state == TransferState.IN_TRANSIT
    assert not has_left(Member.objects.get(pk=world.member.pk))
    assert _counts(world.east) == 2


def test_no_receiver_or_both(world):
    data = TransferInput(member=world.member, requested_on=D(2026, 6, 1), reason="工作变动")
    with pytest.raises(ValidationError) as exc:
        transfer_request(actor=world.east_sec, data=data, today=TODAY)
    assert "请选择接收党组织" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        _ask(world, to=world.east)
    assert "无需转接" in str(exc.value)
