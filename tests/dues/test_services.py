"""The write path of dues: 核定 (negative base, encryption, who sees the base, year change),
payments (already paid, not on the roll, probationary vote mid-month, less than due, voluntary
more), bank statements (all or nothing, Chinese row errors) and remittances."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.dues.models import DuesBase, DuesPayment, DuesRemittance
from dangjian.dues.services import (
    base_amount,
    base_set,
    payment_record,
    payments_import,
    remittance_record,
)

PAID = dt.date(2026, 6, 30)


def _messages(exc: pytest.ExceptionInfo) -> str:
    return "；".join(exc.value.messages)


def test_base_is_encrypted_and_seen_by_the_branch_only(place):
    b = base_set(
        actor=place.secretary, member=place.employed, year=2026, category="在职", base="8000"
    )
    assert b.monthly_due == Decimal("120.00") and b.rate == Decimal("0.015")
    assert b"8000" not in bytes(b.base_cipher)
    assert base_amount(place.secretary, b) == Decimal("8000.00")
    assert base_amount(place.town_admin, b) is None  # the upper level never sees it
    assert base_amount(SYSTEM, b) == Decimal("8000.00")
    entry = AuditEntry.objects.filter(action="dues.base.set").latest("seq")
    assert "8000" not in str(entry.after)


def test_upper_level_cannot_set_a_base(place):
    with pytest.raises(ValidationError, match="只能由党员所在党支部核定"):
        base_set(actor=place.town_admin, member=place.employed, year=2026, category="在职", base=1)
    assert not DuesBase.objects.exists()


def test_other_branch_is_refused(place):
    with pytest.raises(PermissionDenied):
        base_set(actor=place.outsider, member=place.employed, year=2026, category="学生")


@pytest.mark.parametrize(
    "kwargs,text",
    [
        ({"category": "在职", "base": "-1"}, "月交纳基数不能为负数"),
        ({"category": "在职"}, "须填写月交纳基数"),
        ({"category": "在职", "base": "abc"}, "不是金额"),
        ({"category": "火星", "base": "1"}, "交纳类别“火星”无效"),
        ({"category": "在职", "base": "3000", "voluntary": "10"}, r"按标准应交的 15\.00 元"),
    ],
)
def test_bad_bases_write_nothing(place, kwargs, text):
    with pytest.raises(ValidationError, match=text):
        base_set(actor=place.secretary, member=place.employed, year=2026, **kwargs)
    assert not DuesBase.objects.exists()
    assert not AuditEntry.objects.filter(action="dues.base.set").exists()


def test_each_year_on_its_new_base(place):
    base_set(actor=place.secretary, member=place.employed, year=2025, category="在职", base="5000")
    base_set(
        actor=place.secretary, member=place.employed, year=2026, category="在职", base="5000.01"
    )
    dues = dict(DuesBase.objects.values_list("year", "monthly_due"))
    assert dues == {2025: Decimal("50.00"), 2026: Decimal("75.00")}
    # recalculated in the year: the same record, the new amount
    base_set(actor=place.secretary, member=place.employed, year=2026, category="在职", base="3000")
    assert DuesBase.objects.get(year=2026).monthly_due == Decimal("15.00")
    assert DuesBase.objects.count() == 2


def test_fixed_categories_keep_no_base(place):
    b = base_set(actor=place.secretary, member=place.farmer, year=2026, category="农民", base="9")
    assert b.base_cipher is None and b.monthly_due == Decimal("0.20")


def test_pay_one_month_then_twice_refused(place):
    base_set(actor=place.secretary, member=place.retired, year=2026, category="离退休", base="5000")
    p = payment_record(
        actor=place.secretary, member=place.retired, month=dt.date(2026, 5, 1), paid_on=PAID
    )
    assert p.amount == Decimal("25.00") and p.org == place.branch
    with pytest.raises(ValidationError, match="2026年5月的党费已交纳，不能重复登记"):
        payment_record(
            actor=place.secretary, member=place.retired, month=dt.date(2026, 5, 9), paid_on=PAID
        )
    assert DuesPayment.objects.count() == 1


def test_voluntary_more_is_allowed_less_is_not(place):
    base_set(actor=place.secretary, member=place.retired, year=2026, category="离退休", base="5000")
    more = payment_record(
        actor=place.secretary, member=place.retired, month=dt.date(2026, 1, 1), paid_on=PAID,
        amount="100",
    )  # fmt: skip
    assert more.amount == Decimal("100.00")
    with pytest.raises(ValidationError, match=r"少于陈退休每月应交的 25\.00 元"):
        payment_record(
            actor=place.secretary, member=place.retired, month=dt.date(2026, 2, 1), paid_on=PAID,
            amount="24.99",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="金额不能为负数"):
        payment_record(
            actor=place.secretary, member=place.retired, month=dt.date(2026, 2, 1), paid_on=PAID,
            amount="-5",
        )  # fmt: skip
    assert DuesPayment.objects.count() == 1


def test_probationary_owes_from_the_month_of_the_vote(place):
    """Voted in on 20 March: March is owed (paid), February is not (refused)."""
    base_set(actor=place.secretary, member=place.probationary, year=2026, category="学生")
    payment_record(
        actor=place.secretary, member=place.probationary, month=dt.date(2026, 3, 1), paid_on=PAID
    )
    with pytest.raises(ValidationError, match="2026年2月尚未入党（支部大会通过日期 2026-03-20）"):
        payment_record(
            actor=place.secretary, member=place.probationary, month=dt.date(2026, 2, 1),
            paid_on=PAID,
        )  # fmt: skip
    assert DuesPayment.objects.count() == 1


def test_member_who_left_is_not_on_the_roll(place):
    from dangjian.members.models import MemberStatus

    MemberStatus.objects.create(
        member=place.farmer, kind="死亡", started_on=dt.date(2026, 4, 10), decided_by="东坑村党支部"
    )
    payment_record(
        actor=place.secretary, member=place.farmer, month=dt.date(2026, 4, 1), paid_on=PAID,
        amount="0.2",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="2026年5月已不在党员名册上"):
        payment_record(
            actor=place.secretary, member=place.farmer, month=dt.date(2026, 5, 1), paid_on=PAID,
            amount="0.2",
        )  # fmt: skip


def _csv(rows: list[list[str]]) -> io.BytesIO:
    head = "公民身份号码,姓名,所属月份,金额,交纳日期,流水号\n"
    return io.BytesIO((head + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8"))


def test_bank_statement_is_all_or_nothing(place):
    base_set(actor=place.secretary, member=place.retired, year=2026, category="离退休", base="6000")
    idn = place.retired.id_number()
    payment_record(
        actor=place.secretary, member=place.retired, month=dt.date(2026, 1, 1), paid_on=PAID
    )
    bad = _csv(
        [
            [idn, "陈退休", "2026-01", "60", "2026-06-01", "A1"],
            [idn, "陈退休", "2026-02", "-60", "2026-06-01", "A2"],
            ["110101199001011237", "无此人", "2026-02", "10", "2026-06-01", "A3"],
            [idn, "陈退休", "2026-03", "60", "2026-06-01", "A4"],
            [idn, "陈退休", "2026-03", "60", "2026-06-01", "A5"],
            [place.far.id_number(), "周西坑", "2026-03", "60", "2026-06-01", "A6"],
            [idn, "陈退休", "2026-13", "60", "2026-06-01", "A7"],
        ]
    )
    with pytest.raises(ValidationError) as exc:
        payments_import(actor=place.secretary, org=place.branch, source=bad, filename="流水.csv")
    text = _messages(exc)
    assert "第 2 行：陈退休 2026年1月的党费已交纳，不能重复登记" in text
    assert "第 3 行：金额不能为负数" in text
    assert "第 4 行：本支部名册上没有该党员（无此人）" in text
    assert "第 6 行：陈退休 2026年3月的党费在文件中出现了两次" in text
    assert "第 7 行：本支部名册上没有该党员（周西坑）" in text
    assert "第 8 行：月份“2026-13”无效" in text
    assert DuesPayment.objects.count() == 1

    good = _csv(
        [
            [idn, "陈退休", "2026-02", "60", "2026-06-01", "B1"],
            [idn, "陈退休", "2026年3月", "80", "2026-06-01", "B2"],
        ]
    )
    made = payments_import(
        actor=place.secretary, org=place.branch, source=good, filename="流水.csv"
    )
    assert [(p.month.month, p.amount, p.source) for p in made] == [
        (2, Decimal("60.00"), "银行流水导入"),
        (3, Decimal("80.00"), "银行流水导入"),
    ]


def test_bank_statement_xlsx_and_bad_file(place):
    from openpyxl import Workbook

    base_set(actor=place.secretary, member=place.farmer, year=2026, category="农民")
    wb = Workbook()
    ws = wb.active
    ws.append(["公民身份号码", "所属月份", "金额", "交纳日期"])
    ws.append([place.farmer.id_number(), "2026-04", 1, dt.date(2026, 4, 30)])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    made = payments_import(actor=place.secretary, org=place.branch, source=buf, filename="a.xlsx")
    assert len(made) == 1 and made[0].amount == Decimal("1.00")
    with pytest.raises(ValidationError, match="不支持的文件类型"):
        payments_import(
            actor=place.secretary, org=place.branch, source=io.BytesIO(b"x"), filename="a.txt"
        )


def test_remittance_up_the_tree_bounded_by_collected(place):
    base_set(actor=place.secretary, member=place.retired, year=2026, category="离退休", base="6000")
    payment_record(
        actor=place.secretary, member=place.retired, month=dt.date(2026, 1, 1), paid_on=PAID
    )
    r = remittance_record(
        actor=place.secretary, org=place.branch, year=2026, amount="50", remitted_on=PAID
    )
    assert r.to_org == place.town
    with pytest.raises(ValidationError, match=r"本次最多上缴 10\.00 元"):
        remittance_record(
            actor=place.secretary, org=place.branch, year=2026, amount="10.01", remitted_on=PAID
        )
    assert DuesRemittance.objects.count() == 1
