"""The membership oracle (issue 11): an ID number held outside the actor's scope is refused
without saying that the person is a member or where, the same way on the page, the API and in an
import, and the attempt is audited; the residence-community lookup answers an out-of-scope code
as it answers an unknown one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.exchange.importers import import_members
from dangjian.members.models import Member
from dangjian.members.services import (
    ID_NUMBER_REFUSED,
    MemberInput,
    member_create,
    member_update,
)
from tests.exchange.helpers import member_row, members_file
from tests.factories import make_id_number, make_member

pytestmark = pytest.mark.django_db

#: what the refusal must not tell: that the person is on a roll, or where
TELLING = ("党员", "登记在册", "乙社区党支部", "BB001", "乙街道")


def _data(org, id_number, **extra) -> MemberInput:
    return MemberInput(
        name="新同志",
        id_number=id_number,
        member_type="预备党员",
        joined_on=dt.date(2025, 7, 1),
        org=org,
        **extra,
    )


def _refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="member.id_refused").order_by("seq"))


def _assert_neutral(text: str) -> None:
    for word in TELLING:
        assert word not in text, word


def test_an_id_number_held_elsewhere_is_refused_without_saying_so_and_audited(tree):
    holder = tree["members_b"][0]
    count = Member.objects.count()
    with pytest.raises(ValidationError) as info:
        member_create(actor=tree["secretary_a"], data=_data(tree["branch_a"], holder.id_number()))
    assert info.value.message_dict["id_number"] == [ID_NUMBER_REFUSED]
    _assert_neutral(ID_NUMBER_REFUSED)
    assert "组织关系转接" in ID_NUMBER_REFUSED
    assert Member.objects.count() == count
    [entry] = _refusals()  # the refusal rolled back; its record stays
    assert entry.actor_id == tree["secretary_a"].pk and entry.object_id == str(holder.pk)
    assert entry.scope_path == tree["branch_a"].path
    assert entry.after["tried_in"] == "BA001" and entry.after["held_in"] == "BB001"
    assert holder.id_number() not in str(entry.after)  # masked, as everywhere in the trail


def test_an_id_number_in_scope_names_the_member_and_is_not_a_probe(tree):
    holder = tree["members_a"][0]
    with pytest.raises(ValidationError) as info:
        member_create(actor=tree["secretary_a"], data=_data(tree["branch_a"], holder.id_number()))
    [message] = info.value.message_dict["id_number"]
    assert message.startswith("该公民身份号码已登记在册") and holder.name in message
    assert _refusals() == []


def test_changing_an_id_number_to_one_held_elsewhere_is_refused_and_audited(tree):
    member, holder = tree["members_a"][1], tree["members_b"][1]
    with pytest.raises(ValidationError) as info:
        member_update(
            actor=tree["secretary_a"],
            member=member,
            data=_data(tree["branch_a"], holder.id_number(), confirmed_on=None),
        )
    assert info.value.message_dict["id_number"] == [ID_NUMBER_REFUSED]
    assert [e.object_id for e in _refusals()] == [str(holder.pk)]


def test_the_page_and_the_api_say_nothing_more(tree, login, api):
    holder = tree["members_b"][0]
    page = login(tree["secretary_a"]).post(
        reverse("web:member_new", args=["BA001"]),
        {
            "name": "新同志",
            "id_number": holder.id_number(),
            "member_type": "预备党员",
            "joined_on": "2025-07-01",
        },
    )
    assert page.status_code in (200, 400)
    body = page.content.decode()
    assert "组织关系转接" in body and "登记在册" not in body and "乙社区党支部" not in body
    response = api("secretary_a").post(
        "/api/v1/members/",
        {
            "name": "新同志",
            "id_number": holder.id_number(),
            "member_type": "预备党员",
            "joined_on": "2025-07-01",
            "org": "BA001",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["id_number"] == [ID_NUMBER_REFUSED]
    _assert_neutral(response.content.decode())
    assert len(_refusals()) == 2


def test_an_import_refuses_the_same_way_and_is_audited(tree, tmp_path):
    holder = tree["members_b"][0]
    rows = [member_row("BA001", id_number=holder.id_number(), name="调入")]
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=tree["admin_a"])
    assert [(e.row, e.message) for e in report.errors] == [(2, ID_NUMBER_REFUSED)]
    [entry] = _refusals()
    assert entry.after["tried_in"] == "BA001" and "导入党员" in entry.after["via"]


def _post_member(client, **extra):
    body = {
        "name": "新同志",
        "id_number": make_id_number(),
        "member_type": "预备党员",
        "joined_on": "2025-07-01",
        "org": "BA001",
        **extra,
    }
    return client.post("/api/v1/members/", body, format="json")


def test_residence_lookup_answers_out_of_scope_codes_as_unknown_ones(tree, api):
    client = api("secretary_a")
    outside = _post_member(client, residence_community="BB001")  # a community, elsewhere
    unknown = _post_member(client, residence_community="ZZ999")
    assert outside.status_code == unknown.status_code == 400
    out_text = outside.json()["residence_community"][0].replace("BB001", "?")
    assert out_text == unknown.json()["residence_community"][0].replace("ZZ999", "?")
    # within scope the lookup works, and an unchanged value set by an upper level may stay
    assert _post_member(api("admin"), residence_community="BB001").status_code == 201
    member = make_member(tree["branch_a"], residence_community=tree["branch_b"])
    kept = client.patch(
        f"/api/v1/members/{member.pk}/", {"name": "改名", "residence_community": "BB001"}
    )
    assert kept.status_code == 200, kept.content


def test_import_residence_lookup_answers_out_of_scope_codes_as_unknown_ones(tree, tmp_path):
    rows = [
        member_row("BA001", name="甲", 现居住社区编码="BB001"),
        member_row("BA001", name="乙", 现居住社区编码="ZZ999"),
    ]
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=tree["admin_a"])
    messages = [e.message.replace(str(e.value), "?") for e in report.errors]
    assert len(messages) == 2 and messages[0] == messages[1]


def test_opening_a_recruitment_case_refuses_the_same_way(tree):
    """发展党员: a member or an open case elsewhere is not told apart from each other, nor named."""
    from tests.recruit.helpers import open_case

    member = tree["members_b"][0]
    elsewhere = open_case(tree["branch_b"]).id_number()
    for number in (member.id_number(), elsewhere):
        with pytest.raises(ValidationError) as info:
            open_case(tree["branch_a"], id_number=number, actor=tree["secretary_a"])
        assert info.value.message_dict["id_number"] == [ID_NUMBER_REFUSED]
    assert [e.after["via"] for e in _refusals()] == ["新建发展党员案例"] * 2
    assert [e.object_type for e in _refusals()] == ["member", "recruit_case"]
    # within scope the message still says what is wrong
    with pytest.raises(ValidationError, match="党员名册"):
        open_case(tree["branch_a"], id_number=tree["members_a"][0].id_number())
