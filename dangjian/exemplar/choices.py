"""The fixed vocabularies of the library of typical examples (典型) and brands."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    """What kind of example: a branch's practice (工作法), a brand, a demonstration site."""

    PRACTICE = "工作法", "支部工作法"
    BRAND = "党建品牌", "党建品牌"
    SITE = "示范点", "示范点"


class Level(models.TextChoices):
    """The level that names (or is to name) the example."""

    COUNTY = "县级", "县级"
    CITY = "市级", "市级"
    PROVINCE = "省级", "省级"


class Status(models.TextChoices):
    """培育 (proposed, being cultivated) → 命名 (named, published) → 撤销 (revoked)."""

    CULTIVATING = "培育", "培育"
    NAMED = "命名", "命名"
    REVOKED = "撤销", "撤销"


class EvidenceKind(models.TextChoices):
    """What in the platform an example rests on (resolved live on the page, never copied)."""

    ASSESSMENT = "考核结果", "考核结果（得分、星级）"
    SERVICE = "为民服务", "为民服务三率（年度）"
    MEETING = "组织生活", "组织生活台账"
