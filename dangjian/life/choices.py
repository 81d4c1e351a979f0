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
    OFFICIAL = "因公", "因公"
    ILLNESS = "因病", "因病"
    PERSONAL = "因事", "因事"
    OTHER = "其他", "其他"


#: absence reasons that count as a good reason (LIFE-ABSENT-6-MONTHS: "without good reason")
GOOD_REASONS = frozenset({AbsenceReason.OFFICIAL, AbsenceReason.ILLNESS})
