"""REL-TRANSFER and REL-LOST-CONTACT (rules.md §5) over the records of 流动党员 and 失联党员, with
their parameters in the one parameter system (:mod:`dangjian.rules.params`; a city changes them
in ``DANGJIAN_RULES``).

- REL-TRANSFER (教育管理条例 art. 25): a member away 6 months or more (``away_months``) at a
  fixed place should transfer his relations there — a flag ("转接组织关系待办"), the branch
  decides and starts the transfer.
- REL-LOST-CONTACT (教育管理条例 art. 24): a member out of contact 6 months or more
  (``suspend_after_months``) — the branch is prompted to decide 停止党籍; ``remove_after_years``
  (2) after the 停止党籍 took effect and still not found — prompted to decide 除名. Flags for a
  human decision only: the decision is recorded by a person
  (:func:`dangjian.mobile.services.lost_contact_decide` → ``member_status_record``).

The deadlines are counted by :func:`dangjian.core.dates.add_months` (a day that does not exist in
the target month is its last day: 08-31 + 6 months = 02-28, or 02-29 in a leap year). A finding's
subject is the member's branch (formats.md); the member is named in the message for the branch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dangjian.core.dates import add_months, add_years
from dangjian.rules.registry import Context, Finding, RuleSpec, rule

TRANSFER = RuleSpec(
    "REL-TRANSFER",
    "工作、居住地变动或外出 6 个月以上应转接组织关系",
    "national",
    "教育管理条例 art. 25",
    {"away_months": 6},
)
LOST_CONTACT = RuleSpec(
    "REL-LOST-CONTACT",
    "失去联系 6 个月以上的党员停止党籍（仅提醒）",
    "national",
    "教育管理条例 art. 24",
    {"suspend_after_months": 6, "remove_after_years": 2},
)

_PARAM_LABELS = {
    "away_months": "外出满多少个月应转接",
    "suspend_after_months": "失联满多少个月提请停止党籍",
    "remove_after_years": "停止党籍满多少年提请除名",
}


def whole(params: Mapping[str, Any], name: str, rule_id: str) -> int:
    """A parameter that must be a whole number ≥ 1 (else a Chinese ``ValueError``)."""
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"规则 {rule_id} 的参数 {name}（{_PARAM_LABELS.get(name, name)}）应为不小于 1 的整数"
        )
    return value


@dataclass(frozen=True)
class OutflowFacts:
    """What REL-TRANSFER reads of one outflow."""

    outflow_id: int
    member_id: int
    name: str
    subject: str  # the code of the member's branch
    started_on: dt.date
    fixed_place: bool
    returned_on: dt.date | None


@dataclass(frozen=True)
class LostFacts:
    """What REL-LOST-CONTACT reads of one lost-contact record and the member's standings."""

    lost_id: int
    member_id: int
    name: str
    subject: str
    since: dt.date
    found_on: dt.date | None
    #: start of the 停止党籍 decided on or after ``since`` (None: not decided)
    suspended_on: dt.date | None
    #: start of a standing that ended membership (除名 …; None: still a member)
    left_on: dt.date | None


def transfer_due_on(started_on: dt.date, params: Mapping[str, Any]) -> dt.date:
    """The day an outflow at a fixed place is 6 (``away_months``) months old."""
    return add_months(started_on, whole(params, "away_months", TRANSFER.id))


def suspend_due_on(since: dt.date, params: Mapping[str, Any]) -> dt.date:
    """The day a lost member has been out of contact 6 (``suspend_after_months``) months."""
    return add_months(since, whole(params, "suspend_after_months", LOST_CONTACT.id))


def remove_due_on(suspended_on: dt.date, params: Mapping[str, Any]) -> dt.date:
    """The day 停止党籍 has lasted 2 (``remove_after_years``) years."""
    return add_years(suspended_on, whole(params, "remove_after_years", LOST_CONTACT.id))


def _prompt(
    spec: RuleSpec, subject: str, at: dt.date, due: dt.date, message: str, evidence: dict[str, Any]
) -> list[Finding]:
    """The branch's prompt (``due``) of ``spec`` once ``due`` has come by ``at``, else none."""
    return [] if at < due else [spec.finding(subject, "due", message, evidence, due_date=due)]


@rule(TRANSFER)
def rel_transfer(facts: OutflowFacts, ctx: Context) -> list[Finding] | None:
    """A member away ``away_months`` months or more at a fixed place, not returned on the checking
    date: his relations are due for transfer (a flag; the branch decides).

    Source: 教育管理条例 art. 25 (外出 6 个月以上且地点相对固定的，应当转移组织关系)."""
    if not facts.fixed_place or facts.started_on > ctx.at:
        return []
    if facts.returned_on is not None and facts.returned_on <= ctx.at:
        return []
    due = transfer_due_on(facts.started_on, ctx.params)
    months = whole(ctx.params, "away_months", TRANSFER.id)
    message = (
        f"流动党员{facts.name}自 {facts.started_on} 外出，地点固定已满 {months} 个月，"
        "应转接组织关系（由支部决定）"
    )
    evidence = {
        "outflow_id": facts.outflow_id,
        "member_id": facts.member_id,
        "away_since": facts.started_on.isoformat(),
        "away_months": months,
        "fixed_place": True,
    }
    return _prompt(TRANSFER, facts.subject, ctx.at, due, message, evidence)


@rule(LOST_CONTACT)
def rel_lost_contact(facts: LostFacts, ctx: Context) -> list[Finding] | None:
    """A member out of contact: at ``suspend_after_months`` months the branch is prompted to
    decide 停止党籍; ``remove_after_years`` years after the 停止党籍 took effect, 除名. Never
    automatic: the finding is a prompt, the decision a person's.

    Source: 教育管理条例 art. 24 (与党组织失去联系 6 个月以上的，停止党籍；停止党籍 2 年后仍
    无法取得联系的，按自行脱党予以除名)."""
    if facts.since > ctx.at or (facts.found_on is not None and facts.found_on <= ctx.at):
        return []
    if facts.left_on is not None and facts.left_on <= ctx.at:
        return []
    evidence: dict[str, Any] = {
        "lost_id": facts.lost_id,
        "member_id": facts.member_id,
        "lost_since": facts.since.isoformat(),
    }
    if facts.suspended_on is None or facts.suspended_on > ctx.at:
        due = suspend_due_on(facts.since, ctx.params)
        months = whole(ctx.params, "suspend_after_months", LOST_CONTACT.id)
        message = (
            f"党员{facts.name}自 {facts.since} 失去联系已满 {months} 个月，"
            "请支部研究决定是否停止党籍（不自动处理）"
        )
        evidence |= {"lost_months": months, "decision": "停止党籍"}
    else:
        due = remove_due_on(facts.suspended_on, ctx.params)
        years = whole(ctx.params, "remove_after_years", LOST_CONTACT.id)
        message = (
            f"党员{facts.name}自 {facts.suspended_on} 停止党籍已满 {years} 年仍未取得联系，"
            "请支部研究决定是否除名（不自动处理）"
        )
        evidence |= {"suspended_on": facts.suspended_on.isoformat(), "decision": "除名"}
    return _prompt(LOST_CONTACT, facts.subject, ctx.at, due, message, evidence)
