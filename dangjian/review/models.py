"""书记抓基层党建述职评议考核: a yearly campaign of an upper organization, the report of every
secretary who reports to it, the problem list it gives back, the raters' ballots counted per
organization, and the result (评议等次).

Who reports is derived from the posts model when a campaign is opened (see
:func:`dangjian.review.selectors.reporters_of`); the secretary's name is kept as it was then.
Ratings are counts of ballots per item and kind of rater — no rater is named, and results are
shown by organization, never as a ranking of persons. Each problem of the list becomes a task of
the organization's rectification plan (:mod:`dangjian.rectify`): one closed loop.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.attachments import AttachmentBase
from dangjian.core.models import user_link

from .choices import Grade, RaterKind


class Campaign(models.Model):
    """One year's 述职评议 organized by ``org`` (the upper 党委/党工委).

    ``items`` are the rated items (a list of short texts), ``rater_kinds`` the kinds of raters
    invited (:class:`~dangjian.review.choices.RaterKind` values), ``grade_rule`` the distribution
    rule as data: grade → the largest share of the reporting organizations it may be given
    (``{"好": 0.3}``: at most 30 % 好)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织评议的党组织",
        on_delete=models.PROTECT,
        related_name="review_campaigns",
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    items = models.JSONField("评议项目", default=list)
    rater_kinds = models.JSONField("评议人员类别", default=list)
    grade_rule = models.JSONField("等次比例规则", default=dict)
    meeting_on = models.DateField("述职评议会日期", null=True, blank=True)
    created_by = user_link("发起人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="review_one_campaign_per_year")
        ]

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """The 述职 of one organization's secretary in a campaign, and its result."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="述职评议", on_delete=models.CASCADE, related_name="reports"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="述职组织",
        on_delete=models.PROTECT,
        related_name="review_reports",
    )
    secretary_name = models.CharField("书记", max_length=50, blank=True)
    text = models.TextField("述职报告", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = user_link("提交人")
    grade = models.CharField("评议等次", max_length=4, choices=Grade.choices, blank=True)
    graded_at = models.DateTimeField("评定时间", null=True, blank=True)
    graded_by = user_link("评定人")

    class Meta:
        verbose_name = "书记述职"
        verbose_name_plural = "书记述职"
        ordering = ["campaign", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], name="review_one_report_per_org")
        ]
        indexes = [models.Index(fields=["campaign", "grade"])]

    def __str__(self) -> str:
        return f"{self.org.name}书记述职（{self.campaign.year} 年）"


class ReportAttachment(AttachmentBase):
    """A file of a report (the written report as signed, photos, a presentation)."""

    HOLDER = "report"

    report = models.ForeignKey(
        Report, verbose_name="书记述职", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(AttachmentBase.Meta):
        verbose_name = "述职材料"
        verbose_name_plural = "述职材料"


class Problem(models.Model):
    """One problem of the list the upper level gives back; ``task`` is the rectification task
    it became."""

    report = models.ForeignKey(
        Report, verbose_name="书记述职", on_delete=models.CASCADE, related_name="problems"
    )
    text = models.CharField("问题", max_length=200)
    task = models.OneToOneField(
        "rectify.RectificationTask",
        verbose_name="整改任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_problem",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "述职评议问题"
        verbose_name_plural = "述职评议问题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class RatingTally(models.Model):
    """The ballots of one kind of rater on one item of a report, as counts per grade."""

    report = models.ForeignKey(
        Report, verbose_name="书记述职", on_delete=models.CASCADE, related_name="tallies"
    )
    rater_kind = models.CharField("评议人员类别", max_length=8, choices=RaterKind.choices)
    item = models.CharField("评议项目", max_length=50)
    good = models.PositiveIntegerField("好", default=0)
    fairly_good = models.PositiveIntegerField("较好", default=0)
    average = models.PositiveIntegerField("一般", default=0)
    poor = models.PositiveIntegerField("差", default=0)

    class Meta:
        verbose_name = "述职评议票数"
        verbose_name_plural = "述职评议票数"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "rater_kind", "item"], name="review_one_tally_per_item"
            ),
            models.CheckConstraint(
                condition=Q(good__gte=0)
                & Q(fairly_good__gte=0)
                & Q(average__gte=0)
                & Q(poor__gte=0),
                name="review_tally_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater_kind}·{self.item}"

    @property
    def counts(self) -> dict[str, int]:
        return {
            Grade.GOOD: self.good,
            Grade.FAIRLY_GOOD: self.fairly_good,
            Grade.AVERAGE: self.average,
            Grade.POOR: self.poor,
        }
