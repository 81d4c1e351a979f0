import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.members.services import MemberInput, member_create, member_reveal, member_update
from tests.factories import make_id_number, make_member


def _bad_check_digit():
    good = make_id_number(dt.date(1985, 5, 5))
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def _data(org, **kw):
    base = dict(
        name="张三",
        id_number=make_id_number(dt.date(1985, 5, 5)),
        member_type="正式党员",
        joined_on=dt.date(2010, 7, 1),
        confirmed_on=dt.date(2011, 7, 1),
        org=org,
    )
    base.update(kw)
    return MemberInput(**base)


@pytest.mark.django_db
def test_numbers_encrypted_masked_and_audited_without_plain_values(tree):
    idn = make_id_number(dt.date(1990, 1, 2))
    member = member_create(
        actor=tree["secretary_a"], data=_data(tree["branch_a"], id_number=idn, phone="13812345678")
    )
    row = Member.objects.get(pk=member.pk)
    assert idn.encode() not in bytes(row.id_number_cipher)
    assert row.id_number_masked == idn[:6] + "********" + idn[-4:]
    assert row.phone_masked == "138****5678"
    assert row.id_number() == idn and row.phone() == "13812345678"
    assert row.birth_date == dt.date(1990, 1, 2)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "member.create"
    assert idn not in str(entry.after) and "13812345678" not in str(entry.after)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"id_number": _bad_check_digit()}, "id_number"),
        (
            {"gender": "女", "id_number": make_id_number(dt.date(1985, 5, 5), female=False)},
            "gender",
        ),
        ({"birth_date": dt.date(1985, 5, 6)}, "birth_date"),
        ({"confirmed_on": None}, "confirmed_on"),
        ({"member_type": "预备党员"}, "confirmed_on"),
        ({"joined_on": dt.date(2026, 11, 26)}, "joined_on"),  # 3 days after the suite day
        ({"post": "主任"}, "post"),
        ({"phone": "12345"}, "phone"),
        ({"category": "外星人"}, "category"),
    ],
)
def test_bad_member_input(tree, kw, field):
    count = Member.objects.count()
    with pytest.raises(ValidationError) as info:
        member_create(actor=tree["admin"], data=_data(tree["branch_a"], **kw))
    assert field in info.value.message_dict
    assert Member.objects.count() == count


@pytest.mark.django_db
def test_member_cannot_join_a_committee(tree):
    with pytest.raises(ValidationError) as info:
        member_create(actor=tree["admin"], data=_data(tree["town_a"]))
    assert "党员只能编入党支部" in info.value.message_dict["org"][0]


@pytest.mark.django_db
def test_duplicate_id_and_second_secretary(tree):
    existing = tree["members_a"][0]
    with pytest.raises(ValidationError, match="已登记"):
        member_create(
            actor=tree["admin"], data=_data(tree["branch_b"], id_number=existing.id_number())
        )
    make_member(tree["branch_a"], post="书记")
    with pytest.raises(ValidationError, match="已有书记"):
        member_create(actor=tree["admin"], data=_data(tree["branch_a"], post="书记"))


@pytest.mark.django_db
def test_scope_on_create_update_and_reveal(tree):
    member = tree["members_b"][0]
    audit = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        member_create(actor=tree["secretary_a"], data=_data(tree["branch_b"]))
    with pytest.raises(PermissionDenied):
        member_update(
            actor=tree["admin_a"],
            member=member,
            data=_data(tree["branch_b"], id_number=member.id_number()),
        )
    with pytest.raises(PermissionDenied):
        member_reveal(actor=tree["inspector_a"], member=tree["members_a"][0])
    assert AuditEntry.objects.count() == audit
    member.refresh_from_db()
    assert member.name != "张三"


@pytest.mark.django_db
def test_reveal_is_audited(tree):
    member = tree["members_b"][0]
    shown = member_reveal(actor=tree["admin_b"], member=member)
    assert shown["phone"] == "13812345678"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_name, entry.object_id) == (
        "member.view_pii",
        "admin_b",
        str(member.pk),
    )
