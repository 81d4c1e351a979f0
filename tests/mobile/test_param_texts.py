"""The pages name REL-TRANSFER's and REL-LOST-CONTACT's parameters in force, not fixed numbers:
with a changed parameter (DANGJIAN_RULES) the prompts, the lost-contact bands and the removal
reason follow it; with the defaults they read as before."""

from __future__ import annotations

import datetime as dt

from dangjian.accounts.scope import SYSTEM
from dangjian.mobile import services as svc
from dangjian.mobile.selectors import LOST_BANDS, figures, lost_bands

D = dt.date
CHANGED = {
    "REL-TRANSFER": {"away_months": 4},
    "REL-LOST-CONTACT": {"suspend_after_months": 3, "remove_after_years": 1},
}


def test_the_bands_follow_the_parameters(place, settings):
    assert [label for _m, label in lost_bands()] == ["不满 6 个月", "6 个月至 2 年半", "2 年半以上"]
    assert lost_bands() == LOST_BANDS
    settings.DANGJIAN_RULES = CHANGED
    assert lost_bands() == (
        (0, "不满 3 个月"),
        (3, "3 个月至 1 年 3 个月"),
        (15, "1 年 3 个月以上"),
    )
    svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2026, 1, 1), today=D(2026, 5, 1)
    )
    assert figures(place.town_admin, D(2026, 5, 1))[-1].lost_bands == (0, 1, 0)


def test_the_pages_name_the_parameters_in_force(place, login, settings):
    svc.lost_contact_record(actor=SYSTEM, member=place.lost, since=D(2025, 1, 1))
    client = login(place.secretary)
    member_url = f"/liudong/members/{place.lost.pk}/"
    index = client.get("/liudong/").content.decode()
    assert "外出 6 个月以上且地点固定" in index and "停止党籍满 2 年提请除名" in index
    assert "失去联系满 6 个月的" in client.get(member_url).content.decode()
    settings.DANGJIAN_RULES = CHANGED
    index = client.get("/liudong/").content.decode()
    assert "外出 4 个月以上且地点固定" in index
    assert "失去联系满 3 个月提请停止党籍，停止党籍满 1 年提请除名" in index
    member = client.get(member_url).content.decode()
    assert "失去联系满 3 个月的" in member and "停止党籍满 1 年仍无法取得联系" in member
    figures_page = login(place.town_admin).get("/liudong/figures/").content.decode()
    assert "失联1 年 3 个月以上" in figures_page


def test_the_removal_reason_names_the_years_in_force(place, settings):
    settings.DANGJIAN_RULES = CHANGED
    lost = svc.lost_contact_record(
        actor=SYSTEM, member=place.lost, since=D(2024, 1, 1), today=D(2024, 1, 2)
    )
    for kind, day in (("停止党籍", D(2024, 4, 1)), ("除名", D(2025, 4, 1))):
        svc.lost_contact_decide(
            actor=SYSTEM,
            lost=lost,
            data=svc.DecisionInput(kind=kind, started_on=day, decided_by="东坑村党支部"),
            today=day,
        )
    removal = place.lost.statuses.get(kind="除名")
    assert removal.reason.startswith("停止党籍 1 年后仍无法取得联系")
