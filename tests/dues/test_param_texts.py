"""The dues pages name DUES-ARREARS-6-MONTHS's window in force, not a fixed "6": with a changed
``months`` (DANGJIAN_RULES) the overview's figures, table, chart and the notes follow it; with the
default they read as before."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.test import Client
from django.urls import reverse

from dangjian.core import clock

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


def _pages(place) -> dict[str, str]:
    town, branch = Client(), Client()
    town.force_login(place.town_admin)
    branch.force_login(place.secretary)
    code = {"code": place.branch.code}
    with clock.frozen(NOW):
        return {
            "overview": town.get(reverse("dues:overview")).content.decode(),
            "month": branch.get(
                reverse("dues:month", kwargs=code) + "?month=2026-05"
            ).content.decode(),
            "exemptions": branch.get(reverse("dues:exemptions", kwargs=code)).content.decode(),
        }


def _chart(page: str) -> dict:
    found = re.search(r'<script id="arrears-chart" type="application/json">(.*?)</script>', page)
    assert found is not None
    return json.loads(found[1])


def test_the_pages_name_the_months_in_force(place, settings):
    pages = _pages(place)
    assert "<th>连续 6 个月未交</th>" in pages["overview"]
    assert [s["name"] for s in _chart(pages["overview"])["series"]][1] == "连续6个月未交人数"
    assert "连续 6 个月未交党费仅为提醒" in pages["month"]
    assert "“连续 6 个月未交纳党费”" in pages["exemptions"]
    settings.DANGJIAN_RULES = {"DUES-ARREARS-6-MONTHS": {"months": 4}}
    pages = _pages(place)
    assert "<th>连续 4 个月未交</th>" in pages["overview"]
    assert "连续 6 个月" not in pages["overview"] and "连续6个月" not in pages["overview"]
    assert "连续4个月未交人数" in pages["overview"]
    assert [s["name"] for s in _chart(pages["overview"])["series"]][1] == "连续4个月未交人数"
    assert "连续 4 个月未交党费仅为提醒" in pages["month"]
    assert "“连续 4 个月未交纳党费”" in pages["exemptions"]
