"""换届: a 党工委 and a 临时党支部 have no term; an approved election delay (延期换届) is
recorded with its approving body and new deadline, at most one year after the term's end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.members.services import ParticipationInput, participation_add
from dangjian.orgs.models import ElectionDelay
from dangjian.orgs.selectors import election_delay_current
from dangjian.orgs.services import (
    ElectionDelayInput,
    OrgInput,
    org_election_delay_record,
    org_update,
)
from tests.factories import make_org

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize("org_type", ["党工委", "临时党支部"])
def test_no_term_for_appointed_or_temporary_organizations(tree, org_type):
    org = make_org(tree["root"] if org_type == "党工委" else tree["town_a"], org_type=org_type,
                   sector="社区", term_started_on=D(2019, 1, 5), term_years=5)  # fmt: skip
    assert not org.has_term
    assert org.effective_term_years is None and org.term_ends_on is None


def _delay(**kw):
    data = {
        "approved_by": "中共测试区委组织部",
        "approved_on": D(2026, 5, 20),
        "new_deadline": D(2026, 12, 31),
        "decision_no": "测组字〔2026〕12号",
        "reason": "村（社区）两委换届统一安排",
    }
    data.update(kw)
    return ElectionDelayInput(**data)


@pytest.mark.django_db
def test_delay_is_recorded_for_the_current_term_and_audited(tree):
    branch = make_org(tree["town_a"], sector="机关", code="DL001", term_started_on=D(2023, 6, 1))
    assert branch.term_ends_on == D(2026, 6, 1)
    delay = org_election_delay_record(actor=tree["admin_a"], org=branch, data=_delay())
    assert (delay.term_started_on, delay.term_ends_on) == (D(2023, 6, 1), D(2026, 6, 1))
    entry = AuditEntry.objects.filter(action="org.election_delay").get()
    assert entry.object_id == "DL001" and entry.after["new_deadline"] == "2026-12-31"
    assert election_delay_current(branch, D(2026, 5, 19)) is None  # not yet approved
    assert election_delay_current(branch, D(2026, 5, 20)) == delay
    # a new election starts a new term: the old delay stays with the old term
    branch = org_update(actor=tree["admin_a"], org=branch, data=OrgInput(
        code="DL001", name=branch.name, org_type="党支部", sector="机关",
        term_started_on=D(2026, 11, 2)))  # fmt: skip
    assert election_delay_current(branch, D(2026, 11, 23)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes,field,text",
    [
        ({"new_deadline": D(2027, 6, 2)}, "new_deadline", "截止日期最晚为 2027-06-01"),
        ({"new_deadline": D(2026, 6, 1)}, "new_deadline", "应晚于原届满日期 2026-06-01"),
        ({"approved_by": " "}, "approved_by", "批准延期的上级党组织"),
        ({"approved_on": D(2026, 11, 24)}, "approved_on", "晚于今天"),
        ({"approved_on": D(2023, 5, 1)}, "approved_on", "早于本届任期开始日期"),
    ],
)
def test_delay_checks(tree, changes, field, text):
    branch = make_org(tree["town_a"], sector="机关", code="DL002", term_started_on=D(2023, 6, 1))
    with pytest.raises(ValidationError) as info:
        org_election_delay_record(actor=tree["admin_a"], org=branch, data=_delay(**changes))
    assert text in " ".join(info.value.message_dict[field])
    assert not ElectionDelay.objects.exists()


@pytest.mark.django_db
def test_delay_needs_a_term_and_the_right(tree):
    no_term = make_org(tree["root"], org_type="党工委", sector="机关", code="GW001",
                       term_started_on=D(2020, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="不实行任期换届"):
        org_election_delay_record(actor=tree["admin"], org=no_term, data=_delay())
    unknown = make_org(tree["town_a"], sector="机关", code="DL003")
    with pytest.raises(ValidationError, match="先登记本届任期开始日期"):
        org_election_delay_record(actor=tree["admin_a"], org=unknown, data=_delay())
    branch = make_org(tree["town_a"], sector="机关", code="DL004", term_started_on=D(2023, 6, 1))
    for actor in ("admin_b", "secretary_a", "inspector_a"):
        with pytest.raises(PermissionDenied):
            org_election_delay_record(actor=tree[actor], org=branch, data=_delay())
    assert not ElectionDelay.objects.exists()


@pytest.mark.django_db
def test_retyping_to_a_temporary_branch_needs_an_empty_roll(tree):
    branch = tree["branch_a"]
    data = OrgInput(code=branch.code, name=branch.name, org_type="临时党支部", sector="农村")
    with pytest.raises(ValidationError) as info:
        org_update(actor=tree["admin_a"], org=branch, data=data)
    message = info.value.message_dict["org_type"][0]
    assert "该组织有党员 4 名，不能改为临时党支部" in message and "组织关系仍在原党支部" in message


@pytest.mark.django_db
def test_a_temporary_branch_with_current_participants_keeps_its_type(tree):
    temp = make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS010")
    participation_add(
        actor=tree["admin_a"],
        data=ParticipationInput(org=temp, member=tree["members_a"][0], started_on=D(2026, 4, 1)),
    )
    data = OrgInput(code=temp.code, name=temp.name, org_type="党支部", sector="农村")
    with pytest.raises(ValidationError, match="1 名参加人员未结束参加"):
        org_update(actor=tree["admin_a"], org=temp, data=data)
