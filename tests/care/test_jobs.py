"""Reminders of the visits due, through the notify inbox: to the recorders of the branch and
the helping organizations, once, naming no person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dangjian.care.jobs import remind_visits
from dangjian.care.services import visit_record
from dangjian.notify.models import Kind, Message

from .conftest import TODAY

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def visited(place):
    visit_record(
        actor=place.secretary,
        hardship=place.entry,
        occasion="重阳",
        visited_on=D(2026, 10, 20),
        org=place.branch,
        next_visit_on=D(2026, 11, 6),
        today=TODAY,
    )
    return place


def test_due_soon_then_overdue_each_told_once(visited):
    p = visited
    first = remind_visits(TODAY)
    assert (first.due_soon, first.overdue) == (1, 0)
    told = set(Message.objects.values_list("user_id", flat=True))
    # the branch secretary, the town (a helper), the hospital branch (a helper) — nobody above
    assert told == {p.secretary.pk, p.town_admin.pk, p.unit_secretary.pk}
    assert set(Message.objects.values_list("kind", flat=True)) == {Kind.DUE_SOON}
    again = remind_visits(TODAY)
    assert again.messages == 0 and Message.objects.count() == 3
    late = remind_visits(D(2026, 11, 20))
    assert late.overdue == 1 and late.messages == 3
    assert Message.objects.filter(kind=Kind.OVERDUE).count() == 3
    for m in Message.objects.all():
        assert "王秀兰" not in m.subject + m.body and "尿毒症" not in m.body
        assert m.link == f"/bangfu/{p.entry.pk}/"


def test_nothing_due_far_ahead_and_a_later_visit_fulfils_it(visited):
    p = visited
    assert remind_visits(D(2026, 10, 21)).messages == 0  # 16 days ahead: not yet
    visit_record(
        actor=p.secretary,
        hardship=p.entry,
        occasion="日常走访",
        visited_on=D(2026, 11, 1),
        org=p.branch,
        today=TODAY,
    )
    assert remind_visits(D(2026, 11, 20)).messages == 0


def test_the_command_reports_in_chinese(visited, capsys):
    call_command("care", "remind", "--at", "2026-11-02")
    assert "即将到期 1 项，发出提醒 3 条" in capsys.readouterr().out
