"""Organization pages: participants of a 临时党支部 (list, add, end), the term of organizations
without 换届, and an approved election delay (延期换届); who may use the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.members.models import Participation
from dangjian.orgs.models import ElectionDelay
from tests.factories import make_org

Tree = dict[str, Any]
D = dt.date


@pytest.fixture
def temp(tree: Tree):
    return make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS001",
                    name="甲镇防汛临时党支部", founded_on=D(2026, 6, 1))  # fmt: skip


@pytest.fixture
def termed(tree: Tree):
    # a 3-year branch term from 2023-09-01 ends 2026-09-01: expired on the suite's day
    return make_org(tree["town_a"], sector="机关", code="DL001", name="甲镇机关党支部",
                    term_started_on=D(2023, 9, 1))  # fmt: skip


def _state() -> tuple[Any, ...]:
    return (
        sorted(Participation.objects.values_list("pk", "member_id", "ended_on")),
        ElectionDelay.objects.count(),
        AuditEntry.objects.count(),
    )


def _participant(tree: Tree, **extra: Any) -> dict[str, Any]:
    data = {
        "p-id_number": tree["members_a"][0].id_number(),
        "p-started_on": "2026-06-10",
        "p-post": "书记",
        "p-note": "抽调参加防汛",
    }
    data.update(extra)
    return data


def _delay(**extra: Any) -> dict[str, Any]:
    data = {
        "delay-approved_by": "中共甲镇委员会",
        "delay-approved_on": "2026-08-20",
        "delay-new_deadline": "2027-03-31",
        "delay-decision_no": "甲委〔2026〕15号",
        "delay-reason": "防汛任务重",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["participant_add", "participant_end", "election_delay"])
def test_who_may_use_the_org_forms(client: Client, tree: Tree, temp, termed, which):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.members.services import ParticipationInput, participation_add

    if which == "participant_add":
        url, data = reverse("web:participant_add", args=["LS001"]), _participant(tree)
    elif which == "participant_end":
        item = participation_add(actor=SYSTEM, data=ParticipationInput(
            org=temp, member=tree["members_a"][1], started_on=D(2026, 6, 10)))  # fmt: skip
        url, data = reverse("web:participant_end", args=[item.pk]), {"end-ended_on": "2026-10-31"}
    else:
        url, data = reverse("web:election_delay", args=["DL001"]), _delay()
    before = _state()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(tree["admin_b"])
    assert client.post(url, data).status_code == 404
    # a secretary may keep members but not change organizations; an inspector neither
    for user in ["inspector_a"] + (["secretary_a"] if which == "election_delay" else []):
        client.force_login(tree[user])
        response = client.post(url, data)
        assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert _state() == before
    client.force_login(tree["admin_a"])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _state() != before


@pytest.mark.django_db
def test_temporary_branch_page_lists_participants_not_a_roll(client: Client, tree: Tree, temp):
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:org", args=["LS001"])).content.decode()
    assert "参加人员（0）" in page and "组织关系仍在原党支部" in page
    assert "新增党员" not in page and 'id="h-members"' not in page
    assert "不实行任期换届" in page
    response = client.post(reverse("web:participant_add", args=["LS001"]), _participant(tree))
    assert response.status_code == 302
    member = tree["members_a"][0]
    page = client.get(reverse("web:org", args=["LS001"])).content.decode()
    assert f"已登记 {member.name}（甲村党支部）参加甲镇防汛临时党支部" in page
    assert "参加人员（1）" in page and "2026-06-10" in page and "至今" in page
    assert f'href="{reverse("web:member", args=[member.pk])}"' in page
    assert 'data-confirm="确定结束' in page
    item = Participation.objects.get()
    response = client.post(
        reverse("web:participant_end", args=[item.pk]), {"end-ended_on": "2026-10-31"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.ended_on == D(2026, 10, 31)
    member_page = client.get(reverse("web:member", args=[member.pk])).content.decode()
    assert "参加临时党支部" in member_page and "甲镇防汛临时党支部" in member_page


@pytest.mark.django_db
def test_participant_errors_are_shown_and_nothing_is_written(client: Client, tree: Tree, temp):
    client.force_login(tree["admin_a"])
    before = _state()
    cases = [
        ({"p-id_number": "12345"}, "18 位"),
        ({"p-id_number": tree["members_b"][0].id_number()}, "管辖范围内没有找到"),
        ({"p-started_on": "2026-05-01"}, "早于甲镇防汛临时党支部的成立日期 2026-06-01"),
        ({"p-started_on": ""}, "请填写参加日期"),
    ]
    for change, text in cases:
        response = client.post(
            reverse("web:participant_add", args=["LS001"]), _participant(tree, **change)
        )
        assert response.status_code == 400 and text in response.content.decode(), text
    assert _state() == before


@pytest.mark.django_db
def test_working_committee_page_says_it_has_no_term(client: Client, tree: Tree):
    make_org(tree["root"], org_type="党工委", sector="机关", code="GW001",
             name="测试区直属机关工委", term_started_on=D(2018, 1, 1))  # fmt: skip
    client.force_login(tree["admin"])
    page = client.get(reverse("web:org", args=["GW001"])).content.decode()
    assert "党工委是上级党委的派出机关" in page and "已届满" not in page
    assert "登记经批准的延期换届" not in page


@pytest.mark.django_db
def test_election_delay_on_the_org_page(client: Client, tree: Tree, termed):
    client.force_login(tree["admin_a"])
    page = client.get(reverse("web:org", args=["DL001"])).content.decode()
    assert "已届满 83 天" in page and "登记经批准的延期换届" in page
    assert 'data-confirm="确定登记甲镇机关党支部延期换届' in page
    response = client.post(reverse("web:election_delay", args=["DL001"]), _delay())
    assert response.status_code == 302
    page = client.get(reverse("web:org", args=["DL001"])).content.decode()
    assert "中共甲镇委员会于 2026-08-20 批准延期至 2027-03-31（甲委〔2026〕15号）" in page
    assert "4 个月 8 天（延期期限将至，请准备换届）" in page  # within 6 months: reminded
    assert "SETUP-TERM-EXPIRED" not in page
    entry = AuditEntry.objects.filter(action="org.election_delay").get()
    assert entry.actor_name == "admin_a" and entry.object_id == "DL001"


@pytest.mark.django_db
def test_election_delay_beyond_a_year_is_refused_on_the_page(client: Client, tree: Tree, termed):
    client.force_login(tree["admin_a"])
    before = _state()
    response = client.post(
        reverse("web:election_delay", args=["DL001"]),
        _delay(**{"delay-new_deadline": "2027-09-02"}),
    )
    assert response.status_code == 400
    assert "截止日期最晚为 2027-09-01" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_a_delay_far_from_its_deadline_is_shown_without_a_reminder(client, tree, termed):
    client.force_login(tree["admin_a"])
    response = client.post(
        reverse("web:election_delay", args=["DL001"]),
        _delay(**{"delay-new_deadline": "2027-08-31"}),
    )
    assert response.status_code == 302
    page = client.get(reverse("web:org", args=["DL001"])).content.decode()
    assert (
        "9 个月 8 天（已届满，经批准延期）" in page
        and "sev-error" not in page.split("h-term")[1].split("</section>")[0]
    )
