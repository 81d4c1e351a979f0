"""The fixed vocabularies of the hardship register (困难党员帮扶)."""

from __future__ import annotations

from django.db import models


class Reason(models.TextChoices):
    """致困原因 (the category; details go into the encrypted note)."""

    ILLNESS = "疾病", "疾病"
    DISABILITY = "残疾", "残疾"
    DISASTER = "灾害", "灾害"
    OLD_AGE = "年老体弱", "年老体弱"
    LIVING = "生活困难", "生活困难"
    EDUCATION = "子女就学", "子女就学"
    UNEMPLOYED = "失业", "失业"
    ACCIDENT = "意外事故", "意外事故"
    OTHER = "其他", "其他"


class Level(models.TextChoices):
    """困难程度."""

    ORDINARY = "一般困难", "一般困难"
    SPECIAL = "特别困难", "特别困难"


class HelpKind(models.TextChoices):
    """帮扶方式."""

    MONEY = "慰问金", "慰问金"
    GOODS = "实物", "实物"
    PAIRING = "帮扶结对", "帮扶结对"
    MEDICAL = "医疗救助", "医疗救助"
    EDUCATION = "助学", "助学"
    JOB = "就业帮扶", "就业帮扶"
    SERVICE = "生活照料", "生活照料"
    OTHER = "其他", "其他"


class Occasion(models.TextChoices):
    """走访慰问的时机: a festival, or an event in the member's life."""

    SPRING = "春节", "春节"
    JULY_FIRST = "七一", "七一"
    DOUBLE_NINTH = "重阳", "重阳"
    MID_AUTUMN = "中秋", "中秋"
    NEW_YEAR = "元旦", "元旦"
    ILLNESS = "生病住院", "生病住院"
    DISASTER = "受灾", "受灾"
    BEREAVEMENT = "家庭变故", "家庭变故"
    ROUTINE = "日常走访", "日常走访"


class CloseReason(models.TextChoices):
    """销号原因."""

    RELIEVED = "已脱困", "已脱困"
    DIED = "去世", "去世"
    TRANSFERRED = "转出", "组织关系转出"
    OTHER = "其他", "其他"
