"""The ``TRAINING-*`` rules (党员教育培训), with their parameters in the one parameter system
(:mod:`dangjian.rules.params`; a city changes them in ``DANGJIAN_RULES`` without code).

- TRAINING-YEARLY-HOURS: 党员每年集中学习培训时间一般不少于 32 学时；基层党组织书记和班子成员
  每年不少于 56 学时 (教育管理条例 art. 11). ``member_hours`` and ``leader_hours``; a member
  holding a committee post (书记、副书记、委员 …) is held to ``leader_hours``. The finding is
  about an organization (how many of its members reached the hours), never about a person.
- TRAINING-MEETING-HOURS: how many class hours one record of organizational life counts for
  its attendees, by meeting type (the record holds no duration). A record of several types
  (``also_counts_as``) counts once, for the largest of its types' hours. Local default: a 党课
  and a 主题党日 count 2 学时 each (one session of about 90 minutes of study), the other types
  0 (they are business meetings, not study).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dangjian.rules.registry import Context, Finding, RuleSpec, register_family, rule

register_family(
    "TRAINING",
    "党员教育培训",
    section=8,
    version="2019-教育管理条例",
    source="《中国共产党党员教育管理工作条例》（2019）；会议学时为本地默认值",
)

YEARLY_HOURS = RuleSpec(
    "TRAINING-YEARLY-HOURS",
    "党员每年集中学习培训不少于 32 学时，基层党组织书记和班子成员不少于 56 学时",
    "national",
    "教育管理条例 art. 11",
    {"member_hours": 32, "leader_hours": 56},
)

#: parameter name of TRAINING-MEETING-HOURS → meeting type (life.choices.MeetingType values)
MEETING_TYPE_PARAMS: dict[str, str] = {
    "lecture": "党课",
    "theme_day": "主题党日",
    "assembly": "支部党员大会",
    "committee": "支委会",
    "group": "党小组会",
    "org_life": "组织生活会",
    "democratic_review": "民主评议党员",
    "heart_talk": "谈心谈话",
}

MEETING_HOURS = RuleSpec(
    "TRAINING-MEETING-HOURS",
    "组织生活记录按会议类型计入参加党员的学习培训学时",
    "local default",
    "本地默认：每次党课、主题党日按一次集中学习计 2 学时，其他会议不计学时",
    {
        "lecture": 2,
        "theme_day": 2,
        "assembly": 0,
        "committee": 0,
        "group": 0,
        "org_life": 0,
        "democratic_review": 0,
        "heart_talk": 0,
    },
)


def hours_value(value: Any) -> Decimal:
    """A parameter's hours as a ``Decimal``; ``ValueError`` unless a number of at least 0."""
    if isinstance(value, bool):
        raise ValueError("应为数字")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not number.is_finite() or number < 0:
        raise ValueError("应为不小于 0 的数字")
    return number


def validate_params(rule_id: str, params: Mapping[str, Any]) -> None:
    """Refuse impossible values of the TRAINING rules (Chinese ``ValueError``)."""
    for name, value in params.items():
        try:
            number = hours_value(value)
        except ValueError as exc:
            raise ValueError(f"规则 {rule_id} 的参数 {name} 无效：{exc}") from None
        if rule_id == YEARLY_HOURS.id and number <= 0:
            raise ValueError(f"规则 {rule_id} 的参数 {name} 无效：应为大于 0 的学时数")


@dataclass(frozen=True)
class OrgYear:
    """What TRAINING-YEARLY-HOURS reads of one organization's year: its members on the roll
    (counted once each), those who reached their hours, the committee members among them, and
    the records of the year whose attendance was not taken (their hours reach nobody)."""

    code: str
    name: str
    year: int
    members: int
    met: int
    leaders: int
    leaders_met: int
    unrecorded: int = 0


@rule(YEARLY_HOURS)
def training_yearly_hours(facts: OrgYear, ctx: Context) -> list[Finding] | None:
    """Members of the organization below their yearly hours: one finding about the
    organization (a count, no names). During the year it is a reminder (待办), after it a
    warning.

    Source: 《中国共产党党员教育管理工作条例》（2019）第十一条."""
    below = facts.members - facts.met
    if facts.members == 0 or below <= 0:
        return []
    member_hours = hours_value(ctx.params["member_hours"])
    leader_hours = hours_value(ctx.params["leader_hours"])
    ended = ctx.at.year > facts.year
    return [
        Finding(
            YEARLY_HOURS.id,
            facts.code,
            "warning" if ended else "due",
            f"{facts.name}{facts.year}年度 {facts.members} 名党员中有 {below} 名"
            f"集中学习培训未达到规定学时（党员 {member_hours} 学时，"
            f"书记和班子成员 {leader_hours} 学时）",
            YEARLY_HOURS.source,
            {
                "year": facts.year,
                "members": facts.members,
                "members_met": facts.met,
                "leaders": facts.leaders,
                "leaders_met": facts.leaders_met,
                "member_hours": str(member_hours),
                "leader_hours": str(leader_hours),
                "unrecorded": facts.unrecorded,
            },
            period=str(facts.year),
        )
    ]


@rule(MEETING_HOURS)
def training_meeting_hours(facts: OrgYear, ctx: Context) -> list[Finding] | None:
    """The hours per meeting type are read by :mod:`dangjian.training.figures`; the rule has
    no finding of its own.

    Source: local default (the records of organizational life hold no duration)."""
    return []
