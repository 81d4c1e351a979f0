"""Members who joined before 18 are refused; a 临时党支部 keeps no roll, its participants are
recorded separately (audited, within scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.idnumber import compose_id
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member, Participation
from dangjian.members.services import (
    MemberInput,
    ParticipationInput,
    StatusInput,
    member_create,
    member_status_record,
    participation_add,
    participation_end,
)
from tests.factories import make_org

D = dt.date


def _member(org, born: dt.date, joined: dt.date, **kw) -> MemberInput:
    return MemberInput(
        name=kw.pop("name", "刘建国"),
        id_number=compose_id("320102", born, 31),
        member_type="正式党员",
        joined_on=joined,
        confirmed_on=dt.date(joined.year + 1, joined.month, min(joined.day, 28)),
        org=org,
        **kw,
    )


@pytest.mark.django_db
def test_joined_the_day_before_the_18th_birthday_is_refused_with_the_dates(tree):
    with pytest.raises(ValidationError) as info:
        member_create(actor=SYSTEM, data=_member(tree["branch_a"], D(1971, 2, 2), D(1989, 2, 1)))
    message = info.value.message_dict["joined_on"][0]
    assert "入党日期 1989-02-01 时未满十八岁" in message
    assert "1971-02-02 出生" in message and "1989-02-02 年满十八岁" in message
    assert "党章第一条" in message
    assert not Member.objects.filter(name="刘建国").exists()


@pytest.mark.django_db
def test_joined_on_the_18th_birthday_is_accepted_also_for_29_february(tree):
    # born 1971 in 南京玄武区: the code (1983–) is newer than the birth, as on real cards
    member = member_create(
        actor=SYSTEM, data=_member(tree["branch_a"], D(1971, 2, 2), D(1989, 2, 2))
    )
    assert member.birth_date == D(1971, 2, 2) and member.id_number_masked.startswith("320102")
    leap = _member(tree["branch_a"], D(1980, 2, 29), D(1998, 2, 28), name="陈晓")
    leap.id_number = compose_id("320103", D(1980, 2, 29), 40)  # 白下区, abolished 2013
    assert member_create(actor=SYSTEM, data=leap).joined_on == D(1998, 2, 28)
    early = _member(tree["branch_a"], D(1980, 2, 29), D(1998, 2, 27), name="陈晨")
    early.id_number = compose_id("320103", D(1980, 2, 29), 42)
    with pytest.raises(ValidationError, match="1998-02-28 年满十八岁"):
        member_create(actor=SYSTEM, data=early)


@pytest.mark.django_db
def test_a_temporary_branch_keeps_no_roll(tree):
    temp = make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS001",
                    name="甲镇防汛临时党支部")  # fmt: skip
    with pytest.raises(ValidationError) as info:
        member_create(actor=SYSTEM, data=_member(temp, D(1970, 5, 1), D(1995, 7, 1)))
    message = info.value.message_dict["org"][0]
    assert "甲镇防汛临时党支部是临时党支部" in message
    assert "组织关系仍在原党支部" in message and "参加人员" in message
    assert not temp.members.exists()


def _temp(tree, **kw):
    return make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS002",
                    name="甲镇项目临时党支部", founded_on=D(2026, 3, 1), **kw)  # fmt: skip


@pytest.mark.django_db
def test_participants_keep_their_branch_and_are_audited(tree):
    temp = _temp(tree)
    member = tree["members_a"][0]
    item = participation_add(
        actor=tree["admin_a"],
        data=ParticipationInput(org=temp, member=member, started_on=D(2026, 3, 10), post="书记"),
    )
    member.refresh_from_db()
    assert member.org == tree["branch_a"]  # relations are not moved
    assert item.in_force(D(2026, 3, 10)) and not item.in_force(D(2026, 3, 9))
    entry = AuditEntry.objects.filter(action="participation.add").get()
    assert entry.object_id == "LS002" and entry.after["member_org"] == "BA001"
    assert entry.after["post"] == "书记"
    ended = participation_end(actor=tree["admin_a"], participation=item, ended_on=D(2026, 9, 30))
    assert ended.in_force(D(2026, 9, 30)) and not ended.in_force(D(2026, 10, 1))
    entry = AuditEntry.objects.filter(action="participation.end").get()
    assert entry.before["ended_on"] is None and entry.after["ended_on"] == "2026-09-30"
    with pytest.raises(ValidationError, match="已于 2026-09-30 结束"):
        participation_end(actor=tree["admin_a"], participation=item, ended_on=D(2026, 10, 1))


@pytest.mark.django_db
def test_participation_checks_each_say_what_is_wrong(tree):
    temp = _temp(tree)
    a, b = tree["members_a"][:2]
    participation_add(
        actor=SYSTEM,
        data=ParticipationInput(org=temp, member=a, started_on=D(2026, 3, 10), post="书记"),
    )
    cases = [
        (ParticipationInput(org=temp, member=a, started_on=D(2026, 4, 1)), "member", "已是"),
        (
            ParticipationInput(org=temp, member=b, started_on=D(2026, 4, 1), post="书记"),
            "post",
            f"已有书记（{a.name}）",
        ),
        (ParticipationInput(org=temp, member=b, started_on=D(2026, 2, 1)), "started_on", "成立"),
        (ParticipationInput(org=temp, member=b, started_on=D(2027, 1, 1)), "started_on", "今天"),
        (
            ParticipationInput(org=tree["branch_a"], member=b, started_on=D(2026, 4, 1)),
            "org",
            "只有临时党支部登记参加人员",
        ),
    ]
    for data, field, text in cases:
        with pytest.raises(ValidationError) as info:
            participation_add(actor=SYSTEM, data=data)
        assert text in " ".join(info.value.message_dict[field]), (field, text)
    assert Participation.objects.count() == 1


@pytest.mark.django_db
def test_a_member_out_of_the_party_cannot_take_part(tree):
    temp = _temp(tree)
    member = tree["members_a"][1]
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind="死亡", started_on=D(2026, 2, 1), decided_by="甲村党支部"),
    )
    with pytest.raises(ValidationError, match="已不在党员名册上（已出党、去世或转出）"):
        participation_add(
            actor=SYSTEM,
            data=ParticipationInput(org=temp, member=member, started_on=D(2026, 3, 10)),
        )


@pytest.mark.django_db
def test_participation_needs_the_right_on_the_temp_branch_and_sight_of_the_member(tree):
    temp = _temp(tree)
    data = ParticipationInput(org=temp, member=tree["members_b"][0], started_on=D(2026, 3, 10))
    # admin_a may change 甲镇 but cannot see the member of 乙街道
    with pytest.raises(PermissionDenied):
        participation_add(actor=tree["admin_a"], data=data)
    # admin_b sees the member but has no right on the 临时党支部 of 甲镇
    with pytest.raises(PermissionDenied):
        participation_add(actor=tree["admin_b"], data=data)
    with pytest.raises(PermissionDenied):
        participation_add(
            actor=tree["inspector_a"],
            data=ParticipationInput(
                org=temp, member=tree["members_a"][0], started_on=D(2026, 4, 1)
            ),
        )
    # the district administrator covers both
    assert participation_add(actor=tree["admin"], data=data).member == tree["members_b"][0]
    assert (
        not AuditEntry.objects.filter(actor_name__in=["admin_a", "admin_b"])
        .filter(action="participation.add")
        .exists()
    )
