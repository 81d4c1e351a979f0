"""The in-app inbox of every user and the record of every message sent out of the platform.

- :class:`Message` — one entry of a user's inbox: its kind (指派给我、即将到期、已超期、上报给我、
  群众评价 …), a subject line, a link to what it is about, the service order it concerns, when
  it was made and when it was read. ``dedup_key`` is unique: whatever makes messages (a
  receiver of a transition, a reminder job run twice or catching up after a missed day) names
  the message by what it is about, and a second attempt finds the first and adds nothing.
- :class:`Delivery` — the message sent out over one channel (the log, an SMS gateway, a 政务微信
  or 钉钉 group robot): the address as shown (masked), its state (queued, sent, failed), the
  attempts, the last error and the times. Deliveries are written with the message, in the
  write's transaction; they are sent after it commits (:mod:`dangjian.notify.delivery`).
- :class:`Contact` — where a user is reached outside the platform (a mobile number for SMS,
  encrypted like every phone number, with a masked copy).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.core import crypto


class Kind(models.TextChoices):
    SUBMITTED = "submitted", "新工单待受理"
    ASSIGNED = "assigned", "指派给我"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已超期"
    ESCALATED = "escalated", "上报给我"
    RATED = "rated", "群众评价"
    REOPENED = "reopened", "群众要求重新办理"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Message(models.Model):
    """One entry of a user's inbox (see the module docstring)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("链接", max_length=200, blank=True)
    order = models.ForeignKey(
        "service.Order",
        verbose_name="服务工单",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    dedup_key = models.CharField("去重标识", max_length=200, unique=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the unread count of the navigation: one indexed COUNT
            models.Index(fields=["user", "read_at"], name="notify_msg_user_read"),
            models.Index(fields=["user", "kind", "created_at"], name="notify_msg_user_kind"),
            models.Index(fields=["user", "created_at"], name="notify_msg_user_created"),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """A message sent out over one channel, with its state (see the module docstring)."""

    message = models.ForeignKey(
        Message, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=16)
    address = models.CharField("发送对象（脱敏）", max_length=100, blank=True)
    state = models.CharField(
        "状态", max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息发送记录"
        verbose_name_plural = "消息发送记录"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="notify_delivery_once")
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="notify_delivery_state")]

    def __str__(self) -> str:
        return f"{self.channel} {self.get_state_display()}"


class Contact(models.Model):
    """Where a user is reached outside the platform: a mobile number for SMS (encrypted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notify_contact",
    )
    phone_cipher = models.BinaryField("手机号（密文）", null=True, blank=True)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "消息联系方式"
        verbose_name_plural = "消息联系方式"

    def __str__(self) -> str:
        return self.phone_masked

    @property
    def phone(self) -> str:
        return crypto.decrypt(bytes(self.phone_cipher)) if self.phone_cipher else ""
