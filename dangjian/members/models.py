"""Member records (党员). ID and phone numbers are stored encrypted (SM4-GCM) with a keyed hash
for lookups and uniqueness, plus the masked form that lists show; see :mod:`dangjian.core.crypto`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core import crypto

from .choices import Category, MemberType, Post


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
