"""Builders for training tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dangjian.accounts.scope import SYSTEM
from dangjian.training.models import Course
from dangjian.training.services import CourseInput, course_create


def course(
    organizer,
    members=(),
    *,
    hours: str | Decimal = "8",
    starts_on: dt.date = dt.date(2026, 5, 10),
    ends_on: dt.date | None = None,
    title: str = "党务干部培训班",
) -> Course:
    return course_create(
        actor=SYSTEM,
        data=CourseInput(
            organizer=organizer,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on or starts_on,
            hours=hours,
        ),
        member_ids=[m.pk for m in members],
    )
