"""The write path for passwords: a user changes their own, the 安全管理员 resets someone else's
(the user must change it at the next login), and the maximum age of the policy. All audited;
no password or hash is ever written to the audit trail."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core.audit import AuditAction

from .models import User
from .roles import Perm
from .scope import Actor, require
from .services import _audit_user

#: letters and digits that cannot be mistaken for each other when read out or copied by hand
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SYMBOLS = "-_#@%+="


def max_age() -> dt.timedelta | None:
    """The maximum password age of the deployment, ``None`` when passwords never expire."""
    days = int(getattr(settings, "DANGJIAN_PASSWORD_MAX_AGE_DAYS", 0))
    return dt.timedelta(days=days) if days > 0 else None


def password_expired(user: User) -> bool:
    limit = max_age()
    if limit is None:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > limit


def must_change_password(user: User) -> bool:
    """Whether ``user`` must choose a new password before doing anything else."""
    return bool(user.must_change_password) or password_expired(user)


def initial_password(user: User) -> bool:
    """Whether ``user`` still has the initial password someone else chose at the account's
    creation (never changed nor reset since) and must replace it."""
    return bool(user.must_change_password) and user.password_changed_at is None


def temporary_password() -> str:
    """A random one-time password that passes the validators (16 letters, digits, symbols)."""
    while True:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(14))
        value = value[:7] + secrets.choice(_SYMBOLS) + value[7:] + secrets.choice("23456789")
        try:
            validate_password(value)
        except ValidationError:
            continue
        return value


def _set(user: User, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "failed_logins",
            "locked_until",
        ]
    )


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """``user`` changes their own password: the old one must be right, the new one must pass the
    validators and differ from the old one."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确"]
    if old_password and new_password == old_password:
        errors["new_password"] = ["新密码不能与原密码相同"]
    else:
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            errors["new_password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    _set(user, new_password, must_change=False)
    _audit_user(user, AuditAction.USER_PASSWORD_CHANGE, user, after={"by": "本人"})
    return user


@transaction.atomic
def password_reset(*, actor: Actor, user: User, new_password: str = "") -> str:
    """The 安全管理员 sets a temporary password for ``user`` (typed, or generated when empty) and
    returns it to be handed over once; the user must change it at the next login, their sessions
    end and their API tokens stop working until they have."""
    require(actor, Perm.SECURITY_MANAGE, user.org.path if user.org else "")
    if getattr(actor, "pk", None) == user.pk:
        raise PermissionDenied("不能重置自己的密码，请在“修改密码”页面修改")
    if new_password:
        try:
            validate_password(new_password, user)
        except ValidationError as exc:
            raise ValidationError({"new_password": list(exc.messages)}) from None
    password = new_password or temporary_password()
    _set(user, password, must_change=True)
    _audit_user(
        actor,
        AuditAction.USER_PASSWORD_RESET,
        user,
        after={"must_change_password": True, "generated": not new_password},
    )
    return password
