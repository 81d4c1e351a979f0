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


class AbsenceReason(models.TextChoices):
    OFFICIAL = "因公", "因公"
    ILLNESS = "因病", "因病"
    PERSONAL = "因事", "因事"
    OTHER = "其他", "其他"


#: absence reasons that count as a good reason (LIFE-ABSENT-6-MONTHS: "without good reason")
GOOD_REASONS = frozenset({AbsenceReason.OFFICIAL, AbsenceReason.ILLNESS})
