"""The organization tree (materialized path, django-treebeard) and regions."""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from treebeard.mp_tree import MP_Node

from .choices import BRANCH_TYPES, OrgType, Sector

code_validator = RegexValidator(r"^[A-Za-z0-9]{1,32}$", "组织编码只能由字母和数字组成，最长 32 位")
region_validator = RegexValidator(r"^(\d{6}|\d{12})$", "行政区划代码应为 6 位或 12 位数字")


class Region(models.Model):
    """An administrative division (GB/T 2260 6-digit or 12-digit statistical code) with its name."""

    code = models.CharField(
        "行政区划代码", max_length=12, primary_key=True, validators=[region_validator]
    )
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Organization(MP_Node):
    """A party organization: 党委, 党工委, 党总支, 党支部 (also 联合/临时), or a 党小组 in a branch.

    The tree is a materialized path (``path``, 4 characters a level): a subtree is one indexed
    ``path LIKE 'prefix%'`` query. Moves go through :func:`dangjian.orgs.services.org_move`, which
    refuses cycles.
    """

    steplen = 4

    code = models.CharField("组织编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("组织名称", max_length=200, db_index=True)
    org_type = models.CharField("组织类别", max_length=16, choices=OrgType.choices)
    sector = models.CharField("所属领域", max_length=16, choices=Sector.choices)
    region_code = models.CharField(
        "行政区划代码", max_length=12, blank=True, db_index=True, validators=[region_validator]
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_started_on = models.DateField("本届任期开始日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期年限", null=True, blank=True)
    units_covered = models.PositiveIntegerField("覆盖单位数", null=True, blank=True)
    secretary_vacant_since = models.DateField("书记空缺起始日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [models.Index(fields=["org_type", "sector"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def effective_term_years(self) -> int | None:
        """The term length: recorded, else the SETUP-TERM default for the type and sector."""
        from dangjian.rules.setup import term_years_default

        if self.term_years:
            return int(self.term_years)
        return term_years_default(self.org_type, self.sector)

    @property
    def term_ends_on(self) -> dt.date | None:
        from dangjian.core.dates import add_years

        years = self.effective_term_years
        if self.term_started_on is None or years is None:
            return None
        return add_years(self.term_started_on, years)
