"""The roll on a date (RollEvent spans): every write of the roll records its event, and the roll
of a branch on a day is read from them at every boundary."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.members.history import events_backfill, roll_on_many
from dangjian.members.models import Member, MemberCount, PostTerm, RollEvent
from dangjian.members.selectors import roll_on
from dangjian.members.services import (
    StatusInput,
    member_convert,
    member_move,
    member_redate,
    member_status_record,
    member_update,
)
from tests.factories import make_member, make_org

D = dt.date
TODAY = D(2026, 11, 20)


def _ids(org, day):
    return set(roll_on(org, day).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_new_member_is_on_the_roll_from_the_day_of_joining(tree):
    branch = tree["branch_a"]
    member = make_member(branch, joined_on=D(2020, 6, 30), confirmed_on=D(2021, 6, 30))
    assert member.pk not in _ids(branch, D(2020, 6, 29))  # the day before
    assert member.pk in _ids(branch, D(2020, 6, 30))  # the day itself
    kinds = list(member.roll_events.order_by("on").values_list("kind", "on"))
    assert kinds == [("编入", D(2020, 6, 30)), ("转正", D(2021, 6, 30))]


@pytest.mark.django_db
def test_a_transfer_leaves_the_old_roll_and_joins_the_new_the_same_day(tree):
    a, b = tree["branch_a"], tree["branch_b"]
    member = tree["members_a"][0]
    moved = member_move(actor=SYSTEM, member=member, org=b, on=D(2026, 3, 1), reason="工作调动")
    assert moved.org == b
    assert member.pk in _ids(a, D(2026, 2, 28)) and member.pk not in _ids(b, D(2026, 2, 28))
    assert member.pk not in _ids(a, D(2026, 3, 1)) and member.pk in _ids(b, D(2026, 3, 1))
    rolls = roll_on_many([a.pk, b.pk], D(2026, 3, 1))
    assert sum(m.pk == member.pk for ms in rolls.values() for m in ms) == 1  # counted once
    out, came = RollEvent.objects.filter(member=member, kind__in=["转出", "转入"]).order_by("pk")
    assert (came.kind, came.org, came.on) == ("转入", b, D(2026, 3, 1))
    assert (out.kind, out.org, out.on) == ("转出", a, D(2026, 3, 1))
    assert "工作调动" in came.reason
    counts = {c.org_id: c.full for c in MemberCount.objects.filter(org__in=[a, b])}
    assert counts[a.pk] == 3 and counts[b.pk] == 3
    entry = AuditEntry.objects.filter(action="member.update").latest("pk")
    assert entry.after["org"] == b.code and entry.after["moved_on"] == "2026-03-01"


@pytest.mark.django_db
def test_moved_twice_the_same_day_ends_on_the_last_roll_only(tree):
    a, b = tree["branch_a"], tree["branch_b"]
    c = make_org(tree["town_a"], code="BA002", name="甲村第二党支部")
    member = tree["members_a"][0]
    member_move(actor=SYSTEM, member=member, org=b, on=D(2026, 3, 1), reason="")
    member_move(actor=SYSTEM, member=member, org=c, on=D(2026, 3, 1), reason="")
    assert member.pk not in _ids(b, D(2026, 3, 1)) | _ids(a, D(2026, 3, 1))
    assert member.pk in _ids(c, D(2026, 3, 1)) and member.pk in _ids(a, D(2026, 2, 28))


@pytest.mark.django_db
def test_move_refuses_what_cannot_be_and_writes_nothing(tree):
    member = tree["members_a"][0]
    events = RollEvent.objects.count()
    cases = [
        (tree["town_b"], D(2026, 3, 1), "org"),  # a 党委 keeps no roll
        (tree["branch_a"], D(2026, 3, 1), "org"),  # already there
        (tree["branch_b"], D(2009, 1, 1), "on"),  # before joining
        (tree["branch_b"], D(2999, 1, 1), "on"),  # in the future
    ]
    for org, on, field in cases:
        with pytest.raises(ValidationError) as caught:
            member_move(actor=SYSTEM, member=member, org=org, on=on, reason="")
        assert field in caught.value.message_dict
    member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 3, 1), reason="")
    with pytest.raises(ValidationError) as caught:  # back before the day it arrived
        member_move(actor=SYSTEM, member=member, org=tree["branch_a"], on=D(2026, 2, 1), reason="")
    assert "编入乙社区党支部的日期 2026-03-01" in caught.value.message_dict["on"][0]
    assert RollEvent.objects.count() == events + 2
    with pytest.raises(PermissionDenied):  # the right over both ends
        member_move(
            actor=tree["admin_b"], member=member, org=tree["branch_a"], on=D(2026, 4, 1), reason=""
        )


@pytest.mark.django_db
def test_a_member_out_of_the_party_cannot_be_moved(tree):
    member = tree["members_a"][0]
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind="死亡", started_on=D(2026, 5, 1), decided_by="甲村党支部"),
        today=TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 6, 1), reason="")
    assert "已不在党员名册中（死亡）" in caught.value.message_dict["member"][0]


@pytest.mark.django_db
def test_death_and_expulsion_end_the_span_on_their_day(tree):
    branch = tree["branch_a"]
    dead, out = tree["members_a"][:2]
    for member, kind in ((dead, "死亡"), (out, "开除党籍")):
        member_status_record(
            actor=SYSTEM,
            member=member,
            data=StatusInput(kind=kind, started_on=D(2026, 5, 1), decided_by="甲镇党委"),
            today=TODAY,
        )
    assert {dead.pk, out.pk} <= _ids(branch, D(2026, 4, 30))
    assert not {dead.pk, out.pk} & _ids(branch, D(2026, 5, 1))
    assert dead.roll_events.filter(kind="死亡", on=D(2026, 5, 1)).exists()
    assert out.roll_events.filter(kind="出党", on=D(2026, 5, 1)).exists()


@pytest.mark.django_db
def test_a_leaving_status_with_an_end_puts_the_member_back_from_the_end(tree):
    branch, member = tree["branch_a"], tree["members_a"][0]
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(
            kind="除名", started_on=D(2025, 5, 1), ends_on=D(2025, 9, 1), decided_by="甲镇党委"
        ),
        today=TODAY,
    )
    assert member.pk in _ids(branch, D(2025, 4, 30))
    assert member.pk not in _ids(branch, D(2025, 5, 1))
    assert member.pk not in _ids(branch, D(2025, 8, 31))
    assert member.pk in _ids(branch, D(2025, 9, 1))
    assert member.roll_events.filter(kind="恢复党籍", on=D(2025, 9, 1)).exists()


@pytest.mark.django_db
def test_probation_watch_keeps_the_member_on_the_roll_and_is_noted(tree):
    branch, member = tree["branch_a"], tree["members_a"][0]
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(
            kind="留党察看", started_on=D(2025, 5, 1), ends_on=D(2026, 5, 1), decided_by="甲镇党委"
        ),
        today=TODAY,
    )
    assert member.pk in _ids(branch, D(2025, 5, 1)) and member.pk in _ids(branch, D(2026, 5, 1))
    note = member.roll_events.get(kind="状态变更")
    assert note.on == D(2025, 5, 1) and "留党察看" in note.reason


@pytest.mark.django_db
def test_a_status_before_the_member_came_is_refused(tree):
    member = tree["members_a"][0]
    member_move(actor=SYSTEM, member=member, org=tree["branch_b"], on=D(2026, 3, 1), reason="")
    with pytest.raises(ValidationError) as caught:
        member_status_record(
            actor=SYSTEM,
            member=member,
            data=StatusInput(kind="死亡", started_on=D(2026, 2, 1), decided_by="乙社区党支部"),
            today=TODAY,
        )
    assert "2026-03-01" in caught.value.message_dict["started_on"][0]
    assert not member.statuses.exists()


@pytest.mark.django_db
def test_convert_and_redate_are_recorded(tree):
    branch = tree["branch_a"]
    member = make_member(branch, member_type="预备党员", joined_on=D(2025, 7, 1))
    member_redate(actor=SYSTEM, member=member, joined_on=D(2025, 7, 3))
    assert member.pk not in _ids(branch, D(2025, 7, 2)) and member.pk in _ids(branch, D(2025, 7, 3))
    member_convert(actor=SYSTEM, member=member, confirmed_on=D(2026, 7, 3))
    kinds = list(member.roll_events.order_by("on", "pk").values_list("kind", flat=True))
    assert kinds == ["编入", "更正", "转正"]


@pytest.mark.django_db
def test_an_edit_that_changes_the_branch_transfers_today(tree, monkeypatch):
    from dangjian.members import services
    from dangjian.members.services import MemberInput

    monkeypatch.setattr(services.timezone, "localdate", lambda: TODAY)
    member = Member.objects.select_related("org").get(pk=tree["members_a"][0].pk)
    data = MemberInput(
        name=member.name,
        id_number=member.id_number(),
        member_type=member.member_type,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
        org=tree["branch_b"],
        post="组织委员",
    )
    member_update(actor=SYSTEM, member=member, data=data)
    assert member.pk in _ids(tree["branch_a"], TODAY - dt.timedelta(days=1))
    assert member.pk in _ids(tree["branch_b"], TODAY)
    assert member.pk not in _ids(tree["branch_a"], TODAY)
    term = PostTerm.objects.get(member=member)
    assert (term.org, term.post, term.started_on) == (tree["branch_b"], "组织委员", TODAY)


@pytest.mark.django_db
def test_backfill_approximates_the_history_of_records_without_one(tree):
    member = tree["members_a"][0]
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind="停止党籍", started_on=D(2025, 1, 1), decided_by="甲镇党委"),
        today=TODAY,
    )
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind="除名", started_on=D(2025, 8, 1), decided_by="甲镇党委"),
        today=TODAY,
    )
    recorded = list(member.roll_events.order_by("on", "kind").values_list("kind", "on", "ended_on"))
    RollEvent.objects.all().delete()
    written = events_backfill()
    assert written == RollEvent.objects.count() and written >= 7
    rebuilt = list(member.roll_events.order_by("on", "kind").values_list("kind", "on", "ended_on"))
    assert rebuilt == recorded
    assert member.pk in _ids(tree["branch_a"], D(2025, 7, 31))
    assert member.pk not in _ids(tree["branch_a"], D(2025, 8, 1))
    assert events_backfill() == 0  # only records without a history
