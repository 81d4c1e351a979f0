"""The write path for accounts: users, roles, security policy, lockout. All audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.errors import FieldErrors

from .models import SecurityPolicy, User, UserRole
from .roles import ROLES, Perm, resolve_role
from .scope import SYSTEM, Actor, require

if TYPE_CHECKING:
    from dangjian.orgs.models import Organization


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "org": user.org.code if user.org else None,
        "roles": sorted(user.roles.values_list("role", flat=True)) if user.pk else [],
        "is_active": user.is_active,
    }


def _audit_user(
    actor: Actor,
    action: AuditAction,
    user: User,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="user",
        object_id=user.username,
        object_repr=str(user),
        scope_path=user.org.path if user.org else "",
        before=before,
        after=after,
    )


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    org: Organization,
    roles: Iterable[str],
    display_name: str = "",
) -> User:
    """Create an account bound to ``org`` with ``roles`` (codes or Chinese labels)."""
    require(actor, Perm.USER_MANAGE, org.path)
    errors = FieldErrors()
    role_codes: list[str] = []
    for name in roles:
        try:
            role_codes.append(resolve_role(name).code)
        except KeyError as exc:
            errors.add("roles", str(exc.args[0]))
    if not role_codes and "roles" not in errors:
        errors["roles"] = ["至少需要一个角色"]
    username = username.strip()
    if not username:
        errors["username"] = ["用户名不能为空"]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [f"用户名“{username}”已存在"]
    candidate = User(username=username, display_name=display_name, org=org)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    errors.raise_if_any()
    candidate.set_password(password)
    candidate.save()
    UserRole.objects.bulk_create(
        [UserRole(user=candidate, role=c) for c in sorted(set(role_codes))]
    )
    _audit_user(actor, AuditAction.USER_CREATE, candidate, after=user_snapshot(candidate))
    return candidate


@transaction.atomic
def user_set_roles(*, actor: Actor, user: User, roles: Iterable[str], is_active: bool) -> User:
    """Replace the roles of ``user`` and (de)activate it."""
    require(actor, Perm.USER_MANAGE, user.org.path if user.org else "")
    codes = sorted({resolve_role(r).code for r in roles})
    if not codes:
        raise ValidationError({"roles": ["至少需要一个角色"]})
    before = user_snapshot(user)
    UserRole.objects.filter(user=user).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=c) for c in codes])
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("perms", None)
    _audit_user(actor, AuditAction.USER_ROLES, user, before=before, after=user_snapshot(user))
    return user


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


@transaction.atomic
def login_failed(*, user: User, locked: bool) -> None:
    """Count a failed login; lock the account when the policy's threshold is reached."""
    policy = SecurityPolicy.current()
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    if not locked and user.failed_logins >= policy.max_failed_logins:
        until = timezone.now() + dt.timedelta(minutes=policy.lockout_minutes)
        User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        _audit_user(
            SYSTEM,
            AuditAction.USER_LOCK,
            user,
            after={"locked_until": until.isoformat(), "reason": "连续登录失败"},
        )


def login_succeeded(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


@transaction.atomic
def user_unlock(*, actor: Actor, user: User) -> None:
    require(actor, Perm.SECURITY_MANAGE)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    _audit_user(actor, AuditAction.USER_UNLOCK, user)


@transaction.atomic
def security_policy_update(
    *, actor: Actor, max_failed_logins: int, lockout_minutes: int, idle_timeout_minutes: int
) -> SecurityPolicy:
    """Set the security policy (安全管理员 only)."""
    require(actor, Perm.SECURITY_MANAGE)
    errors = FieldErrors()
    if not 3 <= max_failed_logins <= 20:
        errors["max_failed_logins"] = ["连续失败锁定次数应在 3 到 20 之间"]
    if not 1 <= lockout_minutes <= 24 * 60:
        errors["lockout_minutes"] = ["锁定时长应在 1 到 1440 分钟之间"]
    if not 5 <= idle_timeout_minutes <= 240:
        errors["idle_timeout_minutes"] = ["空闲超时应在 5 到 240 分钟之间"]
    errors.raise_if_any()
    policy = SecurityPolicy.current()
    before = {
        "max_failed_logins": policy.max_failed_logins,
        "lockout_minutes": policy.lockout_minutes,
        "idle_timeout_minutes": policy.idle_timeout_minutes,
    }
    policy.max_failed_logins = max_failed_logins
    policy.lockout_minutes = lockout_minutes
    policy.idle_timeout_minutes = idle_timeout_minutes
    policy.save()
    audit_record(
        actor=actor,
        action=AuditAction.SECURITY_POLICY,
        object_type="security_policy",
        object_id="1",
        object_repr="安全策略",
        before=before,
        after={
            "max_failed_logins": max_failed_logins,
            "lockout_minutes": lockout_minutes,
            "idle_timeout_minutes": idle_timeout_minutes,
        },
    )
    return policy


__all__ = ["ROLES"]
