"""The demo seed: a finished campaign last year, an open one this year; run once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from dangjian.assess.models import Campaign, CampaignStatus, Result, SelfCheckScore
from dangjian.core.audit import audit_verify
from dangjian.demo.assess import seed_demo_assess
from dangjian.survey.models import Survey
from tests.factories import make_org


def test_seed_demo_assess(tree):
    for i in range(10):
        make_org(tree["town_a"], org_type="党支部", sector="农村", code=f"BS{i:03d}")
    today = dt.date(2026, 11, 23)
    done = seed_demo_assess(today, seed=42)
    assert len(done) == 2
    last, current = Campaign.objects.order_by("period_start")
    assert last.status == CampaignStatus.FINAL and last.period_start == dt.date(2025, 1, 1)
    assert current.status == CampaignStatus.OPEN and current.previous == last
    results = Result.objects.filter(campaign=last)
    assert results.count() == 12
    assert results.filter(veto=True).count() >= 1
    assert results.filter(total__gt=50).exists()
    result = results.first()
    survey = next(
        c for i in result.breakdown["items"] for c in i["criteria"] if c["mode"] == "survey"
    )
    assert survey["source"]["n"] >= 20  # the surveys were answered
    # members and residents were invited, a stated count each; never more answers than invited
    surveys = Survey.objects.filter(key=f"campaign:{last.pk}").annotate(n=Count("responses"))
    assert surveys.count() == 12
    for s in surveys:
        assert s.audience == "public" and not s.population_from_roll
        assert s.population >= 30 and 0.6 * s.population <= s.n <= s.population
    assert SelfCheckScore.objects.filter(campaign=current).exists()
    assert audit_verify().ok
    assert seed_demo_assess(today, seed=42) == []  # a second run reuses the data
