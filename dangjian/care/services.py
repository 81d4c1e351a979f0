"""The write path of the hardship register (困难党员帮扶): register a member in hardship, record
help and visits, close the entry — each validated (every problem at once, in Chinese), written
with its audit entry in one transaction; a refusal writes nothing.

Who (``Perm.CARE_RECORD``, and see :mod:`dangjian.care.selectors` for reading):

- registering: the member's branch, or an organization above it that names itself among the
  helping organizations (the command-line operator too);
- help, visits, changes and closing: whoever may read the entry — the member's branch or a
  helping organization. Help and visits are recorded as given by the branch or one of the
  helping organizations.

The audit trail names the entry by its number (``困难党员登记 #12``), never the member, and keeps
no note: the trail is read further up than the register is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core import clock, crypto
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .choices import CloseReason, HelpKind, Level, Occasion, Reason
from .models import Hardship, Help, Visit
from .selectors import may_read, own_org

NOTE_MAX = 500
HELPER_MAX = 50
VISITORS_MAX = 100
#: an amount above this (yuan) is surely a typing error
AMOUNT_MAX = Decimal("1000000")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate(clock.now())


def _subject(hardship: Hardship) -> AuditSubject:
    return AuditSubject(
        "care_hardship", hardship, hardship.org.path, f"困难党员登记 #{hardship.pk}"
    )


def _snapshot(h: Hardship) -> dict[str, Any]:
    return {
        "reason": h.reason,
        "level": h.level,
        "since": h.since.isoformat(),
        "until": h.until.isoformat() if h.until else None,
        "close_reason": h.close_reason,
        "helpers": sorted(o.code for o in h.helpers.all()),
    }


def _choice(errors: FieldErrors, name: str, label: str, value: str, choices: Any) -> str:
    value = (value or "").strip()
    if value not in choices.values:
        errors.add(name, f"请选择{label}（{'、'.join(str(v) for v in choices.values)}）")
    return value


def _not_future(errors: FieldErrors, name: str, label: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        errors.add(name, f"{label}不能晚于今天（{today:%Y-%m-%d}）")


def _require_reader(actor: Actor, hardship: Hardship) -> None:
    require(actor, Perm.CARE_RECORD)
    if not may_read(actor, hardship):
        raise PermissionDenied("只有该党员所在党支部和帮扶组织可以登记帮扶和走访")


def _giver(errors: FieldErrors, hardship: Hardship, org: Organization | None) -> None:
    allowed = {hardship.org_id, *(o.pk for o in hardship.helpers.all())}
    if org is None or org.pk not in allowed:
        errors.add("org", "请选择该党员所在党支部或登记的帮扶组织")


@transaction.atomic
def hardship_register(
    *,
    actor: Actor,
    member: Member,
    reason: str,
    level: str,
    since: dt.date,
    note: str = "",
    helpers: Iterable[Organization] = (),
    today: dt.date | None = None,
) -> Hardship:
    """Put ``member`` on the register from ``since``: the reason (a category; details in the
    encrypted ``note``), the level and the helping organizations (the branch helps anyway)."""
    branch = member.org
    helpers = list(dict.fromkeys(helpers))
    require(actor, Perm.CARE_RECORD, branch.path)
    mine = own_org(actor)
    if mine is not None and mine.pk != branch.pk and mine.pk not in {o.pk for o in helpers}:
        raise PermissionDenied("困难党员由其所在党支部登记（上级组织登记时须列为帮扶组织）")
    day = _today(today)
    errors = FieldErrors()
    reason = _choice(errors, "reason", "致困原因", reason, Reason)
    level = _choice(errors, "level", "困难程度", level, Level)
    note = errors.text("note", "困难情况说明", note, NOTE_MAX)
    _not_future(errors, "since", "登记日期", since, day)
    if since < member.joined_on:
        errors.add("since", f"登记日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）")
    current = Hardship.objects.select_for_update().filter(member=member, until__isnull=True)
    open_entry = current.first()
    if open_entry is not None:
        errors.add(
            "member",
            f"该党员已有未销号的困难登记（{open_entry.since:%Y-%m-%d} 起），"
            "请在原登记上补充帮扶和走访，或先销号",
        )
    errors.raise_if_any()
    try:
        with transaction.atomic():
            hardship = Hardship.objects.create(
                member=member,
                org=branch,
                reason=reason,
                level=level,
                since=since,
                note_cipher=crypto.encrypt(note) if note else None,
                recorded_by=user_of(actor),
            )
    except IntegrityError:  # registered meanwhile by someone else: that one stands
        errors.add("member", "该党员已有未销号的困难登记，请刷新后在原登记上补充")
        errors.raise_if_any()
    hardship.helpers.set([o for o in helpers if o.pk != branch.pk])
    audit_about(actor, AuditAction.CARE_REGISTER, _subject(hardship), after=_snapshot(hardship))
    return hardship


@transaction.atomic
def hardship_change(
    *,
    actor: Actor,
    hardship: Hardship,
    reason: str,
    level: str,
    helpers: Iterable[Organization],
    note: str | None = None,
) -> Hardship:
    """Change the reason, level, helping organizations or (``note`` not ``None``) the note."""
    _require_reader(actor, hardship)
    before = _snapshot(hardship)
    errors = FieldErrors()
    reason = _choice(errors, "reason", "致困原因", reason, Reason)
    level = _choice(errors, "level", "困难程度", level, Level)
    if note is not None:
        note = errors.text("note", "困难情况说明", note, NOTE_MAX)
    if hardship.until is not None:
        errors.add("hardship", "该登记已销号，不能再修改")
    errors.raise_if_any()
    hardship.reason, hardship.level = reason, level
    fields = ["reason", "level"]
    if note is not None:
        hardship.note_cipher = crypto.encrypt(note) if note else None
        fields.append("note_cipher")
    hardship.save(update_fields=fields)
    hardship.helpers.set([o for o in dict.fromkeys(helpers) if o.pk != hardship.org_id])
    audit_about(
        actor,
        AuditAction.CARE_CHANGE,
        _subject(hardship),
        before=before,
        after={**_snapshot(hardship), "note_changed": note is not None},
    )
    return hardship


@transaction.atomic
def hardship_close(
    *,
    actor: Actor,
    hardship: Hardship,
    until: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Hardship:
    """销号: the member is out of hardship (or died, or left) from ``until`` on."""
    _require_reader(actor, hardship)
    day = _today(today)
    errors = FieldErrors()
    reason = _choice(errors, "close_reason", "销号原因", reason, CloseReason)
    if hardship.until is not None:
        errors.add("hardship", f"该登记已于 {hardship.until:%Y-%m-%d} 销号")
    if until < hardship.since:
        errors.add("until", f"销号日期不能早于登记日期（{hardship.since:%Y-%m-%d}）")
    _not_future(errors, "until", "销号日期", until, day)
    last = max(
        [d for d in (_last(hardship.helps, "given_on"), _last(hardship.visits, "visited_on")) if d],
        default=None,
    )
    if last is not None and until < last:
        errors.add("until", f"销号日期不能早于最后一次帮扶或走访（{last:%Y-%m-%d}）")
    errors.raise_if_any()
    before = _snapshot(hardship)
    hardship.until, hardship.close_reason = until, reason
    hardship.save(update_fields=["until", "close_reason"])
    # the follow-up agreed at the last visit is no longer due
    hardship.visits.filter(next_visit_on__isnull=False).update(next_visit_on=None)
    audit_about(
        actor, AuditAction.CARE_CLOSE, _subject(hardship), before=before, after=_snapshot(hardship)
    )
    return hardship


def _last(related: Any, field: str) -> dt.date | None:
    return related.order_by(f"-{field}").values_list(field, flat=True).first()


def parse_amount(value: Any) -> Decimal | None:
    """``value`` (text or number) as yuan with two decimals, or ``None`` when unreadable."""
    try:
        amount = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(Decimal("0.01"))


def _window(
    errors: FieldErrors, name: str, label: str, hardship: Hardship, day: dt.date, today: dt.date
) -> None:
    if day < hardship.since:
        errors.add(name, f"{label}不能早于困难登记日期（{hardship.since:%Y-%m-%d}）")
    if hardship.until is not None and day > hardship.until:
        errors.add(name, f"{label}不能晚于销号日期（{hardship.until:%Y-%m-%d}）")
    _not_future(errors, name, label, day, today)


@transaction.atomic
def help_record(
    *,
    actor: Actor,
    hardship: Hardship,
    kind: str,
    amount: Decimal | str | int,
    org: Organization | None,
    given_on: dt.date,
    helper_name: str = "",
    today: dt.date | None = None,
) -> Help:
    """Record help given: kind, amount in yuan (0 for help in kind or service), the giving
    organization (the branch or a helping organization), the person who carried it out."""
    _require_reader(actor, hardship)
    day = _today(today)
    errors = FieldErrors()
    kind = _choice(errors, "kind", "帮扶方式", kind, HelpKind)
    value = parse_amount(amount)
    if value is None:
        errors.add("amount", "金额请填写数字（元），如 500 或 500.00")
    elif value < 0:
        errors.add("amount", "金额不能为负数")
    elif value > AMOUNT_MAX:
        errors.add("amount", f"金额过大（最多 {AMOUNT_MAX} 元），请核对")
    helper_name = errors.text("helper_name", "帮扶责任人", helper_name, HELPER_MAX)
    _giver(errors, hardship, org)
    _window(errors, "given_on", "帮扶日期", hardship, given_on, day)
    errors.raise_if_any()
    assert org is not None and value is not None
    item = Help.objects.create(
        hardship=hardship,
        kind=kind,
        amount=value,
        org=org,
        helper_name=helper_name,
        given_on=given_on,
    )
    audit_about(
        actor,
        AuditAction.CARE_HELP,
        _subject(hardship),
        after={
            "help": item.pk,
            "help_kind": kind,
            "amount": str(value),
            "org": org.code,
            "given_on": given_on.isoformat(),
        },
    )
    return item


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    hardship: Hardship,
    occasion: str,
    visited_on: dt.date,
    org: Organization | None,
    visitors: str = "",
    note: str = "",
    next_visit_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Record a visit (走访慰问) and, when agreed, the date of the next one (回访)."""
    _require_reader(actor, hardship)
    day = _today(today)
    errors = FieldErrors()
    occasion = _choice(errors, "occasion", "走访时机", occasion, Occasion)
    visitors = errors.text("visitors", "走访人", visitors, VISITORS_MAX)
    note = errors.text("note", "走访情况", note, NOTE_MAX)
    _giver(errors, hardship, org)
    _window(errors, "visited_on", "走访日期", hardship, visited_on, day)
    if next_visit_on is not None:
        if next_visit_on <= visited_on:
            errors.add("next_visit_on", "下次走访日期应晚于本次走访日期")
        if hardship.until is not None:
            errors.add("next_visit_on", "该登记已销号，不再安排回访")
    errors.raise_if_any()
    assert org is not None
    visit = Visit.objects.create(
        hardship=hardship,
        occasion=occasion,
        visited_on=visited_on,
        org=org,
        visitors=visitors,
        note_cipher=crypto.encrypt(note) if note else None,
        next_visit_on=next_visit_on,
    )
    audit_about(
        actor,
        AuditAction.CARE_VISIT,
        _subject(hardship),
        after={
            "visit": visit.pk,
            "occasion": occasion,
            "org": org.code,
            "visited_on": visited_on.isoformat(),
            "next_visit_on": next_visit_on.isoformat() if next_visit_on else None,
        },
    )
    return visit


@transaction.atomic
def notes_read(*, actor: Actor, hardship: Hardship) -> dict[str, Any]:
    """The decrypted notes of an entry and its visits (audited): for its readers only."""
    if not may_read(actor, hardship):
        raise PermissionDenied("只有该党员所在党支部和帮扶组织可以查看困难情况说明")
    audit_about(actor, AuditAction.CARE_NOTE_READ, _subject(hardship))
    return {
        "note": hardship.note(),
        "visits": {v.pk: v.note() for v in hardship.visits.all() if v.note_cipher},
    }
