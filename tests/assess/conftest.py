from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.services import CampaignInput, campaign_open


@pytest.fixture
def campaign(tree):
    """A 五好 campaign over the test district for 2026, every participant spot-checked."""
    return campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=tree["root"],
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            spot_share=1,
            sampling_seed=7,
        ),
    )
