"""The write path: registering, help, visits, closing — and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.care.models import Hardship, Help, Visit
from dangjian.care.services import (
    hardship_change,
    hardship_close,
    hardship_register,
    help_record,
    visit_record,
)
from dangjian.core.models import AuditEntry
from tests.authz import state

from .conftest import TODAY

D = dt.date
pytestmark = pytest.mark.django_db


def _refused(call, *messages: str) -> ValidationError:
    before = state()
    with pytest.raises(ValidationError) as info:
        call()
    assert state() == before, "a refusal wrote something"
    text = "；".join(info.value.messages)
    for m in messages:
        assert m in text, text
    return info.value


def test_register_encrypts_the_note_and_audits_without_it(place):
    e = place.entry
    assert e.note() == "尿毒症，每周透析三次"
    assert b"\xe9\x80\x8f" not in bytes(e.note_cipher)  # 透 is not stored in clear
    assert {o.pk for o in e.helpers.all()} == {place.town.pk, place.unit.pk}
    entry = AuditEntry.objects.filter(action="care.register").latest("seq")
    assert entry.object_repr == f"困难党员登记 #{e.pk}"
    assert "透析" not in str(entry.after) and "王秀兰" not in str(entry.after)


def test_the_branch_secretary_registers_a_member_of_the_branch(place):
    h = hardship_register(
        actor=place.secretary,
        member=place.neighbour,
        reason="年老体弱",
        level="一般困难",
        since=D(2026, 3, 1),
        today=TODAY,
    )
    assert h.org == place.branch and h.is_open and h.note_cipher is None


def test_a_second_open_entry_for_the_same_member_is_refused(place):
    _refused(
        lambda: hardship_register(
            actor=place.secretary,
            member=place.member,
            reason="灾害",
            level="一般困难",
            since=D(2026, 6, 1),
            today=TODAY,
        ),
        "该党员已有未销号的困难登记（2026-01-10 起）",
    )


def test_after_closing_the_member_may_be_registered_again(place):
    hardship_close(
        actor=place.secretary,
        hardship=place.entry,
        until=D(2026, 5, 1),
        reason="已脱困",
        today=TODAY,
    )
    again = hardship_register(
        actor=place.secretary,
        member=place.member,
        reason="灾害",
        level="一般困难",
        since=D(2026, 8, 1),
        today=TODAY,
    )
    assert Hardship.objects.filter(member=place.member).count() == 2 and again.is_open


def test_registering_checks_every_field_at_once(place):
    err = _refused(
        lambda: hardship_register(
            actor=place.secretary,
            member=place.neighbour,
            reason="没钱",
            level="很困难",
            since=D(2027, 1, 1),
            note="长" * 501,
            today=TODAY,
        ),
        "请选择致困原因",
        "请选择困难程度",
        "困难情况说明过长",
        "登记日期不能晚于今天（2026-11-02）",
    )
    assert set(err.message_dict) == {"reason", "level", "note", "since"}


def test_only_the_branch_or_an_upper_helper_registers(place):
    before = state()
    with pytest.raises(PermissionDenied):
        hardship_register(
            actor=place.other_secretary,
            member=place.neighbour,
            reason="疾病",
            level="一般困难",
            since=D(2026, 3, 1),
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):  # the town covers the branch but does not name itself
        hardship_register(
            actor=place.town_admin,
            member=place.neighbour,
            reason="疾病",
            level="一般困难",
            since=D(2026, 3, 1),
            today=TODAY,
        )
    assert state() == before
    h = hardship_register(
        actor=place.town_admin,
        member=place.neighbour,
        reason="疾病",
        level="一般困难",
        since=D(2026, 3, 1),
        helpers=[place.town],
        today=TODAY,
    )
    assert h.org == place.branch


def test_help_is_recorded_with_its_amount(place):
    item = help_record(
        actor=place.unit_secretary,
        hardship=place.entry,
        kind="慰问金",
        amount="800",
        org=place.unit,
        helper_name="张医生",
        given_on=D(2026, 2, 1),
        today=TODAY,
    )
    assert item.amount == Decimal("800.00") and item.org == place.unit


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "金额不能为负数"), ("abc", "金额请填写数字"), ("NaN", "金额请填写数字")],
)
def test_a_bad_amount_is_refused(place, amount, message):
    _refused(
        lambda: help_record(
            actor=place.secretary,
            hardship=place.entry,
            kind="慰问金",
            amount=amount,
            org=place.branch,
            given_on=D(2026, 2, 1),
            today=TODAY,
        ),
        message,
    )


def test_help_before_the_register_date_or_by_a_stranger_org_is_refused(place):
    _refused(
        lambda: help_record(
            actor=place.secretary,
            hardship=place.entry,
            kind="实物",
            amount=0,
            org=place.other,
            given_on=D(2026, 1, 9),
            today=TODAY,
        ),
        "帮扶日期不能早于困难登记日期（2026-01-10）",
        "请选择该党员所在党支部或登记的帮扶组织",
    )


def test_a_visit_before_the_register_date_is_refused(place):
    _refused(
        lambda: visit_record(
            actor=place.secretary,
            hardship=place.entry,
            occasion="春节",
            visited_on=D(2026, 1, 5),
            org=place.branch,
            today=TODAY,
        ),
        "走访日期不能早于困难登记日期（2026-01-10）",
    )


def test_a_next_visit_must_come_after_the_visit(place):
    _refused(
        lambda: visit_record(
            actor=place.secretary,
            hardship=place.entry,
            occasion="七一",
            visited_on=D(2026, 7, 1),
            org=place.branch,
            next_visit_on=D(2026, 7, 1),
            today=TODAY,
        ),
        "下次走访日期应晚于本次走访日期",
    )


def test_closing_before_opening_is_refused(place):
    _refused(
        lambda: hardship_close(
            actor=place.secretary,
            hardship=place.entry,
            until=D(2026, 1, 9),
            reason="已脱困",
            today=TODAY,
        ),
        "销号日期不能早于登记日期（2026-01-10）",
    )


def test_closing_before_the_last_visit_is_refused_and_closing_twice_too(place):
    visit_record(
        actor=place.secretary,
        hardship=place.entry,
        occasion="七一",
        visited_on=D(2026, 7, 1),
        org=place.branch,
        next_visit_on=D(2026, 10, 1),
        today=TODAY,
    )
    _refused(
        lambda: hardship_close(
            actor=place.secretary,
            hardship=place.entry,
            until=D(2026, 6, 1),
            reason="已脱困",
            today=TODAY,
        ),
        "销号日期不能早于最后一次帮扶或走访（2026-07-01）",
    )
    hardship_close(
        actor=place.secretary,
        hardship=place.entry,
        until=D(2026, 8, 1),
        reason="已脱困",
        today=TODAY,
    )
    assert not Visit.objects.filter(next_visit_on__isnull=False).exists()  # no follow-up due
    _refused(
        lambda: hardship_close(
            actor=place.secretary,
            hardship=place.entry,
            until=D(2026, 9, 1),
            reason="已脱困",
            today=TODAY,
        ),
        "该登记已于 2026-08-01 销号",
    )


def test_upper_levels_and_other_branches_record_nothing(place):
    before = state()
    for who in (place.root_admin, place.unit_root_admin, place.other_secretary):
        with pytest.raises(PermissionDenied):
            help_record(
                actor=who,
                hardship=place.entry,
                kind="慰问金",
                amount=100,
                org=place.branch,
                given_on=D(2026, 2, 1),
                today=TODAY,
            )
    assert state() == before
    assert not Help.objects.exists()


def test_the_town_as_a_helper_records_help(place):
    """The town is among the helpers of the entry: it reads and records (but see privacy)."""
    help_record(
        actor=place.town_admin,
        hardship=place.entry,
        kind="慰问金",
        amount=500,
        org=place.town,
        given_on=D(2026, 1, 20),
        today=TODAY,
    )
    assert Help.objects.get().org == place.town


def test_change_keeps_the_note_unless_given(place):
    hardship_change(
        actor=place.secretary,
        hardship=place.entry,
        reason="疾病",
        level="一般困难",
        helpers=[place.unit],
    )
    place.entry.refresh_from_db()
    assert place.entry.level == "一般困难" and place.entry.note() == "尿毒症，每周透析三次"
    assert [o.pk for o in place.entry.helpers.all()] == [place.unit.pk]
