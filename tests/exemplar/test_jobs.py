"""The review (复核) reminders: the naming organization's reviewers are told once."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from dangjian.exemplar.jobs import remind_reviews
from dangjian.exemplar.services import exemplar_name
from dangjian.notify.models import Message


def test_reviewers_of_the_naming_level_are_told_once(tree, examples, today):
    brand = examples["brand"]  # named by SYSTEM for 乙街道党工委 (the parent)
    named = exemplar_name(
        actor=tree["admin_a"],
        item=examples["practice"],
        named_on=today,
        review_on=today + dt.timedelta(days=30),
    )
    report = remind_reviews(today)
    assert (report.overdue, report.due_soon, report.messages) == (0, 1, 1)
    message = Message.objects.get()
    assert message.user == tree["admin_a"] and "吃茶话事工作法" in message.body
    assert message.link == f"/dianxing/{named.pk}/"
    assert remind_reviews(today).messages == 0  # nobody twice
    later = brand.review_on + dt.timedelta(days=1)
    report = remind_reviews(later)
    assert report.overdue == 2 and report.messages == 2  # admin_a again (overdue), admin_b


def test_command(examples, capsys):
    call_command("exemplar", "remind", "--at", "2026-11-23")
    assert "逾期复核 0 项" in capsys.readouterr().out
