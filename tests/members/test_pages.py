"""Member pages: the member form (new, edit) with its warnings, the standings (党员状态) on the
member page, and who may use them (anonymous, other subtree, no permission, permission)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core.idnumber import compose_id
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member, MemberStatus
from tests.factories import make_member, make_org

Tree = dict[str, Any]


def _state() -> tuple[Any, ...]:
    return (
        Member.objects.count(),
        sorted(Member.objects.values_list("pk", "name", "post", "member_type", "org_id")),
        MemberStatus.objects.count(),
        AuditEntry.objects.count(),
    )


def _new(**extra: Any) -> dict[str, Any]:
    data = {
        "name": "周卫东",
        "id_number": "320102197102020032",  # 南京玄武区, born 1971: a real-shaped old number
        "member_type": "正式党员",
        "joined_on": "1995-07-01",
        "confirmed_on": "1996-07-01",
        "post": "",
        "ethnicity": "汉族",
        "education": "大学",
        "category": "在岗职工",
        "phone": "",
    }
    data.update(extra)
    return data


def _status(**extra: Any) -> dict[str, Any]:
    data = {
        "status-kind": "留党察看",
        "status-started_on": "2026-03-01",
        "status-ends_on": "2027-03-01",
        "status-decided_by": "中共甲镇纪律检查委员会",
        "status-decision_no": "甲纪〔2026〕3号",
        "status-reason": "违反廉洁纪律",
    }
    data.update(extra)
    return data


ENDPOINTS = [
    ("member_new", lambda t: reverse("web:member_new", args=["BA001"]), "post", _new),
    ("member_new_page", lambda t: reverse("web:member_new", args=["BA001"]), "get", None),
    (
        "member_edit",
        lambda t: reverse("web:member_edit", args=[t["members_a"][0].pk]),
        "post",
        lambda: _new(name="改名", id_number="", joined_on="2010-07-01", confirmed_on="2011-07-01"),
    ),
    (
        "member_status",
        lambda t: reverse("web:member_status", args=[t["members_a"][0].pk]),
        "post",
        _status,
    ),
]


def _call(client: Client, tree: Tree, url: Any, method: str, data: Any) -> Any:
    if method == "post":
        return client.post(url(tree), data())
    return client.get(url(tree))


@pytest.mark.django_db
@pytest.mark.parametrize("name,url,method,data", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_who_may_use_the_member_forms(client: Client, tree: Tree, name, url, method, data):
    before = _state()
    response = _call(client, tree, url, method, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(tree["admin_b"])  # the other town
    assert _call(client, tree, url, method, data).status_code == 404
    client.force_login(tree["inspector_a"])  # right subtree, read-only role
    response = _call(client, tree, url, method, data)
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert _state() == before
    client.force_login(tree["secretary_a"])
    response = _call(client, tree, url, method, data)
    assert response.status_code == (302 if method == "post" else 200), response.content[:3000]


@pytest.mark.django_db
def test_new_member_with_an_old_id_number_is_saved_and_audited(client: Client, tree: Tree):
    client.force_login(tree["secretary_a"])
    page = client.get(reverse("web:member_new", args=["BA001"])).content.decode()
    assert "党章第七条" in page and "年满十八岁" in page
    response = client.post(reverse("web:member_new", args=["BA001"]), _new())
    member = Member.objects.get(name="周卫东")
    assert response["Location"] == reverse("web:member", args=[member.pk])
    assert member.birth_date == dt.date(1971, 2, 2) and member.org.code == "BA001"
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()
    shown = client.get(response["Location"]).content.decode()
    assert "已新增党员：周卫东" in shown and "（55 岁）" in shown


@pytest.mark.django_db
def test_joined_before_18_is_refused_on_the_form(client: Client, tree: Tree):
    client.force_login(tree["secretary_a"])
    before = _state()
    number = compose_id("110105", dt.date(2008, 6, 15), 17)
    response = client.post(
        reverse("web:member_new", args=["BA001"]),
        _new(id_number=number, member_type="预备党员", joined_on="2026-06-14", confirmed_on=""),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "入党日期 2026-06-14 时未满十八岁" in text and "2026-06-15 年满十八岁" in text
    assert _state() == before


@pytest.mark.django_db
def test_probationary_committee_member_is_saved_with_a_clear_warning(client: Client, tree: Tree):
    client.force_login(tree["secretary_a"])
    response = client.post(
        reverse("web:member_new", args=["BA001"]),
        _new(member_type="预备党员", joined_on="2026-05-01", confirmed_on="", post="组织委员"),
        follow=True,
    )
    text = response.content.decode()
    assert "周卫东任组织委员，但在 2026-11-23 仍为预备党员" in text
    assert "党章第七条" in text and "不能当选为组织委员" in text
    # the member page keeps saying so until the post or the member's standing changes
    member = Member.objects.get(name="周卫东")
    again = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "alert-error" in again and "仍为预备党员" in again


@pytest.mark.django_db
def test_new_member_form_on_a_temporary_branch_explains_why_not(client: Client, tree: Tree):
    make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS001",
             name="甲镇防汛临时党支部")  # fmt: skip
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:member_new", args=["LS001"])).content.decode()
    assert "组织关系仍在原党支部" in page and '<form method="post" class="stack' not in page
    before = _state()
    refused = client.post(reverse("web:member_new", args=["LS001"]), _new())
    assert refused.status_code == 400
    assert "甲镇防汛临时党支部是临时党支部" in refused.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_edit_keeps_the_numbers_when_left_empty(client: Client, tree: Tree):
    member = make_member(tree["branch_a"], name="孙丽", phone="13912340000",
                         joined_on=dt.date(2003, 7, 1))  # fmt: skip
    number = member.id_number()
    client.force_login(tree["secretary_a"])
    page = client.get(reverse("web:member_edit", args=[member.pk])).content.decode()
    assert member.id_number_masked in page and number not in page and "13912340000" not in page
    response = client.post(
        reverse("web:member_edit", args=[member.pk]),
        _new(name="孙丽", id_number="", joined_on="2003-07-01", confirmed_on="2004-07-01",
             post="宣传委员"),
    )  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.id_number() == number and member.phone() == "13912340000"
    assert member.post == "宣传委员"


@pytest.mark.django_db
def test_member_status_is_recorded_listed_and_asks_first(client: Client, tree: Tree):
    member = tree["members_a"][0]
    client.force_login(tree["secretary_a"])
    page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "没有登记党员状态" in page and 'data-confirm="确定登记' in page
    response = client.post(reverse("web:member_status", args=[member.pk]), _status())
    assert response.status_code == 302
    page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "已登记：" in page and "留党察看（2026-03-01 起）" in page
    for text in ("2026-03-01", "2027-03-01", "中共甲镇纪律检查委员会", "甲纪〔2026〕3号"):
        assert text in page
    assert "没有表决权、选举权和被选举权" in page
    entry = AuditEntry.objects.filter(action="member.status").get()
    assert entry.actor_name == "secretary_a"
    assert entry.after["decided_by"] == "中共甲镇纪律检查委员会"
    # the list of the branch marks him
    org_page = client.get(reverse("web:org", args=["BA001"])).content.decode()
    assert f'{member.name}</a> <span class="badge sev-error">留党察看</span>' in org_page


@pytest.mark.django_db
def test_member_status_errors_are_shown_and_nothing_is_written(client: Client, tree: Tree):
    member = tree["members_a"][0]
    client.force_login(tree["secretary_a"])
    before = _state()
    response = client.post(
        reverse("web:member_status", args=[member.pk]),
        _status(**{"status-ends_on": "2028-06-01", "status-decided_by": ""}),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "请填写作出决定的党组织" in text
    response = client.post(
        reverse("web:member_status", args=[member.pk]), _status(**{"status-ends_on": "2028-06-01"})
    )
    assert response.status_code == 400 and "留党察看最长不超过两年" in response.content.decode()
    assert _state() == before
