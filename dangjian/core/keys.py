"""Keys kept outside the database: local secrets for development and the demo (under var/, never
in the repository), and the audit chain's key."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def local_secret(path: Path, nbytes: int) -> str:
    """Return the hex secret stored at ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def public_token(nbytes: int) -> str:
    """A random URL-safe token (``secrets.token_urlsafe``) that never begins with ``-``: tokens are
    typed on command lines (``dangjian open311 key create --grid <token>``), where a leading dash
    reads as an option."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token


# --- the audit chain's key -------------------------------------------------------------------
#
# The audit trail is chained with HMAC-SM3 under a key that is not in the database
# (``DANGJIAN_AUDIT_KEY``, hex, at least 128 bit, or the file named by ``DANGJIAN_AUDIT_KEY_FILE``),
# so someone who can rewrite the database file cannot recompute the chain. It is separate from the
# field-encryption key; three sub-keys are derived from it (entries, chain head, checkpoints) so
# one never doubles as another.


@dataclass(frozen=True)
class AuditKeys:
    key_id: str  #: a short public fingerprint of the key, stored with each entry
    chain: bytes
    head: bytes
    checkpoint: bytes


@lru_cache(maxsize=16)
def _hmac_start(key: bytes) -> hmac.HMAC:
    """An HMAC-SM3 under ``key`` with nothing fed yet (copied: no key set-up per entry)."""
    return hmac.HMAC(key, hashes.SM3())


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    h = _hmac_start(key).copy()
    h.update(data)
    return h.finalize()


@lru_cache(maxsize=4)
def _audit_keys(master_hex: str) -> AuditKeys:
    try:
        master = bytes.fromhex(master_hex)
    except ValueError:
        master = b""
    if len(master) < 16:
        raise ImproperlyConfigured(
            "DANGJIAN_AUDIT_KEY 必须是至少 32 位的十六进制字符串（不少于 128 bit）"
        )
    return AuditKeys(
        key_id=_hmac_sm3(master, b"dangjian/audit-key-id").hex()[:16],
        chain=_hmac_sm3(master, b"dangjian/audit-chain"),
        head=_hmac_sm3(master, b"dangjian/audit-head"),
        checkpoint=_hmac_sm3(master, b"dangjian/audit-checkpoint"),
    )


def audit_key_text() -> str:
    """The configured audit key (hex): the setting, else the key file's content."""
    value = (getattr(settings, "DANGJIAN_AUDIT_KEY", "") or "").strip()
    path = getattr(settings, "DANGJIAN_AUDIT_KEY_FILE", "") or ""
    if not value and path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"无法读取审计密钥文件 {path}：{exc.strerror}") from exc
    if not value:
        raise ImproperlyConfigured(
            "未配置审计密钥：请设置环境变量 DANGJIAN_AUDIT_KEY 或 DANGJIAN_AUDIT_KEY_FILE"
        )
    if value.lower() == (getattr(settings, "DANGJIAN_FIELD_KEY", "") or "").strip().lower():
        raise ImproperlyConfigured("审计密钥不得与字段加密密钥（DANGJIAN_FIELD_KEY）相同")
    return value


def audit_keys() -> AuditKeys:
    """The sub-keys of the configured audit key (raises ImproperlyConfigured without one)."""
    return _audit_keys(audit_key_text())


def audit_mac(key: bytes, data: bytes) -> str:
    """HMAC-SM3 of ``data`` under ``key``, hex."""
    return _hmac_sm3(key, data).hex()
