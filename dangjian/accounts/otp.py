"""TOTP second factor for the administrator roles (django-otp, with the project's device whose
secret is encrypted at rest: :class:`~dangjian.accounts.models.TOTPDevice`), switched on by
``DANGJIAN_ADMIN_TOTP``. An administrator signs in with the password, then enrols an
authenticator app (first time) or types its 6-digit code; until then every page redirects to that
step and the API issues no token without the code (field ``otp``)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from dangjian.core.audit import AuditAction

from .models import TOTPDevice, User
from .roles import Perm
from .scope import Actor, require
from .services import _audit_user

#: roles that need the second factor: the three administrators (三员) and the 组织部管理员, who
#: can read every member's ID number in the district
TOTP_ROLES = frozenset({"sys_admin", "security_admin", "audit_admin", "org_admin"})
DEVICE_NAME = "动态口令"


def totp_required(user: User) -> bool:
    return bool(getattr(settings, "DANGJIAN_ADMIN_TOTP", False)) and bool(
        user.role_codes & TOTP_ROLES
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (its key stays the same until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def verify(user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``token`` (throttled by django-otp), else ``None``."""
    device = confirmed_device(user)
    token = (token or "").strip()
    if device is None or not token.isdigit():
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return device if device.verify_token(token) else None


@transaction.atomic
def totp_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the enrolment device with a first code from the app; audited."""
    device = enrolment_device(user)
    token = (token or "").strip()
    if not token.isdigit() or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    _audit_user(user, AuditAction.USER_TOTP_ENROL, user)
    return device


@transaction.atomic
def totp_reset(*, actor: Actor, user: User) -> int:
    """The 安全管理员 removes ``user``'s devices (lost phone): they enrol again at next login."""
    require(actor, Perm.SECURITY_MANAGE, user.org.path if user.org else "")
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    _audit_user(actor, AuditAction.USER_TOTP_RESET, user, after={"devices": count})
    return count
