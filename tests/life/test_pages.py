"""组织生活 pages: record form, to-do list, record list and detail; authorization matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.life.models import Attendance, Meeting
from tests.factories import make_org
from tests.life.helpers import attend, meet


def _state():
    return (
        Meeting.objects.count(),
        Attendance.objects.count(),
        AuditEntry.objects.count(),
        tuple(Meeting.objects.order_by("pk").values_list("pk", "topic")),
    )


def _form(tree, **extra):
    held = timezone.localdate() - dt.timedelta(days=1)
    data = {
        "meeting_type": "主题党日",
        "held_on": held.isoformat(),
        "topic": "重温入党誓词",
        "take_attendance": "on",
        "minutes": "记录",
    }
    members = tree["members_a"]
    for m in members[1:]:
        data[f"present_{m.pk}"] = "on"
    data[f"reason_{members[0].pk}"] = "因病"
    data.update(extra)
    return data


@pytest.mark.django_db
def test_record_then_todo_changes(tree, login):
    client = login("secretary_a")
    today = timezone.localdate()
    due_text = f'data-rule="LIFE-THEME-DAY-MONTHLY" data-period="{today:%Y-%m}"'
    page = client.get("/life/orgs/BA001/todo/")
    assert page.status_code == 200
    assert due_text in page.content.decode()
    form = client.get("/life/orgs/BA001/record/")
    assert form.status_code == 200
    html = form.content.decode()
    for m in tree["members_a"]:
        assert m.name in html
    assert "党小组会" not in html  # a branch does not record 党小组会
    assert f'value="{today.isoformat()}"' in html  # the date defaults to today
    response = client.post("/life/orgs/BA001/record/", _form(tree, held_on=today.isoformat()))
    assert response.status_code == 302 and response["Location"] == "/life/orgs/BA001/todo/"
    meeting = Meeting.objects.get()
    assert (meeting.expected, meeting.present) == (4, 3)
    absent = Attendance.objects.get(present=False)
    assert absent.reason == "因病" and absent.member == tree["members_a"][0]
    after = client.get("/life/orgs/BA001/todo/").content.decode()
    assert due_text not in after
    assert 'data-rule="LIFE-ASSEMBLY-QUARTERLY"' in after  # other rules are still due


@pytest.mark.django_db
def test_record_future_date_shows_error_and_writes_nothing(tree, login):
    client = login("secretary_a")
    before = _state()
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post("/life/orgs/BA001/record/", _form(tree, held_on=future))
    assert response.status_code == 400
    assert "晚于今天" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra,text",
    [
        ({"held_on": "2026-02-30"}, "不存在"),
        ({"topic": ""}, "请填写主题"),
        ({"meeting_type": "党小组会"}, "选择一个有效的选项"),
    ],
)
def test_record_bad_input(tree, extra, text, login):
    client = login("secretary_a")
    before = _state()
    response = client.post("/life/orgs/BA001/record/", _form(tree, **extra))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_record_late_message(tree, login):
    client = login("admin_a")
    held = (timezone.localdate() - dt.timedelta(days=45)).isoformat()
    response = client.post("/life/orgs/BA001/record/", _form(tree, held_on=held), follow=True)
    assert "已标记为补录" in response.content.decode()
    assert Meeting.objects.get().late


@pytest.mark.django_db
def test_group_records_group_meeting(tree, login):
    make_org(tree["branch_a"], org_type="党小组", code="GA001")
    client = login("secretary_a")
    html = client.get("/life/orgs/GA001/record/").content.decode()
    assert "党小组会" in html and "支委会" not in html
    response = client.post(
        "/life/orgs/GA001/record/", _form(tree, meeting_type="党小组会", take_attendance="")
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.org.code == "GA001" and not meeting.attendance_taken


@pytest.mark.django_db
def test_meetings_list_and_detail(tree, login):
    m = meet(tree["branch_a"], "支部党员大会", dt.date(2026, 3, 1), minutes="第一行\n第二行")
    attend(m, tree["members_a"][0], False, "因公")
    meet(tree["branch_a"], "党课", dt.date(2025, 3, 1), late=True)
    client = login("inspector_a")
    html = client.get("/life/orgs/BA001/meetings/?year=2026").content.decode()
    assert "支部党员大会" in html and "党课" not in html.split("<table")[1]
    assert client.get("/life/orgs/BA001/meetings/?year=abc").status_code == 400
    assert client.get("/life/orgs/BA001/meetings/?type=茶话会").status_code == 400
    detail = client.get(f"/life/meetings/{m.pk}/").content.decode()
    assert "第一行<br>第二行" in detail
    assert tree["members_a"][0].name in detail and "因公" in detail
    assert "删除此记录" not in detail  # read-only role


@pytest.mark.django_db
def test_index_redirects_secretary_and_lists_for_admins(tree, login):
    assert login("secretary_a").get("/life/")["Location"] == "/life/orgs/BA001/todo/"
    html = login("admin_a").get("/life/").content.decode()
    assert "BA001" in html and "BB001" not in html


@pytest.mark.django_db
def test_nav_item(tree, login):
    html = login("admin").get("/life/").content.decode()
    assert 'href="/life/" aria-current="page"' in html
    html = login("auditor").get("/audit/").content.decode()
    assert 'href="/life/"' not in html


READ_PAGES = ["/life/orgs/BA001/todo/", "/life/orgs/BA001/meetings/", "/life/orgs/BA001/record/"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,path,code",
    [
        ("admin", "/life/orgs/BA001/todo/", 200),
        ("admin_a", "/life/orgs/BA001/todo/", 200),
        ("inspector_a", "/life/orgs/BA001/todo/", 200),
        ("admin_b", "/life/orgs/BA001/todo/", 404),
        ("sysadmin", "/life/orgs/BA001/todo/", 403),
        ("auditor", "/life/orgs/BA001/todo/", 403),
        ("admin_b", "/life/orgs/BA001/meetings/", 404),
        ("secadmin", "/life/orgs/BA001/meetings/", 403),
        ("inspector_a", "/life/orgs/BA001/record/", 403),
        ("sysadmin", "/life/orgs/BA001/record/", 403),
        ("admin_b", "/life/orgs/BA001/record/", 404),
        ("admin_a", "/life/orgs/BA001/record/", 200),
        ("admin", "/life/orgs/TA001/todo/", 400),
        ("admin", "/life/orgs/NOPE/todo/", 404),
        ("auditor", "/life/", 403),
    ],
)
def test_page_matrix(tree, user, path, code, login):
    assert login(user).get(path).status_code == code


@pytest.mark.django_db
@pytest.mark.parametrize("path", [*READ_PAGES, "/life/"])
def test_anonymous_redirected_to_login(tree, path):
    response = Client().get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("user,code", [("inspector_a", 403), ("admin_b", 404), ("sysadmin", 403)])
def test_denied_record_post_changes_nothing(tree, user, code, login):
    client = login(user)
    before = _state()
    assert client.post("/life/orgs/BA001/record/", _form(tree)).status_code == code
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("inspector_a", 403), ("admin_b", 404), ("sysadmin", 403), (None, 302)]
)
def test_denied_delete_changes_nothing(tree, user, code, login):
    m = meet(tree["branch_a"], "支委会", dt.date(2026, 3, 1))
    client = login(user)
    before = _state()
    assert client.post(f"/life/meetings/{m.pk}/delete/").status_code == code
    assert _state() == before


@pytest.mark.django_db
def test_delete(tree, login):
    m = meet(tree["branch_a"], "支委会", dt.date(2026, 3, 1))
    client = login("secretary_a")
    assert client.get(f"/life/meetings/{m.pk}/delete/").status_code == 405
    response = client.post(f"/life/meetings/{m.pk}/delete/")
    assert response.status_code == 302
    assert not Meeting.objects.exists()
    assert AuditEntry.objects.filter(action="life.meeting.delete").exists()


@pytest.mark.django_db
def test_org_page_links_to_life(tree, login):
    html = login("admin_a").get("/orgs/BA001/").content.decode()
    assert 'href="/life/orgs/BA001/todo/"' in html
    assert 'href="/life/orgs/BA001/record/"' in html
    html = login("inspector_a").get("/orgs/BA001/").content.decode()
    assert 'href="/life/orgs/BA001/todo/"' in html
    assert 'href="/life/orgs/BA001/record/"' not in html
    html = login("admin_a").get("/orgs/TA001/").content.decode()
    assert "/life/orgs/TA001/" not in html


@pytest.mark.django_db
def test_edit_record(tree, login):
    client = login("secretary_a")
    client.post("/life/orgs/BA001/record/", _form(tree))
    meeting = Meeting.objects.get()
    page = client.get(f"/life/meetings/{meeting.pk}/edit/")
    assert page.status_code == 200 and "重温入党誓词" in page.content.decode()
    assert f'value="{meeting.held_on.isoformat()}"' in page.content.decode()
    members = tree["members_a"]
    data = _form(tree, topic="重温入党誓词（更正）")
    data[f"present_{members[0].pk}"] = "on"  # was recorded absent by mistake
    response = client.post(f"/life/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "重温入党誓词（更正）" and meeting.present == 4
    assert AuditEntry.objects.filter(action="life.meeting.update").count() == 1
    # without attendance the recorded counts stay
    data = _form(tree, take_attendance="", topic="再次更正")
    assert client.post(f"/life/meetings/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.expected, meeting.present) == ("再次更正", 4, 4)
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    bad = client.post(f"/life/meetings/{meeting.pk}/edit/", _form(tree, held_on=future))
    assert bad.status_code == 400 and "晚于今天" in bad.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("user,code", [("inspector_a", 403), ("admin_b", 404), ("sysadmin", 403)])
def test_edit_denied_changes_nothing(tree, user, code, login):
    m = meet(tree["branch_a"], "支委会", dt.date(2026, 3, 1))
    client = login(user)
    before = _state()
    assert client.get(f"/life/meetings/{m.pk}/edit/").status_code == code
    assert client.post(f"/life/meetings/{m.pk}/edit/", _form(tree)).status_code == code
    assert _state() == before


@pytest.mark.django_db
def test_participation_page(tree, login):
    group = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    first, second = tree["members_a"][:2]
    for day, where in ((dt.date(2025, 1, 5), tree["branch_a"]), (dt.date(2025, 2, 5), group)):
        m = meet(where, "主题党日" if where == tree["branch_a"] else "党小组会", day)
        attend(m, first, True)
        attend(m, second, False, "因病" if day.month == 1 else "因事")
    other_year = meet(tree["branch_a"], "主题党日", dt.date(2024, 5, 5))
    attend(other_year, first, False, "其他")
    client = login("secretary_a")
    html = client.get("/life/orgs/BA001/attendance/?year=2025").content.decode()
    assert first.name in html and "100%" in html and "0%" in html
    from dangjian.life.selectors import participation

    rows = {p.member_id: p for p in participation(tree["secretary_a"], tree["branch_a"], 2025)}
    assert (rows[first.pk].present, rows[first.pk].absent) == (2, 0)
    assert (rows[second.pk].absent, rows[second.pk].excused) == (2, 1)
    assert rows[second.pk].months == {1: (0, 1), 2: (0, 1)}
    assert rows[tree["members_a"][2].pk].rate is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("inspector_a", 200), ("admin_b", 404), ("sysadmin", 403), ("auditor", 403)]
)
def test_participation_matrix(tree, user, code, login):
    assert login(user).get("/life/orgs/BA001/attendance/").status_code == code
