"""Member records (党员). ID and phone numbers are stored encrypted (SM4-GCM) with a keyed hash
for lookups and uniqueness, plus the masked form that lists show; see :mod:`dangjian.core.crypto`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core import crypto
from dangjian.core.models import period_check

from .choices import (
    SPAN_KINDS,
    Category,
    MemberType,
    ParticipationPost,
    Post,
    RollKind,
    StatusKind,
)


class Member(models.Model):
    """A party member on the roll of one branch (REL-ONE-BRANCH)."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    id_number_cipher = models.BinaryField("公民身份号码（密文）")
    id_number_digest = models.CharField("公民身份号码摘要", max_length=64, unique=True)
    id_number_masked = models.CharField("公民身份号码", max_length=18)
    phone_cipher = models.BinaryField("联系电话（密文）", null=True, blank=True)
    phone_digest = models.CharField("联系电话摘要", max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    gender = models.CharField("性别", max_length=1, choices=[("男", "男"), ("女", "女")])
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=20, blank=True)
    category = models.CharField("人员类别", max_length=16, choices=Category.choices, blank=True)
    member_type = models.CharField("党员类型", max_length=8, choices=MemberType.choices)
    joined_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所在党组织",
        on_delete=models.PROTECT,
        related_name="members",
    )
    post = models.CharField("党内职务", max_length=8, choices=Post.choices, blank=True)
    residence_community = models.ForeignKey(
        "orgs.Organization",
        verbose_name="现居住社区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_members",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        indexes = [
            models.Index(fields=["org", "member_type"]),
            models.Index(fields=["org", "post"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_type="预备党员") | Q(confirmed_on__isnull=False),
                name="member_full_has_confirmed_on",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def id_number(self) -> str:
        """The plain ID number. Call only through a service that audits the unmasked view."""
        return crypto.decrypt(self.id_number_cipher)

    def phone(self) -> str:
        """The plain phone number, or ``""``. Same rule as :meth:`id_number`."""
        return crypto.decrypt(self.phone_cipher) if self.phone_cipher else ""


class MemberStatus(models.Model):
    """A standing decided by a party body (留党察看, 停止党籍, 出党 …) in force from ``started_on``
    until the day before ``ends_on`` (open when empty). Rules read it at the date they judge
    (:func:`dangjian.members.selectors.standings_on`): an introducer under 留党察看 on the day of
    step 9, the voters of a 党员大会 on the day of the vote."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="statuses"
    )
    kind = models.CharField("状态", max_length=8, choices=StatusKind.choices)
    started_on = models.DateField("起始日期")
    ends_on = models.DateField("终止日期", null=True, blank=True)
    decided_by = models.CharField("决定机关", max_length=100)
    decision_no = models.CharField("决定文号", max_length=100, blank=True)
    reason = models.CharField("事由", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党员状态"
        verbose_name_plural = "党员状态"
        indexes = [models.Index(fields=["member", "started_on"])]
        constraints = [
            period_check("started_on", "ends_on", "member_status_ends_after_start", same_day=False)
        ]

    def __str__(self) -> str:
        end = f"至 {self.ends_on}" if self.ends_on else "起"
        return f"{self.kind}（{self.started_on} {end}）"

    def in_force(self, day: object) -> bool:
        return self.started_on <= day and (self.ends_on is None or day < self.ends_on)  # type: ignore[operator]


class Participation(models.Model):
    """A member taking part in a 临时党支部 (for a project, a training course, a task) from
    ``started_on`` to ``ended_on`` (both inclusive; open while empty). The member's relations
    stay with the branch on whose roll he is (``member.org``): a 临时党支部 keeps no roll, its
    people are recorded here. ``post`` is the post designated in the 临时党支部, if any."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="临时党支部",
        on_delete=models.CASCADE,
        related_name="participations",
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="participations"
    )
    post = models.CharField(
        "在临时党支部的职务", max_length=8, choices=ParticipationPost.choices, blank=True
    )
    started_on = models.DateField("参加日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "临时党支部参加人员"
        verbose_name_plural = "临时党支部参加人员"
        indexes = [models.Index(fields=["org", "started_on"])]
        constraints = [period_check("started_on", "ended_on", "participation_ends_after_start")]

    def __str__(self) -> str:
        end = f"至 {self.ended_on}" if self.ended_on else "起"
        return f"{self.member.name} 参加 {self.org.name}（{self.started_on} {end}）"

    def in_force(self, day: object) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)  # type: ignore[operator]


class MemberCount(models.Model):
    """Members of an organization by type, kept up to date by every write to the roll
    (:mod:`dangjian.members.rollups`): on its own roll (``full``, ``probationary``; ``left``:
    records of members out of the party, 出党 or deceased) and in its whole subtree
    (``sub_*``, itself included). A missing row means zeros."""

    org = models.OneToOneField(
        "orgs.Organization",
        verbose_name="党组织",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="member_count",
    )
    full = models.IntegerField("正式党员", default=0)
    probationary = models.IntegerField("预备党员", default=0)
    left = models.IntegerField("已出党", default=0)
    sub_full = models.IntegerField("含下级正式党员", default=0)
    sub_probationary = models.IntegerField("含下级预备党员", default=0)
    sub_left = models.IntegerField("含下级已出党", default=0)

    class Meta:
        verbose_name = "党员人数汇总"
        verbose_name_plural = "党员人数汇总"

    def __str__(self) -> str:
        return f"{self.org_id}：正式 {self.full}，预备 {self.probationary}"


class RollEvent(models.Model):
    """One change of the roll (编入, 转入, 转出, 转正, 状态变更, 出党, 死亡 …) on the day ``on``,
    written in the same transaction as the change by the services and the member import.

    The events that put a member on a roll (:data:`~dangjian.members.choices.SPAN_KINDS`) carry
    the day the member left that roll again in ``ended_on`` (not included; empty while on it),
    so the roll of an organization on a day is one range query over the partial index
    ``roll_span_org_on`` (:func:`dangjian.members.history.roll_on`). A transfer on day D ends the
    span of the old branch on D and starts the new one on D: on D the member is on the new roll
    only."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="roll_events"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="roll_events",
    )
    kind = models.CharField("变动", max_length=8, choices=RollKind.choices)
    on = models.DateField("日期")
    ended_on = models.DateField("离开日期", null=True, blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    link = models.CharField("关联记录", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党员名册变动"
        verbose_name_plural = "党员名册变动"
        indexes = [
            models.Index(fields=["member", "on"], name="roll_event_member_on"),
            models.Index(
                fields=["org", "on"],
                include=["ended_on", "member"],
                condition=Q(kind__in=sorted(SPAN_KINDS)),
                name="roll_span_org_on",
            ),
        ]
        constraints = [period_check("on", "ended_on", "roll_event_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.kind}（{self.on}）"

    @property
    def is_span(self) -> bool:
        return self.kind in SPAN_KINDS


class PostTerm(models.Model):
    """A post (书记, 副书记, 委员 …) held in an organization from ``started_on`` until the day
    before ``ended_on`` (离任日期; open while empty), at every level: a branch, a 党总支, a 党委
    or 党工委 (whose holder's roll is usually in another branch). ``Member.post`` stays the
    current post in the member's own branch; the services keep both together."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="post_terms"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="任职党组织",
        on_delete=models.CASCADE,
        related_name="post_terms",
    )
    post = models.CharField("职务", max_length=8, choices=Post.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    decided_by = models.CharField("选举或决定", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "任职记录"
        verbose_name_plural = "任职记录"
        indexes = [
            models.Index(fields=["org", "started_on"], name="post_term_org_start"),
            models.Index(fields=["member", "started_on"], name="post_term_member_start"),
        ]
        constraints = [period_check("started_on", "ended_on", "post_term_ends_after_start")]

    def __str__(self) -> str:
        end = f"至 {self.ended_on}" if self.ended_on else "起"
        return f"{self.post}（{self.started_on} {end}）"

    def in_force(self, day: object) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)  # type: ignore[operator]
