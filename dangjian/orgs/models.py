"""The organization tree (materialized path, django-treebeard) and regions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from treebeard.mp_tree import MP_Node

from dangjian.core.models import period_check

from .choices import BRANCH_TYPES, NO_TERM_TYPES, OrgType, Sector

code_validator = RegexValidator(r"^[A-Za-z0-9]{1,32}$", "组织编码只能由字母和数字组成，最长 32 位")
region_validator = RegexValidator(r"^(\d{6}|\d{12})$", "行政区划代码应为 6 位或 12 位数字")


#: reads the parameters of a rule in force on a day: ``(rule id, day) → parameters``
RuleParams = Callable[[str, "dt.date | None"], Mapping[str, Any]]

_rule_params: list[RuleParams] = []


def use_rule_params(reader: RuleParams) -> None:
    """Hand the tree the rules engine's parameter reader (``OrgsConfig.ready``). The tree sits
    below the engine (tools/layers.py), so it is given the reader instead of importing it; the
    term length and the longest election delay are then the SETUP parameters in force, never a
    copy of them."""
    _rule_params[:] = [reader]


def rule_params(rule_id: str, on: dt.date | None = None) -> Mapping[str, Any]:
    """The parameters of ``rule_id`` in force on ``on`` (see :func:`use_rule_params`)."""
    if not _rule_params:
        raise RuntimeError("党组织模块尚未就绪：规则参数不可用")
    return _rule_params[0](rule_id, on)


def term_years_default(org_type: str, sector: str, on: dt.date | None = None) -> int | None:
    """The statutory term for the type and sector: the parameters of SETUP-TERM in force on
    ``on`` (基层党委 and 村、社区 organizations 5 years, 党总支 and 党支部 3 years by default).

    No term (``None``) for a 党工委 (a dispatched body whose members are appointed by the
    committee that set it up, not elected: 党章 art. 31), a 临时党支部 (set up for a task, its
    leaders designated) or a 党小组.
    """
    if org_type in NO_TERM_TYPES:
        return None
    return term_years_for(org_type, sector, rule_params("SETUP-TERM", on))


def term_years_for(org_type: str, sector: str, params: Mapping[str, Any]) -> int | None:
    """:func:`term_years_default` with the SETUP-TERM parameters given."""
    if org_type in NO_TERM_TYPES:
        return None
    if sector in (Sector.RURAL, Sector.COMMUNITY):
        return int(params["village_community_years"])
    if org_type == OrgType.COMMITTEE:
        return int(params["committee_years"])
    return int(params["branch_years"])


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
        indexes = [
            models.Index(fields=["org_type", "sector"]),
            # the children of a node (one depth, a path prefix) without reading its subtree:
            # at the root of a province, 5 rows instead of 300,000 (``LIKE 'prefix%'`` on
            # PostgreSQL needs the pattern operator class)
            models.Index(
                fields=["depth", "path"],
                name="orgs_org_depth_path",
                opclasses=["int4_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def has_term(self) -> bool:
        """Whether the organization is elected for a term (换届); not a 党工委 (appointed), a
        临时党支部 or a 党小组."""
        return self.org_type not in NO_TERM_TYPES

    @property
    def effective_term_years(self) -> int | None:
        """The term length: recorded, else the SETUP-TERM default for the type and sector;
        ``None`` for organizations without 换届 (:attr:`has_term`)."""
        if not self.has_term:
            return None
        if self.term_years:
            return int(self.term_years)
        return term_years_default(self.org_type, self.sector, self.term_started_on)

    @property
    def term_ends_on(self) -> dt.date | None:
        from dangjian.core.dates import add_years

        years = self.effective_term_years
        if self.term_started_on is None or years is None:
            return None
        return add_years(self.term_started_on, years)


class ElectionDelay(models.Model):
    """An approved delay of an election (延期换届) for the term that began on
    ``term_started_on``: the superior organization allowed the election to be held by
    ``new_deadline``, at most one year after the term's end (选举条例 art. 3). Until that day
    SETUP-TERM-EXPIRED is no error; a new election (a new ``term_started_on``) leaves the delay
    behind with its term. A later record for the same term replaces an earlier one."""

    org = models.ForeignKey(
        Organization,
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="election_delays",
    )
    term_started_on = models.DateField("所延期任期的开始日期")
    term_ends_on = models.DateField("原届满日期")
    new_deadline = models.DateField("延期后换届截止日期")
    approved_by = models.CharField("批准机关", max_length=200)
    approved_on = models.DateField("批准日期")
    decision_no = models.CharField("批准文号", max_length=100, blank=True)
    reason = models.CharField("延期原因", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "延期换届"
        verbose_name_plural = "延期换届"
        indexes = [models.Index(fields=["org", "term_started_on"])]
        constraints = [
            period_check(
                "term_ends_on",
                "new_deadline",
                "election_delay_after_term_end",
                open_end=False,
                same_day=False,
            )
        ]

    def __str__(self) -> str:
        return f"延期换届至 {self.new_deadline}（{self.approved_by} {self.approved_on} 批准）"


class OrgCommittee(models.Model):
    """The committee of an organization as its member roll shows it (书记, 副书记, 委员 posts),
    kept by every write of the roll (:mod:`dangjian.members.committee`) and rebuilt from the
    records by ``dangjian rollups rebuild``: what the SETUP rules read of the committee, one row
    per organization instead of a grouping over the roll. Counted over the post holders with no
    decided standing (留党察看, 出党 … — those are read one by one, as the facts always did);
    ``horizon`` is the latest date among the holders' joining and confirmation days and their
    standings' start days: on and after it the row is what the roll says on any day. A missing
    row means no holders."""

    org = models.OneToOneField(
        Organization,
        verbose_name="党组织",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="committee",
    )
    committee_posts = models.IntegerField("任书记、副书记、委员的党员", default=0)
    secretaries = models.IntegerField("任书记的党员", default=0)
    secretary_joined_on = models.DateField("书记入党日期", null=True, blank=True)
    secretary_confirmed_on = models.DateField("书记转正日期", null=True, blank=True)
    probationary_holders = models.IntegerField("任职的预备党员", default=0)
    horizon = models.DateField("适用起始日期", null=True, blank=True)

    class Meta:
        verbose_name = "支委会汇总"
        verbose_name_plural = "支委会汇总"

    def __str__(self) -> str:
        return f"{self.org_id}：委员 {self.committee_posts}，书记 {self.secretaries}"


class OrgCount(models.Model):
    """The organizations in the subtree of an organization, itself included, kept up to date by
    every write that adds or moves organizations (:mod:`dangjian.orgs.rollups`), so that a page
    shows the size of a subtree without scanning it. A missing row means zero."""

    org = models.OneToOneField(
        Organization,
        verbose_name="党组织",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="org_count",
    )
    orgs = models.IntegerField("本组织及下级组织数", default=0)

    class Meta:
        verbose_name = "组织数汇总"
        verbose_name_plural = "组织数汇总"

    def __str__(self) -> str:
        return f"{self.org_id}：{self.orgs}"
