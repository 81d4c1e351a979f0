"""``/api/v1/training/…``: bad input is a 400 in Chinese with nothing written; the hours of
persons are for the branch's own users only."""

from __future__ import annotations

import datetime as dt

from dangjian.training.models import Course, Participant
from tests.authz import state
from tests.training.helpers import course

D = dt.date
URL = "/api/v1/training/courses/"


def _body(tree, **kw):
    body = {
        "organizer": "TA001",
        "title": "发展对象集中培训",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-03",
        "hours": "24",
        "members": [m.pk for m in tree["members_a"][:2]],
    }
    body.update(kw)
    return body


def _refused(client, body, field, text):
    before = state()
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert any(text in m for m in response.json()[field]), response.json()
    assert state() == before


def test_course_create_and_refusals(tree, api):
    client = api("admin_a")
    _refused(client, _body(tree, ends_on="2026-05-31"), "ends_on", "早于开始日期")
    _refused(client, _body(tree, hours="-2"), "hours", "不能为负数")
    outsider = tree["members_b"][0].pk
    _refused(client, _body(tree, members=[outsider]), "members", "不属于甲镇党委")
    a = tree["members_a"][0].pk
    _refused(client, _body(tree, members=[a, a]), "members", "重复添加")
    _refused(client, _body(tree, organizer="TB001"), "organizer", "不在您的管辖范围内")
    _refused(client, _body(tree, starts_on="2026-13-01"), "starts_on", "")
    ok = client.post(URL, _body(tree), format="json")
    assert ok.status_code == 201, ok.content
    data = ok.json()
    assert data["hours"] == "24.0" and data["participants"] == 2 and len(data["members"]) == 2
    listed = client.get(URL + "?year=2026").json()
    assert [c["title"] for c in listed["results"]] == ["发展对象集中培训"]
    assert client.get(URL + "?year=2025").json()["results"] == []


def test_participants_by_branch_or_members_and_delete(tree, api):
    c = course(tree["town_a"], [tree["members_a"][0]])
    client = api("admin_a")
    url = f"{URL}{c.pk}/participants/"
    both = client.post(url, {"branch": "BA001", "members": [1]}, format="json")
    assert both.status_code == 400 and "其中一项" in str(both.json())
    dup = client.post(url, {"members": [tree["members_a"][0].pk]}, format="json")
    assert dup.status_code == 400 and "已是本培训班学员" in str(dup.json())
    ok = client.post(url, {"branch": "BA001"}, format="json")
    assert ok.status_code == 200 and ok.json()["added"] == 3
    assert Participant.objects.filter(course=c).count() == 4
    assert client.delete(f"{URL}{c.pk}/").status_code == 204
    assert not Course.objects.exists()


def test_figures_for_organizations_and_hours_for_the_branch_only(tree, api):
    course(tree["root"], tree["members_a"][:2], hours="32")
    figures = api("admin").get("/api/v1/training/figures/?year=2026").json()
    assert figures["total"]["members"] == 6 and figures["total"]["met"] == 2
    assert figures["member_hours"] == "32.0" and figures["basis"] == "教育管理条例 art. 11"
    assert [t["name"] for t in figures["children"]] == ["甲镇党委", "乙街道党工委"]
    assert "members_a" not in str(figures)
    assert all(tree["members_a"][0].name not in str(v) for v in figures.values())
    mine = api("secretary_a").get("/api/v1/training/members/?year=2026")
    assert mine.status_code == 200 and len(mine.json()) == 4
    assert sorted(r["name"] for r in mine.json()) == [r["name"] for r in mine.json()]
    upward = api("admin_a").get("/api/v1/training/members/?org=BA001&year=2026")
    assert upward.status_code == 403 and "只向本支部显示" in str(upward.json())
    bad = api("admin").get("/api/v1/training/figures/?year=abc")
    assert bad.status_code == 400 and "年份" in str(bad.json())
    assert api("admin_a").get("/api/v1/training/figures/?org=TB001").status_code == 404
