"""The 两新 register: 非公有制企业 and 社会组织 with or without a party organization, who covers
them (their own or a joint 联合 party organization, a 党建指导员 or 联系人) and the visits.

Each unit is managed by one party organization (``org``: the town's 党委, a 两新工委, an
industry 党委 …): the unit lies in that organization's subtree for scope. Figures are by
organization, region and sector; the register holds no personal data beyond an advisor's name.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.models import period_check
from dangjian.orgs.models import region_validator

from .choices import AdvisorRole, Industry, OrgMode, Size, UnitKind


class Unit(models.Model):
    """One 非公有制企业 or 社会组织, keyed by its 统一社会信用代码 (normalised: upper case,
    no spaces)."""

    name = models.CharField("单位名称", max_length=200, db_index=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("单位类型", max_length=8, choices=UnitKind.choices)
    industry = models.CharField("所属行业", max_length=8, choices=Industry.choices)
    size = models.CharField("规模", max_length=4, choices=Size.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    region_code = models.CharField(
        "行政区划代码", max_length=12, validators=[region_validator], db_index=True
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="管理党组织",
        on_delete=models.PROTECT,
        related_name="liangxin_units",
    )
    org_mode = models.CharField(
        "党组织建立方式", max_length=8, choices=OrgMode.choices, default=OrgMode.NONE
    )
    party_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liangxin_covered",
    )
    employees = models.PositiveIntegerField("从业人员数", default=0)
    members = models.PositiveIntegerField("党员数", default=0)
    #: the day the unit was deregistered (注销、吊销、撤销) or left the area: from then on it is
    #: not counted in the coverage; kept with its history
    closed_on = models.DateField("注销日期", null=True, blank=True)
    closed_reason = models.CharField("注销原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "两新组织"
        verbose_name_plural = "两新组织"
        indexes = [
            models.Index(fields=["org", "region_code"]),
            models.Index(fields=["industry"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(org_mode=OrgMode.NONE) & Q(party_org__isnull=True))
                | (~Q(org_mode=OrgMode.NONE) & Q(party_org__isnull=False)),
                name="liangxin_party_org_with_mode",
            ),
            models.CheckConstraint(
                condition=Q(members__lte=models.F("employees")),
                name="liangxin_members_within_employees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class Advisor(models.Model):
    """A 党建指导员 or 联系人: a name (and the user account, when they have one), sent by an
    organization (``org``, the scope). No ID or phone number is kept."""

    name = models.CharField("姓名", max_length=50)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="选派党组织",
        on_delete=models.PROTECT,
        related_name="liangxin_advisors",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党建指导员"
        verbose_name_plural = "党建指导员"

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An advisor assigned to a unit as its 党建指导员 or 联系人, from ``since`` until ``until``
    (open while empty)."""

    advisor = models.ForeignKey(
        Advisor, verbose_name="党建指导员", on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="两新组织", on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField("身份", max_length=8, choices=AdvisorRole.choices)
    since = models.DateField("开始日期")
    until = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "指导员选派"
        verbose_name_plural = "指导员选派"
        indexes = [models.Index(fields=["unit", "since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["advisor", "unit"],
                condition=Q(until__isnull=True),
                name="liangxin_one_open_assignment",
            ),
            period_check("since", "until", "liangxin_assignment_period"),
        ]

    def __str__(self) -> str:
        return f"{self.advisor.name} → {self.unit.name}（{self.since} 起）"


class Visit(models.Model):
    """An advisor's visit to a unit (指导、走访、活动): the date and a short note."""

    unit = models.ForeignKey(
        Unit, verbose_name="两新组织", on_delete=models.CASCADE, related_name="visits"
    )
    advisor = models.ForeignKey(
        Advisor, verbose_name="党建指导员", on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField("日期")
    note = models.CharField("内容", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "指导员走访"
        verbose_name_plural = "指导员走访"
        indexes = [models.Index(fields=["unit", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.advisor.name} {self.visited_on}"
