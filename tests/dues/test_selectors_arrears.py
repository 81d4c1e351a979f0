"""The arrears of the organization-level totals read the latest month each member paid (the
``DuesLastPaid`` rollup kept by the payment writes) instead of probing every member's payments:
the same members as the definition over the payments (two EXISTS per member), at month and year
ends, with transfers, deaths, good reasons, late and advance payments and a past month; the
rollup equals its rebuild after every write path, and the check names a wrong row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db.models import Exists, OuterRef

from dangjian.accounts.scope import SYSTEM
from dangjian.dues import months
from dangjian.dues.models import DuesExemption, DuesLastPaid, DuesPayment
from dangjian.dues.rollup import last_paid_differences, last_paid_rebuild
from dangjian.dues.selectors import arrears_member_ids, org_totals, per_branch
from dangjian.dues.services import exemption_record, payment_record, payments_import
from dangjian.members.choices import LEAVING
from dangjian.members.models import Member, MemberStatus
from dangjian.members.services import member_move
from tests.factories import make_member, make_org

PAID = dt.date(2027, 2, 1)


def _slow_ids(prefix: str, through: dt.date, window: int = 6) -> list[tuple[int, int]]:
    """The definition over the payments, as the overview computed it before the rollup."""
    start = months.add(through, -(window - 1))
    leaving = Exists(
        MemberStatus.objects.filter(
            member=OuterRef("pk"), kind__in=list(LEAVING), started_on__lte=through
        )
    )
    return sorted(
        Member.objects.filter(org__path__startswith=prefix, joined_on__lte=months.last_day(start))
        .exclude(leaving)
        .annotate(
            any_paid=Exists(
                DuesPayment.objects.filter(
                    member=OuterRef("pk"), month__gte=start, month__lte=through
                )
            ),
            excused=Exists(
                DuesExemption.objects.filter(
                    member=OuterRef("pk"), month_from__lte=through, month_to__gte=start
                )
            ),
        )
        .filter(any_paid=False, excused=False)
        .values_list("pk", "org_id")
    )


def _pay(member, first: dt.date, last: dt.date) -> None:
    for m in months.span(first, last):
        payment_record(actor=SYSTEM, member=member, month=m, paid_on=PAID, amount="2")


@pytest.fixture
def city(place):
    """Members of every shape under the town of the conftest (they pay 2 yuan a month)."""
    south = make_org(place.town, org_type="党支部", sector="农村", name="南坑村党支部")
    m = {}
    # paid to June 2026, then nothing: 6 months unpaid at December, 5 at November
    m["stopped"] = make_member(place.branch, name="甲停交", category="在岗职工")
    _pay(m["stopped"], dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    # never paid at all
    m["never"] = make_member(place.other, name="乙未交", category="在岗职工")
    # paid ahead: nothing from July, then January 2027 in advance (latest month after through)
    m["ahead"] = make_member(place.other, name="丙预交", category="在岗职工")
    _pay(m["ahead"], dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    _pay(m["ahead"], dt.date(2027, 1, 1), dt.date(2027, 1, 1))
    # paid ahead too, but also a month inside the window
    m["ahead_ok"] = make_member(place.other, name="丁预交", category="在岗职工")
    _pay(m["ahead_ok"], dt.date(2026, 9, 1), dt.date(2026, 9, 1))
    _pay(m["ahead_ok"], dt.date(2027, 1, 1), dt.date(2027, 1, 1))
    # moved to the south branch in October after paying to May in the old one
    m["moved"] = make_member(place.branch, name="戊转出", category="在岗职工")
    _pay(m["moved"], dt.date(2026, 1, 1), dt.date(2026, 5, 1))
    member_move(
        actor=SYSTEM, member=m["moved"], org=south, on=dt.date(2026, 10, 8), reason="工作调动"
    )
    # died in December without paying since March: out before through
    m["died"] = make_member(place.branch, name="己已故", category="在岗职工")
    _pay(m["died"], dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    MemberStatus.objects.create(
        member=m["died"], kind="死亡", started_on=dt.date(2026, 12, 1), decided_by="东坑村党支部"
    )
    # died on the last day of December: still on the roll in December
    m["died_late"] = make_member(place.branch, name="庚月末故", category="在岗职工")
    MemberStatus.objects.create(
        member=m["died_late"],
        kind="死亡",
        started_on=dt.date(2026, 12, 31),
        decided_by="东坑村党支部",
    )
    # a good reason for August only breaks nothing but excuses the window
    m["excused"] = make_member(place.other, name="辛有因", category="在岗职工")
    exemption_record(
        actor=SYSTEM,
        member=m["excused"],
        month_from=dt.date(2026, 8, 1),
        month_to=dt.date(2026, 8, 1),
        note="住院治疗",
    )
    # voted in on the last day of July (owes July on): the whole window at December
    m["july"] = make_member(
        south, name="壬七月", member_type="预备党员", joined_on=dt.date(2026, 7, 31)
    )
    # voted in on 1 August: not the whole window at December
    m["august"] = make_member(
        south, name="癸八月", member_type="预备党员", joined_on=dt.date(2026, 8, 1)
    )
    place.south = south
    place.m = m
    return place


THROUGHS = [
    dt.date(2026, 11, 1),
    dt.date(2026, 12, 1),  # year end
    dt.date(2027, 1, 1),  # across the year
    dt.date(2026, 6, 1),  # a past month: many latest months after it
    dt.date(2026, 1, 1),
]


@pytest.mark.parametrize("through", THROUGHS)
def test_arrears_are_the_definition_over_the_payments(city, through):
    prefix = city.town.path
    fast = sorted(arrears_member_ids(prefix, through))
    assert fast == _slow_ids(prefix, through)
    by_org: dict[int, int] = {}
    for _pk, org_id in fast:
        by_org[org_id] = by_org.get(org_id, 0) + 1
    totals = per_branch(prefix, through.year, through)
    assert {k: t.arrears_members for k, t in totals.items() if t.arrears_members} == by_org


def test_who_is_flagged_at_the_year_end(city):
    names = dict(Member.objects.values_list("pk", "name"))
    flagged = {names[pk] for pk, _org in arrears_member_ids(city.town.path, dt.date(2026, 12, 1))}
    assert {"甲停交", "乙未交", "丙预交", "戊转出", "庚月末故", "壬七月"} <= flagged
    assert not flagged & {"丁预交", "己已故", "辛有因", "癸八月"}
    moved = [org for pk, org in arrears_member_ids(city.town.path, dt.date(2026, 12, 1))
             if pk == city.m["moved"].pk]  # fmt: skip
    assert moved == [city.south.pk]  # counted where he is on the roll now
    nov = {names[pk] for pk, _org in arrears_member_ids(city.town.path, dt.date(2026, 11, 1))}
    assert "甲停交" not in nov  # 5 months unpaid at November


def test_org_totals_count_the_same(city):
    through = dt.date(2026, 12, 1)
    total, rows = org_totals(city.town_admin, city.town, 2026, through)
    assert total.arrears_members == len(_slow_ids(city.town.path, through))
    assert sum(r.totals.arrears_members for r in rows) == total.arrears_members


def test_the_rollup_follows_every_write_and_equals_its_rebuild(city):
    assert last_paid_differences() == []
    m = city.m
    assert DuesLastPaid.objects.get(member=m["ahead"]).month == dt.date(2027, 1, 1)
    assert not DuesLastPaid.objects.filter(member=m["never"]).exists()
    # a bank statement file: a late month earlier than the latest does not move it back
    head = "公民身份号码,姓名,所属月份,金额,交纳日期,流水号\n"
    rows = [
        f"{m['ahead'].id_number()},丙预交,2026-07,2,2027-02-01,B1",
        f"{m['never'].id_number()},乙未交,2026-08,2,2027-02-01,B2",
        f"{m['never'].id_number()},乙未交,2026-10,2,2027-02-01,B3",
    ]
    payments_import(
        actor=SYSTEM,
        org=city.other,
        source=io.BytesIO((head + "\n".join(rows) + "\n").encode("utf-8")),
        filename="银行流水.csv",
    )
    assert DuesLastPaid.objects.get(member=m["ahead"]).month == dt.date(2027, 1, 1)
    assert DuesLastPaid.objects.get(member=m["never"]).month == dt.date(2026, 10, 1)
    assert last_paid_differences() == []
    assert last_paid_differences(city.town) == []
    expected = dict(DuesLastPaid.objects.values_list("member_id", "month"))
    DuesLastPaid.objects.filter(member=m["never"]).update(month=dt.date(2026, 8, 1))
    DuesLastPaid.objects.filter(member=m["stopped"]).delete()
    found = [str(d) for d in last_paid_differences()]
    assert len(found) == 2
    assert any("乙未交" in d and "2026-08" in d and "2026-10" in d for d in found)
    assert any("甲停交" in d and "汇总为 无" in d for d in found)
    assert last_paid_rebuild(city.branch) == len(
        [k for k in expected if Member.objects.get(pk=k).org_id == city.branch.pk]
    )
    assert last_paid_rebuild() == len(expected)
    assert dict(DuesLastPaid.objects.values_list("member_id", "month")) == expected
    assert last_paid_differences() == []
