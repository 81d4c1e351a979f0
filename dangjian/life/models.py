"""Records of organizational life (组织生活): meetings and activities with their attendance.

A record is entered once; the ledger, the LIFE-* compliance findings and the reminders are all
derived from it. A 党小组会 belongs to a 党小组, every other type to a branch (党支部, 联合党支部,
临时党支部); see :func:`dangjian.life.services.meeting_validate`.

One record may count for several types: its main ``meeting_type`` and the types it was also held
as (``also_counts_as``: a 支部党员大会 held as the month's 主题党日, 民主评议党员 at the
组织生活会). A record counts once for each of its types and once for a rule, however many of the
rule's types it has. ``year`` (所属年度) is the year the record counts for in the yearly rules:
the year of its date, or the year before for a yearly meeting held early in the next year.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.attachments import AttachmentBase
from dangjian.core.records import EnteredRecord

from .choices import TYPE_SEPARATOR, AbsenceReason, LecturerRole, MeetingType, split_types


class Meeting(EnteredRecord):
    """One meeting or activity held by a branch (or a 党小组) on a date.

    ``expected`` / ``present`` are derived from the attendance when it was taken, otherwise
    entered as numbers (imports). ``late`` is set when the record was entered more than the
    configured number of days after ``held_on`` (LIFE-LATE-ENTRY); it is never refused.
    """

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    meeting_type = models.CharField("会议类型", max_length=8, choices=MeetingType.choices)
    also_counts_as = models.CharField(
        "同时计为",
        max_length=60,
        blank=True,
        help_text="这次会议同时作为的其他会议类型（以“、”分隔），每种类型各计 1 次",
    )
    held_on = models.DateField("日期")
    year = models.PositiveSmallIntegerField(
        "所属年度", help_text="年度要求计入的年份：默认为会议日期所在年份"
    )
    topic = models.CharField("主题", max_length=200)
    minutes = models.TextField("记录", blank=True)
    expected = models.PositiveIntegerField("应到人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    attendance_taken = models.BooleanField("已登记出席情况", default=False)
    entered_on = models.DateField("录入日期")
    late = models.BooleanField("补录超期", default=False)
    lecturer = models.ForeignKey(
        "members.Member",
        verbose_name="讲课人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    lecturer_role = models.CharField(
        "讲课人身份", max_length=8, choices=LecturerRole.choices, blank=True
    )
    lecturer_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="讲课书记所在党委",
        help_text="讲课人为上级党委书记时，选择该党委（LIFE-SECRETARY-LECTURE-YEARLY 计入该党委）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secretary_lectures",
    )

    class Meta:
        verbose_name = "组织生活记录"
        verbose_name_plural = "组织生活记录"
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["org", "meeting_type", "held_on"]),
            models.Index(fields=["held_on", "meeting_type"]),
            # the data version of the cached compliance tables reads MAX(updated_at)
            models.Index(fields=["updated_at"], name="meeting_updated_at"),
            # the rollup-based LIFE counts take off the records of a year held after a day
            models.Index(fields=["year", "held_on"], name="meeting_year_held_on"),
            models.Index(
                fields=["lecturer_org", "held_on"],
                condition=Q(lecturer_org__isnull=False),
                name="meeting_secretary_lecture",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__isnull=True)
                | Q(expected__isnull=True)
                | Q(present__lte=models.F("expected")),
                name="meeting_present_le_expected",
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.meeting_type}：{self.topic}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.year is None and self.held_on is not None:
            self.year = self.held_on.year
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def also_types(self) -> list[str]:
        return split_types(self.also_counts_as)

    @property
    def types(self) -> list[str]:
        """Every type the record counts for, the main type first."""
        return [self.meeting_type, *self.also_types]

    @property
    def other_year(self) -> bool:
        """Counts for a year other than the year of its date (所属年度)."""
        return self.year is not None and self.year != self.held_on.year

    @property
    def type_label(self) -> str:
        """``支部党员大会（同时计为主题党日）``, ``组织生活会（计入2026年度）``."""
        text = str(self.meeting_type)
        if self.also_counts_as:
            text += f"（同时计为{TYPE_SEPARATOR.join(self.also_types)}）"
        if self.other_year:
            text += f"（计入{self.year}年度）"
        return text


class Attendance(models.Model):
    """Whether one member of the roll attended one meeting, and why not."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    present = models.BooleanField("出席")
    reason = models.CharField("缺席原因", max_length=8, choices=AbsenceReason.choices, blank=True)
    note = models.CharField(
        "缺席说明", max_length=100, blank=True, help_text="请假（已批准）时必填：请假事由"
    )

    class Meta:
        verbose_name = "出席情况"
        verbose_name_plural = "出席情况"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self) -> str:
        return f"{self.member_id} {'出席' if self.present else '缺席'}"


class MeetingAttachment(AttachmentBase):
    """A photo or scan of the signed paper minutes (JPEG, PNG or PDF), never required."""

    HOLDER = "meeting"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta(AttachmentBase.Meta):
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"


class MeetingMonths(models.Model):
    """Meetings of an organization in one year by type, kept up to date by every write of a
    record (:mod:`dangjian.life.rollups`): ``m01`` … ``m12`` count the records held in each
    month of ``year``; ``counted`` the records that count for ``year`` (所属年度), whatever
    their date. A record counts once for each of its types (``also_counts_as``). A missing row
    means zeros."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.CASCADE,
        related_name="meeting_months",
    )
    year = models.PositiveSmallIntegerField("年份")
    meeting_type = models.CharField("会议类型", max_length=8, choices=MeetingType.choices)
    m01 = models.IntegerField("1月", default=0)
    m02 = models.IntegerField("2月", default=0)
    m03 = models.IntegerField("3月", default=0)
    m04 = models.IntegerField("4月", default=0)
    m05 = models.IntegerField("5月", default=0)
    m06 = models.IntegerField("6月", default=0)
    m07 = models.IntegerField("7月", default=0)
    m08 = models.IntegerField("8月", default=0)
    m09 = models.IntegerField("9月", default=0)
    m10 = models.IntegerField("10月", default=0)
    m11 = models.IntegerField("11月", default=0)
    m12 = models.IntegerField("12月", default=0)
    counted = models.IntegerField("计入本年度", default=0)

    class Meta:
        verbose_name = "组织生活按月汇总"
        verbose_name_plural = "组织生活按月汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "meeting_type"], name="meeting_months_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "meeting_type"])]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.meeting_type}"

    @property
    def months(self) -> list[int]:
        return [getattr(self, f"m{month:02d}") for month in range(1, 13)]

    @property
    def mask(self) -> int:
        """Bit ``month - 1`` set for every month with at least one record."""
        return sum(1 << i for i, n in enumerate(self.months) if n > 0)


class MinutesSignature(models.Model):
    """The MinHash signature of a record's minutes (:mod:`dangjian.life.signatures`), written
    with the record by every write path: the near-duplicate hint compares signatures instead
    of texts. ``chars`` is the length of the minutes (the hint's ``min_chars``); ``signature``
    holds the low 16 bits of each of the ``num_perm`` minimum hashes. Every record has a row
    (empty minutes: ``chars`` 0, no bands)."""

    meeting = models.OneToOneField(
        Meeting,
        verbose_name="会议",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="minutes_signature",
    )
    chars = models.PositiveIntegerField("记录字数")
    num_perm = models.PositiveSmallIntegerField("置换数")
    signature = models.BinaryField("签名")

    class Meta:
        verbose_name = "会议记录签名"
        verbose_name_plural = "会议记录签名"

    def __str__(self) -> str:
        return f"{self.meeting_id}"


class MinutesBand(models.Model):
    """One LSH band key of a record's minutes signature: records of a year that share a key
    are the candidates of the near-duplicate hint (``year`` is the year of the date)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="minutes_bands"
    )
    year = models.PositiveSmallIntegerField("年份")
    key = models.BigIntegerField("分段键")

    class Meta:
        verbose_name = "会议记录签名分段"
        verbose_name_plural = "会议记录签名分段"
        indexes = [models.Index(fields=["year", "key"], name="minutes_band_year_key")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.key}"


class MinutesSentence(models.Model):
    """One sentence of a record's minutes (its CRC-32, numbers blanked; see
    :func:`dangjian.life.rules.hints._sentences`): the near-duplicate hint counts in how many
    records of a year a sentence occurs (a set phrase is no evidence of copying) without reading
    their texts."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="minutes_sentences"
    )
    year = models.PositiveSmallIntegerField("年份")
    sentence = models.BigIntegerField("句子散列")

    class Meta:
        verbose_name = "会议记录句子"
        verbose_name_plural = "会议记录句子"
        indexes = [models.Index(fields=["year", "sentence"], name="minutes_sentence_year_hash")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.sentence}"


class ComplianceMarks(models.Model):
    """The periods of the year in which an organization was held to each LIFE frequency rule
    and met it, as the findings store's last evaluation found them (:mod:`dangjian.life.tally`):
    ``marks`` is rule → [periods checked, periods met], bit masks of the periods' first months
    (bit 0: January). The organization's sector, county and type at that evaluation say which
    counters of :class:`ComplianceTally` it adds to."""

    org = models.OneToOneField(
        "orgs.Organization",
        verbose_name="组织",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年份")
    sector = models.CharField("领域", max_length=16, blank=True)
    region = models.CharField("县级行政区划代码", max_length=6, blank=True)
    org_type = models.CharField("组织类别", max_length=16, blank=True)
    marks = models.JSONField("各规则应完成、已完成周期", default=dict)

    class Meta:
        verbose_name = "组织生活完成情况（按组织）"
        verbose_name_plural = "组织生活完成情况（按组织）"

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


#: the months of the year: a period is counted in the column of its first month
MONTHS = range(1, 13)


class ComplianceTally(models.Model):
    """Of an organization's subtree (itself included), per year, LIFE frequency rule, sector,
    county and organization type: how many organizations were held to the rule in the period
    beginning in each month (``sub_c01`` … ``sub_c12``) and how many met it (``sub_m01`` …
    ``sub_m12``), summed from :class:`ComplianceMarks`. The rule ``""`` counts the
    organizations evaluated (in ``sub_c01``). The overview of the year reads the rows of the
    scope's organization instead of evaluating the rules (:mod:`dangjian.life.tally`)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年份")
    rule = models.CharField("规则", max_length=64, blank=True)
    sector = models.CharField("领域", max_length=16, blank=True)
    region = models.CharField("县级行政区划代码", max_length=6, blank=True)
    org_type = models.CharField("组织类别", max_length=16, blank=True)

    class Meta:
        verbose_name = "组织生活完成情况汇总（含下级）"
        verbose_name_plural = "组织生活完成情况汇总（含下级）"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "rule", "sector", "region", "org_type"],
                name="life_compliance_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.rule}"


for _month in MONTHS:
    ComplianceTally.add_to_class(
        f"sub_c{_month:02d}", models.IntegerField(f"{_month}月起周期应完成", default=0)
    )
    ComplianceTally.add_to_class(
        f"sub_m{_month:02d}", models.IntegerField(f"{_month}月起周期已完成", default=0)
    )
