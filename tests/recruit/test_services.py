"""Recruitment services: validation, late entry, scope and audit, decisions and their roll
effects (admission, conversion, extension, cancellation), approver authority, plans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.recruit import services
from dangjian.recruit.authority import approver_problem, eligible_approvers
from dangjian.recruit.case import PRIORITY_GROUPS
from dangjian.recruit.models import (
    PriorityGroup,
    RecruitCase,
    RecruitPlan,
    RecruitStep,
)
from dangjian.recruit.selectors import case_findings
from tests.factories import make_id_number, make_org
from tests.recruit.helpers import TODAY, D, open_case, step, vote, walk_to_admission


def rules(case: RecruitCase, at: dt.date = TODAY) -> set[tuple[str, str]]:
    case = RecruitCase.objects.get(pk=case.pk)
    return {(f.rule, f.severity) for f in case_findings(case, at).findings}


@pytest.mark.django_db
def test_open_case_encrypts_masks_records_step_one_and_audits(tree):
    number = make_id_number(D(2001, 5, 6), female=True)
    case = open_case(tree["branch_a"], D(2025, 3, 1), id_number=number, phone="13912345678")
    assert case.case_no == f"R2025-{case.pk:06d}"
    assert case.gender == "女" and case.birth_date == D(2001, 5, 6)
    assert case.id_number() == number and number not in case.id_number_masked
    assert case.phone() == "13912345678" and case.phone_masked != "13912345678"
    assert list(case.steps.values_list("number", "done_on")) == [(1, D(2025, 3, 1))]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["recruit.case_open", "recruit.step_record"]
    assert number not in str(AuditEntry.objects.order_by("-seq")[1].after)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "110105200105060000"}, "id_number"),
        ({"applied_on": D(2026, 11, 2)}, "applied_on"),
        ({"name": " "}, "name"),
        ({"priority_group": "学生"}, "priority_group"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_open_case_refuses_untrue_input_and_writes_nothing(tree, change, field):
    before = (RecruitCase.objects.count(), AuditEntry.objects.count())
    kw = {"applied_on": D(2025, 3, 1), **change}
    applied = kw.pop("applied_on")
    with pytest.raises(ValidationError) as exc:
        open_case(tree["branch_a"], applied, **kw)
    assert field in exc.value.message_dict
    assert (RecruitCase.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_open_case_only_at_a_branch_and_not_twice(tree):
    with pytest.raises(ValidationError, match="党支部"):
        open_case(tree["town_a"])
    number = make_id_number()
    open_case(tree["branch_a"], id_number=number)
    with pytest.raises(ValidationError, match="进行中"):
        open_case(tree["branch_b"], id_number=number)
    member = tree["members_a"][0]
    with pytest.raises(ValidationError, match="党员名册"):
        open_case(tree["branch_a"], id_number=member.id_number())


@pytest.mark.django_db
def test_late_step_is_kept_and_marked_future_step_refused(tree):
    case = open_case(tree["branch_a"], D(2026, 9, 1))
    on_time = step(case, 2, D(2026, 10, 2), today=D(2026, 11, 1))  # 30 days: not late
    assert on_time.late is False
    case2 = open_case(tree["branch_a"], D(2026, 9, 1), id_number=make_id_number())
    late = step(case2, 2, D(2026, 10, 1), today=D(2026, 11, 1))  # 31 days
    assert late.late is True
    with pytest.raises(ValidationError, match="晚于今天"):
        step(case, 3, D(2026, 11, 2), today=D(2026, 11, 1))


@pytest.mark.django_db
def test_a_procedural_mistake_is_saved_and_becomes_a_finding(tree):
    case = open_case(tree["branch_a"], D(2025, 1, 10))
    step(case, 2, D(2025, 3, 1))  # talk after more than a month
    step(case, 3, D(2025, 2, 1))  # activist before the talk, within 6 months of applying
    assert case.steps.count() == 3
    found = rules(case)
    assert ("RECRUIT-TALK-1-MONTH", "error") in found
    assert ("RECRUIT-ORDER", "error") in found
    assert ("RECRUIT-APPLICATION-6-MONTHS", "warning") in found


@pytest.mark.django_db
def test_correcting_a_step_updates_it_and_audits_before_and_after(tree):
    case = open_case(tree["branch_a"], D(2025, 1, 10))
    first = step(case, 2, D(2025, 1, 20), talker="李")
    again = step(case, 2, D(2025, 1, 21), talker="李")
    assert first.pk == again.pk and again.done_on == D(2025, 1, 21)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "recruit.step_update"
    assert entry.before["done_on"] == "2025-01-20" and entry.after["done_on"] == "2025-01-21"


# --- scope ---------------------------------------------------------------------------------------


def _state():
    return (
        RecruitCase.objects.count(),
        RecruitStep.objects.count(),
        Member.objects.count(),
        AuditEntry.objects.count(),
        RecruitPlan.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "action"),
    [
        ("admin_b", "open"),
        ("inspector_a", "open"),
        ("auditor", "open"),
        ("admin_b", "step"),
        ("inspector_a", "step"),
        ("secretary_a", "approve"),  # a branch cannot approve its own admission
        ("admin_b", "approve"),
        ("secretary_a", "plan"),
        ("admin_b", "plan"),
        ("sysadmin", "step"),
    ],
)
def test_denied_writes_change_nothing(tree, user, action):
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    step(case, 15, D(2024, 8, 1), vote=vote())
    before = _state()
    actor = tree[user]
    with pytest.raises(PermissionDenied):
        if action == "open":
            open_case(tree["branch_a"], actor=actor, id_number=make_id_number())
        elif action == "step":
            step(case, 2, D(2024, 1, 20), actor=actor)
        elif action == "approve":
            services.decide(
                actor=actor, case=case, step=17, decided_on=D(2024, 9, 1), decision="approved"
            )
        else:
            services.set_plan(actor=actor, org=tree["branch_a"], year=2025, quota=3)
    assert _state() == before


@pytest.mark.django_db
def test_allowed_actors(tree):
    case = open_case(tree["branch_a"], D(2024, 1, 10), actor=tree["secretary_a"])
    step(case, 2, D(2024, 1, 20), actor=tree["secretary_a"])
    step(case, 15, D(2024, 8, 1), vote=vote(), actor=tree["secretary_a"])
    services.decide(
        actor=tree["admin_a"], case=case, step=17, decided_on=D(2024, 9, 1), decision="approved"
    )
    services.set_plan(actor=tree["admin_a"], org=tree["town_a"], year=2025, quota=3)
    entries = AuditEntry.objects.filter(action="recruit.step_record").order_by("seq")
    assert [e.actor_id for e in entries] == [tree["secretary_a"].pk] * 3 + [tree["admin_a"].pk]


# --- roll effects ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admission_puts_a_probationary_member_on_the_roll_with_the_vote_date(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    member = case.member
    assert case.status == "admitted"
    assert member.member_type == "预备党员" and member.confirmed_on is None
    assert member.joined_on == D(2024, 8, 20) and member.org == tree["branch_a"]
    assert member.id_number() == case.id_number() and member.name == case.name
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()
    # the whole clean walk has no error or warning
    assert {r for r in rules(case, D(2024, 9, 21)) if r[1] != "due"} == set()


@pytest.mark.django_db
def test_conversion_makes_a_full_member_confirmed_at_the_end_of_probation(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    step(case, 22, D(2025, 8, 1))
    step(case, 23, D(2025, 8, 21), vote=vote())
    services.decide(
        actor=SYSTEM, case=case, step=24, decided_on=D(2025, 9, 1), decision="approved", today=TODAY
    )
    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == "converted"
    assert case.member.member_type == "正式党员"
    assert case.member.confirmed_on == D(2025, 8, 20)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("months", "ends", "finding"), [(6, D(2026, 2, 20), False), (13, D(2026, 9, 20), True)]
)
def test_extended_probation(tree, months, ends, finding):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    step(case, 22, D(2025, 8, 1))
    step(case, 23, D(2025, 8, 21), vote=vote())
    services.decide(
        actor=SYSTEM,
        case=case,
        step=24,
        decided_on=D(2025, 9, 1),
        decision="extended",
        extension_months=months,
        today=TODAY,
    )
    case.refresh_from_db()
    assert case.status == "admitted" and case.probation_extension_months == months
    assert ("RECRUIT-EXTENSION", "error") in rules(case) if finding else True
    assert ("RECRUIT-EXTENSION", "error") not in rules(case) if not finding else True
    # the conversion is discussed again (round 2) after the extended probation
    second = step(case, 23, ends, vote=vote())
    assert second.round == 2
    services.decide(
        actor=SYSTEM, case=case, step=24, decided_on=ends, decision="approved", today=TODAY
    )
    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == "converted" and case.member.confirmed_on == ends
    assert ("RECRUIT-PROBATION-1-YEAR", "error") not in rules(case)
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.decide(
            actor=SYSTEM,
            case=case,
            step=24,
            decided_on=ends,
            decision="extended",
            extension_months=6,
            today=TODAY,
        )


@pytest.mark.django_db
def test_cancelled_probation_takes_the_member_off_the_roll(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    member_pk = case.member.pk
    step(case, 23, D(2025, 8, 21), vote=vote())
    services.decide(
        actor=SYSTEM,
        case=case,
        step=24,
        decided_on=D(2025, 9, 1),
        decision="cancelled",
        today=TODAY,
    )
    case.refresh_from_db()
    assert case.status == "probation_cancelled" and case.member is None
    assert not Member.objects.filter(pk=member_pk).exists()
    entry = AuditEntry.objects.get(action="member.delete", object_id=str(member_pk))
    assert entry.after["reason"] == "取消预备党员资格"
    with pytest.raises(ValidationError, match="不能再记录"):
        step(case, 25, D(2025, 9, 2))


@pytest.mark.django_db
def test_rejected_admission_closes_the_case_without_a_member(tree):
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    step(case, 15, D(2024, 8, 1), vote=vote(yes=5))
    services.decide(
        actor=SYSTEM, case=case, step=17, decided_on=D(2024, 9, 1), decision="rejected", today=TODAY
    )
    case.refresh_from_db()
    assert case.status == "not_admitted" and case.member is None
    assert Member.objects.filter(org=tree["branch_a"]).count() == 4


@pytest.mark.django_db
def test_approval_needs_the_vote_date_and_a_decision(tree):
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    with pytest.raises(ValidationError, match="第 15 步"):
        services.decide(
            actor=SYSTEM, case=case, step=17, decided_on=D(2024, 9, 1), decision="approved"
        )
    with pytest.raises(ValidationError, match="审批结论"):
        step(case, 17, D(2024, 9, 1))
    assert case.steps.count() == 1 and Member.objects.count() == 6


# --- approver authority ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_approver_authority_and_eligible_approvers(tree):
    town = tree["town_a"]  # 甲镇党委: a town committee
    village_committee = make_org(town, org_type="党委", sector="农村", name="甲村党委")
    general = make_org(village_committee, org_type="党总支", sector="农村", name="甲村第一党总支")
    branch = make_org(general, org_type="党支部", sector="农村", name="甲村第一党支部")
    assert eligible_approvers(branch) == [town, tree["root"]]
    assert "党总支" in (approver_problem(general) or "")
    assert "乡镇/街道" in (approver_problem(village_committee) or "")
    assert approver_problem(town) is None
    case = open_case(branch)
    for bad in (general, village_committee, tree["town_b"]):
        with pytest.raises(ValidationError):
            services.set_approver(actor=SYSTEM, case=case, approver=bad)
    services.set_approver(actor=SYSTEM, case=case, approver=town)
    case.refresh_from_db()
    assert case.approver == town


@pytest.mark.django_db
def test_town_committee_recognised_by_region_code(tree):
    town = make_org(
        tree["root"],
        org_type="党委",
        sector="农村",
        name="中共丙委员会",
        region_code="110105003000",
    )
    village = make_org(
        town, org_type="党委", sector="农村", name="中共丁村委员会", region_code="110105003201"
    )
    enterprise = make_org(tree["root"], org_type="党委", sector="国有企业", name="某集团党委")
    assert approver_problem(village) is not None
    assert approver_problem(town) is None
    assert approver_problem(enterprise) is None


# --- plans ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_plan_replaces_quotas_and_validates(tree):
    plan = services.set_plan(
        actor=SYSTEM, org=tree["town_a"], year=2025, quota=5, group_quotas={"青年": 2, "农民": 1}
    )
    assert {q.priority_group: q.quota for q in plan.quotas.all()} == {"青年": 2, "农民": 1}
    plan = services.set_plan(
        actor=SYSTEM, org=tree["town_a"], year=2025, quota=4, group_quotas={"青年": 1}
    )
    assert RecruitPlan.objects.count() == 1
    assert {q.priority_group: q.quota for q in plan.quotas.all()} == {"青年": 1}
    assert AuditEntry.objects.order_by("-seq").first().before["quota"] == 5
    with pytest.raises(ValidationError, match="超过计划总数"):
        services.set_plan(
            actor=SYSTEM, org=tree["town_a"], year=2025, quota=1, group_quotas={"青年": 2}
        )
    with pytest.raises(ValidationError, match="未知重点群体"):
        services.set_plan(
            actor=SYSTEM, org=tree["town_a"], year=2025, quota=1, group_quotas={"学生": 1}
        )


def test_priority_groups_agree_between_model_and_checker():
    assert tuple(PriorityGroup.values) == PRIORITY_GROUPS


@pytest.mark.django_db
def test_correcting_the_vote_date_after_admission_moves_the_roll_dates(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    step(case, 15, D(2024, 8, 21), vote=vote())
    case.member.refresh_from_db()
    assert case.member.joined_on == D(2024, 8, 21)
    step(case, 23, D(2025, 8, 22), vote=vote())
    services.decide(
        actor=SYSTEM, case=case, step=24, decided_on=D(2025, 9, 1), decision="approved", today=TODAY
    )
    # the conversion date itself can be corrected; the decision cannot be changed
    services.decide(
        actor=SYSTEM, case=case, step=24, decided_on=D(2025, 9, 2), decision="approved", today=TODAY
    )
    with pytest.raises(ValidationError, match="不能更改"):
        services.decide(
            actor=SYSTEM, case=case, step=24, decided_on=D(2025, 9, 2), decision="cancelled"
        )
    step(case, 15, D(2024, 8, 20), vote=vote())
    case.member.refresh_from_db()
    assert (case.member.joined_on, case.member.confirmed_on) == (D(2024, 8, 20), D(2025, 8, 20))


@pytest.mark.django_db
def test_a_procedural_mistake_is_saved_and_its_finding_audited(tree):
    from dangjian.core.models import AuditEntry as _Audit
    from tests.recruit.helpers import D as _D
    from tests.recruit.helpers import open_case as _open
    from tests.recruit.helpers import step as _step

    case = _open(tree["branch_a"], _D(2025, 1, 5))
    _step(case, 2, _D(2025, 1, 20), talker="书记")
    assert (
        _Audit.objects.filter(action="recruit.step_record").order_by("seq").last().after["findings"]
        == []
    )
    saved = _step(case, 3, _D(2025, 3, 1))  # an activist after two months, not six: not refused
    assert saved.pk is not None
    entry = _Audit.objects.filter(action="recruit.step_record").order_by("seq").last()
    assert "RECRUIT-APPLICATION-6-MONTHS" in entry.after["findings"]
