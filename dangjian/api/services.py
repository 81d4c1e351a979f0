"""The write path for API tokens: issue and revoke, both audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.audit import AuditAction, audit_record

from .models import ApiToken

#: how long an issued token stays valid unless revoked (days); settable per deployment
DEFAULT_TOKEN_DAYS = 30


def token_digest(raw: str) -> str:
    """The stored form of a token. Tokens are 256-bit random, so a plain hash is enough."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "DANGJIAN_API_TOKEN_DAYS", DEFAULT_TOKEN_DAYS)))


@transaction.atomic
def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """Issue a new token for ``user`` (already authenticated); returns the row and the plain
    token, which is never stored and cannot be shown again."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    # housekeeping: the user's expired tokens are useless, drop them
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(raw),
        prefix=raw[:8],
        expires_at=now + token_lifetime(),
    )
    audit_record(
        actor=user,
        action=AuditAction.API_TOKEN_ISSUE,
        object_type="api_token",
        object_id=str(token.pk),
        object_repr=f"{user.username} 的接口令牌 {token.prefix}…",
        scope_path=user.org.path if user.org else "",
        after={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken | None = None, all_tokens: bool = False) -> int:
    """Revoke ``token`` (of ``user``), or every token of ``user``; returns how many."""
    qs = ApiToken.objects.filter(user=user)
    if not all_tokens:
        if token is None:
            return 0
        qs = qs.filter(pk=token.pk)
    prefixes = sorted(qs.values_list("prefix", flat=True))
    count = len(prefixes)
    if count:
        qs.delete()
        audit_record(
            actor=user,
            action=AuditAction.API_TOKEN_REVOKE,
            object_type="api_token",
            object_id=str(token.pk) if token is not None and not all_tokens else "*",
            object_repr=f"{user.username} 的接口令牌",
            scope_path=user.org.path if user.org else "",
            before={"prefixes": prefixes},
        )
    return count
