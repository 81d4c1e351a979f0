"""Dues categories (how a member's monthly dues are set), payment sources."""

from __future__ import annotations

from django.db import models

from dangjian.members.choices import Category


class DuesCategory(models.TextChoices):
    """Which rule sets a member's dues (党费规定): a rate on the monthly base or a fixed amount."""

    EMPLOYED = "在职", "在职（按月工资收入比例）"
    RETIRED = "离退休", "离退休（按月退休费比例）"
    FARMER = "农民", "农民（固定标准）"
    STUDENT = "学生", "学生（固定标准）"
    UNEMPLOYED = "下岗失业", "下岗失业（固定标准）"
    LOW_INCOME = "低保", "享受低保（固定标准）"


#: categories whose dues are a rate of the monthly base (the base must be given)
RATED = frozenset({DuesCategory.EMPLOYED, DuesCategory.RETIRED})

#: the member's roll category → the dues category it suggests
FROM_MEMBER = {
    Category.EMPLOYED: DuesCategory.EMPLOYED,
    Category.SELF_EMPLOYED: DuesCategory.EMPLOYED,
    Category.FREELANCE: DuesCategory.EMPLOYED,
    Category.OTHER: DuesCategory.EMPLOYED,
    Category.RETIRED: DuesCategory.RETIRED,
    Category.FARMER: DuesCategory.FARMER,
    Category.STUDENT: DuesCategory.STUDENT,
    Category.UNEMPLOYED: DuesCategory.UNEMPLOYED,
}


class PaymentSource(models.TextChoices):
    SINGLE = "逐笔登记", "逐笔登记"
    BANK = "银行流水导入", "银行流水导入"
