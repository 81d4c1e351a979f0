"""The rule catalogue: every rule id of a family with its title, kind, source and whether the
checker evaluates it. Rules whose data the model does not hold yet are listed as not checked,
never silently passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import REGISTRY


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str
    kind: str
    source: str
    checked: bool
    note: str = ""


#: rules.md §1 in order
SETUP_ORDER = [
    "SETUP-BRANCH-MIN-FULL",
    "SETUP-BRANCH-MAX",
    "SETUP-GENERAL-BRANCH-SIZE",
    "SETUP-COMMITTEE-REQUIRED",
    "SETUP-NO-COMMITTEE-SMALL",
    "SETUP-JOINT-BRANCH-UNITS",
    "SETUP-PROJECT-BRANCH",
    "SETUP-SECRETARY-PARTY-AGE",
    "SETUP-SECRETARY-VACANT",
    "SETUP-TERM",
    "SETUP-TERM-EXPIRING",
    "SETUP-TERM-EXPIRED",
    "SETUP-ELECTION-MARGIN",
    "SETUP-VOTERS",
]

#: rules of rules.md §1 whose data the model does not hold yet: id → entry (not checked)
NOT_CHECKED = {
    e.id: e
    for e in [
        CatalogueEntry(
            "SETUP-PROJECT-BRANCH",
            "工期 6 个月以上、正式党员 3 名以上的项目应成立党支部",
            "national",
            "支部条例 art. 5",
            False,
            "未检查：系统尚无项目及工期数据",
        ),
        CatalogueEntry(
            "SETUP-ELECTION-MARGIN",
            "委员、代表候选人差额不少于 20%",
            "national",
            "选举条例 art. 9, 13",
            False,
            "未检查：系统尚无选举及候选人数据",
        ),
    ]
}

#: families of rules.md; only those listed as implemented can be run
FAMILIES = {
    "SETUP": "组织设置",
    "LIFE": "组织生活",
    "RECRUIT": "发展党员",
    "DUES": "党费",
    "REL": "组织关系",
    "ASSESS": "考核评价",
    "SERVICE": "服务工单",
}
IMPLEMENTED_FAMILIES = frozenset({"SETUP", "LIFE", "RECRUIT"})

#: rules.md §2 in order
LIFE_ORDER = [
    "LIFE-ASSEMBLY-QUARTERLY",
    "LIFE-COMMITTEE-MONTHLY",
    "LIFE-GROUP-MONTHLY",
    "LIFE-LECTURE-QUARTERLY",
    "LIFE-SECRETARY-LECTURE-YEARLY",
    "LIFE-THEME-DAY-MONTHLY",
    "LIFE-ORG-LIFE-MEETING-YEARLY",
    "LIFE-DEMOCRATIC-REVIEW-YEARLY",
    "LIFE-HEART-TALK-YEARLY",
    "LIFE-ASSEMBLY-QUORUM",
    "LIFE-LATE-ENTRY",
    "LIFE-ABSENT-6-MONTHS",
]
#: rules.md §3 in order; checked over the recruitment cases by dangjian.recruit (own registry)
RECRUIT_ORDER = [
    "RECRUIT-ORDER",
    "RECRUIT-AGE-18",
    "RECRUIT-TALK-1-MONTH",
    "RECRUIT-APPLICATION-6-MONTHS",
    "RECRUIT-CONTACTS",
    "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
    "RECRUIT-ACTIVIST-1-YEAR",
    "RECRUIT-INTRODUCERS",
    "RECRUIT-POLITICAL-REVIEW",
    "RECRUIT-TRAINING-3-DAYS",
    "RECRUIT-PREREVIEW",
    "RECRUIT-LEAVING-3-MONTHS",
    "RECRUIT-PUBLICITY-5-WORKDAYS",
    "RECRUIT-VOTE-MAJORITY",
    "RECRUIT-APPROVAL-3-MONTHS",
    "RECRUIT-APPROVER-AUTHORITY",
    "RECRUIT-PROBATION-1-YEAR",
    "RECRUIT-EXTENSION",
    "RECRUIT-CONVERSION-APPROVAL-3-MONTHS",
    "RECRUIT-ARCHIVE",
    "RECRUIT-PLAN",
]
ORDERS = {"SETUP": SETUP_ORDER, "LIFE": LIFE_ORDER, "RECRUIT": RECRUIT_ORDER}


def _recruit_specs() -> dict[str, Any]:
    from dangjian.recruit.rules import all_specs

    return {spec.id: spec for spec in all_specs()}


def catalogue(family: str = "SETUP") -> list[CatalogueEntry]:
    """Every rule of ``family`` (SETUP, LIFE, RECRUIT), checked or not, in the order of
    rules.md."""
    from .engine import rule_enabled  # importing the engine registers the rules

    if family not in ORDERS:
        return []
    entries = []
    recruit = _recruit_specs() if family == "RECRUIT" else {}
    for rule_id in ORDERS[family]:
        registered = REGISTRY.get(rule_id)
        spec = registered[0] if registered is not None else recruit.get(rule_id)
        if spec is not None:
            if rule_enabled(spec):
                entries.append(CatalogueEntry(spec.id, spec.title, spec.kind, spec.source, True))
            else:
                entries.append(
                    CatalogueEntry(
                        spec.id,
                        spec.title,
                        spec.kind,
                        spec.source,
                        False,
                        "未检查：已按本地配置停用",
                    )
                )
        else:
            entries.append(NOT_CHECKED[rule_id])
    return entries
