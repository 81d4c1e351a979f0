"""The Open311 GeoReport v2 interface's own records.

- :class:`ApiKey` — one integrating system (a FixMyStreet instance, a city 311 platform, a
  WeChat mini-program …): its name, the SHA-256 of its key (the key itself is shown once, when it
  is made, and never stored), the organization subtree it may submit into (``org``), the grid a
  request lands in when it gives neither a grid nor a position inside one (``default_grid``),
  whether it is active, and when it was made and last used.
- :class:`Submission` — one order created through the interface: the key that sent it, the
  order, the token the spec's ``tokens/{token}`` resolves, the attribute answers, and the digest
  that makes a replayed POST return the same order (see :mod:`dangjian.open311.services`).
"""

from __future__ import annotations

import hashlib

from django.db import models

from dangjian.core.models import user_link


class ApiKey(models.Model):
    name = models.CharField("接入系统名称", max_length=60, unique=True)
    prefix = models.CharField("密钥前缀", max_length=8)
    key_hash = models.CharField("密钥摘要（SHA-256）", max_length=64, unique=True)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="可提交的组织范围",
        on_delete=models.PROTECT,
        related_name="open311_keys",
    )
    default_grid = models.ForeignKey(
        "service.Grid",
        verbose_name="默认网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = user_link("创建人")
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "诉求接入接口密钥"
        verbose_name_plural = "诉求接入接口密钥"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_name(self) -> str:
        """How the audit trail names the system acting with this key."""
        return f"诉求接入系统“{self.name}”"


class Submission(models.Model):
    key = models.ForeignKey(
        ApiKey, verbose_name="接口密钥", on_delete=models.PROTECT, related_name="submissions"
    )
    order = models.OneToOneField(
        "service.Order",
        verbose_name="工单",
        on_delete=models.CASCADE,
        related_name="open311",
    )
    token = models.CharField("受理凭证", max_length=32, unique=True)
    replay_digest = models.CharField("重放识别摘要", max_length=64)
    by_header = models.BooleanField("按 Idempotency-Key 识别", default=False)
    body_digest = models.CharField("请求内容摘要", max_length=64)
    attributes = models.JSONField("属性", default=dict, blank=True)
    created_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "诉求接入提交记录"
        verbose_name_plural = "诉求接入提交记录"
        indexes = [models.Index(fields=["key", "replay_digest", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key} → {self.order}"


def key_hash(secret: str) -> str:
    """The SHA-256 of a key, as stored (a random 40-character key needs no slow hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
