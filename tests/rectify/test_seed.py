"""The demo rectification seed: a plan for every lagging organization and every 软弱涣散 lead,
none for an advanced one, every task state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.demo.rectify import seed_demo_rectify
from dangjian.orgs.models import Organization
from dangjian.rectify.models import RectificationPlan, RectificationTask
from dangjian.rectify.rules import weak_candidates
from tests.factories import make_member, make_org
from tests.rectify.helpers import add_result, make_campaign


@pytest.mark.django_db
def test_seed_demo_rectify(tree, settings):
    settings.DANGJIAN_RULES = {"ASSESS-WEAK": {"life_min_missed": 10_000}}  # no meeting records
    today = timezone.localdate()
    campaign = make_campaign(tree["root"], status="final")
    orgs = []
    for i in range(15):
        org = make_org(tree["town_a"], sector="社区", name=f"幸福里社区第{i + 1}党支部")
        make_member(org, joined_on=dt.date(2025, 6, 1))
        orgs.append(org)
        add_result(campaign, org, 40 + i, tier="lagging" if i < 14 else "middle", stars=0)
    Organization.objects.filter(pk=tree["branch_b"].pk).update(
        secretary_vacant_since=today - dt.timedelta(days=200)
    )
    lines = seed_demo_rectify(today, seed=3)
    assert lines and lines[0].startswith("整改方案：16 个（软弱涣散 3、考核后进 13；")
    plans = RectificationPlan.objects.all()
    # every lagging organization has a plan; the one rated 中间 has none
    assert set(plans.values_list("org_id", flat=True)) >= {o.pk for o in orgs[:14]}
    assert not plans.filter(org=orgs[14]).exists()
    assert plans.filter(reason="lagging", campaign=campaign).count() == 13
    # the last of 甲镇 (40 points) is a lead: a 软弱涣散 plan with that condition
    last = plans.get(org=orgs[0])
    assert last.reason == "weak" and last.conditions[0]["condition"] == "last_place"
    vacant = plans.get(org=tree["branch_b"])
    assert vacant.reason == "weak" and vacant.conditions[0]["evidence"]["vacant_days"] == 200
    village = plans.get(org=tree["branch_a"])  # a village without a candidate since 2010
    assert [c["condition"] for c in village.conditions] == ["no_candidate"]
    assert any(t.what == "做好发展党员工作" for t in village.tasks.all())  # answers its condition
    states = set(RectificationTask.objects.values_list("status", flat=True))
    assert {"open", "reported", "confirmed"} <= states
    assert RectificationTask.objects.filter(deadline__lt=today, status="open").exists()
    assert AuditEntry.objects.filter(action="rectify.plan.create").count() == 16
    again = RectificationPlan.objects.count()
    assert seed_demo_rectify(today, seed=3) == [] and RectificationPlan.objects.count() == again


@pytest.mark.django_db
def test_the_demo_tells_one_story(tree):
    """On a real run of the demo seeds (meetings, assessment, rectification) every organization
    the finished campaign rates 后进 and every 软弱涣散 lead has a plan, and no 先进 one has."""
    from dangjian.assess.models import Campaign, Result
    from dangjian.demo.assess import seed_demo_assess
    from dangjian.demo.life import seed_demo_life

    for i in range(14):
        town = tree["town_a"] if i % 2 else tree["town_b"]
        branch = make_org(town, sector="农村" if i % 2 else "社区", name=f"演示第{i + 1}党支部")
        make_member(branch, post="书记", joined_on=dt.date(1996, 7, 1))
        for year in (1988, 2004, 2012, 2019):
            make_member(branch, joined_on=dt.date(year, 7, 1))
    today = timezone.localdate()
    seed_demo_life(today, seed=42)
    from dangjian.life.models import Meeting

    idle = Organization.objects.get(name="演示第1党支部")
    Meeting.objects.filter(org=idle).delete()  # a branch that kept no records at all
    seed_demo_assess(today, seed=42)
    lines = seed_demo_rectify(today, seed=42)
    campaign = Campaign.objects.get(status="final")
    tiers = dict(Result.objects.filter(campaign=campaign).values_list("org_id", "tier"))
    planned = set(RectificationPlan.objects.values_list("org_id", flat=True))
    lagging = {pk for pk, tier in tiers.items() if tier == "lagging"}
    advanced = {pk for pk, tier in tiers.items() if tier == "advanced"}
    leads = weak_candidates(SYSTEM, at=today, campaign=campaign)
    assert idle.pk in lagging
    assert lagging <= planned
    assert not planned & advanced
    for lead in leads:
        if lead.org.pk in advanced:
            assert "留待上级研判" in lines[0]  # the documented exception
        else:
            assert lead.open_plan_id, lead.org.name
    weak = RectificationPlan.objects.filter(reason="weak")
    assert {p.org_id for p in weak} == {c.org.pk for c in leads} - advanced
    assert all(p.conditions for p in weak)
    assert len(planned) == len(lagging | {c.org.pk for c in leads} - advanced)
