"""``/api/v1/service/``: changing a team (PATCH), ending a 双报到 registration and its yearly
rating (POST actions) — who may, the Chinese refusals, nothing half-written."""

from __future__ import annotations

import time_machine

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.models import DoubleReport, DoubleReportRating, VolunteerTeam

NOW = "2026-11-20 10:00 +0800"


def _audit():
    return AuditEntry.objects.exclude(action__startswith="api.token").count()


def test_patch_a_team(people, api):
    c = api(people.dispatcher)
    url = f"/api/v1/service/teams/{people.team.pk}/"
    r = c.patch(url, {"area": "东坑村一组至五组", "services": ["safety"]}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["area"] == "东坑村一组至五组" and body["services"] == ["safety"]
    assert body["name"] == "东坑红色志愿服务队" and body["leader"] == people.leader.username
    r = c.patch(url, {"leader": ""}, format="json")
    assert r.status_code == 200 and r.json()["leader"] is None
    assert AuditEntry.objects.filter(action="service.team.change").count() == 2
    before = _audit()
    bad = c.patch(url, {"name": " ", "services": ["nope"]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["name"] == ["请填写服务队名称"]
    assert "没有这些服务类别：nope" in bad.json()["services"][0]
    assert c.patch(url, {}, format="json").status_code == 400
    unknown = c.patch(url, {"leader": "nobody"}, format="json")
    assert unknown.status_code == 400 and "没有账号“nobody”" in unknown.json()["leader"][0]
    team = VolunteerTeam.objects.get(pk=people.team.pk)
    assert team.services == ["safety"] and team.leader is None and _audit() == before
    # a grid worker may not; another village's dispatcher finds nothing
    assert api(people.worker).patch(url, {"area": "x"}, format="json").status_code == 403
    assert api(people.outsider).patch(url, {"area": "x"}, format="json").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_end_a_registration_either_side(people, api):
    url = f"/api/v1/service/double-reports/{people.report.pk}/end/"
    c = api(people.dispatcher)
    # an order dispatched to the member is open: refused, nothing written
    order = s.order_accept(
        actor=people.dispatcher,
        order=s.order_submit(
            grid=people.grid, category="policy", description="咨询低保政策办理", phone="13800001111"
        ),
    )
    s.order_dispatch(actor=people.dispatcher, order=order, member=people.report)
    before = _audit()
    r = c.post(url, {"ended_on": "2026-10-01"}, format="json")
    assert r.status_code == 400 and "工单在办" in r.json()["ended_on"][0]
    early = c.post(url, {"ended_on": "2026-01-01"}, format="json")
    assert early.status_code == 400 and "不能早于报到日期" in str(early.json())
    late = c.post(url, {"ended_on": "2026-12-01"}, format="json")
    assert late.status_code == 400 and "不能晚于今天" in str(late.json())
    junk = c.post(url, {"ended_on": "明天"}, format="json")
    assert junk.status_code == 400
    # an empty form field is not "today": the schema says a date (schemathesis ST201)
    for body, fmt in (({"ended_on": ""}, "multipart"), ({"ended_on": ""}, "json")):
        empty = c.post(url, body, format=fmt)
        assert empty.status_code == 400 and "ended_on" in empty.json(), fmt
    assert c.post(url, {"ended_on": None}, format="json").status_code == 400
    assert DoubleReport.objects.get(pk=people.report.pk).active and _audit() == before
    s.order_escalate(actor=people.dispatcher, order=order, reason="需要片区协调")
    # the member's branch ends it (no dispatch permission there, the roll's)
    r = api(people.office_secretary).post(url, {}, format="json")
    assert r.status_code == 200 and r.json()["ended_on"] == "2026-11-20"
    again = c.post(url, {}, format="json")
    assert again.status_code == 400 and "已于 2026-11-20 结束" in again.json()["ended_on"][0]
    assert AuditEntry.objects.filter(action="service.double_report.end").count() == 1
    # neither side: refused in Chinese
    w = api(people.worker).post(url, {}, format="json")
    assert w.status_code == 403 and "受理和派发服务工单" in w.json()["detail"]


@time_machine.travel(NOW, tick=False)
def test_the_community_rates_a_registration_for_a_year(people, api):
    url = f"/api/v1/service/double-reports/{people.report.pk}/rate/"
    c = api(people.dispatcher)
    r = c.post(url, {"year": 2026, "rating": "优秀", "note": "法律咨询服务到位"}, format="json")
    assert r.status_code == 200
    assert r.json()["ratings"] == [{"year": 2026, "rating": "优秀", "note": "法律咨询服务到位"}]
    r = c.post(url, {"year": 2026, "rating": "合格"}, format="json")
    assert r.status_code == 200 and r.json()["ratings"][0]["rating"] == "合格"
    assert DoubleReportRating.objects.filter(report=people.report).count() == 1
    before = _audit()
    bad = c.post(url, {"year": 2025, "rating": "优秀"}, format="json")
    assert bad.status_code == 400 and "只能评价报到期间的年度" in bad.json()["year"][0]
    bad = c.post(url, {"year": 2026, "rating": "很好"}, format="json")
    assert bad.status_code == 400 and bad.json()["rating"] == ["请选择优秀、合格、基本合格或不合格"]
    assert _audit() == before
    # the member's branch may see the registration but not rate it
    r = api(people.office_secretary).post(url, {"year": 2026, "rating": "优秀"}, format="json")
    assert r.status_code == 403
    assert DoubleReportRating.objects.get(report=people.report).rating == "合格"
