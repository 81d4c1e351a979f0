"""Builders for organizational-life tests."""

from __future__ import annotations

import datetime as dt

from dangjian.life.models import Attendance, Meeting


def meet(org, meeting_type: str, held_on: dt.date, *, rollup: bool = True, **extra) -> Meeting:
    """A record written directly (rule tests need dates the service would call future); it
    keeps the rollup ``MeetingMonths`` and the minutes signature like every write path
    (``rollup=False``: a write around them, for the rollup checks)."""
    from dangjian.life.rollups import counts_of, months_shift
    from dangjian.life.signatures import sign

    extra.setdefault("entered_on", held_on)
    extra.setdefault("topic", f"{meeting_type}{held_on}")
    meeting = Meeting.objects.create(org=org, meeting_type=meeting_type, held_on=held_on, **extra)
    if rollup:
        months_shift(added=counts_of(meeting))
        sign([meeting])
    return meeting


def attend(meeting: Meeting, member, present: bool, reason: str = "") -> Attendance:
    meeting.attendance_taken = True
    meeting.save(update_fields=["attendance_taken"])
    return Attendance.objects.create(meeting=meeting, member=member, present=present, reason=reason)
