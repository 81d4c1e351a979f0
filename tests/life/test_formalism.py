"""Formalism hints: a planted pair of copied minutes among honest ones, month-end clustering,
identical attendance figures; scope and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.life.rules.hints import (
    copied_minutes,
    end_of_period,
    formalism_hints,
    same_attendance,
)
from tests.factories import make_org
from tests.life.helpers import meet

COMMON = (
    "会议由支部书记主持。会议学习了有关文件，党员逐一交流了思想和工作情况。"
    "会议最后明确了下一步工作安排。"
)
ORIGINAL = (
    "应到12人，实到10人。王建华、李秀英发言提出村东路口排水沟堵塞问题，会议确定由张伟负责"
    "清理整治，于4月15日前完成。会议讨论了养老服务站开放时间调整工作，形成一致意见。"
)
HONEST = [
    "应到9人，实到9人。刘芳、陈明发言提出文化广场路灯损坏问题，会议确定由赵磊负责检修维护，"
    "于5月3日前完成。大家围绕基层治理进行了讨论，提出意见建议4条。",
    "应到15人，实到13人。周涛反映停车管理混乱，会议决定由孙丽牵头走访摸底，6月底前提出方案。"
    "书记结合支部实际，对党纪学习教育作了具体部署。",
    "应到7人，实到6人。会上对照党章党规查找了差距和不足，黄鹏、吴静提出加强农田水利设施管护，"
    "会议确定由郑强负责排查登记，于7月10日前完成。",
]


@pytest.fixture
def planted(tree):
    other = make_org(tree["town_a"], org_type="党支部", code="BA002")
    meet(tree["branch_a"], "主题党日", dt.date(2025, 3, 20), minutes=COMMON + ORIGINAL)
    # the copy: another branch, only the figures changed
    copied = ORIGINAL.replace("应到12人，实到10人", "应到8人，实到8人")
    meet(other, "主题党日", dt.date(2025, 4, 22), minutes=COMMON + copied)
    for i, text in enumerate(HONEST):
        meet(tree["branch_b"], "支委会", dt.date(2025, 5 + i, 8), minutes=COMMON + text)
    # the same branch reusing its own minutes a year later is found too, in that year
    meet(tree["branch_b"], "支委会", dt.date(2025, 11, 8), minutes=COMMON + HONEST[0])
    return tree


@pytest.mark.django_db
def test_copied_minutes_found_and_honest_ones_not(planted):
    found = copied_minutes(SYSTEM, year=2025)
    pairs = {(f.subject, f.evidence["other_org"]) for f in found}
    assert pairs == {("BA002", "BA001"), ("BB001", "BB001")}
    cross = next(f for f in found if f.subject == "BA002")
    assert cross.evidence["similarity"] >= 0.8 and not cross.evidence["same_org"]
    assert cross.period == "2025-04" and cross.severity == "warning"
    assert "甲村党支部" in cross.message
    # honest minutes share the set phrases but not the specifics: never paired
    assert all(f.evidence["similarity"] >= 0.8 for f in found)


@pytest.mark.django_db
def test_copied_minutes_scope(planted):
    assert copied_minutes(planted["admin_b"], year=2025)[0].subject == "BB001"
    assert {f.subject for f in copied_minutes(planted["admin_a"], year=2025)} == {"BA002"}
    assert copied_minutes(SYSTEM, year=2024) == []


@pytest.mark.django_db
def test_end_of_period_and_same_attendance(tree):
    for month in range(1, 10):
        last = 28 if month == 2 else 30
        meet(tree["branch_a"], "主题党日", dt.date(2025, month, last), expected=12, present=11)
    for month in range(1, 10):
        meet(tree["branch_b"], "主题党日", dt.date(2025, month, 10), expected=5, present=5)
    ends = end_of_period(SYSTEM, year=2025)
    assert [(f.subject, f.evidence) for f in ends] == [
        ("BA001", {"meetings": 9, "at_month_end": 9})
    ]
    same = same_attendance(SYSTEM, year=2025)
    # BB001: 5 of 5 every time is plausible for a small branch; BA001's 11 of 12 is not
    assert [(f.subject, f.evidence["present"]) for f in same] == [("BA001", 11)]
    meet(tree["branch_a"], "支委会", dt.date(2025, 10, 10), expected=12, present=9)
    assert same_attendance(SYSTEM, year=2025) == []
    assert {f.rule for f in formalism_hints(SYSTEM, year=2025)} == {"HINT-END-OF-PERIOD"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("admin", 200), ("inspector_a", 200), ("sysadmin", 403), ("auditor", 403)]
)
def test_hints_page(planted, user, code):
    client = Client()
    client.force_login(planted[user])
    response = client.get("/life/hints/?year=2025")
    assert response.status_code == code
    if code == 200 and user == "admin":
        html = response.content.decode()
        assert "会议记录高度相似" in html
        assert html.count("村东路口排水沟堵塞") >= 2  # both texts side by side


@pytest.mark.django_db
def test_hints_page_other_subtree(planted):
    client = Client()
    client.force_login(planted["admin_b"])
    assert client.get("/life/hints/?year=2025&org=TA001").status_code == 404


@pytest.mark.django_db
def test_hints_command(planted, capsys):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("life_hints", "--year", "2025", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert {d["rule"] for d in data} == {"HINT-COPIED-MINUTES"}
    call_command("life_hints", "--year", "2025", "--org", "TA001")
    assert "共 1 条线索" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不存在"):
        call_command("life_hints", "--year", "2025", "--org", "NOPE")


@pytest.mark.django_db
def test_copies_of_one_original_point_at_the_original(planted):
    third = make_org(planted["town_b"], org_type="党支部", code="BB002")
    copied = ORIGINAL.replace("应到12人，实到10人", "应到6人，实到5人")
    meet(third, "主题党日", dt.date(2025, 6, 2), minutes=COMMON + copied)
    found = [f for f in copied_minutes(SYSTEM, year=2025) if f.evidence["other_org"] == "BA001"]
    assert sorted(f.subject for f in found) == ["BA002", "BB002"]
    assert len({f.evidence["other_meeting_id"] for f in found}) == 1


@pytest.mark.django_db
def test_hints_page_asks_to_narrow_a_large_scope(planted, monkeypatch):
    from dangjian.life import views

    monkeypatch.setattr(views, "HINTS_MAX_ORGS", 3)
    client = Client()
    client.force_login(planted["admin"])
    html = client.get("/life/hints/?year=2025").content.decode()
    assert "请输入一个区县或党委的组织编码缩小范围" in html
    html = client.get("/life/hints/?year=2025&org=TA001").content.decode()
    assert "会议记录高度相似" in html
