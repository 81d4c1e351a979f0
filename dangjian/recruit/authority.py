"""Who may approve admissions (RECRUIT-APPROVER-AUTHORITY, rules.md §3; 细则, 12371 Q&A).

Only a 基层党委 (党委, or a 党工委 with the same authority) approves admission and conversion.
A 党总支 or a branch cannot; nor can a 基层党委 that is itself under a 乡镇/街道 党委 (a village
or community 党委 below a town or street committee): there the town or street committee approves.

A town or street committee is recognised from what the organization tree records: a 党委 / 党工委
whose administrative division is a township-level statistical code (12 digits, the township part
— digits 7–9 — non-zero, the village part ``000``), or whose name ends as a town, township or
street committee does (…镇委员会, …乡委员会, …街道工作委员会, …镇党委, …街道党工委).

:func:`eligible_approvers` lists the organizations a case at a branch may name as approver
(nearest first) — the forms offer exactly these; :func:`approver_problem` explains in Chinese why
a given organization may not approve (``None`` when it may).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dangjian.orgs.choices import OrgType

if TYPE_CHECKING:
    from dangjian.orgs.models import Organization

#: organization types that may approve admission
APPROVER_TYPES = frozenset({OrgType.COMMITTEE.value, OrgType.WORKING_COMMITTEE.value})

_TOWN_NAME = re.compile(r"(镇|乡|街道)(党)?(工作)?(委员会|党委|党工委|工委)$")


def is_town_committee(org_type: str, region_code: str, name: str) -> bool:
    """Whether an organization is a 乡镇/街道 党委 (or 党工委)."""
    if org_type not in APPROVER_TYPES:
        return False
    code = region_code or ""
    if len(code) == 12 and code.isdigit() and code[6:9] != "000" and code[9:] == "000":
        return True
    return bool(_TOWN_NAME.search(name or ""))


def _ancestors(org: Organization) -> list[Organization]:
    """The strict ancestors of ``org``, root first (one query)."""
    from dangjian.orgs.models import Organization

    step = org.steplen
    prefixes = [org.path[:i] for i in range(step, len(org.path), step)]
    if not prefixes:
        return []
    return list(Organization.objects.filter(path__in=prefixes).order_by("path"))


def approver_problem(approver: Organization) -> str | None:
    """Why ``approver`` may not approve admissions, or ``None`` when it may."""
    if approver.org_type not in APPROVER_TYPES:
        return f"{approver.name}是{approver.org_type}，没有审批接收预备党员的权限（须为基层党委）"
    for above in _ancestors(approver):
        if is_town_committee(above.org_type, above.region_code, above.name):
            return (
                f"{approver.name}隶属于{above.name}（乡镇/街道党委），"
                "没有审批接收预备党员的权限，应由乡镇/街道党委审批"
            )
    return None


def under_town_committee(approver: Organization) -> bool:
    """Whether a strict ancestor of ``approver`` is a 乡镇/街道 党委."""
    return any(is_town_committee(a.org_type, a.region_code, a.name) for a in _ancestors(approver))


def eligible_approvers(org: Organization) -> list[Organization]:
    """The organizations above ``org`` (the case's branch) that may approve, nearest first.

    One query: the ancestors are read once and walked root → branch; below a town or street
    committee no 党委 qualifies any more.
    """
    chain = _ancestors(org)
    eligible: list[Organization] = []
    town_above = False
    for above in chain:
        if above.org_type in APPROVER_TYPES and not town_above:
            eligible.append(above)
        if is_town_committee(above.org_type, above.region_code, above.name):
            town_above = True
    eligible.reverse()
    return eligible
