"""The synthetic meetings: deterministic, realistic mix, refuses to mix with existing records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.demo.life import AlreadySeeded, seed_meetings
from dangjian.life.models import Attendance, Meeting
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org


def _world(tree):
    for n in range(12):
        branch = make_org(tree["town_a"], org_type="党支部", code=f"BS{n:03d}")
        for post in ("书记", "组织委员", "宣传委员"):
            make_member(branch, post=post)
        for _ in range(5):
            make_member(branch)
        if n % 3 == 0:
            make_org(branch, org_type="党小组", code=f"GS{n:03d}")


def _rows():
    return list(
        Meeting.objects.order_by("org__code", "held_on", "meeting_type", "topic").values_list(
            "org__code", "meeting_type", "held_on", "topic", "minutes", "present", "late"
        )
    )


@pytest.mark.django_db
def test_seed_is_deterministic_and_realistic(tree):
    _world(tree)
    result = seed_meetings(year=2026, until=dt.date(2026, 10, 31))
    assert result.meetings == Meeting.objects.count() > 12 * 10 * 2
    assert result.attendance == Attendance.objects.count() > 0
    assert Meeting.objects.filter(held_on__gt=dt.date(2026, 10, 31)).count() == 0
    assert not Meeting.objects.filter(entered_on__lt=dt.date(2026, 1, 1)).exists()
    assert Meeting.objects.filter(entered_on__gt=dt.date(2026, 10, 31)).count() == 0
    assert set(Meeting.objects.values_list("meeting_type", flat=True)) >= {
        "支部党员大会",
        "支委会",
        "党小组会",
        "党课",
        "主题党日",
    }
    assert Meeting.objects.filter(meeting_type="党小组会", org__org_type="党小组").count() == (
        Meeting.objects.filter(meeting_type="党小组会").count()
    )
    first = _rows()
    assert AuditEntry.objects.filter(action="life.seed").count() == 1
    with pytest.raises(AlreadySeeded):
        seed_meetings(year=2026)
    Meeting.objects.all().delete()
    seed_meetings(year=2026, until=dt.date(2026, 10, 31))
    assert _rows() == first
    # the checker finds something, and not everything
    found = findings_for(SYSTEM, rules="LIFE", at=dt.date(2026, 10, 31))
    errors = [f for f in found if f.severity == "error"]
    checked_months = 12 * 9  # branches × complete months of theme days
    assert 0 < len([f for f in errors if f.rule == "LIFE-THEME-DAY-MONTHLY"]) < checked_months


@pytest.mark.django_db
def test_seed_command(tree, capsys):
    call_command("seed_meetings", "--year", "2025", "--org", "TA001", "--no-attendance")
    assert "已生成 2025 年组织生活记录" in capsys.readouterr().out
    assert Attendance.objects.count() == 0
    assert not Meeting.objects.filter(org__code="BB001").exists()
    with pytest.raises(CommandError, match="不再生成"):
        call_command("seed_meetings", "--year", "2025", "--org", "TA001")
    with pytest.raises(CommandError, match="不存在"):
        call_command("seed_meetings", "--year", "2025", "--org", "NOPE")


@pytest.mark.django_db
def test_demo_life_seeds_last_year_and_this_year_once(tree):
    _world(tree)
    from dangjian.demo.life import seed_demo_life

    today = dt.date(2026, 5, 20)
    done = seed_demo_life(today)
    assert [d.year for d in done] == [2025, 2026]
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    assert Meeting.objects.filter(held_on__year=2025, attendance_taken=True).count() == 0
    assert Meeting.objects.filter(held_on__year=2026, attendance_taken=True).exists()
    assert seed_demo_life(today) == []  # records exist: nothing more


@pytest.mark.django_db
def test_minutes_name_people_on_the_branchs_roll(tree):
    """The demo tells one story: the people the minutes name are on the roll of the branch
    that held the meeting (present, when attendance was taken) — copied minutes too."""
    from dangjian.demo.life import SPEAKERS
    from dangjian.life.services import roll_org

    _world(tree)
    seed_meetings(year=2025, attendance=False)
    seed_meetings(year=2026, until=dt.date(2026, 10, 31))
    named = 0
    for meeting in Meeting.objects.select_related("org"):
        match = SPEAKERS.search(meeting.minutes)
        if match is None:
            continue
        branch = roll_org(meeting.org)
        names = set(branch.members.values_list("name", flat=True))
        people = {match.group(1), match.group(2), match.group(4)}
        assert people <= names, (meeting.org.code, meeting.held_on, people)
        if meeting.attendance_taken:
            here = set(
                meeting.attendance.filter(present=True).values_list("member__name", flat=True)
            )
            assert people <= here, (meeting.org.code, meeting.held_on, people)
        named += 1
    assert named > Meeting.objects.count() * 0.9
    # the story includes meetings of two types, last year's 组织生活会 held in January and
    # approved leave with its reason
    assert Meeting.objects.filter(meeting_type="支部党员大会", also_counts_as="主题党日").exists()
    assert Meeting.objects.filter(also_counts_as="民主评议党员").exists()
    january = Meeting.objects.filter(held_on__year=2026, year=2025)
    assert january.exists() and {m.meeting_type for m in january} == {"组织生活会"}
    leave = Attendance.objects.filter(reason="请假（已批准）")
    assert leave.exists() and not leave.filter(note="").exists()
    # the checker agrees: branches that hold their 组织生活会 in January met 2025 with it
    found = findings_for(
        SYSTEM,
        rules="LIFE",
        rule_ids=["LIFE-ORG-LIFE-MEETING-YEARLY"],
        at=dt.date(2026, 10, 31),
        since=dt.date(2025, 1, 1),
    )
    missed_2025 = {f.subject for f in found if f.period == "2025"}
    assert not missed_2025 & {m.org.code for m in january.select_related("org")}


@pytest.mark.django_db
def test_copied_minutes_get_the_copiers_names():
    import random

    from dangjian.demo.life import SPEAKERS, copied_minutes, meeting_minutes

    rng = random.Random(7)
    text, named = meeting_minutes(
        rng, "学习党章", 10, 9, dt.date(2026, 3, 5), ["王明", "李华", "赵强"]
    )
    assert SPEAKERS.search(text) is not None and set(named) <= {"王明", "李华", "赵强"}
    copied = copied_minutes(rng, (text, named), ["陈静", "周伟"])
    match = SPEAKERS.search(copied)
    assert match is not None
    assert {match.group(1), match.group(2), match.group(4)} <= {"陈静", "周伟"}
    assert copied.replace(match.group(0), "") == text.replace(SPEAKERS.search(text).group(0), "")
