"""The write path of relation transfers: validate every field, write, audit — one transaction.

Who: the sending branch (``Perm.MEMBER_CHANGE`` over the member's organization) requests,
issues the letter, cancels, and records the receipt of an organization outside the platform;
the receiving organization (``Perm.MEMBER_CHANGE`` over it) accepts or refuses. The accepting
end moves the member through :func:`dangjian.members.services.member_move`; the receipt of an
organization outside the platform takes the member off the sending roll on the day received
(:data:`~dangjian.members.choices.StatusKind.TRANSFERRED_OUT`). Both are called with the
system actor: this service checked the user's own right; the transfer's audit entry names
the user. A refused, impossible or badly dated step is refused with Chinese messages before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import SYSTEM, Actor, require, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.choices import StatusKind
from dangjian.members.models import Member
from dangjian.members.rollups import has_left, left_as
from dangjian.members.services import StatusInput, member_move, member_status_record
from dangjian.orgs.choices import ROLL_TYPES, TEMP_BRANCH_NO_ROLL, OrgType
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on

from .choices import OPEN_STATES, TransferReason, TransferState
from .models import Transfer
from .rules import DEADLINE

NOTE_MAX = 500
NAME_MAX = 200


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def snapshot(t: Transfer) -> dict[str, Any]:
    """The audited state of a transfer (no personal numbers: the name only)."""
    return {
        "member": t.member_name,
        "from_org": t.from_org.code,
        "to_org": t.to_org.code if t.to_org is not None else None,
        "to_name": t.to_name,
        "reason": t.reason,
        "state": t.state,
        "requested_on": t.requested_on,
        "letter_no": t.letter_no,
        "issued_on": t.issued_on,
        "valid_days": t.valid_days,
        "due_on": t.due_on,
        "answered_on": t.answered_on,
        "refuse_reason": t.refuse_reason,
        "receipt_no": t.receipt_no,
    }


def _audit(
    actor: Actor,
    action: AuditAction,
    t: Transfer,
    path: str,
    before: dict[str, Any] | None = None,
) -> None:
    name = f"组织关系转接 {t.letter_no or t.pk}（{t.member_name}）"
    audit_about(
        actor,
        action,
        AuditSubject("transfer", t, path, name),
        before=before,
        after=snapshot(t),
    )


#: how each answer closes a transfer: its state, and whose organization the audit entry is of
_ANSWERS = {
    AuditAction.TRANSFER_ACCEPT: (TransferState.ACCEPTED, "to_org"),
    AuditAction.TRANSFER_REFUSE: (TransferState.REFUSED, "to_org"),
    AuditAction.TRANSFER_CANCEL: (TransferState.CANCELLED, "from_org"),
    AuditAction.TRANSFER_RECEIPT: (TransferState.ACCEPTED, "from_org"),
}


def _answered(
    actor: Actor,
    t: Transfer,
    before: dict[str, Any],
    action: AuditAction,
    on: dt.date,
    **fields: Any,
) -> Transfer:
    """Close ``t`` as ``action`` does (:data:`_ANSWERS`), answered ``on``, with ``fields`` set;
    saved and audited."""
    state, side = _ANSWERS[action]
    t.state = state
    t.answered_on = on
    for name, value in fields.items():
        setattr(t, name, value)
    t.save()
    _audit(actor, action, t, getattr(t, side).path, before)
    return t


def receiver_problem(org: Organization) -> str | None:
    """Why ``org`` cannot receive a member's relations, or ``None``."""
    if org.org_type == OrgType.TEMP_BRANCH:
        return f"{org.name}是临时党支部：{TEMP_BRANCH_NO_ROLL}"
    if org.org_type not in ROLL_TYPES:
        return (
            f"{org.name}（{org.code}）是{org.org_type}，不能接收党员组织关系；"
            "请选择其下属的党支部或联合党支部"
        )
    return None


def open_transfer_of(member: Member) -> Transfer | None:
    return Transfer.objects.filter(member=member, state__in=sorted(OPEN_STATES)).first()


def _twice(member: Member, other: Transfer) -> str:
    where = other.letter_no or f"申请日期 {other.requested_on.isoformat()}"
    return (
        f"{member.name}已有一件尚未办结的组织关系转接（{where}，{other.get_state_display()}），"
        "不能重复转接；请先办结或撤销"
    )


@dataclass
class TransferInput:
    """A request to transfer ``member`` out of his branch: to ``to_org`` on the platform, or to
    the organization named ``to_name`` outside it."""

    member: Member
    requested_on: dt.date
    reason: str
    to_org: Organization | None = None
    to_name: str = ""
    note: str = ""


def transfer_validate(data: TransferInput, *, today: dt.date) -> FieldErrors:
    """Every problem of a request that needs no lock (the open transfer is checked again)."""
    errors = FieldErrors()
    member = data.member
    if data.reason not in TransferReason.values:
        errors.add(
            "reason", f"转接原因“{data.reason}”无效，应为：{'、'.join(TransferReason.values)}"
        )
    to_name = data.to_name.strip()
    if data.to_org is None and not to_name:
        errors.add("to_org", "请选择接收党组织，或填写系统外接收党组织的名称")
    elif data.to_org is not None and to_name:
        errors.add("to_name", "已选择系统内的接收党组织，无需再填写系统外党组织名称")
    elif data.to_org is not None:
        problem = receiver_problem(data.to_org)
        if problem:
            errors.add("to_org", problem)
        elif data.to_org.pk == member.org_id:
            errors.add("to_org", f"{member.name}已在{data.to_org.name}，无需转接")
    if len(to_name) > NAME_MAX:
        errors.add("to_name", f"接收党组织名称过长（最多 {NAME_MAX} 字）")
    if len(data.note) > NOTE_MAX:
        errors.add("note", f"备注过长（最多 {NOTE_MAX} 字）")
    if data.requested_on > today:
        errors.add("requested_on", "申请日期不能晚于今天")
    elif data.requested_on < member.joined_on:
        errors.add(
            "requested_on", f"申请日期早于{member.name}的入党日期 {member.joined_on.isoformat()}"
        )
    left = left_as(member)
    if left:
        errors.add("member", f"{member.name}已不在党员名册上（{left}），不能转接")
    other = open_transfer_of(member)
    if other is not None:
        errors.add("member", _twice(member, other))
    return errors


def transfer_request(
    *,
    actor: Actor,
    data: TransferInput,
    issue: bool = False,
    today: dt.date | None = None,
) -> Transfer:
    """Ask for the transfer of a member out of his branch; with ``issue`` the letter is issued
    the same day (the "three taps" page does both)."""
    try:
        return _transfer_request(actor, data, issue, _today(today))
    except IntegrityError:  # a concurrent request for the same member won the race
        raise ValidationError(
            {"member": [f"{data.member.name}已有一件尚未办结的组织关系转接"]}
        ) from None


@transaction.atomic
def _transfer_request(actor: Actor, data: TransferInput, issue: bool, today: dt.date) -> Transfer:
    member = Member.objects.select_for_update().select_related("org").get(pk=data.member.pk)
    data.member = member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    transfer_validate(data, today=today).raise_if_any()
    t = Transfer.objects.create(
        member=member,
        member_name=member.name,
        from_org=member.org,
        to_org=data.to_org,
        to_name=data.to_name.strip(),
        reason=data.reason,
        note=data.note.strip(),
        requested_on=data.requested_on,
        created_by=user_of(actor),
    )
    _audit(actor, AuditAction.TRANSFER_REQUEST, t, member.org.path)
    if issue:
        return _issue(actor, t, data.requested_on, today)
    return t


def _locked(t: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org")
        .get(pk=t.pk)
    )


def _date_errors(t: Transfer, day: dt.date, field: str, what: str, today: dt.date) -> FieldErrors:
    errors = FieldErrors()
    if day > today:
        errors.add(field, f"{what}不能晚于今天")
    if day < t.requested_on:
        errors.add(field, f"{what} {day.isoformat()} 早于申请日期 {t.requested_on.isoformat()}")
    return errors


def _state_error(t: Transfer, doing: str) -> ValidationError:
    if t.state == TransferState.REFUSED:
        why = f"接收党组织已于 {t.answered_on} 退回（{t.refuse_reason}）"
    elif t.state == TransferState.ACCEPTED:
        why = f"已于 {t.answered_on} 接收"
    elif t.state == TransferState.CANCELLED:
        why = f"已于 {t.answered_on} 撤销"
    elif t.state == TransferState.REQUESTED:
        why = "尚未开具介绍信"
    else:
        why = f"介绍信已开具（{t.letter_no}）"
    return ValidationError({"state": [f"该转接{why}，不能{doing}"]})


def letter_number(t: Transfer, issued_on: dt.date) -> str:
    """The letter's number: the sending organization's code, the year and the request id."""
    return f"{t.from_org.code}-{issued_on.year}-{t.pk:05d}"


def _issue(actor: Actor, t: Transfer, issued_on: dt.date, today: dt.date) -> Transfer:
    if t.state != TransferState.REQUESTED:
        raise _state_error(t, "开具介绍信")
    _date_errors(t, issued_on, "issued_on", "开具日期", today).raise_if_any()
    before = snapshot(t)
    days = int(params_on(DEADLINE.id, issued_on)["letter_valid_days"])
    t.state = TransferState.IN_TRANSIT
    t.issued_on = issued_on
    t.valid_days = days
    t.due_on = issued_on + dt.timedelta(days=days)
    t.letter_no = letter_number(t, issued_on)
    t.save()
    _audit(actor, AuditAction.TRANSFER_ISSUE, t, t.from_org.path, before)
    return t


@transaction.atomic
def transfer_issue(
    *, actor: Actor, transfer: Transfer, issued_on: dt.date, today: dt.date | None = None
) -> Transfer:
    """Issue the introduction letter (介绍信): numbered, valid ``letter_valid_days`` days from
    ``issued_on`` (REL-TRANSFER-DEADLINE, in force that day); ``due_on`` is its last valid day.
    The member is in transit, still on the sending roll."""
    t = _locked(transfer)
    require(actor, Perm.MEMBER_CHANGE, t.from_org.path)
    return _issue(actor, t, issued_on, _today(today))


def _answer_dates(t: Transfer, day: dt.date, field: str, what: str, today: dt.date) -> None:
    errors = _date_errors(t, day, field, what, today)
    if t.issued_on is not None and day < t.issued_on and not errors:
        errors.add(field, f"{what} {day.isoformat()} 早于介绍信开具日期 {t.issued_on.isoformat()}")
    errors.raise_if_any()


@transaction.atomic
def transfer_accept(
    *, actor: Actor, transfer: Transfer, accepted_on: dt.date, today: dt.date | None = None
) -> Transfer:
    """The receiving organization accepts: the member is on its roll from ``accepted_on`` and
    off the sending roll the same day. Refused after the letter's last valid day (the sending
    branch cancels and issues a new one), after a refusal, and for an organization outside the
    platform (the sender records its receipt instead)."""
    t = _locked(transfer)
    if t.to_org is None:
        raise ValidationError({"state": ["接收党组织不在本系统，请由转出党支部登记回执"]})
    require(actor, Perm.MEMBER_CHANGE, t.to_org.path)
    if t.state != TransferState.IN_TRANSIT:
        raise _state_error(t, "接收")
    _answer_dates(t, accepted_on, "accepted_on", "接收日期", _today(today))
    if t.due_on is not None and accepted_on > t.due_on:
        raise ValidationError(
            {
                "accepted_on": [
                    f"介绍信 {t.letter_no} 有效期至 {t.due_on.isoformat()}，已过期，不能接收；"
                    "请转出党支部撤销后重新开具"
                ]
            }
        )
    if t.member.org_id != t.from_org_id:
        raise ValidationError(
            {"member": [f"{t.member_name}已不在{t.from_org.name}的名册上，请转出党支部核对"]}
        )
    before = snapshot(t)
    member_move(
        actor=SYSTEM,
        member=t.member,
        org=t.to_org,
        on=accepted_on,
        reason=f"组织关系转接 {t.letter_no}",
    )
    return _answered(actor, t, before, AuditAction.TRANSFER_ACCEPT, accepted_on)


@transaction.atomic
def transfer_refuse(
    *,
    actor: Actor,
    transfer: Transfer,
    refused_on: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Transfer:
    """The receiving organization refuses, with a reason; the member stays where he is."""
    t = _locked(transfer)
    if t.to_org is None:
        raise ValidationError({"state": ["接收党组织不在本系统，无法在系统内退回"]})
    require(actor, Perm.MEMBER_CHANGE, t.to_org.path)
    if t.state != TransferState.IN_TRANSIT:
        raise _state_error(t, "退回")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写退回原因"]})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": [f"退回原因过长（最多 {NOTE_MAX} 字）"]})
    _answer_dates(t, refused_on, "refused_on", "退回日期", _today(today))
    before = snapshot(t)
    return _answered(
        actor, t, before, AuditAction.TRANSFER_REFUSE, refused_on, refuse_reason=reason
    )


@transaction.atomic
def transfer_cancel(
    *,
    actor: Actor,
    transfer: Transfer,
    cancelled_on: dt.date,
    reason: str = "",
    today: dt.date | None = None,
) -> Transfer:
    """The sending branch withdraws a transfer not yet answered (an expired letter, a change of
    plans); the member stays on its roll."""
    t = _locked(transfer)
    require(actor, Perm.MEMBER_CHANGE, t.from_org.path)
    if t.state not in OPEN_STATES:
        raise _state_error(t, "撤销")
    if len(reason or "") > NOTE_MAX:
        raise ValidationError({"reason": [f"撤销原因过长（最多 {NOTE_MAX} 字）"]})
    _date_errors(t, cancelled_on, "cancelled_on", "撤销日期", _today(today)).raise_if_any()
    before = snapshot(t)
    return _answered(
        actor,
        t,
        before,
        AuditAction.TRANSFER_CANCEL,
        cancelled_on,
        refuse_reason=(reason or "").strip(),
    )


@transaction.atomic
def transfer_receipt(
    *,
    actor: Actor,
    transfer: Transfer,
    received_on: dt.date,
    receipt_no: str = "",
    today: dt.date | None = None,
) -> Transfer:
    """The sending branch records the receipt (回执) of an organization outside the platform:
    the transfer is done on ``received_on``, the date the receiving organization received."""
    t = _locked(transfer)
    require(actor, Perm.MEMBER_CHANGE, t.from_org.path)
    if t.to_org is not None:
        raise ValidationError({"state": ["接收党组织在本系统内，由接收党组织办理接收"]})
    if t.state != TransferState.IN_TRANSIT:
        raise _state_error(t, "登记回执")
    receipt_no = (receipt_no or "").strip()
    if len(receipt_no) > 60:
        raise ValidationError({"receipt_no": ["回执编号过长（最多 60 字）"]})
    _answer_dates(t, received_on, "received_on", "接收日期", _today(today))
    if t.member.org_id != t.from_org_id or has_left(t.member):
        raise ValidationError(
            {"member": [f"{t.member_name}已不在{t.from_org.name}的名册上，请核对后再登记回执"]}
        )
    before = snapshot(t)
    # the member leaves the sending roll on the day the receiving organization received
    member_status_record(
        actor=SYSTEM,
        member=t.member,
        data=StatusInput(
            StatusKind.TRANSFERRED_OUT,
            received_on,
            t.from_org.name,
            decision_no=t.letter_no,
            reason=f"组织关系转至{t.to_name}" + (f"（回执 {receipt_no}）" if receipt_no else ""),
        ),
        today=_today(today),
    )
    return _answered(
        actor, t, before, AuditAction.TRANSFER_RECEIPT, received_on, receipt_no=receipt_no
    )


@transaction.atomic
def letter_read(*, actor: Actor, transfer: Transfer) -> None:
    """Record the download of a letter (it names a member)."""
    _audit(actor, AuditAction.TRANSFER_LETTER_READ, transfer, transfer.from_org.path)
