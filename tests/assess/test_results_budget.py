"""The results page at the top of a campaign: a fixed number of queries however many results,
and a count that reads the campaign's results alone (no join to the organizations) when the
viewer's scope holds the whole campaign; a narrower viewer still sees only his subtree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.assess.models import CampaignOrg, Result
from dangjian.assess.selectors import results_for
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def _results(campaign) -> None:
    now = timezone.now()
    have = set(Result.objects.filter(campaign=campaign).values_list("org_id", flat=True))
    Result.objects.bulk_create(
        Result(campaign=campaign, org_id=pk, total=Decimal("80.5"), tier="middle", computed_at=now)
        for pk in CampaignOrg.objects.filter(campaign=campaign).values_list("org_id", flat=True)
        if pk not in have
    )


def _page(client, campaign) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/assess/{campaign.pk}/results/")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_results_page_keeps_its_queries_and_counts_without_a_join(tree, campaign, login):
    _results(campaign)
    client = login("admin")
    client.get("/")
    small = _page(client, campaign)
    for _ in range(12):  # more participants: new branches join a copy of the campaign's rows
        branch = make_org(tree["town_a"], org_type="党支部", sector="农村")
        CampaignOrg.objects.create(campaign=campaign, org=branch)
    _results(campaign)
    large = _page(client, campaign)
    assert len(large) == len(small) <= 15
    counts = [q for q in large if "COUNT(" in q and "assess_result" in q]
    assert len(counts) == 1 and "orgs_organization" not in counts[0]


def test_a_viewer_below_the_campaign_root_sees_his_subtree_only(tree, campaign):
    _results(campaign)
    everyone = {r.org.code for r in results_for(tree["admin"], campaign)}
    assert {"BA001", "BB001"} <= everyone
    own = {r.org.code for r in results_for(tree["admin_a"], campaign)}
    assert own and all(code in ("TA001", "BA001") for code in own)
