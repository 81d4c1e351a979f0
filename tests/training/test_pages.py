"""The pages: figures of organizations for the upper levels, the hours of persons for the
branch's own users only, courses with their forms; bad input is a Chinese 400."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.training.models import Course, Participant
from tests.authz import state
from tests.life.helpers import attend, meet
from tests.training.helpers import course

D = dt.date


def test_upper_level_figures_show_organizations_and_no_person(tree, login):
    a = tree["members_a"][0]
    course(tree["root"], [a], hours="32")
    attend(meet(tree["branch_a"], "党课", D(2026, 3, 1)), a, True)
    page = login("admin").get("/peixun/?year=2026").content.decode()
    assert "甲镇党委" in page and "乙街道党工委" in page and "25.0%" in page
    assert "达到规定学时的党员比例" in page and "groups-chart" in page
    for m in tree["members_a"] + tree["members_b"]:
        assert m.name not in page
    assert "本支部党员学时" not in page
    town = login("admin_a").get("/peixun/?year=2026").content.decode()
    assert "甲村党支部" in town and "1 / 4" in town and "乙社区" not in town


def test_branch_secretary_sees_own_members_hours_by_name_nothing_upward(tree, login):
    a = tree["members_a"][0]
    course(tree["town_a"], [a], hours="32")
    client = login("secretary_a")
    index = client.get("/peixun/?year=2026").content.decode()
    assert "本支部党员学时（仅本支部可见）" in index
    page = client.get("/peixun/members/?year=2026").content.decode()
    assert a.name in page and "还差 32 学时" in page and "已达到" in page
    # the town's administrator may see the figures, not the persons
    refused = login("admin_a").get("/peixun/members/?org=BA001&year=2026")
    assert refused.status_code == 403 and "只向本支部显示" in refused.content.decode()
    export = client.get("/peixun/members/export/?year=2026")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")


@pytest.mark.parametrize("year", ["abc", "1999", "20260"])
def test_a_bad_year_is_a_chinese_400(tree, login, year):
    response = login("admin").get(f"/peixun/?year={year}")
    assert response.status_code == 400 and "年度应为" in response.content.decode()


def test_figures_of_another_subtree_are_404(tree, login):
    assert login("admin_a").get("/peixun/?org=TB001").status_code == 404
    assert login("admin_a").get("/peixun/export/?org=TB001").status_code == 404


def test_enter_a_course_on_the_page_and_refusals_write_nothing(tree, login):
    client = login("admin_a")
    data = {
        "organizer": "TA001",
        "title": "村党组织书记轮训",
        "starts_on": "2026-05-12",
        "ends_on": "2026-05-10",
        "hours": "24",
    }
    before = state()
    refused = client.post("/peixun/courses/", data)
    assert refused.status_code == 400 and "早于开始日期" in refused.content.decode()
    refused = client.post("/peixun/courses/", {**data, "ends_on": "2026-05-14", "hours": "-3"})
    assert refused.status_code == 400 and "不能为负数" in refused.content.decode()
    refused = client.post("/peixun/courses/", {**data, "organizer": "TB001"})
    assert refused.status_code == 400 and "请选择举办培训班的组织" in refused.content.decode()
    assert state() == before
    ok = client.post("/peixun/courses/", {**data, "ends_on": "2026-05-14"})
    c = Course.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/peixun/courses/{c.pk}/"
    outsider = tree["members_b"][0]
    refused = client.post(f"/peixun/courses/{c.pk}/add/", {"members": [str(outsider.pk)]})
    assert refused.status_code == 400 and "不属于甲镇党委" in refused.content.decode()
    client.post(f"/peixun/courses/{c.pk}/branch/", {"branch": "BA001"})
    assert Participant.objects.filter(course=c).count() == 4
    page = client.get(f"/peixun/courses/{c.pk}/").content.decode()
    assert tree["members_a"][0].name in page and "参训党员（4）" in page
    assert client.get(f"/peixun/courses/{c.pk}/export/").status_code == 200
    assert client.post(f"/peixun/courses/{c.pk}/nothing/").status_code == 404


def test_a_branch_sees_the_district_course_with_its_own_members_only(tree, login):
    a, b = tree["members_a"][0], tree["members_b"][0]
    c = course(tree["root"], [a, b], title="全区党员冬训")
    page = login("secretary_a").get(f"/peixun/courses/{c.pk}/").content.decode()
    assert a.name in page and b.name not in page and "整体添加" not in page
    courses = login("secretary_a").get("/peixun/courses/").content.decode()
    assert "全区党员冬训" in courses and "登记培训班" not in courses
