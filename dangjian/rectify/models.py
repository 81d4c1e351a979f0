"""Rectification plans (整改, 一支一策: ASSESS-RECTIFY) and their tasks.

A plan belongs to one organization that is lagging in an assessment or meets an ASSESS-WEAK
condition; ``conditions`` keeps why, with the evidence (rule ids, findings, figures) as it was
when the plan was opened, so the reason stays readable after the data change. Each task says
what is to be done, how, who does it (a post or a name the branch chooses — free text, never a
link to a member record) and by when. The organization reports progress and reports a task done;
only its upper level confirms or reopens it (see :mod:`dangjian.rectify.services`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.models import user_link

from .choices import PlanReason, PlanStatus, TaskStatus


class RectificationPlan(models.Model):
    """One organization's rectification plan (一支一策).

    ``conditions`` is a list of ``{"condition", "label", "rule", "message", "evidence"}``
    (condition codes from :class:`~dangjian.rectify.choices.WeakCondition`). At most one plan per
    organization is open at a time.
    """

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="rectification_plans",
    )
    reason = models.CharField("整改原因", max_length=16, choices=PlanReason.choices)
    conditions = models.JSONField("认定依据", default=list, blank=True)
    summary = models.TextField("问题概述", blank=True)
    campaign = models.ForeignKey(
        "assess.Campaign",
        verbose_name="考核",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectification_plans",
    )
    status = models.CharField(
        "状态", max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    created_by = user_link("制定人")
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改方案"
        verbose_name_plural = "整改方案"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(status="open"),
                name="rectify_one_open_plan_per_org",
            )
        ]
        indexes = [models.Index(fields=["status", "org"])]

    def __str__(self) -> str:
        return f"{self.org.name}整改方案（{self.get_reason_display()}）"


class RectificationTask(models.Model):
    """One task of a plan: 干什么 (what), 怎么干 (how), 谁来干 (owner), 何时完成 (deadline)."""

    plan = models.ForeignKey(
        RectificationPlan, verbose_name="整改方案", on_delete=models.CASCADE, related_name="tasks"
    )
    what = models.CharField("整改任务", max_length=200)
    how = models.TextField("整改措施", blank=True)
    owner = models.CharField("责任人（岗位）", max_length=50)
    deadline = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    reported_at = models.DateTimeField("报告完成时间", null=True, blank=True)
    reported_by = user_link("报告人")
    reviewed_at = models.DateTimeField("上级审核时间", null=True, blank=True)
    reviewed_by = user_link("审核人")
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.what}（{self.deadline:%Y-%m-%d} 前）"


class TaskProgress(models.Model):
    """A progress update on a task, reported by the organization (date and text)."""

    task = models.ForeignKey(
        RectificationTask,
        verbose_name="整改任务",
        on_delete=models.CASCADE,
        related_name="progress",
    )
    on = models.DateField("日期")
    text = models.TextField("进展情况")
    by = user_link("填报人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.text[:20]}"
