"""User accounts bound to one organization node, their roles, and the security policy."""

from __future__ import annotations

import time
from base64 import b32encode
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from dangjian.core import crypto

from .roles import ROLE_CHOICES, ROLES, Perm


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp is untyped
    """A person who logs in. Sees and changes only the subtree of ``org``, as its roles allow."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField(
        "下次登录须修改密码",
        default=False,
        help_text="安全管理员重置密码后置位，本人修改密码后清除",
    )
    #: set by the 安全管理员 on unlocking: until then failed logins by others are counted but do
    #: not lock the account again (a lock-out that others trigger is no lasting denial of service)
    lock_exempt_until = models.DateTimeField("免于锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def audit_name(self) -> str:
        return self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    @cached_property
    def perms(self) -> frozenset[Perm]:
        if not self.is_active:
            return frozenset()
        granted: set[Perm] = set()
        for code in self.role_codes:
            role = ROLES.get(code)
            if role:
                granted |= role.perms
        return frozenset(granted)

    def can(self, perm: Perm) -> bool:
        return perm in self.perms

    @property
    def role_labels(self) -> list[str]:
        return [ROLES[c].label for c in sorted(self.role_codes) if c in ROLES]


class UserRole(models.Model):
    """A role granted to a user, on the user's organization subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)

    class Meta:
        verbose_name = "用户角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class RoleGrant(models.Model):
    """A role with personal-data access that a 系统管理员 asked to grant: it takes effect only when
    a 安全管理员 other than the requester approves it (two-person rule); both are audited."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已拒绝"
        WITHDRAWN = "withdrawn", "已撤回"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        User,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("拒绝理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色授权申请"
        verbose_name_plural = "角色授权申请"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(status="pending"),
                name="uniq_pending_role_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}（{self.get_status_display()}）"


class SecurityPolicy(models.Model):
    """The security policy set by the 安全管理员 (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    max_failed_logins = models.PositiveIntegerField("连续失败锁定次数", default=5)
    lockout_minutes = models.PositiveIntegerField("锁定时长（分钟）", default=15)
    idle_timeout_minutes = models.PositiveIntegerField("空闲超时（分钟）", default=30)

    class Meta:
        verbose_name = "安全策略"

    def __str__(self) -> str:
        return "安全策略"

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy = cls.objects.filter(id=1).first()
        return policy or cls(id=1)


class EncryptedSecretField(models.BinaryField):
    """A short secret string kept encrypted at rest (SM4-GCM under the field key, as the ID and
    phone numbers): the column holds only the ciphertext, Python code sees the plain value.

    Encryption happens on every write, ``QuerySet.update()`` included; a fresh nonce each time
    means the column cannot be searched, so never filter on it."""

    description = "加密保存的密钥"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if isinstance(value, str):
            value = crypto.encrypt(value)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return ""  # a dump never carries the secret, in clear or encrypted


def new_totp_key() -> str:
    """20 random bytes, hex (the RFC 6238 / authenticator-app size)."""
    return random_hex(20)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """An administrator's authenticator app (RFC 6238, 30 s, 6 digits, one step of tolerance).

    Takes the place of ``django_otp.plugins.otp_totp``'s device, whose secret column is plain
    hex: 等保三级 asks for authentication data to be protected at rest, so :attr:`key` (hex, as
    django-otp's) is stored encrypted with the field key."""

    key = EncryptedSecretField("密钥", default=new_totp_key)
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        "时间步长（秒）", default=30
    )
    t0: models.BigIntegerField[int, int] = models.BigIntegerField("起始时间", default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        "位数", default=6
    )
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        "允许偏差步数", default=1
    )
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField("时钟偏差步数", default=0)
    #: the time step of the last accepted code: a code is accepted once only
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(
        "上次验证的时间步", default=-1
    )

    class Meta(Device.Meta):
        verbose_name = "动态口令设备"
        verbose_name_plural = "动态口令设备"

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            number = None
        if number is not None:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            if totp.verify(number, self.tolerance, self.last_t + 1):
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
                return True
        self.throttle_increment(commit=True)
        return False

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URL an authenticator app scans (issuer ``OTP_TOTP_ISSUER``)."""
        label = self.user.get_username()
        params = {
            "secret": b32encode(self.bin_key).decode("ascii"),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        query = urlencode(params)
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        if issuer:
            label = f"{issuer}:{label}"
            query += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{query}"
