"""The pages of 党费核定, 未交党费正当理由 and 党费上缴: GET and POST through the services, a
refusal shown in Chinese next to its field with nothing written, 404 outside the subtree, the
base (personal data) only for the member's own branch, organization-level figures above it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.models import AuditEntry
from dangjian.dues.models import DuesBase, DuesExemption, DuesRemittance
from dangjian.dues.services import (
    base_amount,
    base_set,
    bases_carry_forward,
    payment_record,
)

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _url(name: str, org, query: str = "") -> str:
    return reverse(f"dues:{name}", kwargs={"code": org.code}) + query


# --- 党费核定 -----------------------------------------------------------------------------------


def test_bases_list_and_set_one_member(place):
    base_set(actor=place.secretary, member=place.employed, year=2026, category="在职", base="8000")
    c = _client(place.secretary)
    page = c.get(_url("bases", place.branch, "?year=2026")).content.decode()
    assert "党费核定" in page and "已核定 1 / 4 人" in page
    assert "8000.00" in page and "120.00" in page  # the branch sees its member's base
    assert "周西坑" not in page  # another branch's member
    r = c.post(
        _url("bases", place.branch, "?year=2026"),
        {"member": place.retired.pk, "category": "离退休", "base": "6000", "voluntary": ""},
    )
    assert r.status_code == 302 and r["Location"].endswith("?year=2026")
    record = DuesBase.objects.get(member=place.retired, year=2026)
    assert record.monthly_due == Decimal("60.00")  # retirees above 5000: 1 %
    assert base_amount(place.secretary, record) == Decimal("6000.00")
    # the edit form is filled from the record
    page = c.get(_url("bases", place.branch, f"?year=2026&member={place.retired.pk}")).content
    assert 'value="6000.00"' in page.decode()


@pytest.mark.parametrize(
    "data, field, text",
    [
        ({"category": "在职", "base": "-5"}, "base", "月交纳基数不能为负数"),
        ({"category": "在职", "base": ""}, "base", "须填写月交纳基数"),
        ({"category": "在职", "base": "abc"}, "base", "月交纳基数“abc”不是金额"),
        ({"category": "", "base": "5000"}, "category", "请选择交纳类别"),
        ({"category": "在职", "base": "8000", "voluntary": "50"}, "voluntary", "不能少于"),
    ],
)
def test_bases_bad_input_is_shown_next_to_the_field(place, data, field, text):
    c = _client(place.secretary)
    before = AuditEntry.objects.count()
    r = c.post(_url("bases", place.branch, "?year=2026"), {"member": place.employed.pk, **data})
    assert r.status_code == 400
    page = r.content.decode()
    assert text in page
    # the message sits in the field's paragraph, after its input
    tail = page.split(f'name="{field}"', 1)[1]
    assert text in tail.split("</p>", 1)[0]
    assert not DuesBase.objects.exists() and AuditEntry.objects.count() == before


def test_bases_refuse_a_member_of_another_branch(place):
    r = _client(place.secretary).post(
        _url("bases", place.branch, "?year=2026"),
        {"member": place.far.pk, "category": "学生"},
    )
    assert r.status_code == 400 and "本支部名册上没有该党员" in r.content.decode()
    assert not DuesBase.objects.exists()


def test_bases_scope_and_bad_year(place):
    c = _client(place.outsider)
    assert c.get(_url("bases", place.branch)).status_code == 404
    r = c.post(_url("bases", place.branch), {"member": place.employed.pk, "category": "学生"})
    assert r.status_code == 404 and not DuesBase.objects.exists()
    r = _client(place.secretary).get(_url("bases", place.branch, "?year=20x6"))
    assert r.status_code == 400 and "年度“20x6”无效" in r.content.decode()
    # a 党委 has no roll
    assert _client(place.town_admin).get(_url("bases", place.town)).status_code == 404


def test_the_upper_level_never_sees_the_base(place):
    base_set(actor=place.secretary, member=place.employed, year=2026, category="在职", base="8000")
    c = _client(place.town_admin)
    page = c.get(_url("bases", place.branch, "?year=2026")).content.decode()
    assert "林在职" in page and "120.00" in page
    assert "8000" not in page and "月交纳基数（元）</th>" not in page
    page = c.get(
        _url("bases", place.branch, f"?year=2026&member={place.employed.pk}")
    ).content.decode()
    assert "8000" not in page
    # nor may it set one: the base is the branch's to 核定
    r = c.post(
        _url("bases", place.branch, "?year=2026"),
        {"member": place.employed.pk, "category": "在职", "base": "9000"},
    )
    assert r.status_code == 400 and "只能由党员所在党支部核定" in r.content.decode()
    assert DuesBase.objects.get().monthly_due == Decimal("120.00")


def test_carry_forward_from_last_year(place):
    s = place.secretary
    base_set(actor=s, member=place.employed, year=2025, category="在职", base="4000")
    base_set(actor=s, member=place.farmer, year=2025, category="农民")
    base_set(
        actor=s, member=place.retired, year=2025, category="离退休", base="3000", voluntary="20"
    )
    base_set(actor=s, member=place.farmer, year=2026, category="学生")  # already set: kept
    c = _client(s)
    page = c.get(_url("bases", place.branch, "?year=2026")).content.decode()
    assert "按上年核定 2 人" in page
    r = c.post(_url("bases_carry", place.branch), {"year": "2026"}, follow=True)
    text = r.content.decode()
    assert "已按 2025 年的交纳类别和基数核定 2 人的 2026 年党费" in text
    assert "赵预备共 1 人上年没有核定" in text
    new = {b.member_id: b for b in DuesBase.objects.filter(year=2026)}
    assert new[place.employed.pk].monthly_due == Decimal("40.00")
    assert base_amount(s, new[place.employed.pk]) == Decimal("4000.00")
    assert new[place.retired.pk].voluntary == Decimal("20.00")  # still above the 15.00 due
    assert new[place.farmer.pk].category == "学生"
    assert AuditEntry.objects.filter(action="dues.base.set").count() == 4 + 2


def test_carry_forward_is_all_or_nothing(place):
    s = place.secretary
    base_set(actor=s, member=place.employed, year=2025, category="在职", base="4000")
    base_set(actor=s, member=place.retired, year=2025, category="离退休", base="3000")
    # an upper level cannot carry a base (personal data): nothing at all is written
    with pytest.raises(ValidationError) as exc:
        bases_carry_forward(actor=place.town_admin, org=place.branch, year=2026)
    assert "林在职：月交纳基数属个人信息" in exc.value.messages[0]
    assert not DuesBase.objects.filter(year=2026).exists()
    r = _client(place.town_admin).post(
        _url("bases_carry", place.branch), {"year": "2026"}, follow=True
    )
    assert "未完成，没有核定任何一人" in r.content.decode()
    assert not DuesBase.objects.filter(year=2026).exists()
    assert _client(place.outsider).post(_url("bases_carry", place.branch)).status_code == 404
    assert _client(s).get(_url("bases_carry", place.branch)).status_code == 405


# --- 正当理由 ------------------------------------------------------------------------------------


def test_exemption_recorded_and_listed(place):
    c = _client(place.secretary)
    r = c.post(
        _url("exemptions", place.branch),
        {
            "member": place.farmer.pk,
            "month_from": "2026-02",
            "month_to": "2026-04",
            "note": "外出务工期间住院治疗，经支委会研究认定",
        },
        follow=True,
    )
    text = r.content.decode()
    assert "已登记王农民 2026年2月至2026年4月未交党费的正当理由" in text
    assert "外出务工期间住院治疗" in text and "2026年2月至2026年4月" in text
    e = DuesExemption.objects.get()
    assert (e.month_from, e.month_to) == (dt.date(2026, 2, 1), dt.date(2026, 4, 1))
    assert AuditEntry.objects.filter(action="dues.exemption.record").count() == 1
    # the upper level reads the list; the other branch does not
    assert (
        "王农民" in _client(place.town_admin).get(_url("exemptions", place.branch)).content.decode()
    )
    assert _client(place.outsider).get(_url("exemptions", place.branch)).status_code == 404


@pytest.mark.parametrize(
    "data, field, text",
    [
        ({"month_from": "2026-05", "month_to": "2026-03"}, "month_to", "终止月份不能早于起始月份"),
        ({"month_from": "2026-13", "month_to": "2026-03"}, "month_from", "月份“2026-13”无效"),
        ({"month_from": "2026-01", "month_to": "2026-03", "note": " "}, "note", "请写明正当理由"),
    ],
)
def test_exemption_bad_input(place, data, field, text):
    c = _client(place.secretary)
    r = c.post(
        _url("exemptions", place.branch),
        {"member": place.farmer.pk, "note": "生病住院", **data},
    )
    assert r.status_code == 400
    tail = r.content.decode().split(f'name="{field}"', 1)[1]
    assert text in tail.split("</p>", 1)[0]
    assert not DuesExemption.objects.exists()
    r = _client(place.outsider).post(
        _url("exemptions", place.branch),
        {"member": place.farmer.pk, "month_from": "2026-01", "month_to": "2026-02", "note": "病"},
    )
    assert r.status_code == 404 and not DuesExemption.objects.exists()


# --- 上缴 ----------------------------------------------------------------------------------------


def _paid(place) -> None:
    s = place.secretary
    base_set(actor=s, member=place.employed, year=2026, category="在职", base="8000")
    for month in (1, 2):
        payment_record(
            actor=s, member=place.employed, month=dt.date(2026, month, 1),
            paid_on=dt.date(2026, month, 20),
        )  # fmt: skip


def test_branch_remits_what_it_collected(place):
    _paid(place)
    c = _client(place.secretary)
    page = c.get(_url("remittances", place.branch, "?year=2026")).content.decode()
    assert "240.00" in page and "上缴给：溪口镇党委" in page and "登记上缴" in page
    r = c.post(
        _url("remittances", place.branch, "?year=2026"),
        {"amount": "200", "remitted_on": "2026-03-05", "note": "缴款凭证 0305"},
        follow=True,
    )
    text = r.content.decode()
    assert "已登记东坑村党支部 2026 年上缴党费 200.00 元" in text and "缴款凭证 0305" in text
    assert DuesRemittance.objects.get().to_org == place.town
    r = c.post(
        _url("remittances", place.branch, "?year=2026"),
        {"amount": "50", "remitted_on": "2026-03-06"},
    )
    assert r.status_code == 400
    tail = r.content.decode().split('name="amount"', 1)[1].split("</p>", 1)[0]
    assert "已上缴 200.00 元，本次最多上缴 40.00 元" in tail
    for bad, text in (
        ("-1", "上缴金额不能为负数"),
        ("0", "上缴金额应大于 0"),
        ("", "请填写上缴金额"),
    ):
        r = c.post(
            _url("remittances", place.branch, "?year=2026"),
            {"amount": bad, "remitted_on": "2026-03-06"},
        )
        assert r.status_code == 400 and text in r.content.decode()
    assert DuesRemittance.objects.count() == 1


def test_the_town_sees_organization_figures_only(place):
    _paid(place)
    from dangjian.dues.services import remittance_record

    remittance_record(
        actor=place.secretary, org=place.branch, year=2026, amount="100",
        remitted_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    with clock.frozen(NOW):
        page = _client(place.town_admin).get(_url("remittances", place.town)).content.decode()
    assert "溪口镇党委没有上级组织，无需上缴" in page and "登记上缴" not in page
    assert "东坑村党支部" in page and "西坑村党支部" in page and "240.00" in page
    assert "100.00" in page and "林在职" not in page and "8000" not in page
    assert _client(place.outsider).get(_url("remittances", place.branch)).status_code == 404
    assert _client(place.outsider).get(_url("remittances", place.town)).status_code == 404
    r = _client(place.outsider).post(
        _url("remittances", place.branch, "?year=2026"),
        {"amount": "1", "remitted_on": "2026-03-06"},
    )
    assert r.status_code == 404 and DuesRemittance.objects.count() == 1


def test_pages_are_linked(place):
    c = _client(place.secretary)
    page = c.get(_url("month", place.branch, "?month=2026-05")).content.decode()
    for name in ("bases", "exemptions", "remittances"):
        assert _url(name, place.branch) in page
    with clock.frozen(NOW):
        page = _client(place.town_admin).get(reverse("dues:overview")).content.decode()
    assert _url("remittances", place.town) in page
