"""Organization setup rules (组织设置, ``SETUP-*`` of rules.md)."""

from __future__ import annotations

from dangjian.orgs.choices import OrgType, Sector


def term_years_default(org_type: str, sector: str) -> int | None:
    """SETUP-TERM: 基层党委 5 years; 党总支 and 党支部 3 years; 村 and 社区 organizations 5 years.

    Source: 《关于党的基层组织任期的意见》(2018); 支部条例; 农村条例. A 党小组 has no term.
    """
    if org_type == OrgType.GROUP:
        return None
    if sector in (Sector.RURAL, Sector.COMMUNITY):
        return 5
    if org_type in (OrgType.COMMITTEE, OrgType.WORKING_COMMITTEE):
        return 5
    return 3
