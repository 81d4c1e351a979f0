"""The dues pages: 本月党费 (one tap to mark paid; a refused tap writes nothing and says why in
Chinese; the base only for the branch), the bank statement upload, the overview with its
chart data (no person named), the ledger files, and the API's 400s."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.test import Client
from django.urls import reverse

from dangjian.core import clock
from dangjian.dues.models import DuesPayment
from dangjian.dues.services import base_set, payment_record

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_month_sheet_and_one_tap(place):
    base_set(actor=place.secretary, member=place.employed, year=2026, category="在职", base="8000")
    c = _client(place.secretary)
    url = reverse("dues:month", kwargs={"code": place.branch.code}) + "?month=2026-05"
    page = c.get(url).content.decode()
    assert "本月党费" in page and "林在职" in page and "120.00" in page
    assert "月交纳基数 8000.00 元" in page  # the branch sees its member's base
    assert "赵预备" in page  # voted in on 20 March: on the roll in May
    pay = reverse("dues:pay", kwargs={"code": place.branch.code})
    r = c.post(pay, {"member": place.employed.pk, "month": "2026-05"})
    assert r.status_code == 302
    assert DuesPayment.objects.get().amount == 120
    r = c.post(pay, {"member": place.employed.pk, "month": "2026-05"}, follow=True)
    assert "2026年5月的党费已交纳，不能重复登记" in r.content.decode()
    assert DuesPayment.objects.count() == 1
    feb = c.get(url.replace("2026-05", "2026-02")).content.decode()
    assert f'data-member="{place.probationary.pk}"' not in feb  # not yet on the roll


def test_the_upper_level_sees_no_base_and_no_person(place):
    base_set(actor=place.secretary, member=place.employed, year=2026, category="在职", base="8000")
    with clock.frozen(NOW):
        page = _client(place.town_admin).get(reverse("dues:overview")).content.decode()
    assert "党费收缴情况" in page and "东坑村党支部" in page
    assert "林在职" not in page and "8000" not in page
    assert 'id="arrears-chart"' in page and "dues/overview.js" in page
    sheet = _client(place.town_admin).get(
        reverse("dues:month", kwargs={"code": place.branch.code}) + "?month=2026-05"
    )
    assert "月交纳基数 8000" not in sheet.content.decode()


def test_bank_statement_upload_all_or_nothing(place):
    base_set(actor=place.secretary, member=place.farmer, year=2026, category="农民")
    c = _client(place.secretary)
    body = (
        "公民身份号码,所属月份,金额,交纳日期\n"
        f"{place.farmer.id_number()},2026-04,0.2,2026-04-30\n"
        f"{place.farmer.id_number()},2026-05,-1,2026-05-30\n"
    ).encode()
    upload = io.BytesIO(body)
    upload.name = "流水.csv"
    url = reverse("dues:import", kwargs={"code": place.branch.code})
    r = c.post(url, {"file": upload, "month": "2026-05"}, follow=True)
    text = r.content.decode()
    assert "导入未完成，没有登记任何一笔" in text and "第 3 行：金额不能为负数" in text
    assert not DuesPayment.objects.exists()


def test_ledger_files(place):
    base_set(actor=place.secretary, member=place.retired, year=2026, category="离退休", base="5000")
    payment_record(
        actor=place.secretary, member=place.retired, month=dt.date(2026, 1, 1),
        paid_on=dt.date(2026, 1, 5),
    )  # fmt: skip
    c = _client(place.secretary)
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        r = c.get(
            reverse("dues:ledger", kwargs={"code": place.branch.code, "year": 2026, "fmt": fmt})
        )
        assert r.status_code == 200 and r.content.startswith(magic)
    from openpyxl import load_workbook

    r = c.get(
        reverse("dues:ledger", kwargs={"code": place.branch.code, "year": 2026, "fmt": "xlsx"})
    )
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert rows["陈退休"][3] == "25.00" and rows["陈退休"][4] == "未交"
    assert rows["赵预备"][3] == "—"  # January: not yet voted in


def test_api_refuses_bad_input_with_400(place):
    c = _client(place.secretary)
    url = reverse("api:dues-bases")
    r = c.post(
        url,
        json.dumps({"member": place.employed.pk, "year": 2026, "category": "在职", "base": "-5"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "月交纳基数不能为负数" in r.content.decode()
    pay = reverse("api:dues-payments")
    for month, text in (("2026-13", "月份“2026-13”无效"), ("2026-02", "尚未入党")):
        r = c.post(
            pay,
            json.dumps({"member": place.probationary.pk, "month": month, "amount": "1"}),
            content_type="application/json",
        )
        assert r.status_code == 400 and text in r.content.decode()
    r = c.get(reverse("api:dues-month") + f"?org={place.branch.code}&month=2026-03")
    assert r.status_code == 200
    names = [row["name"] for row in r.json()["rows"]]
    assert "赵预备" in names and "base" not in r.content.decode()
    assert not DuesPayment.objects.exists()
