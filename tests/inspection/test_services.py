"""The write path: plans (the sampler reproduced), visits, findings, their scope and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.sampling import stratified_sample
from dangjian.core.models import AuditEntry
from dangjian.inspection.models import Finding, InspectionPlan, Observation, Visit
from dangjian.inspection.selectors import (
    findings_for,
    may_see_results,
    plans_for,
    visits_for,
)
from dangjian.inspection.services import (
    ObservationInput,
    plan_publish,
    population,
    visit_record,
)
from tests.authz import state

from .conftest import make_plan, make_visit

D = dt.date
pytestmark = pytest.mark.django_db


def _refused(call, *messages: str) -> ValidationError:
    before = state()
    with pytest.raises(ValidationError) as info:
        call()
    assert state() == before, "a refusal wrote something"
    text = "；".join(info.value.messages)
    for m in messages:
        assert m in text, text
    return info.value


def test_the_sample_is_the_assessments_stratified_sample_and_reproducible(place):
    plan = make_plan(place, kind="督查", sample_share="0.3", sampling_seed=2026, hand_picked=[])
    again = make_plan(place, kind="巡查", sample_share="0.3", sampling_seed=2026, hand_picked=[])
    drawn = {t.org_id for t in plan.targets.all()}
    assert drawn == {t.org_id for t in again.targets.all()}
    assert drawn == stratified_sample(population(place.root), 0.3, 2026)
    # 10 branches × 0.3 = 3, allocated to the sectors by size (6 村 → 2, 4 社区 → 1)
    sectors = sorted(t.org.sector for t in plan.targets.all())
    assert sectors == ["农村", "农村", "社区"]
    assert all(t.sampled and not t.hand_picked for t in plan.targets.all())


def test_hand_picked_on_top_of_the_sample_and_the_plan_audited(place):
    plan = make_plan(place, sample_share="0.2", sampling_seed=5, hand_picked=[place.branch])
    target = plan.targets.get(org=place.branch)
    assert target.hand_picked
    entry = AuditEntry.objects.get(action="inspection.plan.create")
    assert entry.after["sampling_seed"] == 5
    assert entry.after["hand_picked"] == [place.branch.pk]
    assert entry.scope_path == place.root.path
    assert list(plan.inspectors.all()) == [place.inspector]


def test_a_plan_refused_with_every_problem_in_chinese(place):
    _refused(
        lambda: make_plan(
            place,
            kind="抽查",
            checklist_key="nope",
            sample_share="1.5",
            hand_picked=[place.town],
            title="",
        ),
        "请填写督查事项",
        "请选择方式",
        "请选择检查清单",
        "抽查比例请填写 0 到 1 之间的小数",
        "不是青山区委组织部下属的党支部",
    )
    _refused(lambda: make_plan(place, hand_picked=[]), "请设置抽查比例或指定至少一个检查对象")
    _refused(lambda: make_plan(place, inspectors=[place.secretary]), "没有查看本级督查的权限")
    assert not InspectionPlan.objects.exists()


def test_only_the_inspecting_level_plans(place):
    with pytest.raises(PermissionDenied):
        make_plan(place, actor=place.secretary)
    with pytest.raises(PermissionDenied):  # the town manages its own subtree, not the district
        make_plan(place, actor=place.town_admin)
    assert not InspectionPlan.objects.exists()


def test_a_visit_records_observations_and_a_finding_per_item_not_met(place):
    plan = make_plan(place)
    visit = make_visit(place, plan, actor=place.inspector)
    assert Observation.objects.filter(visit=visit).count() == 3
    finding = Finding.objects.get()
    assert finding.severity == "较重"
    assert finding.rule == "LIFE-THEME-DAY-MONTHLY"
    assert finding.concerns == "每月开展 1 次主题党日"
    assert finding.org == place.branch
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"inspection.visit.record", "inspection.finding.record"} <= actions
    # the trail of a 暗访 sits at the inspecting level, not under the branch
    assert set(
        AuditEntry.objects.filter(action__startswith="inspection.").values_list(
            "scope_path", flat=True
        )
    ) == {place.root.path}


def test_a_visit_refused_with_every_problem(place):
    plan = make_plan(place)
    _refused(
        lambda: visit_record(
            actor=place.inspector,
            plan=plan,
            org=place.villages[5],
            visited_on=D(2027, 1, 5),
            observations=[
                ObservationInput("X9", "符合"),
                ObservationInput("D1", "不符合"),
                ObservationInput("D2", "也许"),
            ],
        ),
        "请选择本计划的检查对象",
        "检查日期须在计划期间",
        "检查清单中没有“X9”这一项",
        "请选择问题严重程度",
        "请写明发现的问题",
        "请选择符合、不符合或不适用",
    )
    _refused(
        lambda: visit_record(
            actor=place.inspector,
            plan=plan,
            org=place.branch,
            visited_on=D(2026, 11, 20),
            observations=[],
        ),
        "请至少记录一项检查结果",
    )
    assert not Visit.objects.exists()


def test_who_records_a_visit(place):
    plan = make_plan(place)
    for outsider in (place.bystander, place.secretary, place.town_admin):
        with pytest.raises(PermissionDenied):
            make_visit(place, plan, actor=outsider)
    assert not Visit.objects.exists()
    make_visit(place, plan, actor=place.root_admin)  # the inspecting level itself


def test_covert_results_stay_with_the_inspecting_level_until_published(place):
    plan = make_plan(place, kind="暗访")
    make_visit(place, plan, actor=place.inspector)
    inside = (place.root_admin, place.inspector)
    outside = (place.secretary, place.town_admin, place.bystander, place.other_secretary)
    for user in inside:
        assert findings_for(user).count() == 1, user
        assert visits_for(user).count() == 1, user
        assert may_see_results(user, plan)
    for user in outside:
        assert findings_for(user).count() == 0, user
        assert visits_for(user).count() == 0, user
    assert not plans_for(place.secretary).exists()
    assert not may_see_results(place.bystander, plan)

    plan_publish(actor=place.root_admin, plan=plan)
    for user in (*inside, place.secretary, place.town_admin, place.bystander):
        assert findings_for(user).count() == 1, user
    assert findings_for(place.other_secretary).count() == 0  # another branch's finding
    assert AuditEntry.objects.filter(action="inspection.plan.publish").count() == 1
    _refused(lambda: plan_publish(actor=place.root_admin, plan=plan), "结果已于")


def test_a_supervision_finding_is_read_by_the_branch_at_once(place):
    plan = make_plan(place, kind="督查")
    make_visit(place, plan, actor=place.inspector)
    assert findings_for(place.secretary).count() == 1
    assert findings_for(place.other_secretary).count() == 0


def test_only_the_inspecting_level_publishes(place):
    plan = make_plan(place)
    with pytest.raises(PermissionDenied):
        plan_publish(actor=place.inspector, plan=plan)
    plan.refresh_from_db()
    assert plan.published_at is None
    plan_publish(actor=SYSTEM, plan=plan)


def test_findings_as_evidence_of_a_campaigns_spot_check(place):
    from dangjian.assess.services import CampaignInput, campaign_open
    from dangjian.inspection.selectors import campaign_evidence

    campaign = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=place.root,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            spot_share=1,
            sampling_seed=7,
        ),
    )
    supervised = make_plan(place, kind="督查")
    make_visit(place, supervised, actor=place.inspector)
    covert = make_plan(place, kind="暗访")
    make_visit(place, covert, actor=place.inspector)
    # the spot-check sees the 督查's finding at once; the 暗访's only once published, even for
    # the inspecting level (evidence of an assessment is not secret)
    rows = campaign_evidence(place.root_admin, campaign, place.branch)
    assert [f.visit.plan for f in rows] == [supervised]
    assert not campaign_evidence(place.root_admin, campaign, place.villages[1]).exists()
    plan_publish(actor=place.root_admin, plan=covert)
    assert campaign_evidence(place.root_admin, campaign, place.branch).count() == 2
    assert not campaign_evidence(place.other_secretary, campaign, place.branch).exists()
