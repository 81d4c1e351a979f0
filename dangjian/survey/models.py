"""Satisfaction surveys (三率测评): one survey per organization and purpose, no names asked.

A :class:`Survey` belongs to one organization and is identified by ``(org, key)`` — the key names
what it serves (``"campaign:12"`` for an assessment campaign). It is answered through a public
link carrying its random ``token``; no login. One answer per person is enforced by a dedup key:
either a one-time :class:`InviteCode` printed by the branch, or a keyed hash (HMAC-SM3, see
:func:`dangjian.core.crypto.digest`) of the respondent's phone number salted with the survey, so
the same phone gives unrelated keys in two surveys. The phone number itself is never stored, nor
the client address; a :class:`Response` holds the dedup key, the choice codes and a timestamp.

What that means under the PIPL (个人信息保护法 art. 73): an answer by invite code is anonymous
(the answer does not name its code). An answer by phone is *pseudonymous* (去标识化), not
anonymous: whoever holds the key and knows a phone number can compute the same digest and find
that number's answer. The public page says so in plain Chinese.

Who was invited (回收率's denominator, never below the answers it counts): the invite codes issued
(``dedup="code"``), else ``population`` — by default the members on the organization's roll on
the opening day (``audience="members"``), or the number the organizer states when residents are
invited too (``audience="public"``). See :func:`dangjian.survey.stats.Rates.response_rate`.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from dangjian.core.keys import public_token
from dangjian.core.models import period_check, user_link

from .questions import CURRENT_VERSION


def new_token() -> str:
    return public_token(16)


class DedupMode(models.TextChoices):
    PHONE = "phone", "手机号（只保存带密钥的摘要，属去标识化信息，不是匿名）"
    CODE = "code", "一次性邀请码（匿名）"


class Audience(models.TextChoices):
    """Who is invited to answer (回收率's denominator)."""

    MEMBERS = "members", "本组织党员"
    PUBLIC = "public", "党员和群众"


class Survey(models.Model):
    """The survey of one organization for one purpose (``key``), open between two dates."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    key = models.CharField("用途标识", max_length=64)
    title = models.CharField("标题", max_length=100)
    version = models.CharField("问卷版本", max_length=16, default=CURRENT_VERSION)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    audience = models.CharField(
        "邀请对象", max_length=8, choices=Audience.choices, default=Audience.MEMBERS
    )
    population = models.PositiveIntegerField(
        "邀请人数",
        null=True,
        blank=True,
        help_text="回收率的分母：实际邀请的人数（按邀请码填写时以发放的邀请码数为准）",
    )
    population_from_roll = models.BooleanField(
        "邀请人数取自名册", default=False, help_text="发起时本组织名册上的党员数"
    )
    dedup = models.CharField(
        "防重复方式", max_length=8, choices=DedupMode.choices, default=DedupMode.PHONE
    )
    token = models.CharField("公开链接令牌", max_length=32, unique=True, default=new_token)
    created_by = user_link("发起人")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-opens_on", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "key"], name="survey_unique_org_key"),
            period_check("opens_on", "closes_on", "survey_closes_after_opens", open_end=False),
        ]
        indexes = [models.Index(fields=["key", "org"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.org_id}）"

    def state(self, today: dt.date) -> str:
        """``"pending"``, ``"open"`` or ``"closed"`` on ``today``."""
        if today < self.opens_on:
            return "pending"
        if today > self.closes_on:
            return "closed"
        return "open"


class InviteCode(models.Model):
    """A one-time code printed by the branch; used by exactly one answer.

    The answer does not name its code (its dedup key is random), so whoever printed and handed
    out the codes cannot tell which answer came from which code.
    """

    survey = models.ForeignKey(
        Survey, verbose_name="测评", on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField("邀请码", max_length=16)
    # A flag, not a time: a use time next to the answer's time would tie a code to its answer.
    used = models.BooleanField("已使用", default=False)

    class Meta:
        verbose_name = "邀请码"
        verbose_name_plural = "邀请码"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="invite_unique_survey_code")
        ]

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One answer: the dedup key, the chosen codes and the time. By invite code it is anonymous;
    by phone its dedup key is a keyed digest of the number, i.e. pseudonymous (去标识化)."""

    survey = models.ForeignKey(
        Survey, verbose_name="测评", on_delete=models.CASCADE, related_name="responses"
    )
    dedup_key = models.CharField("防重复键", max_length=80)
    answers = models.JSONField("答案")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "测评答卷"
        verbose_name_plural = "测评答卷"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dedup_key"], name="response_unique_survey_dedup"
            )
        ]

    def __str__(self) -> str:
        return f"答卷 {self.pk}"
