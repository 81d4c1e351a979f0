"""ASSESS-WEAK conditions taken from an assessment campaign's results (lagging tier, last place).

Reads :class:`dangjian.assess.models.Result` in one query for the whole campaign. "Last place"
is counted among the organizations under the same parent that were scored in the campaign (a
town ranks its branches, a district its towns), and only when there are at least
:data:`dangjian.rectify.weak.LAST_PLACE_MIN_PEERS` of them; ties at the bottom all count.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from dangjian.assess.models import Campaign, Result, Tier
from dangjian.orgs.models import Organization

from .choices import WeakCondition


def campaign_survey_key(campaign: Campaign) -> str:
    """The key of the surveys opened for a campaign (see :mod:`dangjian.survey.services`)."""
    return f"campaign:{campaign.pk}"


def campaign_conditions(campaign: Campaign) -> dict[int, list[dict[str, Any]]]:
    """``org id → conditions`` (lagging tier, last place) from the campaign's results."""
    from .weak import LAST_PLACE_MIN_PEERS, condition

    rows = list(
        Result.objects.filter(campaign=campaign).values_list(
            "org_id", "org__path", "total", "tier", "stars"
        )
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    peers: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    step = Organization.steplen
    for org_id, path, total, tier, stars in rows:
        peers[path[:-step]].append((org_id, total))
        if tier == Tier.LAGGING:
            out[org_id].append(
                condition(
                    WeakCondition.LAGGING_TIER,
                    "ASSESS-TIERS",
                    f"{campaign.name}：总分 {total}，列为后进",
                    {"campaign": campaign.pk, "total": str(total), "tier": tier, "stars": stars},
                )
            )
    for group in peers.values():
        if len(group) < LAST_PLACE_MIN_PEERS:
            continue
        lowest = min(total for _, total in group)
        for org_id, total in group:
            if total == lowest:
                out[org_id].append(
                    condition(
                        WeakCondition.LAST_PLACE,
                        "ASSESS-WEAK",
                        f"{campaign.name}：总分 {total}，"
                        f"在同一上级的 {len(group)} 个组织中排名末位",
                        {"campaign": campaign.pk, "total": str(total), "peers": len(group)},
                    )
                )
    return dict(out)
