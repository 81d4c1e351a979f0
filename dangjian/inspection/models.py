"""Inspections (督查、巡查、暗访): a plan (what, which organizations, by whom, when), the visits
recorded on a phone against a checklist (:mod:`dangjian.inspection.checklist`), their photos and
short video clips, and the findings — each turned into a rectification task of
:mod:`dangjian.rectify` (one closed loop) and confirmed by a re-visit.

Who reads what is decided in :mod:`dangjian.inspection.selectors`: the results of a 暗访 stay with
the inspecting level until the plan is published.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from dangjian.core.attachments import AttachmentBase
from dangjian.core.models import period_check, user_link

from .choices import Kind, Result, Revisit, Severity


class InspectionPlan(models.Model):
    """One inspection: ``org`` is the organizing (inspecting) level; the organizations visited
    are its :class:`Target` rows, drawn by the stratified sampler of
    :mod:`dangjian.assess.sampling` (``sample_share`` with ``sampling_seed``) or hand-picked;
    ``inspectors`` are the users who visit. ``published_at`` set: the results are published
    (for a 暗访, visible below the inspecting level only from then on)."""

    title = models.CharField("督查事项", max_length=200)
    kind = models.CharField("方式", max_length=4, choices=Kind.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="inspection_plans",
    )
    checklist_key = models.CharField("检查清单", max_length=64)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    sample_share = models.DecimalField("抽查比例", max_digits=4, decimal_places=3, default=0)
    sampling_seed = models.BigIntegerField("抽样种子", default=0)
    inspectors = models.ManyToManyField(
        "accounts.User", verbose_name="督查人员", related_name="inspection_plans", blank=True
    )
    published_at = models.DateTimeField("结果发布时间", null=True, blank=True)
    created_by = user_link("制定人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督查计划"
        verbose_name_plural = "督查计划"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["org", "starts_on"])]
        constraints = [period_check("starts_on", "ends_on", "inspection_plan_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.title}（{self.kind}）"

    @property
    def is_covert(self) -> bool:
        return self.kind == Kind.COVERT

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Target(models.Model):
    """An organization to visit: ``sampled`` (drawn) and/or ``hand_picked``."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="被检查组织", on_delete=models.PROTECT, related_name="+"
    )
    sampled = models.BooleanField("随机抽中", default=False)
    hand_picked = models.BooleanField("指定检查", default=False)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["org__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "org"], name="inspection_target_unique")
        ]

    def __str__(self) -> str:
        return self.org.name


class Visit(models.Model):
    """One visit to a target organization: when, by whom, the overall note."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="visits")
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="被检查组织", on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField("检查日期")
    note = models.TextField("总体情况", blank=True)
    inspector = user_link("督查人员")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["org", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.org.name} {self.visited_on:%Y-%m-%d}"


class Observation(models.Model):
    """What the visit saw on one checklist item: 符合 / 不符合 / 不适用, with a note."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations")
    item_code = models.CharField("清单项", max_length=32)
    result = models.CharField("检查结果", max_length=4, choices=Result.choices)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item_code"], name="inspection_obs_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.result}"


class VisitMedia(AttachmentBase):
    """A photo or a short video clip taken on a visit (checked by :mod:`dangjian.core.uploads`,
    images stored without their location metadata)."""

    HOLDER: ClassVar[str] = "visit"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="media")

    class Meta(AttachmentBase.Meta):
        verbose_name = "现场照片和视频"
        verbose_name_plural = "现场照片和视频"


class Finding(models.Model):
    """A problem found on a visit: the checklist item, the rule or standard item it concerns,
    how serious, what exactly. ``task`` is the rectification task it became; ``revisit`` what
    the re-visit found."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="被检查组织", on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField("清单项", max_length=32)
    item_title = models.CharField("检查内容", max_length=200)
    rule = models.CharField("涉及规则", max_length=64, blank=True)
    standard = models.CharField("涉及考核标准条目", max_length=64, blank=True)
    severity = models.CharField("严重程度", max_length=4, choices=Severity.choices)
    description = models.TextField("问题描述")
    task = models.OneToOneField(
        "rectify.RectificationTask",
        verbose_name="整改任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_finding",
    )
    revisit = models.CharField("复查结果", max_length=10, choices=Revisit.choices, blank=True)
    revisited_on = models.DateField("复查日期", null=True, blank=True)
    revisit_note = models.CharField("复查意见", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督查发现问题"
        verbose_name_plural = "督查发现问题"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule="") | ~Q(standard=""), name="inspection_finding_concerns"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org.name}：{self.item_title}（{self.severity}）"

    @property
    def concerns(self) -> str:
        from .checklist import ChecklistItem

        return ChecklistItem(self.item_code, self.item_title, self.rule, self.standard).concerns
