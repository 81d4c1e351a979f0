"""The demo rectification seed: plans for lagging and weak organizations, every task state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization
from dangjian.rectify.models import RectificationPlan, RectificationTask
from dangjian.rectify.seed import seed_demo_rectify
from tests.factories import make_org
from tests.rectify.helpers import add_result, make_campaign


@pytest.mark.django_db
def test_seed_demo_rectify(tree):
    today = timezone.localdate()
    campaign = make_campaign(tree["root"], status="final")
    for i in range(15):
        org = make_org(tree["town_a"], sector="农村")
        add_result(campaign, org, 40 + i, tier="lagging" if i < 14 else "middle", stars=0)
    Organization.objects.filter(pk=tree["branch_b"].pk).update(
        secretary_vacant_since=today - dt.timedelta(days=200)
    )
    lines = seed_demo_rectify(today, seed=3)
    assert lines and lines[0].startswith("整改方案：")
    plans = RectificationPlan.objects.all()
    assert plans.filter(reason="lagging", campaign=campaign).count() == 12
    weak = plans.get(reason="weak")
    assert weak.org == tree["branch_b"] and weak.conditions[0]["evidence"]["vacant_days"] == 200
    states = set(RectificationTask.objects.values_list("status", flat=True))
    assert {"open", "reported", "confirmed"} <= states
    assert RectificationTask.objects.filter(deadline__lt=today, status="open").exists()
    assert AuditEntry.objects.filter(action="rectify.plan.create").count() == 13
    again = RectificationPlan.objects.count()
    assert seed_demo_rectify(today, seed=3) == [] and RectificationPlan.objects.count() == again
