"""The write path of party dues: the yearly 核定 (base and amount), payments one by one and in
bulk from a bank statement, the good-reason exemptions of DUES-ARREARS-6-MONTHS and the
remittances up the tree. Every function checks scope, collects every problem (Chinese), writes
in one transaction with its audit entry, and writes nothing when refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.core import crypto
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.choices import LEAVING
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import months
from .choices import RATED, DuesCategory, PaymentSource
from .models import DuesBase, DuesExemption, DuesPayment, DuesRemittance, DuesTally
from .rates import due_on, money

MAX_BASE = Decimal("10000000")
MAX_AMOUNT = Decimal("1000000")


def may_see_base(actor: Actor, member: Member) -> bool:
    """The income base is visible to the member's own branch only (its users with the right to
    see personal data) and to the command-line operator."""
    if getattr(actor, "pk", None) is None and getattr(actor, "org", None) is None:
        return bool(getattr(actor, "is_authenticated", False))
    org = getattr(actor, "org", None)
    return bool(
        org is not None and org.pk == member.org_id and actor.is_active
        and actor.can(Perm.MEMBER_VIEW_PII)
    )  # fmt: skip


def _decimal(errors: FieldErrors, name: str, label: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(name, f"{label}“{str(value)[:20]}”不是金额")
        return None
    if not d.is_finite():
        errors.add(name, f"{label}不是金额")
        return None
    if d < 0:
        errors.add(name, f"{label}不能为负数")
        return None
    return money(d)


def on_roll(member: Member, month: dt.date) -> bool:
    """Whether ``member`` owed dues in ``month`` (its first day): voted in (``joined_on``, the
    branch vote of a probationary member, DUES-PROBATIONARY) by the month's last day and not out
    of the party (出党, 死亡) before it began."""
    if member.joined_on > months.last_day(month):
        return False
    for status in member.statuses.all():
        if status.kind in LEAVING and status.started_on <= month:
            return False
    return True


def _base_subject(base: DuesBase, member: Member) -> AuditSubject:
    return AuditSubject("dues_base", base, member.org.path, f"{member.name} {base.year} 年党费核定")


@transaction.atomic
def base_set(
    *,
    actor: Actor,
    member: Member,
    year: int,
    category: str,
    base: Any = None,
    voluntary: Any = None,
) -> DuesBase:
    """核定 ``member``'s dues for ``year``: the category, the monthly base (the rated categories:
    after-tax salary or pension, yuan) and an optional larger voluntary amount. The amount comes
    from the rule of the category with the parameters in force on 1 January of ``year``; calling
    again for the same year recalculates (a new base)."""
    member = Member.objects.select_related("org").get(pk=member.pk)
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = FieldErrors()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add("year", "年度应在 2000 至 2100 之间")
    if category not in DuesCategory.values:
        errors.add("category", f"交纳类别“{str(category)[:20]}”无效")
    amount = _decimal(errors, "base", "月交纳基数", base)
    extra = _decimal(errors, "voluntary", "自愿交纳金额", voluntary)
    if amount is not None and amount > MAX_BASE:
        errors.add("base", "月交纳基数过大，请核对")
    if category in RATED and amount is None and "base" not in errors:
        errors.add("base", "按比例交纳党费的党员须填写月交纳基数（税后月收入或月退休费）")
    if category not in RATED and amount is not None:
        amount = None  # a fixed amount has no base: nothing personal is kept
    if amount is not None and not may_see_base(actor, member):
        errors.add("base", "月交纳基数属个人信息，只能由党员所在党支部核定")
    errors.raise_if_any()
    due = due_on(category, amount, dt.date(year, 1, 1))
    if extra is not None and extra < due.amount:
        errors.add("voluntary", f"自愿交纳金额不能少于按标准应交的 {due.amount} 元")
    if extra is not None and extra > MAX_AMOUNT:
        errors.add("voluntary", "自愿交纳金额过大，请核对")
    errors.raise_if_any()
    record = DuesBase.objects.select_for_update().filter(member=member, year=year).first()
    before = None
    if record is None:
        record = DuesBase(member=member, year=year)
    else:
        before = {"dues_category": record.category, "monthly_due": str(record.monthly_due)}
    record.category = category
    record.base_cipher = crypto.encrypt(str(amount)) if amount is not None else None
    record.rate = due.rate
    record.monthly_due = due.amount
    record.voluntary = extra
    record.rule = due.rule
    record.version = due.version
    record.recorded_by = user_of(actor)
    record.save()
    audit_about(
        actor,
        AuditAction.DUES_BASE_SET,
        _base_subject(record, member),
        before=before,
        after={
            "year": year,
            "dues_category": category,
            "monthly_due": str(due.amount),
            "voluntary_due": str(extra) if extra is not None else None,
            "rule": due.rule,
            "version": due.version,
        },
    )
    return record


def base_amount(actor: Actor, record: DuesBase) -> Decimal | None:
    """The plain monthly base of ``record`` for its own branch; ``None`` for anyone else."""
    if record.base_cipher is None or not may_see_base(actor, record.member):
        return None
    return Decimal(crypto.decrypt(record.base_cipher))


# --- payments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    """One payment to record: the member, the month (first day), the amount (``None``: what the
    year's 核定 says) and the day paid."""

    member: Member
    month: dt.date
    amount: Decimal | None
    paid_on: dt.date
    reference: str = ""


def _check_payment(
    row: PaymentRow, bases: dict[tuple[int, int], DuesBase], paid: set[tuple[int, dt.date]]
) -> tuple[Decimal | None, list[str]]:
    problems = []
    m = row.member
    label = months.label(row.month)
    if (m.pk, row.month) in paid:
        problems.append(f"{m.name} {label}的党费已交纳，不能重复登记")
    if not on_roll(m, row.month):
        if m.joined_on > months.last_day(row.month):
            problems.append(
                f"{m.name} {label}尚未入党（支部大会通过日期 {m.joined_on:%Y-%m-%d}），不需交纳"
            )
        else:
            problems.append(f"{m.name} {label}已不在党员名册上，不能登记党费")
    if row.paid_on < row.month:
        problems.append(f"交纳日期 {row.paid_on:%Y-%m-%d} 早于所属月份{label}")
    base = bases.get((m.pk, row.month.year))
    amount = row.amount
    if amount is None:
        if base is None:
            problems.append(f"{m.name} 尚未核定 {row.month.year} 年党费，请填写金额")
        else:
            amount = Decimal(str(base.owed))
    elif amount <= 0:
        problems.append("金额应大于 0")
    elif amount > MAX_AMOUNT:
        problems.append("金额过大，请核对")
    elif base is not None and amount < base.monthly_due:
        problems.append(f"金额 {amount} 元少于{m.name}每月应交的 {base.monthly_due} 元")
    return amount, problems


def _record(actor: Actor, rows: list[tuple[PaymentRow, Decimal]], source: str) -> list[DuesPayment]:
    created = DuesPayment.objects.bulk_create(
        [
            DuesPayment(
                member=r.member,
                org_id=r.member.org_id,
                month=r.month,
                amount=amount,
                paid_on=r.paid_on,
                source=source,
                reference=r.reference[:64],
                recorded_by=user_of(actor),
            )
            for r, amount in rows
        ]
    )
    tally_add(created)
    last_paid_add(created)
    return created


def tally_add(payments: Iterable[DuesPayment]) -> None:
    """Add ``payments`` to the monthly counters of their branches (same transaction)."""
    from django.db.models import F

    sums: dict[tuple[int, dt.date], list[Any]] = {}
    for p in payments:
        entry = sums.setdefault((p.org_id, p.month), [0, Decimal(0)])
        entry[0] += 1
        entry[1] += p.amount
    for (org_id, month), (n, amount) in sums.items():
        updated = DuesTally.objects.filter(org_id=org_id, month=month).update(
            payments=F("payments") + n, amount=F("amount") + amount
        )
        if not updated:
            DuesTally.objects.create(org_id=org_id, month=month, payments=n, amount=amount)


def last_paid_add(payments: Iterable[DuesPayment]) -> None:
    """Move the latest month paid of the members of ``payments`` forward (same transaction):
    one ``INSERT … ON CONFLICT (member) DO UPDATE`` keeping the later month, so concurrent
    writers never read a value to write it back (:mod:`dangjian.core.rollup`)."""
    from django.db import connection

    from .models import DuesLastPaid

    latest: dict[int, dt.date] = {}
    for p in payments:
        known = latest.get(p.member_id)
        latest[p.member_id] = p.month if known is None or p.month > known else known
    table = connection.ops.quote_name(DuesLastPaid._meta.db_table)
    later = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    rows = sorted(latest.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} (member_id, month) VALUES "  # noqa: S608 (no input)
                + ", ".join(["(%s, %s)"] * len(chunk))
                + f" ON CONFLICT (member_id) DO UPDATE SET month = {later}("
                f"{table}.month, excluded.month)",
                [v for member_id, month in chunk for v in (member_id, month)],
            )


@transaction.atomic
def tally_rebuild() -> int:
    """Recount every monthly counter from the payments (after a bulk load); their number."""
    DuesTally.objects.all().delete()
    rows = [
        DuesTally(org_id=r["org_id"], month=r["month"], payments=r["n"], amount=r["s"])
        for r in DuesPayment.objects.values("org_id", "month")
        .order_by()
        .annotate(n=Count("pk"), s=Sum("amount"))
    ]
    DuesTally.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _context(members: Iterable[Member], years: set[int]) -> tuple[dict, set]:
    ids = {m.pk for m in members}
    bases = {
        (b.member_id, b.year): b for b in DuesBase.objects.filter(member_id__in=ids, year__in=years)
    }
    paid = set(DuesPayment.objects.filter(member_id__in=ids).values_list("member_id", "month"))
    return bases, paid


@transaction.atomic
def payment_record(
    *,
    actor: Actor,
    member: Member,
    month: dt.date,
    paid_on: dt.date,
    amount: Any = None,
) -> DuesPayment:
    """Record ``member``'s dues of ``month`` (one tap on 本月党费): the year's amount unless
    ``amount`` is given (a voluntary larger payment is allowed, less is not)."""
    member = Member.objects.select_related("org").prefetch_related("statuses").get(pk=member.pk)
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = FieldErrors()
    value = None
    if amount is not None and amount != "":
        try:
            value = Decimal(str(amount).strip())
            if not value.is_finite():
                raise InvalidOperation
            value = money(value)
        except (InvalidOperation, ValueError):
            errors.add("amount", f"金额“{str(amount)[:20]}”不是数字")
        else:
            if value < 0:
                errors.add("amount", "金额不能为负数")
    errors.raise_if_any()
    month = months.first(month)
    # serialise the payments of one member: a second tap waits and then finds the month paid
    list(Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True))
    bases, paid = _context([member], {month.year})
    row = PaymentRow(member, month, value, paid_on)
    value, problems = _check_payment(row, bases, paid)
    if problems:
        raise ValidationError({"month": problems})
    assert value is not None
    payment = _record(actor, [(row, value)], PaymentSource.SINGLE)[0]
    audit_about(
        actor,
        AuditAction.DUES_PAYMENT_RECORD,
        AuditSubject(
            "dues_payment", payment, member.org.path, f"{member.name} {months.label(month)}党费"
        ),
        after={"member_id": member.pk, "month": month.isoformat(), "dues_amount": str(value)},
    )
    return payment


#: the columns of a bank statement file (formats.md style: Chinese headers, any order)
IMPORT_COLUMNS = ("公民身份号码", "姓名", "所属月份", "金额", "交纳日期", "流水号")
IMPORT_REQUIRED = ("公民身份号码", "所属月份", "金额", "交纳日期")


@transaction.atomic
def payments_import(
    *, actor: Actor, org: Organization, source: IO[bytes], filename: str
) -> list[DuesPayment]:
    """Record the payments of a bank statement file (.xlsx or UTF-8 .csv) for the members of
    branch ``org``: all rows or none. Every problem is reported with its row number in Chinese
    (unknown member, month already paid or twice in the file, not on the roll, negative or
    missing amount, bad date)."""
    from dangjian.exchange.readers import ReadError, cell_date, cell_text, read_table

    require(actor, Perm.MEMBER_CHANGE, org.path)
    try:
        table = read_table(
            source, columns=IMPORT_COLUMNS, required=IMPORT_REQUIRED, file_label=filename
        )
    except ReadError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    if not table.rows:
        raise ValidationError({"file": ["文件中没有数据行"]})
    roll = {
        m.id_number_digest: m
        for m in Member.objects.filter(org=org).select_related("org").prefetch_related("statuses")
    }
    problems: list[str] = []
    parsed: list[tuple[int, PaymentRow]] = []
    for n, cells in table.rows:
        row_problems: list[str] = []
        idn = cell_text(cells.get("公民身份号码"))
        member = roll.get(crypto.digest(idn)) if idn else None
        if member is None:
            name = cell_text(cells.get("姓名"))
            row_problems.append(
                f"本支部名册上没有该党员（{name or '未写姓名'}），请核对公民身份号码"
            )
        try:
            month = months.parse(cells.get("所属月份"))
        except ValueError as exc:
            row_problems.append(str(exc))
            month = None
        try:
            paid_on = cell_date(cells.get("交纳日期"))
            if paid_on is None:
                row_problems.append("缺少交纳日期")
        except ValueError as exc:
            row_problems.append(f"交纳日期{exc}")
            paid_on = None
        raw = cell_text(cells.get("金额"))
        amount = None
        try:
            amount = money(Decimal(raw)) if raw else None
        except (InvalidOperation, ValueError):
            row_problems.append(f"金额“{raw[:20]}”不是数字")
        if raw and amount is not None and amount < 0:
            row_problems.append("金额不能为负数")
        elif not raw:
            row_problems.append("缺少金额")
        if (
            member is not None
            and month is not None
            and paid_on is not None
            and amount is not None
            and amount >= 0
        ):
            parsed.append(
                (n, PaymentRow(member, month, amount, paid_on, cell_text(cells.get("流水号"))))
            )
        problems.extend(f"第 {n} 行：{p}" for p in row_problems)
    bases, paid = _context([r.member for _, r in parsed], {r.month.year for _, r in parsed})
    seen: set[tuple[int, dt.date]] = set()
    good: list[tuple[PaymentRow, Decimal]] = []
    for n, row in parsed:
        key = (row.member.pk, row.month)
        if key in seen:
            problems.append(
                f"第 {n} 行：{row.member.name} {months.label(row.month)}的党费在文件中出现了两次"
            )
            continue
        seen.add(key)
        amount, row_problems = _check_payment(row, bases, paid)
        problems.extend(f"第 {n} 行：{p}" for p in row_problems)
        if not row_problems and amount is not None:
            good.append((row, amount))
    if problems:
        raise ValidationError({"file": problems})
    created = _record(actor, good, PaymentSource.BANK)
    audit_about(
        actor,
        AuditAction.DUES_PAYMENT_IMPORT,
        AuditSubject(
            "dues_payment",
            org,
            org.path,
            f"{org.name} 银行流水 {filename[:60]}",
            object_id=org.code,
        ),
        after={
            "statement_file": filename[:100],
            "payments": len(created),
            "total": str(sum((a for _, a in good), Decimal(0))),
        },
    )
    return created


# --- exemptions and remittances --------------------------------------------------------------


@transaction.atomic
def exemption_record(
    *, actor: Actor, member: Member, month_from: dt.date, month_to: dt.date, note: str
) -> DuesExemption:
    """A good reason (正当理由) the branch accepted for not paying ``month_from``..``month_to``:
    those months do not count towards DUES-ARREARS-6-MONTHS (the dues are still owed)."""
    member = Member.objects.select_related("org").get(pk=member.pk)
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = FieldErrors()
    note = (note or "").strip()
    if not note:
        errors.add("note", "请写明正当理由")
    elif len(note) > 300:
        errors.add("note", "正当理由不能超过 300 字")
    start, end = months.first(month_from), months.first(month_to)
    if end < start:
        errors.add("month_to", "终止月份不能早于起始月份")
    errors.raise_if_any()
    record = DuesExemption.objects.create(
        member=member, month_from=start, month_to=end, note=note, recorded_by=user_of(actor)
    )
    audit_about(
        actor,
        AuditAction.DUES_EXEMPTION_RECORD,
        AuditSubject("dues_exemption", record, member.org.path, f"{member.name} 未交党费正当理由"),
        after={"month_from": start.isoformat(), "month_to": end.isoformat(), "good_reason": note},
    )
    return record


def collected(org: Organization, year: int) -> Decimal:
    """The dues paid in ``org``'s subtree in ``year``."""
    total = DuesPayment.objects.filter(org__path__startswith=org.path, month__year=year).aggregate(
        s=Sum("amount")
    )["s"]
    return Decimal(total or 0)


@transaction.atomic
def remittance_record(
    *,
    actor: Actor,
    org: Organization,
    year: int,
    amount: Any,
    remitted_on: dt.date,
    note: str = "",
) -> DuesRemittance:
    """党费上缴: ``org`` passes ``amount`` of ``year``'s dues to the organization above it. The
    remittances of a year cannot exceed what its subtree collected."""
    require(actor, Perm.MEMBER_CHANGE, org.path)
    errors = FieldErrors()
    step = Organization.steplen
    parent = (
        Organization.objects.filter(path=org.path[:-step]).first() if len(org.path) > step else None
    )
    if parent is None:
        errors.add("org", f"{org.name}没有上级组织，无需上缴")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add("year", "年度应在 2000 至 2100 之间")
    value = _decimal(errors, "amount", "上缴金额", amount)
    if value is not None and value == 0:
        errors.add("amount", "上缴金额应大于 0")
    note = (note or "").strip()
    if len(note) > 200:
        errors.add("note", "备注不能超过 200 字")
    errors.raise_if_any()
    assert value is not None and parent is not None
    done = DuesRemittance.objects.select_for_update().filter(org=org, year=year)
    already = money(done.aggregate(s=Sum("amount"))["s"] or 0)
    have = money(collected(org, year))
    if already + value > have:
        raise ValidationError(
            {
                "amount": [
                    f"{org.name}{year} 年收缴党费 {have} 元，已上缴 {already} 元，"
                    f"本次最多上缴 {have - already} 元"
                ]
            }
        )
    record = DuesRemittance.objects.create(
        org=org,
        to_org=parent,
        year=year,
        amount=value,
        remitted_on=remitted_on,
        note=note,
        recorded_by=user_of(actor),
    )
    audit_about(
        actor,
        AuditAction.DUES_REMITTANCE_RECORD,
        AuditSubject("dues_remittance", record, org.path, f"{org.name} {year} 年党费上缴"),
        after={"to_org": parent.code, "year": year, "dues_amount": str(value)},
    )
    return record


def default_category(member: Member) -> str:
    from .choices import FROM_MEMBER

    return str(FROM_MEMBER.get(member.category, DuesCategory.EMPLOYED))  # type: ignore[call-overload]


# --- a new year's 核定 -----------------------------------------------------------------------


@dataclass(frozen=True)
class CarryResult:
    """What :func:`bases_carry_forward` did: the new 核定 records, the members who had one for
    the year already (left as they were) and those with none the year before (to 核定 by hand)."""

    made: list[DuesBase]
    kept: list[Member]
    missing: list[Member]


def on_roll_in(member: Member, year: int) -> bool:
    """Whether ``member`` owed dues in any month of ``year``."""
    return any(on_roll(member, dt.date(year, k, 1)) for k in range(1, 13))


@transaction.atomic
def bases_carry_forward(*, actor: Actor, org: Organization, year: int) -> CarryResult:
    """Start ``year``'s 核定 of branch ``org`` from ``year`` - 1: every member on the roll in
    ``year`` with a 核定 of the year before and none of ``year`` gets the same category and base,
    recalculated with the parameters in force on 1 January of ``year`` (a voluntary amount is
    kept when it is still not less than the new amount). Each record goes through
    :func:`base_set` (its own audit entry); all or none: one refusal writes nothing."""
    require(actor, Perm.MEMBER_CHANGE, org.path)
    if not isinstance(year, int) or not 2001 <= year <= 2100:
        raise ValidationError({"year": ["年度应在 2001 至 2100 之间"]})
    roll = [
        m
        for m in Member.objects.filter(org=org).prefetch_related("statuses").order_by("name", "pk")
        if on_roll_in(m, year)
    ]
    ids = [m.pk for m in roll]
    have = set(
        DuesBase.objects.filter(member_id__in=ids, year=year).values_list("member_id", flat=True)
    )
    before = {b.member_id: b for b in DuesBase.objects.filter(member_id__in=ids, year=year - 1)}
    made: list[DuesBase] = []
    kept: list[Member] = []
    missing: list[Member] = []
    problems: list[str] = []
    for m in roll:
        if m.pk in have:
            kept.append(m)
            continue
        old = before.get(m.pk)
        if old is None:
            missing.append(m)
            continue
        if old.base_cipher is not None and not may_see_base(actor, m):
            problems.append(f"{m.name}：月交纳基数属个人信息，只能由党员所在党支部核定")
            continue
        amount = Decimal(crypto.decrypt(old.base_cipher)) if old.base_cipher is not None else None
        due = due_on(old.category, amount, dt.date(year, 1, 1))
        extra = old.voluntary if old.voluntary is not None and old.voluntary >= due.amount else None
        try:
            made.append(
                base_set(
                    actor=actor,
                    member=m,
                    year=year,
                    category=old.category,
                    base=amount,
                    voluntary=extra,
                )
            )
        except ValidationError as exc:
            problems.extend(f"{m.name}：{text}" for text in exc.messages)
    if problems:
        raise ValidationError({"year": problems})
    return CarryResult(made, kept, missing)
