"""The fixed vocabularies of inspections (督查、巡查、暗访)."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    """督查 (announced), 巡查 (a round of visits), 暗访 (unannounced: results stay with the
    inspecting level until the plan is published)."""

    SUPERVISE = "督查", "督查"
    PATROL = "巡查", "巡查"
    COVERT = "暗访", "暗访"


class Result(models.TextChoices):
    """An observation of one checklist item."""

    MET = "符合", "符合"
    NOT_MET = "不符合", "不符合"
    NOT_APPLICABLE = "不适用", "不适用"


class Severity(models.TextChoices):
    """How serious a finding is."""

    MINOR = "一般", "一般"
    MAJOR = "较重", "较重"
    SEVERE = "严重", "严重"


class Revisit(models.TextChoices):
    """What the re-visit found: the rectification holds, or the task goes back."""

    CONFIRMED = "confirmed", "复查通过"
    REOPENED = "reopened", "复查未通过，退回整改"
