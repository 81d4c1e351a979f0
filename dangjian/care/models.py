"""The register of members in hardship (困难党员帮扶): who, why, how hard, since when, who helps;
the help given and the visits (走访慰问) with the next visit due.

Personal details are kept minimal: the reason is a category, and anything more (the illness,
the family's situation) goes into a note encrypted with :mod:`dangjian.core.crypto`. Who may read
an entry is decided in :mod:`dangjian.care.selectors` (the member's branch and the helping
organizations only; upper levels get figures by organization).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core import crypto
from dangjian.core.models import period_check

from .choices import CloseReason, HelpKind, Level, Occasion, Reason


class Hardship(models.Model):
    """One member's time in hardship, from ``since`` until ``until`` (open while empty). ``org``
    is the member's branch when registered (the entry's scope); ``helpers`` are the
    organizations that help (the branch itself, the 党委, a 结对 unit's organization …). A
    member has at most one open entry."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="hardships"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所在党支部",
        on_delete=models.PROTECT,
        related_name="hardships",
    )
    reason = models.CharField("致困原因", max_length=8, choices=Reason.choices)
    note_cipher = models.BinaryField("困难情况说明（密文）", null=True, blank=True)
    level = models.CharField("困难程度", max_length=8, choices=Level.choices)
    since = models.DateField("登记日期")
    until = models.DateField("销号日期", null=True, blank=True)
    close_reason = models.CharField(
        "销号原因", max_length=8, choices=CloseReason.choices, blank=True
    )
    helpers = models.ManyToManyField(
        "orgs.Organization", verbose_name="帮扶组织", related_name="helped_hardships", blank=True
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "困难党员登记"
        verbose_name_plural = "困难党员登记"
        indexes = [models.Index(fields=["org", "until"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(until__isnull=True), name="care_one_open_per_member"
            ),
            period_check("since", "until", "care_closed_after_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name}（{self.level}，{self.since} 起）"

    @property
    def is_open(self) -> bool:
        return self.until is None

    def note(self) -> str:
        """The plain note, or ``""``: read only through a selector that audits it."""
        return crypto.decrypt(self.note_cipher) if self.note_cipher else ""


class Help(models.Model):
    """Help given to a member in hardship: what, how much (yuan), by which organization (and
    optionally the person who carried it out, a 帮扶责任人), when."""

    hardship = models.ForeignKey(
        Hardship, verbose_name="困难党员登记", on_delete=models.CASCADE, related_name="helps"
    )
    kind = models.CharField("帮扶方式", max_length=8, choices=HelpKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, default=0)
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="帮扶组织", on_delete=models.PROTECT, related_name="+"
    )
    helper_name = models.CharField("帮扶责任人", max_length=50, blank=True)
    given_on = models.DateField("帮扶日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "帮扶记录"
        verbose_name_plural = "帮扶记录"
        indexes = [models.Index(fields=["org", "given_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="care_help_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} 元（{self.given_on}）"


class Visit(models.Model):
    """A visit (走访慰问) at a festival or after an event, with the next visit due (回访)."""

    hardship = models.ForeignKey(
        Hardship, verbose_name="困难党员登记", on_delete=models.CASCADE, related_name="visits"
    )
    occasion = models.CharField("走访时机", max_length=8, choices=Occasion.choices)
    visited_on = models.DateField("走访日期")
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="走访组织", on_delete=models.PROTECT, related_name="+"
    )
    visitors = models.CharField("走访人", max_length=100, blank=True)
    note_cipher = models.BinaryField("走访情况（密文）", null=True, blank=True)
    next_visit_on = models.DateField("下次走访日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "走访慰问"
        verbose_name_plural = "走访慰问"
        indexes = [
            models.Index(fields=["hardship", "visited_on"]),
            models.Index(fields=["org", "visited_on"]),
        ]
        constraints = [
            period_check(
                "visited_on", "next_visit_on", "care_next_visit_after_visit", same_day=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.occasion}走访（{self.visited_on}）"

    def note(self) -> str:
        return crypto.decrypt(self.note_cipher) if self.note_cipher else ""
