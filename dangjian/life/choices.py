"""Meeting types and absence reasons, with the values of the exchange format (formats.md)."""

from __future__ import annotations

from django.db import models


class MeetingType(models.TextChoices):
    ASSEMBLY = "支部党员大会", "支部党员大会"
    COMMITTEE = "支委会", "支委会"
    GROUP = "党小组会", "党小组会"
    LECTURE = "党课", "党课"
    THEME_DAY = "主题党日", "主题党日"
    ORG_LIFE = "组织生活会", "组织生活会"
    DEMOCRATIC_REVIEW = "民主评议党员", "民主评议党员"
    HEART_TALK = "谈心谈话", "谈心谈话"


class LecturerRole(models.TextChoices):
    """Who gave a 党课 (LIFE-SECRETARY-LECTURE-YEARLY counts the upper 党委's secretary)."""

    ORG_SECRETARY = "本组织书记", "本组织书记"
    UPPER_SECRETARY = "上级党委书记", "上级党委书记"
    OTHER = "其他", "其他"


#: the organizations whose secretary gives at least 1 党课 a year (rules.md: 党委/党组; the model
#: has no 党组 type, a 街道党工委 is held to the same duty)
SECRETARY_LECTURE_ORG_TYPES = frozenset({"党委", "党工委"})


class AbsenceReason(models.TextChoices):
    """Why a member missed a meeting. 党章 art. 9 speaks of absence "没有正当理由": official
    duty, illness and leave approved by the branch are good reasons (the default
    ``good_reasons`` of LIFE-ABSENT-6-MONTHS in :mod:`.config`); a private matter without
    approved leave, or no reason, is not."""

    OFFICIAL = "因公", "因公"
    ILLNESS = "因病", "因病"
    LEAVE = "请假（已批准）", "请假（已批准）"
    PERSONAL = "因事", "因事（未请假）"
    OTHER = "其他", "其他"


#: reasons that need a text (请假事由): approved leave is a good reason only with its reason
NOTE_REQUIRED = frozenset({AbsenceReason.LEAVE})

#: meeting types that all the branch's members attend: only these may be held as one another
#: (a 支部党员大会 held as the month's 主题党日; 民主评议党员 at the 组织生活会). A 支委会, a
#: 党小组会 and a 谈心谈话 are other circles of people and stand alone.
COMBINABLE_TYPES = frozenset(
    {
        MeetingType.ASSEMBLY,
        MeetingType.LECTURE,
        MeetingType.THEME_DAY,
        MeetingType.ORG_LIFE,
        MeetingType.DEMOCRATIC_REVIEW,
    }
)
#: separator of the additional types in the database, the import file and the ledger
TYPE_SEPARATOR = "、"


def split_types(text: str) -> list[str]:
    """The types of an ``also_counts_as`` text (``、``, ``，``, ``,``, ``;`` or spaces between)."""
    import re

    return [t for t in re.split(r"[、，,;；\s]+", text or "") if t]


def join_types(types: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> str:
    """The canonical text of additional types: in the order of :class:`MeetingType`, once each."""
    wanted = set(types)
    return TYPE_SEPARATOR.join(t for t in MeetingType.values if t in wanted)
