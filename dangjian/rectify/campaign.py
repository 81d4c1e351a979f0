"""The ASSESS-WEAK condition taken from an assessment campaign's results: last place.

"Last place in the yearly assessment" (rules.md §6) means the lowest total of a ranking, not a
share of the field. Reads :class:`dangjian.assess.models.Result` in one query for the whole
campaign. The ranking is the one a 乡镇/街道 (or any organization right below the campaign's
scope) makes of its own: the participants are grouped by the organization one level below the
campaign root that they belong to, and those sitting directly below the root form one group of
their own. A district's campaign thus names the last branch of each town and street, a town's
campaign the last of each village's branches. A group needs at least ``last_place_min_peers``
participants (:mod:`dangjian.rectify.rules`); ties at the bottom all count, but a group whose
totals are all equal has no last place. A campaign's 后进 tier is not a 软弱涣散 condition (see
:mod:`dangjian.rectify.rules`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from dangjian.assess.models import Campaign, Result
from dangjian.orgs.models import Organization

from .choices import WeakCondition


def campaign_survey_key(campaign: Campaign) -> str:
    """The key of the surveys opened for a campaign (see :mod:`dangjian.survey.services`)."""
    return f"campaign:{campaign.pk}"


def ranking_groups(campaign: Campaign) -> dict[str, list[tuple[int, Decimal]]]:
    """Ranking unit path → [(org id, total)] of the campaign's results (see the docstring)."""
    root = Organization.objects.only("path", "depth").get(pk=campaign.root_id)
    cut = (root.depth + 1) * Organization.steplen
    rows = Result.objects.filter(campaign=campaign).values_list("org_id", "org__path", "total")
    groups: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for org_id, path, total in rows:
        unit = path[:cut] if len(path) > cut else root.path
        groups[unit].append((org_id, total))
    return dict(groups)


def campaign_conditions(campaign: Campaign, min_peers: int = 3) -> dict[int, list[dict[str, Any]]]:
    """``org id → conditions`` (last place) from the campaign's results."""
    from .rules import condition

    groups = ranking_groups(campaign)
    names = dict(Organization.objects.filter(path__in=list(groups)).values_list("path", "name"))
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for unit, group in sorted(groups.items()):
        if len(group) < min_peers:
            continue
        totals = {total for _, total in group}
        if len(totals) < 2:
            continue  # everyone tied: nobody is last
        lowest = min(totals)
        where = names.get(unit, "")
        for org_id, total in group:
            if total == lowest:
                out[org_id].append(
                    condition(
                        WeakCondition.LAST_PLACE,
                        "ASSESS-WEAK",
                        f"{campaign.name}：总分 {total}，在{where}参评的 {len(group)} 个组织中"
                        "排名末位",
                        {
                            "campaign": campaign.pk,
                            "total": str(total),
                            "peers": len(group),
                            "ranked_in": where,
                        },
                    )
                )
    return dict(out)
