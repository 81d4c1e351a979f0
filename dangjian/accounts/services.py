"""The write path for accounts: users, roles and their approval, security policy, lockout. All
audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core.audit import AuditAction, AuditSubject, audit_about, audit_record
from dangjian.core.errors import FieldErrors

from .models import RoleGrant, SecurityPolicy, User, UserRole
from .roles import (
    ADMIN_ROLES,
    PROTECTED_ROLES,
    ROLES,
    Perm,
    carries_personal_data,
    resolve_role,
)
from .scope import SYSTEM, Actor, SystemActor, require, user_of

if TYPE_CHECKING:
    from dangjian.orgs.models import Organization


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "org": user.org.code if user.org else None,
        "roles": sorted(user.roles.values_list("role", flat=True)) if user.pk else [],
        "pending_roles": sorted(
            user.role_grants.filter(status=RoleGrant.Status.PENDING).values_list("role", flat=True)
        )
        if user.pk
        else [],
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
    scope_path = user.org.path if user.org else ""
    subject = AuditSubject("user", user, scope_path, object_id=user.username)
    audit_about(actor, action, subject, before=before, after=after)


def _is_operator(actor: Actor) -> bool:
    """The command-line operator (the person with a shell on the server) grants directly."""
    return isinstance(actor, SystemActor)


def _labels(codes: Iterable[str]) -> str:
    return "、".join(ROLES[c].label for c in sorted(codes) if c in ROLES)


def _resolve(roles: Iterable[str], errors: FieldErrors) -> list[str]:
    codes: list[str] = []
    for name in roles:
        try:
            codes.append(resolve_role(name).code)
        except KeyError as exc:
            errors.add("roles", str(exc.args[0]))
    if not codes and "roles" not in errors:
        errors["roles"] = ["至少需要一个角色"]
    return sorted(set(codes))


def _check_separation(codes: Iterable[str], errors: FieldErrors) -> None:
    """三员分立: an account with one of the three administrators' roles holds no other role."""
    codes = set(codes)
    admin = codes & ADMIN_ROLES
    if admin and len(codes) > 1:
        errors.add(
            "roles",
            f"{_labels(admin)}不能与其他角色兼任（三员分立），请为其他角色另建账号",
        )


def protected_roles_of(user: User) -> set[str]:
    """The 安全管理员 / 审计管理员 roles ``user`` holds (their accounts are out of the 系统管理员's
    reach)."""
    return set(user.roles.values_list("role", flat=True)) & PROTECTED_ROLES


def require_may_manage(actor: Actor, user: User) -> None:
    """Refuse (``PermissionDenied``) a 系统管理员's change of a 安全管理员's or 审计管理员's
    account: creating it, its roles, deactivating it, resetting its password (三员分立). The
    command-line operator may."""
    protected = protected_roles_of(user)
    if _is_operator(actor) or not protected:
        return
    raise PermissionDenied(
        f"“{user.username}”是{_labels(protected)}的账号，"
        "系统管理员不能创建、修改、停用或重置安全管理员和审计管理员的账号（三员分立）"
    )


def _require_grantable(actor: Actor, codes: Iterable[str]) -> None:
    protected = set(codes) & PROTECTED_ROLES
    if protected and not _is_operator(actor):
        raise PermissionDenied(
            f"系统管理员不能授予{_labels(protected)}角色（三员分立），"
            "安全管理员和审计管理员的账号由运维人员在命令行创建"
        )


def _request_grants(actor: Actor, user: User, codes: Iterable[str]) -> list[str]:
    """Pending grants of ``codes`` for ``user`` (those already pending stay); the new ones are
    audited. Returns the codes newly asked for."""
    pending = set(
        user.role_grants.filter(status=RoleGrant.Status.PENDING).values_list("role", flat=True)
    )
    asked = sorted(set(codes) - pending)
    requester = user_of(actor)
    if not asked:
        return []
    if requester is None:
        raise PermissionDenied("角色授权申请须由系统管理员账号提出")
    now = timezone.now()
    for code in asked:
        RoleGrant.objects.create(user=user, role=code, requested_by=requester, requested_at=now)
        _audit_user(
            actor,
            AuditAction.ROLE_GRANT_REQUEST,
            user,
            after={"role": code, "label": ROLES[code].label, "status": "待安全管理员批准"},
        )
    return asked


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    org: Organization,
    roles: Iterable[str],
    display_name: str = "",
    must_change_password: bool = True,
) -> User:
    """Create an account bound to ``org`` with ``roles`` (codes or Chinese labels).

    The password is an initial one chosen by someone else (the 系统管理员, the operator), so by
    default the person must change it at the first login (等保: 初始口令首次登录修改). Only
    accounts whose password is meant to be used as given say ``must_change_password=False``: the
    demo's printed accounts, the operator's service accounts (``--no-change-required``).

    Asked by a 系统管理员, a role with personal-data access is not granted but requested: it takes
    effect when a 安全管理员 approves it (:func:`role_grant_approve`); the account starts with the
    other roles. The 安全管理员 and 审计管理员 roles are granted by the operator only."""
    require(actor, Perm.USER_MANAGE, org.path)
    errors = FieldErrors()
    role_codes = _resolve(roles, errors)
    _require_grantable(actor, role_codes)
    _check_separation(role_codes, errors)
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
    candidate.must_change_password = must_change_password
    candidate.save()
    direct = [c for c in role_codes if _is_operator(actor) or not carries_personal_data(c)]
    UserRole.objects.bulk_create([UserRole(user=candidate, role=c) for c in direct])
    _request_grants(actor, candidate, [c for c in role_codes if c not in direct])
    after = {**user_snapshot(candidate), "must_change_password": must_change_password}
    _audit_user(actor, AuditAction.USER_CREATE, candidate, after=after)
    return candidate


@transaction.atomic
def user_set_roles(*, actor: Actor, user: User, roles: Iterable[str], is_active: bool) -> User:
    """Replace the roles of ``user`` and (de)activate it.

    Taking roles away and granting roles without personal-data access take effect at once; a
    系统管理员's grant of a role with personal-data access becomes a pending grant for a 安全管理员
    to approve, and a pending grant no longer asked for is withdrawn."""
    require(actor, Perm.USER_MANAGE, user.org.path if user.org else "")
    require_may_manage(actor, user)
    errors = FieldErrors()
    codes = _resolve(roles, errors)
    _require_grantable(actor, codes)
    _check_separation(codes, errors)
    errors.raise_if_any()
    before = user_snapshot(user)
    held = set(user.roles.values_list("role", flat=True))
    wanted = set(codes)
    new_held = {
        c for c in wanted if c in held or _is_operator(actor) or not carries_personal_data(c)
    }
    to_ask = wanted - new_held
    UserRole.objects.filter(user=user).exclude(role__in=new_held).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=c) for c in sorted(new_held - held)])
    user.role_grants.filter(status=RoleGrant.Status.PENDING).exclude(role__in=to_ask).update(
        status=RoleGrant.Status.WITHDRAWN, decided_at=timezone.now()
    )
    _request_grants(actor, user, to_ask)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("perms", None)
    _audit_user(actor, AuditAction.USER_ROLES, user, before=before, after=user_snapshot(user))
    return user


def _decidable(actor: Actor, grant: RoleGrant) -> RoleGrant:
    """The grant, locked, if ``actor`` may decide it: a 安全管理员 over the account, not the
    requester (two-person rule) and not the account itself; still pending."""
    target = grant.user
    require(actor, Perm.SECURITY_MANAGE, target.org.path if target.org else "")
    locked = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if getattr(actor, "pk", None) is not None and actor.pk == locked.requested_by_id:
        raise PermissionDenied("不能审批自己提出的角色授权申请，须由另一人审批（双人规则）")
    if getattr(actor, "pk", None) is not None and actor.pk == locked.user_id:
        raise PermissionDenied("不能审批授予自己的角色")
    if locked.status != RoleGrant.Status.PENDING:
        raise ValidationError({"__all__": [f"该申请{locked.get_status_display()}，不能再审批"]})
    return locked


@transaction.atomic
def role_grant_approve(*, actor: Actor, grant: RoleGrant) -> RoleGrant:
    """A 安全管理员 approves a pending grant: the role takes effect now (audited)."""
    grant = _decidable(actor, grant)
    user = grant.user
    errors = FieldErrors()
    held = set(user.roles.values_list("role", flat=True))
    _check_separation(held | {grant.role}, errors)
    errors.raise_if_any()
    before = user_snapshot(user)
    UserRole.objects.get_or_create(user=user, role=grant.role)
    grant.status = RoleGrant.Status.APPROVED
    grant.decided_by = user_of(actor)
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("perms", None)
    after = {**user_snapshot(user), "role": grant.role, "requested_by": grant.requested_by.username}
    _audit_user(actor, AuditAction.ROLE_GRANT_APPROVE, user, before=before, after=after)
    return grant


@transaction.atomic
def role_grant_refuse(*, actor: Actor, grant: RoleGrant, reason: str) -> RoleGrant:
    """A 安全管理员 refuses a pending grant, saying why (audited); the role is not granted."""
    grant = _decidable(actor, grant)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["请填写拒绝理由"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["拒绝理由最多 200 字"]})
    grant.status = RoleGrant.Status.REFUSED
    grant.decided_by = user_of(actor)
    grant.decided_at = timezone.now()
    grant.reason = reason
    grant.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _audit_user(
        actor,
        AuditAction.ROLE_GRANT_REFUSE,
        grant.user,
        after={
            "role": grant.role,
            "label": ROLES[grant.role].label,
            "requested_by": grant.requested_by.username,
            "reason": reason,
        },
    )
    return grant


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def lock_exempt(user: User) -> bool:
    """Whether failed logins must not lock ``user`` now (set by the 安全管理员 on unlocking)."""
    return user.lock_exempt_until is not None and user.lock_exempt_until > timezone.now()


@transaction.atomic
def login_failed(*, user: User, locked: bool) -> None:
    """Count a failed login; lock the account when the policy's threshold is reached, unless the
    安全管理员 exempted it from locking for a while (the failures are still counted and shown)."""
    policy = SecurityPolicy.current()
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins", "locked_until", "lock_exempt_until"])
    if not locked and user.failed_logins >= policy.max_failed_logins and not lock_exempt(user):
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


#: the longest a 安全管理员 may exempt an account from locking (hours)
LOCK_EXEMPT_MAX_HOURS = 72


@transaction.atomic
def user_unlock(*, actor: Actor, user: User, exempt_hours: int = 0) -> None:
    """Unlock ``user`` and clear its failure count (安全管理员). With ``exempt_hours``, failed
    logins by others do not lock it again for that long: a lock-out that anyone who knows the
    username can trigger again is no lasting denial of service for an administrator (guessing
    stays bounded by the per-address limit on failed logins, and the failures are still counted
    on the 安全管理员's page)."""
    require(actor, Perm.SECURITY_MANAGE)
    if not 0 <= exempt_hours <= LOCK_EXEMPT_MAX_HOURS:
        raise ValidationError(
            {"exempt_hours": [f"免于锁定的时长应在 0 到 {LOCK_EXEMPT_MAX_HOURS} 小时之间"]}
        )
    exempt_until = timezone.now() + dt.timedelta(hours=exempt_hours) if exempt_hours else None
    User.objects.filter(pk=user.pk).update(
        failed_logins=0, locked_until=None, lock_exempt_until=exempt_until
    )
    after = {"lock_exempt_until": exempt_until.isoformat()} if exempt_until else None
    _audit_user(actor, AuditAction.USER_UNLOCK, user, after=after)


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
