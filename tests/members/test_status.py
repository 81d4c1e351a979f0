"""Decided standings (留党察看, 停止党籍, 出党) and what they change at a given date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.members.selectors import member_type_on, standing_on, standings_on, voters_on
from dangjian.members.services import StatusInput, member_status_record
from tests.factories import make_member

TODAY = dt.date(2026, 11, 20)


def _watch(start, end, **kw):
    return StatusInput(kind="留党察看", started_on=start, ends_on=end, decided_by="甲镇党委", **kw)


@pytest.mark.django_db
def test_probation_watch_takes_the_vote_only_while_in_force(tree):
    member = tree["members_a"][0]
    member_status_record(
        actor=tree["admin_a"],
        member=member,
        data=_watch(dt.date(2025, 3, 1), dt.date(2026, 3, 1)),
        today=TODAY,
    )
    before = standing_on(member, dt.date(2025, 2, 28))
    during = standing_on(member, dt.date(2025, 3, 1))
    last_day = standing_on(member, dt.date(2026, 2, 28))
    after = standing_on(member, dt.date(2026, 3, 1))
    assert before.votes and before.introducer_status == "full"
    assert during.status == "留党察看" and not during.votes and during.on_roll
    assert during.introducer_status == "probation_watch" and not during.may_introduce
    assert not last_day.votes
    assert after.votes and after.status is None
    entry = AuditEntry.objects.filter(action="member.status").get()
    assert entry.after["kind"] == "留党察看" and entry.after["ends_on"] == "2026-03-01"


@pytest.mark.django_db
def test_type_at_a_date_follows_joining_and_conversion(tree):
    member = make_member(
        tree["branch_a"], joined_on=dt.date(2020, 6, 30), confirmed_on=dt.date(2021, 7, 2)
    )
    assert member_type_on(member, dt.date(2020, 6, 29)) is None
    assert member_type_on(member, dt.date(2020, 6, 30)) == "预备党员"
    assert member_type_on(member, dt.date(2021, 7, 1)) == "预备党员"
    assert member_type_on(member, dt.date(2021, 7, 2)) == "正式党员"
    probationary = make_member(
        tree["branch_a"], member_type="预备党员", joined_on=dt.date(2026, 5, 1)
    )
    assert not standing_on(probationary, dt.date(2026, 11, 1)).votes
    assert standing_on(probationary, dt.date(2026, 11, 1)).introducer_status == "probationary"


@pytest.mark.django_db
def test_voters_on_a_day_leave_out_the_suspended_the_dead_and_the_not_yet_joined(tree):
    branch = tree["branch_a"]
    late = make_member(branch, joined_on=dt.date(2025, 10, 10))
    dead, suspended = tree["members_a"][1], tree["members_a"][2]
    for member, kind in ((dead, "死亡"), (suspended, "停止党籍")):
        member_status_record(
            actor=tree["admin_a"],
            member=member,
            data=StatusInput(kind=kind, started_on=dt.date(2025, 9, 1), decided_by="甲村党支部"),
            today=TODAY,
        )
    voters = {m.pk for m in voters_on(branch, dt.date(2025, 12, 1))}
    assert voters == {tree["members_a"][0].pk, tree["members_a"][3].pk}
    assert late.pk not in voters  # 预备党员 on that day: no vote
    standings = standings_on(tree["members_a"], dt.date(2025, 12, 1))
    assert not standings[dead.pk].on_roll and standings[suspended.pk].on_roll


@pytest.mark.django_db
def test_bad_standings_are_refused_with_every_reason_and_nothing_written(tree):
    member = tree["members_a"][0]
    with pytest.raises(ValidationError) as err:
        member_status_record(
            actor=tree["admin_a"],
            member=member,
            data=StatusInput(
                kind="留党察看",
                started_on=dt.date(2026, 12, 1),
                decided_by=" ",
                ends_on=dt.date(2029, 1, 1),
            ),
            today=TODAY,
        )
    messages = err.value.message_dict
    assert set(messages) == {"started_on", "decided_by", "ends_on"}
    assert "两年" in messages["ends_on"][0]
    with pytest.raises(ValidationError, match="期满"):
        member_status_record(
            actor=tree["admin_a"],
            member=member,
            data=_watch(dt.date(2026, 1, 1), None),
            today=TODAY,
        )
    assert not member.statuses.exists()
    assert not AuditEntry.objects.filter(action="member.status").exists()


@pytest.mark.django_db
def test_other_subtree_cannot_record_a_standing(tree):
    with pytest.raises(PermissionDenied):
        member_status_record(
            actor=tree["admin_b"],
            member=tree["members_a"][0],
            data=_watch(dt.date(2025, 3, 1), dt.date(2026, 3, 1)),
            today=TODAY,
        )
    assert not tree["members_a"][0].statuses.exists()
