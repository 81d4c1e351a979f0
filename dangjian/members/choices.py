"""Member categories, types and posts, with the values of the exchange formats."""

from __future__ import annotations

from django.db import models


class MemberType(models.TextChoices):
    FULL = "正式党员", "正式党员"
    PROBATIONARY = "预备党员", "预备党员"


class Category(models.TextChoices):
    EMPLOYED = "在岗职工", "在岗职工"
    FARMER = "农牧渔民", "农牧渔民"
    RETIRED = "离退休人员", "离退休人员"
    STUDENT = "学生", "学生"
    SELF_EMPLOYED = "个体经营者", "个体经营者"
    FREELANCE = "自由职业者", "自由职业者"
    UNEMPLOYED = "无固定职业", "无固定职业"
    OTHER = "其他", "其他"


class Post(models.TextChoices):
    SECRETARY = "书记", "书记"
    DEPUTY_SECRETARY = "副书记", "副书记"
    ORGANIZING = "组织委员", "组织委员"
    PROPAGANDA = "宣传委员", "宣传委员"
    DISCIPLINE = "纪检委员", "纪检委员"
    COMMITTEE = "委员", "委员"
    GROUP_LEADER = "党小组长", "党小组长"


#: posts that make a member part of the branch committee (formats.md: 书记, 副书记 or a 委员 post)
COMMITTEE_POSTS = frozenset(
    {
        Post.SECRETARY,
        Post.DEPUTY_SECRETARY,
        Post.ORGANIZING,
        Post.PROPAGANDA,
        Post.DISCIPLINE,
        Post.COMMITTEE,
    }
)


class ParticipationPost(models.TextChoices):
    """Posts designated in a 临时党支部 (by the organization that set it up, not elected)."""

    SECRETARY = "书记", "书记"
    DEPUTY_SECRETARY = "副书记", "副书记"
    COMMITTEE = "委员", "委员"


class StatusKind(models.TextChoices):
    """Standings decided by a party body that change what a member may do (党章 ch. 7;
    教育管理条例 art. 24). Recorded with their dates; never set automatically."""

    PROBATION_WATCH = "留党察看", "留党察看"
    SUSPENDED = "停止党籍", "停止党籍"
    EXPELLED = "开除党籍", "开除党籍"
    REMOVED = "除名", "除名"
    PERSUADED_OUT = "劝退", "劝退"
    LAPSED = "自行脱党", "自行脱党"
    DECEASED = "死亡", "死亡"
    #: the organizational relation went to a party organization outside the platform (the
    #: receipt of the letter recorded): no longer on a roll kept here
    TRANSFERRED_OUT = "转出系统外", "组织关系转出系统外"


#: standings that keep the member on the roll but take away the vote, the election and the right
#: to introduce (党章 art. 40: 留党察看 has no vote; 停止党籍: no rights at all until restored)
WITHOUT_RIGHTS = frozenset({StatusKind.PROBATION_WATCH, StatusKind.SUSPENDED})

#: standings that take the member off the rolls kept here (出党, death, a relation transferred out
#: of the platform): the member is no longer counted on the roll
LEAVING = frozenset(
    {
        StatusKind.EXPELLED,
        StatusKind.REMOVED,
        StatusKind.PERSUADED_OUT,
        StatusKind.LAPSED,
        StatusKind.DECEASED,
        StatusKind.TRANSFERRED_OUT,
    }
)


class RollKind(models.TextChoices):
    """What a roll-history event records (:class:`~dangjian.members.models.RollEvent`)."""

    JOINED = "编入", "编入"
    TRANSFER_IN = "转入", "转入"
    TRANSFER_OUT = "转出", "转出"
    CONFIRMED = "转正", "转正"
    STATUS = "状态变更", "状态变更"
    LEFT = "出党", "出党"
    DIED = "死亡", "死亡"
    RESTORED = "恢复党籍", "恢复党籍"
    CORRECTED = "更正", "入党日期更正"


def leaving_event(kind: str) -> str:
    """The roll event of a standing of :data:`LEAVING`: 死亡, 转出 (out of the platform) or 出党."""
    if kind == StatusKind.DECEASED:
        return RollKind.DIED
    if kind == StatusKind.TRANSFERRED_OUT:
        return RollKind.TRANSFER_OUT
    return RollKind.LEFT


#: events that put the member on the roll of their organization from ``on`` until ``ended_on``
#: (the day they left it, not included; open while empty): the spans that
#: :func:`dangjian.members.history.roll_on` reads
SPAN_KINDS = frozenset({RollKind.JOINED, RollKind.TRANSFER_IN, RollKind.RESTORED})
