"""Posts with their terms at every level (PostTerm), the pages of the roll's history and its API,
and the history written by the member import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member, PostTerm, RollEvent
from dangjian.members.services import (
    PostTermInput,
    member_move,
    post_term_end,
    post_term_start,
)
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)


def _start(org, member, post="书记", on=None, actor=SYSTEM, **kw):
    on = on or D(2025, 1, 1)
    data = PostTermInput(org=org, member=member, post=post, started_on=on, **kw)
    return post_term_start(actor=actor, data=data, today=TODAY)


def test_a_term_in_the_members_own_branch_sets_and_clears_the_post(tree):
    branch, member = tree["branch_a"], tree["members_a"][0]
    term = _start(branch, member, "组织委员", decided_by="支部党员大会选举")
    assert Member.objects.get(pk=member.pk).post == "组织委员"
    assert (
        AuditEntry.objects.filter(action="member.update").latest("pk").after["post"] == "组织委员"
    )
    post_term_end(actor=SYSTEM, term=term, ended_on=D(2026, 1, 1), today=TODAY)
    assert Member.objects.get(pk=member.pk).post == ""
    term.refresh_from_db()
    assert term.ended_on == D(2026, 1, 1) and not term.in_force(D(2026, 1, 1))
    assert term.in_force(D(2025, 12, 31))


def test_term_refusals_write_nothing(tree):
    branch, member = tree["branch_a"], tree["members_a"][0]
    temp = make_org(tree["town_a"], org_type="临时党支部", code="TMP01")
    group = make_org(branch, org_type="党小组", code="GA001")
    _start(branch, tree["members_a"][1], "书记")
    before = PostTerm.objects.count()
    cases = [
        (dict(org=temp), "org"),
        (dict(org=group), "org"),
        (dict(org=branch), "post"),  # a second 书记
        (dict(org=tree["town_a"], on=D(2999, 1, 1)), "started_on"),
        (dict(org=tree["town_a"], on=D(2009, 1, 1)), "member"),  # before joining
        (dict(org=tree["town_a"], post="主任"), "post"),
        (dict(org=tree["town_a"], post="党小组长"), "post"),
        (dict(org=tree["town_a"], decided_by="长" * 101), "decided_by"),
    ]
    for kw, field in cases:
        args = {"org": kw.pop("org"), "member": member, **kw}
        with pytest.raises(ValidationError) as caught:
            _start(**args)
        assert field in caught.value.message_dict, (kw, caught.value.message_dict)
    assert PostTerm.objects.count() == before
    with pytest.raises(PermissionDenied):
        _start(tree["town_a"], member, actor=tree["admin_b"])


def test_ending_a_term_is_checked(tree):
    term = _start(tree["town_a"], tree["members_a"][0])
    for day, words in ((D(2024, 12, 31), "早于任职日期"), (D(2999, 1, 1), "晚于今天")):
        with pytest.raises(ValidationError) as caught:
            post_term_end(actor=SYSTEM, term=term, ended_on=day, today=TODAY)
        assert words in caught.value.message_dict["ended_on"][0]
    post_term_end(actor=SYSTEM, term=term, ended_on=D(2025, 1, 1), today=TODAY)  # same day
    with pytest.raises(ValidationError) as caught:
        post_term_end(actor=SYSTEM, term=term, ended_on=D(2025, 2, 1), today=TODAY)
    assert "已于 2025-01-01 离任" in caught.value.message_dict["ended_on"][0]


def test_a_move_ends_the_branch_post_on_the_day_of_the_move(tree):
    member = make_member(tree["branch_a"], post="宣传委员", joined_on=D(2010, 7, 1))
    member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 3, 1), reason="")
    term = PostTerm.objects.get(member=member)
    assert term.ended_on == D(2026, 3, 1) and Member.objects.get(pk=member.pk).post == ""


# --- pages ---------------------------------------------------------------------------------------


def test_timeline_page_in_date_order(tree):
    member = tree["members_a"][0]
    member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 3, 1), reason="调动")
    client = Client()
    client.force_login(tree["admin"])
    page = client.get(reverse("members:timeline", args=[member.pk])).content.decode()
    page = page[page.index('<ol class="timeline">') :]
    assert page.index("编入") < page.index("转正") < page.index("转出") < page.index("转入")
    assert "2026-03-01" in page and "调动" in page
    assert "党员档案时间线" in client.get(reverse("web:member", args=[member.pk])).content.decode()
    client.force_login(tree["admin_a"])  # his roll is in the other town now
    assert client.get(reverse("members:timeline", args=[member.pk])).status_code == 404


def test_posts_page_records_and_ends_a_committee_secretary(tree):
    holder = tree["members_a"][0]
    client = Client()
    client.force_login(tree["admin_a"])
    url = reverse("members:org_posts", args=[tree["town_a"].code])
    bad = client.post(url, {"term-id_number": "110105199001011234", "term-post": "书记"})
    assert bad.status_code == 400 and not PostTerm.objects.filter(org=tree["town_a"]).exists()
    data = {
        "term-id_number": holder.id_number(),
        "term-post": "书记",
        "term-started_on": "2025-01-01",
        "term-decided_by": "甲镇党委全委会",
    }
    assert client.post(url, data).status_code == 302
    term = PostTerm.objects.get(org=tree["town_a"])
    assert term.member == holder and term.post == "书记"
    page = client.get(url).content.decode()
    assert "甲镇党委全委会" in page and holder.name in page
    end = reverse("members:post_term_end", args=[term.pk])
    assert client.post(end, {"end-ended_on": "2024-01-01"}).status_code == 400
    assert client.post(end, {"end-ended_on": "2026-01-01"}).status_code == 302
    term.refresh_from_db()
    assert term.ended_on == D(2026, 1, 1)
    client.force_login(tree["admin_b"])
    assert client.post(end, {"end-ended_on": "2026-01-02"}).status_code == 404


def test_roll_on_page_and_bad_date(tree):
    client = Client()
    client.force_login(tree["admin"])
    url = reverse("members:roll_on", args=[tree["branch_a"].code])
    assert "共 0 人" in client.get(url + "?on=2000-01-01").content.decode()
    assert "共 4 人" in client.get(url + "?on=2020-01-01").content.decode()
    bad = client.get(url + "?on=2020-13-01")
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()


# --- API -----------------------------------------------------------------------------------------


def test_api_roll_on_a_date_and_timeline(tree, api):
    member = tree["members_a"][0]
    member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 3, 1), reason="")
    client = api("admin")
    before = client.get("/api/v1/orgs/BB001/roll/?on=2026-02-28").json()
    after = client.get("/api/v1/orgs/BB001/roll/?on=2026-03-01").json()
    assert (before["count"], after["count"]) == (2, 3)
    assert member.pk in {r["id"] for r in after["results"]}
    assert after["results"][0]["member_type"] == "正式党员"
    assert client.get("/api/v1/orgs/BB001/roll/?on=2026-02-30").status_code == 400
    assert api("admin_a").get("/api/v1/orgs/BB001/roll/").status_code == 404
    timeline = client.get(f"/api/v1/members/{member.pk}/timeline/").json()
    kinds = [i["title"] for i in timeline["results"]]
    assert kinds[:2] == ["编入", "转正"] and kinds[-2:] == ["转出", "转入"]


# --- the member import ---------------------------------------------------------------------------


def test_history_backfill_for_imported_members_and_moves(tree):
    from dangjian.members.history import history_backfill, import_changes

    member = tree["members_a"][0]
    old_org = member.org_id
    RollEvent.objects.filter(member=member).delete()
    assert history_backfill(Member.objects.filter(pk=member.pk)) == 2  # 编入, 转正
    Member.objects.filter(pk=member.pk).update(org=tree["branch_b"], post="委员")
    import_changes([(member.pk, old_org, "", "正式党员")], D(2026, 5, 1))
    kinds = list(member.roll_events.order_by("on", "pk").values_list("kind", "org_id", "ended_on"))
    assert kinds[-2:] == [("转出", old_org, None), ("转入", tree["branch_b"].pk, None)]
    assert kinds[0][2] == D(2026, 5, 1)
    term = PostTerm.objects.get(member=member)
    assert (term.org_id, term.post, term.started_on) == (tree["branch_b"].pk, "委员", D(2026, 5, 1))
