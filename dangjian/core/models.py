"""The audit trail: append-only, hash-chained entries written in the same transaction as the change.

One mechanism for every app (see :mod:`dangjian.core.audit`). Each entry stores who, when, what,
before and after, the request id and the client address, and
``hash = HMAC-SM3(audit key, prev_hash | entry)`` with a key kept outside the database (entries
written before the key was introduced carry an empty ``key_id`` and the unkeyed SM3 hash).
Database triggers (SQLite and PostgreSQL, :mod:`dangjian.core.audit_triggers`) refuse UPDATE and
DELETE of entries (DELETE only of a prefix announced by a purge entry, past the retention floor)
and of the chain head; a deleted or altered entry breaks the chain, which ``dangjian audit verify``
reports, against an off-database checkpoint too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One audited event: a write, or a view of unmasked personal data."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人名称", max_length=150)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=128, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    scope_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    request_id = models.CharField("请求标识", max_length=64, db_index=True)
    client_addr = models.CharField("客户端地址", max_length=64, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    #: fingerprint of the audit key the hash is keyed with; empty: unkeyed SM3 (before the key)
    key_id = models.CharField("密钥编号", max_length=16, blank=True, default="")

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The single row holding the last sequence number and hash; locked to serialise appends.
    ``mac`` (HMAC-SM3 of seq and hash under the audit key) shows it was set by the application."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


def user_link(verbose_name: str | None = None) -> models.ForeignKey:  # type: ignore[type-arg]
    """The account that did something to a row ("创建人", "上传人"…): optional, kept as empty
    when the account is deleted, with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def period_check(
    start: str, end: str, name: str, *, open_end: bool = True, same_day: bool = True
) -> models.CheckConstraint:
    """The check that a period's ``end`` field is not before its ``start`` field (``same_day``
    false: strictly after it); ``open_end``: ``end`` may be empty (a period still running)."""
    later = models.Q(**{f"{end}__{'gte' if same_day else 'gt'}": models.F(start)})
    condition = models.Q(**{f"{end}__isnull": True}) | later if open_end else later
    return models.CheckConstraint(condition=condition, name=name)
