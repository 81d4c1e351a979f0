"""Party dues (党费): the yearly monthly base and amount of each member, the payments month by
month, the "good reason" exemptions of DUES-ARREARS-6-MONTHS and the remittances up the tree.

The income base is personal data: stored encrypted (SM4-GCM, :mod:`dangjian.core.crypto`) and
shown only to the member's own branch (:func:`dangjian.dues.selectors.may_see_base`); the
monthly amount owed is kept in clear (it is what the ledger and the totals add up).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.models import period_check, user_link

from .choices import DuesCategory, PaymentSource


class DuesBase(models.Model):
    """A member's dues for one year (党费核定): the category, the monthly base (encrypted, empty for
    the fixed amounts), the monthly amount by the rule and the version in force on 1 January,
    and an optional voluntary larger amount (自愿多交). Recalculated every year on the new base."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("交纳类别", max_length=8, choices=DuesCategory.choices)
    base_cipher = models.BinaryField("月交纳基数（密文）", null=True, blank=True)
    rate = models.DecimalField("比例", max_digits=6, decimal_places=4, null=True, blank=True)
    monthly_due = models.DecimalField("每月应交", max_digits=10, decimal_places=2)
    voluntary = models.DecimalField(
        "自愿每月交纳", max_digits=10, decimal_places=2, null=True, blank=True
    )
    rule = models.CharField("依据规则", max_length=40)
    version = models.CharField("规则版本", max_length=60)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党费核定"
        verbose_name_plural = "党费核定"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_base_one_per_year"),
            models.CheckConstraint(condition=Q(monthly_due__gte=0), name="dues_base_due_not_neg"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年党费核定（每月 {self.monthly_due} 元）"

    @property
    def owed(self) -> object:
        """What the member pays a month: the voluntary amount when larger."""
        if self.voluntary is not None and self.voluntary > self.monthly_due:
            return self.voluntary
        return self.monthly_due


class DuesPayment(models.Model):
    """The dues of one member for one month (``month``: its first day), paid once. ``org``: the
    branch on whose roll the member was that month (totals are by organization)."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="dues_payments",
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("所属月份")
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    source = models.CharField("登记方式", max_length=8, choices=PaymentSource.choices)
    reference = models.CharField("流水号", max_length=64, blank=True)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_payment_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_positive"),
        ]
        indexes = [models.Index(fields=["org", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}党费 {self.amount} 元"


class DuesExemption(models.Model):
    """A "good reason" (正当理由) the branch accepted for not paying from ``month_from`` to
    ``month_to`` (first days, inclusive): those months do not count towards
    DUES-ARREARS-6-MONTHS (they are still owed)."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+"
    )
    month_from = models.DateField("起始月份")
    month_to = models.DateField("终止月份")
    note = models.CharField("正当理由", max_length=300)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "未交党费正当理由"
        verbose_name_plural = "未交党费正当理由"
        constraints = [
            period_check("month_from", "month_to", "dues_exemption_order", open_end=False)
        ]

    def __str__(self) -> str:
        return f"{self.month_from:%Y-%m} 至 {self.month_to:%Y-%m}：{self.note}"


class DuesRemittance(models.Model):
    """党费上缴: an organization passing collected dues to the one above it."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="上缴组织", on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        "orgs.Organization", verbose_name="接收组织", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    remitted_on = models.DateField("上缴日期")
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = user_link()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党费上缴"
        verbose_name_plural = "党费上缴"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_remittance_positive")
        ]
        indexes = [models.Index(fields=["org", "year"])]

    def __str__(self) -> str:
        return f"{self.year} 年上缴党费 {self.amount} 元"


class DuesTally(models.Model):
    """Payments of one branch in one month, kept by every write of a payment
    (:func:`dangjian.dues.services.tally_add`; :func:`~dangjian.dues.services.tally_rebuild`
    after a bulk load): the organization-level totals read it instead of the payment rows."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField("所属月份")
    payments = models.IntegerField("交纳笔数", default=0)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = "党费月汇总"
        verbose_name_plural = "党费月汇总"
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="dues_tally_one")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}：{self.payments} 笔 {self.amount} 元"


class DuesLastPaid(models.Model):
    """The latest month a member paid for (a rollup kept by every write of a payment,
    :func:`dangjian.dues.services.last_paid_add`; :func:`dangjian.dues.rollup.last_paid_rebuild`
    after a bulk load, :func:`~dangjian.dues.rollup.last_paid_differences` to check it): the
    arrears of the organization-level totals join it instead of probing the payments of every
    member."""

    member = models.OneToOneField(
        "members.Member",
        verbose_name="党员",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dues_last_paid",
    )
    month = models.DateField("最近交纳的所属月份")

    class Meta:
        verbose_name = "最近交纳月份"
        verbose_name_plural = "最近交纳月份"

    def __str__(self) -> str:
        return f"最近交纳 {self.month:%Y-%m}"
