from __future__ import annotations

import datetime as dt

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import CampaignOrg, Result
from dangjian.assess.services import campaign_score, self_check_record


def test_campaign_scores_every_branch(tree, campaign):
    assert set(
        CampaignOrg.objects.filter(campaign=campaign).values_list("org__code", flat=True)
    ) == {
        "BA001",
        "BB001",
    }
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="1.4",
        points=6,
    )
    run = campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2027, 1, 10))
    assert len(run.scores) == 2
    assert Result.objects.filter(campaign=campaign).count() == 2
    a = next(s for s in run.scores if s.code == "BA001")
    print(a.as_dict())
