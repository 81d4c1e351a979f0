"""Assessment campaigns (质量考核 / 星级评定) and what is recorded for them.

Stable interface for the pages, rectification and bulletins built on top (additive changes only):

- :class:`Campaign` — one assessment run: a standard (key, version and the YAML text as a
  snapshot, so re-scoring years later reads the same standard), the subtree (``root``), the period
  assessed, the phase dates, the spot-check share and the sampling seed, a status, and optionally
  the previous campaign the change (晋位升级 / 降级) is computed against.
- :class:`CampaignOrg` — an organization taking part, with ``sampled`` (drawn for the spot-check
  by :mod:`dangjian.assess.sampling`) and ``hand_picked`` (chosen by the upper level).
- :class:`SelfCheckScore` / :class:`SpotCheckScore` — one score of one criterion (``criterion``
  is the id in the standard, e.g. ``"1.2"``) by one organization in one campaign, with a note.
- :class:`VetoEvent` — a recorded event on an organization that crosses a veto line (高压线),
  entered by the upper level; it applies to every campaign whose period contains its date and
  whose standard has that veto line (ASSESS-VETO).
- :class:`Result` — the computed score of one organization in one campaign, written by
  :func:`dangjian.assess.scoring.campaign_score`; ``breakdown`` is the full explanation
  (see the scoring module docstring for its JSON shape).

Writes go through :mod:`dangjian.assess.services` (scoped, audited). Reads through
:mod:`dangjian.assess.selectors`.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from dangjian.core.models import period_check, user_link


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """JSON with Chinese text as is, not as ``\\uXXXX`` escapes: a city's breakdowns are a
    quarter smaller and, on PostgreSQL, about three times faster to write (the driver escapes
    every backslash of a bulk insert)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class CampaignStatus(models.TextChoices):
    OPEN = "open", "进行中"
    SCORED = "scored", "已评分"
    FINAL = "final", "已定档"


class ScoreJob(models.TextChoices):
    """State of the last scoring started from the web page (see :mod:`dangjian.assess.jobs`)."""

    NONE = "", "无"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "评分中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Tier(models.TextChoices):
    ADVANCED = "advanced", "先进"
    MIDDLE = "middle", "中间"
    LAGGING = "lagging", "后进"


class Change(models.TextChoices):
    UP = "up", "晋位升级"
    SAME = "same", "持平"
    DOWN = "down", "降级"
    NEW = "new", "首次参评"


class Campaign(models.Model):
    """One assessment campaign over a subtree, e.g. 2026 年度星级评定.

    Phase dates are all optional (a campaign may skip the survey); ``final_on`` is the day the
    result becomes final. ``spot_share`` is the share (0–1) of participating organizations drawn
    for the spot-check, stratified by sector, with ``sampling_seed`` so the draw is reproducible.
    """

    name = models.CharField("名称", max_length=200)
    standard_key = models.CharField("标准", max_length=64)
    standard_version = models.CharField("标准版本", max_length=32)
    standard_text = models.TextField("标准文本（快照）")
    root = models.ForeignKey(
        "orgs.Organization",
        verbose_name="范围（上级组织）",
        on_delete=models.PROTECT,
        related_name="assess_campaigns",
    )
    period_start = models.DateField("考核期开始")
    period_end = models.DateField("考核期结束")
    self_check_start = models.DateField("自查开始", null=True, blank=True)
    self_check_end = models.DateField("自查截止", null=True, blank=True)
    spot_check_start = models.DateField("抽查开始", null=True, blank=True)
    spot_check_end = models.DateField("抽查截止", null=True, blank=True)
    survey_start = models.DateField("群众测评开始", null=True, blank=True)
    survey_end = models.DateField("群众测评截止", null=True, blank=True)
    review_start = models.DateField("审核开始", null=True, blank=True)
    review_end = models.DateField("审核截止", null=True, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示截止", null=True, blank=True)
    final_on = models.DateField("定档日期", null=True, blank=True)
    spot_share = models.DecimalField("抽查比例", max_digits=4, decimal_places=3, default=0)
    sampling_seed = models.BigIntegerField("抽样种子", default=0)
    # issue 15: the spot-check page shows the inspection findings (督查、巡查, published 暗访) of
    # the organization in the campaign's period as evidence
    inspection_evidence = models.BooleanField("抽查参考督查暗访发现的问题", default=False)
    status = models.CharField(
        "状态", max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="上一次考核",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    scored_as_of = models.DateField("评分数据截至", null=True, blank=True)
    score_job = models.CharField(
        "后台评分状态", max_length=8, choices=ScoreJob.choices, default="", blank=True
    )
    score_job_id = models.CharField("后台评分任务", max_length=64, blank=True)
    score_job_by = models.CharField("后台评分发起人", max_length=150, blank=True)
    score_job_queued_at = models.DateTimeField("后台评分提交时间", null=True, blank=True)
    score_job_started_at = models.DateTimeField("后台评分开始时间", null=True, blank=True)
    score_job_finished_at = models.DateTimeField("后台评分结束时间", null=True, blank=True)
    score_job_error = models.TextField("后台评分错误", blank=True)
    created_by = user_link("创建人")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "考核"
        verbose_name_plural = "考核"
        ordering = ["-period_end", "-pk"]
        constraints = [
            period_check(
                "period_start", "period_end", "assess_campaign_period_order", open_end=False
            ),
            models.CheckConstraint(
                condition=Q(spot_share__gte=0) & Q(spot_share__lte=1),
                name="assess_campaign_spot_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    #: phase code → (label, start field, end field) in order
    PHASES = (
        ("self_check", "自查", "self_check_start", "self_check_end"),
        ("spot_check", "抽查", "spot_check_start", "spot_check_end"),
        ("survey", "群众测评", "survey_start", "survey_end"),
        ("review", "审核", "review_start", "review_end"),
        ("notice", "公示", "notice_start", "notice_end"),
        ("final", "定档", "final_on", "final_on"),
    )

    def phases(self) -> list[dict[str, object]]:
        """The phases with their dates, in order: code, label, start, end."""
        return [
            {"code": c, "label": label, "start": getattr(self, s), "end": getattr(self, e)}
            for c, label, s, e in self.PHASES
        ]


class CampaignOrg(models.Model):
    """An organization taking part in a campaign; whether it is spot-checked and why."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="考核", on_delete=models.CASCADE, related_name="participants"
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    sampled = models.BooleanField("随机抽中", default=False)
    hand_picked = models.BooleanField("指定抽查", default=False)

    class Meta:
        verbose_name = "参评组织"
        verbose_name_plural = "参评组织"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], name="assess_campaign_org_unique")
        ]
        indexes = [models.Index(fields=["org", "campaign"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.org_id}"

    @property
    def spot_checked(self) -> bool:
        return self.sampled or self.hand_picked


class _Score(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name="考核", on_delete=models.CASCADE, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.CharField("评分标准编号", max_length=32)
    points = models.DecimalField("得分", max_digits=6, decimal_places=2)
    note = models.TextField("说明", blank=True)
    by = user_link("评分人")
    by_name = models.CharField("评分人名称", max_length=150, blank=True)
    at = models.DateTimeField("评分时间")
    late = models.BooleanField("逾期录入", default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.org_id} {self.criterion}: {self.points}"


class SelfCheckScore(_Score):
    """The organization's own score of one self/spot criterion (自查), with its note."""

    class Meta:
        verbose_name = "自查评分"
        verbose_name_plural = "自查评分"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org", "criterion"], name="assess_self_score_unique"
            )
        ]


class SpotCheckScore(_Score):
    """An inspector's score of one criterion of a spot-checked organization (听、查、评)."""

    class Meta:
        verbose_name = "抽查评分"
        verbose_name_plural = "抽查评分"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org", "criterion"], name="assess_spot_score_unique"
            )
        ]


class VetoEvent(models.Model):
    """An event crossing a veto line (高压线) of an organization, entered by the upper level.

    ``line`` is the veto line id of the standard (e.g. ``"V1"``). A withdrawn event (entered by
    mistake) stays on record with the reason and no longer counts.
    """

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="veto_events",
    )
    occurred_on = models.DateField("发生日期")
    line = models.CharField("高压线编号", max_length=32)
    note = models.TextField("情况说明")
    entered_by = user_link("录入人")
    entered_by_name = models.CharField("录入人名称", max_length=150, blank=True)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    withdrawn = models.BooleanField("已撤销", default=False)
    withdrawn_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        verbose_name = "高压线事件"
        verbose_name_plural = "高压线事件"
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["org", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.org_id} {self.line} {self.occurred_on}"


class Result(models.Model):
    """The computed assessment of one organization in one campaign.

    ``stars`` is 0 for 未评星; ``veto`` lists nothing when no veto line applies. ``previous_*``
    come from the campaign's ``previous`` campaign; ``change`` compares the tiers (stars when the
    tiers are equal).
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name="考核", on_delete=models.CASCADE, related_name="results"
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    veto = models.BooleanField("触及高压线", default=False)
    veto_lines = models.JSONField("触及的高压线", default=list, blank=True)
    stars = models.PositiveSmallIntegerField("星级", default=0)
    tier = models.CharField("档次", max_length=8, choices=Tier.choices)
    breakdown = models.JSONField("得分明细", default=dict, encoder=UnicodeJSONEncoder)
    previous_total = models.DecimalField(
        "上次总分", max_digits=6, decimal_places=2, null=True, blank=True
    )
    previous_stars = models.PositiveSmallIntegerField("上次星级", null=True, blank=True)
    previous_tier = models.CharField("上次档次", max_length=8, choices=Tier.choices, blank=True)
    change = models.CharField("变化", max_length=8, choices=Change.choices, default=Change.NEW)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["campaign", "-total", "org"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], name="assess_result_unique")
        ]
        indexes = [models.Index(fields=["campaign", "tier"]), models.Index(fields=["org"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.org_id} {self.total}"
