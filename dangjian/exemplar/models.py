"""The library of typical examples (典型): a branch's practice (支部工作法), a 党建品牌 or a
示范点 (e.g. seed 002's "12248" 高品质基层党建点), of one organization, with its level, status
(培育 → 命名 → 撤销) and the date of its next review (复核).

An example rests on records of the platform (:class:`Evidence`): an assessment result, a year of
service figures, an organizational-life meeting. Only the reference is stored; the figures are
read live when the page is shown (:mod:`dangjian.exemplar.selectors`), so they can never drift
from the records. A named example is published: its public page shows the example and its
organization-level figures, never a person.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.models import user_link
from dangjian.orgs.choices import Sector

from .choices import EvidenceKind, Kind, Level, Status


class Exemplar(models.Model):
    """One typical example of one organization."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属组织",
        on_delete=models.PROTECT,
        related_name="exemplars",
    )
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    title = models.CharField("名称", max_length=100)
    summary = models.TextField("简介")
    sector = models.CharField("领域", max_length=8, choices=Sector.choices)
    #: the themes (标签) as ``|乡村振兴|基层治理|``: a search is one ``contains`` on any database
    themes = models.CharField("主题", max_length=300, blank=True)
    level = models.CharField("层级", max_length=4, choices=Level.choices)
    status = models.CharField(
        "状态", max_length=4, choices=Status.choices, default=Status.CULTIVATING
    )
    proposed_on = models.DateField("推荐日期")
    named_on = models.DateField("命名日期", null=True, blank=True)
    named_by = models.ForeignKey(
        "orgs.Organization",
        verbose_name="命名组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_on = models.DateField("下次复核日期", null=True, blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    proposed_by = user_link("推荐人")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "典型"
        verbose_name_plural = "典型"
        ordering = ["-proposed_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "review_on"]),
            models.Index(fields=["sector", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="培育") | Q(status="撤销") | Q(named_on__isnull=False),
                name="exemplar_named_has_date",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True)
                | Q(named_on__isnull=True)
                | Q(review_on__gt=models.F("named_on")),
                name="exemplar_review_after_naming",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.kind}，{self.status}）"

    @property
    def theme_list(self) -> list[str]:
        return [t for t in self.themes.split("|") if t]

    @property
    def is_published(self) -> bool:
        return self.status == Status.NAMED


_NO_CAMPAIGN = {"campaign__isnull": True}
_NO_MEETING = {"meeting__isnull": True}
_NO_YEAR = {"year__isnull": True}


class Evidence(models.Model):
    """A reference from an example to a record of the platform: an assessment campaign (the
    result of the example's organization in it), a year of service orders in its subtree, or one
    organizational-life meeting of its subtree."""

    exemplar = models.ForeignKey(
        Exemplar, verbose_name="典型", on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField("佐证类别", max_length=8, choices=EvidenceKind.choices)
    campaign = models.ForeignKey(
        "assess.Campaign",
        verbose_name="考核",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    meeting = models.ForeignKey(
        "life.Meeting",
        verbose_name="组织生活",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "典型佐证"
        verbose_name_plural = "典型佐证"
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="考核结果", campaign__isnull=False, **_NO_MEETING, **_NO_YEAR)
                    | Q(kind="为民服务", year__isnull=False, **_NO_CAMPAIGN, **_NO_MEETING)
                    | Q(kind="组织生活", meeting__isnull=False, **_NO_CAMPAIGN, **_NO_YEAR)
                ),
                name="exemplar_evidence_one_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}佐证 #{self.pk}"
