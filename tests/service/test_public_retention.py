"""The resident's pages say how long the phone is kept (SERVICE-PHONE-RETENTION's
``retention_days``, read from the rule's parameters in force)."""

from __future__ import annotations

from django.urls import reverse

from dangjian.service import services as s
from tests.assess.test_chinese_only import english_words


def _order(place):
    return s.order_submit(
        grid=place.grid, category="roads", description="村口路灯不亮了", phone="13800001111"
    )


def test_the_order_pages_name_the_retention_period(place, client):
    submit = client.get(reverse("service:submit", args=[place.grid.token])).content.decode()
    assert "联系电话再保存 90 天即删除" in submit and not english_words(submit)
    order = _order(place)
    track = client.get(reverse("service:track", args=[order.tracking_code])).content.decode()
    assert "后再保存 90 天即删除" in track and not english_words(track)


def test_the_period_follows_the_rules_parameter(place, client, settings):
    settings.DANGJIAN_RULES = {"SERVICE-PHONE-RETENTION": {"retention_days": 30}}
    submit = client.get(reverse("service:submit", args=[place.grid.token])).content.decode()
    assert "再保存 30 天即删除" in submit and "90 天" not in submit
    # a misconfigured value promises nothing (the purge refuses to run on it too), never a 500
    settings.DANGJIAN_RULES = {"SERVICE-PHONE-RETENTION": {"retention_days": 0}}
    r = client.get(reverse("service:track", args=[_order(place).tracking_code]))
    assert r.status_code == 200 and "data-retention" not in r.content.decode()
