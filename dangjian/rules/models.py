"""The findings store: the rules' findings kept as rows (issue 12, item 2).

:class:`StoredFinding` holds one finding of one organization as long as the rules find it; when a
later evaluation no longer finds it, ``resolved_at`` is set and the row stays as history.
:class:`FindingsState` records, per organization, the date its findings were last evaluated for
and when, so a reader knows whether the store answers its question (every organization of the
scope evaluated for the same date) and can say as of which evaluation.

The rows are written only by :mod:`dangjian.rules.store` (``refresh``); the pages and the API read
them; ``dangjian check`` keeps computing from the records.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .registry import Finding

OPEN = Q(resolved_at__isnull=True)


class StoredFinding(models.Model):
    """One finding as stored: its identity is (rule, organization, subject key, period) among
    the open rows; the content (severity, message, evidence …) is that of the last evaluation."""

    rule = models.CharField("规则", max_length=64)
    family = models.CharField("规则族", max_length=16)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=True,
    )
    #: the organization's materialized path when last evaluated (subtree scans without a join)
    org_path = models.CharField("组织路径", max_length=255)
    #: "" for a finding about the organization itself; a member's, case's or meeting's stable
    #: key otherwise
    subject_key = models.CharField("对象", max_length=64, blank=True, default="")
    period = models.CharField("期间", max_length=32, blank=True, default="")
    severity = models.CharField("级别", max_length=8)
    message = models.TextField("说明")
    source = models.CharField("依据", max_length=300, blank=True, default="")
    evidence = models.JSONField("证据", default=dict, blank=True)
    due_date = models.DateField("到期日", null=True, blank=True)
    #: the checking date of the last evaluation that found it
    at = models.DateField("检查日期")
    first_seen = models.DateTimeField("首次发现")
    #: the first evaluation that found it for ``at`` (the time of each later evaluation of the
    #: organization is its FindingsState's ``evaluated_at``)
    last_seen = models.DateTimeField("最近评估")
    resolved_at = models.DateTimeField("消除时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查发现（存储）"
        verbose_name_plural = "检查发现（存储）"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "rule", "subject_key", "period"],
                condition=OPEN,
                name="rules_finding_open_unique",
            )
        ]
        indexes = [
            # the pages: a subtree's open findings (a path prefix: the pattern operators on
            # PostgreSQL, whatever the database's collation), in tree order, by rule, by
            # severity, by family
            models.Index(
                fields=["org_path"],
                opclasses=["varchar_pattern_ops"],
                condition=OPEN,
                name="rules_finding_open_prefix",
            ),
            models.Index(
                fields=["org_path", "rule"], condition=OPEN, name="rules_finding_open_path"
            ),
            models.Index(
                fields=["rule", "org_path"], condition=OPEN, name="rules_finding_open_rule"
            ),
            models.Index(
                fields=["severity", "org_path"], condition=OPEN, name="rules_finding_open_sev"
            ),
            models.Index(
                fields=["family", "org_path"], condition=OPEN, name="rules_finding_open_family"
            ),
            # the counts per rule of a subtree's open findings of a family, from the index alone
            models.Index(
                fields=["family", "rule", "org_path"],
                condition=OPEN,
                name="rules_finding_open_count",
            ),
            # history: what was resolved when
            models.Index(fields=["resolved_at"], name="rules_finding_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.org_id} {self.period}"

    def as_finding(self, subject: str) -> Finding:
        """The stored row as the runner's :class:`Finding` (``subject``: the organization's
        code; the subject key is the row's identity below it, in the evidence as well; a
        recruitment case's finding has the case number as its subject)."""
        if self.subject_key.startswith("case:"):
            # a recruitment case (``#…`` tells apart two findings of one rule for it)
            subject = self.subject_key.removeprefix("case:").split("#")[0]
        return Finding(
            rule=self.rule,
            subject=subject,
            severity=self.severity,
            message=self.message,
            source=self.source,
            evidence=dict(self.evidence or {}),
            period=self.period or None,
            due_date=self.due_date,
        )


class FindingsState(models.Model):
    """When an organization's findings were last evaluated, and for which checking date."""

    org = models.OneToOneField(
        "orgs.Organization",
        verbose_name="党组织",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    org_path = models.CharField("组织路径", max_length=255, db_index=True)
    at = models.DateField("检查日期")
    evaluated_at = models.DateTimeField("评估时间")
    #: a digest of the local rule parameters in force when evaluated (a change of them makes
    #: the stored findings answer no more until they are evaluated again)
    config = models.CharField("规则参数摘要", max_length=64, blank=True, default="")
    #: set by a write that changes what the findings of the organization are computed from,
    #: in the write's transaction; cleared by the refresh that reads it. While set, the store
    #: does not answer for any subtree holding the organization (the pages ask the check): a
    #: page never shows findings older than the records, even with no task worker running
    dirty_since = models.DateTimeField("待重新评估自", null=True, blank=True, db_index=True)
    #: the members of the organization's subtree as its SETUP facts counted them when last
    #: evaluated (empty before SETUP was): what a refresh of a write below reads for the
    #: subtrees it does not evaluate again (:func:`dangjian.rules.store.refresh`)
    members = models.IntegerField("含下级党员数（评估时）", null=True, blank=True)

    class Meta:
        verbose_name = "检查评估状态"
        verbose_name_plural = "检查评估状态"
        indexes = [
            # the readers: a state for another date or parameters, the oldest and newest
            # evaluation, without reading every state of the subtree
            models.Index(fields=["at"], name="rules_state_at"),
            models.Index(fields=["config"], name="rules_state_config"),
            models.Index(fields=["evaluated_at"], name="rules_state_evaluated"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.at}"


class FindingCount(models.Model):
    """The open stored findings of the subtree of an organization (itself included) by rule and
    severity, kept by the refresh's writes of :class:`StoredFinding` in the same transaction, by
    moves and deletions of organizations (:mod:`dangjian.rules.store`), rebuilt and checked by
    ``dangjian rollups``: the findings page's counts by rule at any level read one
    organization's rows instead of grouping every finding below. A missing row means zero."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField("规则", max_length=64)
    severity = models.CharField("级别", max_length=8)
    sub_findings = models.IntegerField("含下级问题数", default=0)

    class Meta:
        verbose_name = "检查发现汇总"
        verbose_name_plural = "检查发现汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "rule", "severity"], name="rules_finding_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.rule} {self.severity}：{self.sub_findings}"
