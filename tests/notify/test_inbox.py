"""The inbox page (/xiaoxi/): one's own messages by tab, opening marks read, the nav count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from dangjian.notify.models import Kind, Message
from dangjian.notify.services import message_send

from .conftest import at

T = at(2026, 11, 2, 9, 0)


def send(user, kind, n, **kw):
    return message_send(user=user, kind=kind, subject=f"消息{n}", key=f"test:{n}", at=T, **kw)


@pytest.fixture
def inbox(place):
    send(place.worker, Kind.ASSIGNED, 1, link="/fuwu/")
    send(place.worker, Kind.DUE_SOON, 2)
    send(place.worker, Kind.OVERDUE, 3)
    send(place.worker, Kind.RATED, 4)
    send(place.worker2, Kind.ASSIGNED, 5)
    return place


def test_the_page_shows_ones_own_messages_and_the_unread_count(inbox, login):
    client = login(inbox.worker)
    body = client.get("/xiaoxi/").content.decode()
    assert all(f"消息{n}" in body for n in (1, 2, 3, 4)) and "消息5" not in body
    assert 'data-unread="4"' in body  # the navigation's count
    assert "指派给我" in body and "即将到期" in body and "上报给我" in body and "评价" in body


def test_a_tab_shows_its_kinds(inbox, login):
    body = login(inbox.worker).get("/xiaoxi/?tab=due").content.decode()
    assert "消息2" in body and "消息3" in body and "消息1" not in body


def test_an_unknown_tab_is_a_clear_400(inbox, login):
    response = login(inbox.worker).get("/xiaoxi/?tab=spam")
    assert response.status_code == 400 and "没有“spam”这一类消息" in response.content.decode()


def test_opening_marks_read_and_goes_to_the_link(inbox, login):
    message = Message.objects.get(subject="消息1")
    response = login(inbox.worker).post(f"/xiaoxi/{message.pk}/")
    assert response.status_code == 302 and response["Location"] == "/fuwu/"
    assert Message.objects.get(pk=message.pk).read_at is not None


def test_anothers_message_is_not_found_and_stays_unread(inbox, login):
    theirs = Message.objects.get(subject="消息5")
    response = login(inbox.worker).post(f"/xiaoxi/{theirs.pk}/")
    assert response.status_code == 404
    assert Message.objects.get(pk=theirs.pk).read_at is None


def test_read_all_of_a_tab(inbox, login):
    response = login(inbox.worker).post("/xiaoxi/yidu/", {"tab": "due"})
    assert response.status_code == 302 and response["Location"] == "/xiaoxi/?tab=due"
    unread = Message.objects.filter(user=inbox.worker, read_at__isnull=True)
    assert sorted(unread.values_list("subject", flat=True)) == ["消息1", "消息4"]
    assert Message.objects.get(subject="消息5").read_at is None


def test_get_on_a_write_route_is_refused(inbox, login):
    assert login(inbox.worker).get("/xiaoxi/yidu/").status_code == 405


def test_the_anonymous_visitor_goes_to_the_login(client):
    from django.urls import reverse

    response = client.get("/xiaoxi/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_nav_count_is_one_query_then_none(inbox):
    request = RequestFactory().get("/")
    request.user = inbox.worker
    template = Template("{% load notify %}{% unread_messages %}{% unread_messages %}")
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "44"
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()
    request = RequestFactory().get("/")  # the next page: from the cache
    request.user = inbox.worker
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "44"
    assert not queries


def test_the_nav_count_follows_new_and_read_messages(inbox, login):
    client = login(inbox.worker)
    assert 'data-unread="4"' in client.get("/xiaoxi/").content.decode()
    send(inbox.worker, Kind.ESCALATED, 6)
    assert 'data-unread="5"' in client.get("/xiaoxi/").content.decode()
    client.post("/xiaoxi/yidu/", {"tab": ""})
    assert "data-unread" not in client.get("/xiaoxi/").content.decode()


def test_the_page_fits_a_phone(inbox, login):
    body = login(inbox.worker).get("/xiaoxi/").content.decode()
    assert 'class="inbox-tabs"' in body and 'class="link-button inbox-item"' in body
    assert "style=" not in body.split("<main")[1]  # no inline styles (CSP)
