"""The records of 流动党员 and 失联党员.

- :class:`Outflow` — a member working or living away (外出流动) from ``started_on`` until
  ``returned_on`` (open while empty). The member stays on the roll of his home branch
  (``member.org``, counted there once, REL-ONE-BRANCH); the record says where he is (region code,
  place, employer), whether the place is fixed (REL-TRANSFER), a phone number for reaching him
  there (encrypted, masked in lists), the 流动党员 党组织 he joins where he is (an organization of
  the platform, ``host_org``, or the name of one outside it, ``host_name``) and his
  流动党员活动证 (number, issued, valid to). At most one open outflow per member, and no two of a
  member's outflows overlap.
- :class:`HostActivity` — an activity of the host organization the member took part in (what the
  host organization records and sees of him, besides his name and contact).
- :class:`LostContact` — a member the branch cannot reach since ``since``, until ``found_on``;
  at most one open per member. :class:`SearchStep` — each attempt to find him (date, how, who).
  REL-LOST-CONTACT reads the member's standings (:class:`~dangjian.members.models.MemberStatus`)
  to know whether the branch has decided 停止党籍 or 除名 — decisions recorded by people only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core import crypto
from dangjian.core.models import period_check, user_link
from dangjian.orgs.models import region_validator


class Outflow(models.Model):
    """A member working away from his home branch (外出流动党员)."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="outflows"
    )
    region_code = models.CharField(
        "流入地行政区划代码", max_length=12, validators=[region_validator]
    )
    place = models.CharField("流入地点", max_length=100)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    started_on = models.DateField("外出日期")
    fixed_place = models.BooleanField("地点固定", default=False)
    phone_cipher = models.BinaryField("外出期间联系电话（密文）", null=True, blank=True)
    phone_masked = models.CharField("外出期间联系电话", max_length=20, blank=True)
    host_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="流入地党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_outflows",
    )
    host_name = models.CharField("流入地党组织名称（平台外）", max_length=100, blank=True)
    card_no = models.CharField("流动党员活动证编号", max_length=32, blank=True)
    card_issued_on = models.DateField("活动证发放日期", null=True, blank=True)
    card_valid_to = models.DateField("活动证有效期至", null=True, blank=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "流动党员外出登记"
        verbose_name_plural = "流动党员外出登记"
        indexes = [
            models.Index(fields=["member", "started_on"]),
            models.Index(fields=["host_org", "returned_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(returned_on__isnull=True), name="outflow_one_open"
            ),
            period_check("started_on", "returned_on", "outflow_returns_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} 外出 {self.place}（{self.started_on} 起）"

    @property
    def host_label(self) -> str:
        """The 流动党员 党组织 he joins where he is, or "—"."""
        if self.host_org is not None:
            return str(self.host_org.name)
        return self.host_name or "—"

    def phone(self) -> str:
        """The plain phone number, or ``""``: only through a service that audits the view."""
        return crypto.decrypt(self.phone_cipher) if self.phone_cipher else ""

    def open_on(self, day: object) -> bool:
        return self.started_on <= day and (self.returned_on is None or day < self.returned_on)  # type: ignore[operator]


class HostActivity(models.Model):
    """An activity of the host organization a mobile member took part in (参加活动记录)."""

    outflow = models.ForeignKey(
        Outflow, verbose_name="外出登记", on_delete=models.CASCADE, related_name="activities"
    )
    held_on = models.DateField("活动日期")
    subject = models.CharField("活动内容", max_length=100)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "流动党员参加活动"
        verbose_name_plural = "流动党员参加活动"
        indexes = [models.Index(fields=["outflow", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.subject}"


class LostContact(models.Model):
    """A member the branch cannot reach (失联党员) since ``since`` until ``found_on``."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="lost_contacts",
    )
    since = models.DateField("失去联系日期")
    note = models.CharField("情况说明", max_length=200, blank=True)
    found_on = models.DateField("恢复联系日期", null=True, blank=True)
    found_note = models.CharField("恢复联系情况", max_length=200, blank=True)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "失联党员登记"
        verbose_name_plural = "失联党员登记"
        indexes = [models.Index(fields=["member", "since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(found_on__isnull=True), name="lost_contact_one_open"
            ),
            period_check("since", "found_on", "lost_contact_found_after_since"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} 失联（{self.since} 起）"


class SearchStep(models.Model):
    """One attempt to find a lost member: when, how, who (查找情况)."""

    lost = models.ForeignKey(
        LostContact, verbose_name="失联登记", on_delete=models.CASCADE, related_name="steps"
    )
    done_on = models.DateField("查找日期")
    how = models.CharField("查找方式及结果", max_length=200)
    done_by = models.CharField("查找人", max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "失联党员查找记录"
        verbose_name_plural = "失联党员查找记录"
        indexes = [models.Index(fields=["lost", "done_on"])]

    def __str__(self) -> str:
        return f"{self.done_on} {self.how}"
