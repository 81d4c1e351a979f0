"""Field encryption for personal data at rest (ID and phone numbers).

SM4 (GB/T 32907) in GCM mode through OpenSSL, as the Chinese 密评 expects; a keyed SM3 hash
(HMAC-SM3) of the normalised value serves lookups and uniqueness without decrypting.
The master key is 128 bits in hex from ``settings.DANGJIAN_FIELD_KEY``; separate sub-keys for
encryption and hashing are derived from it so one never doubles as the other.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = b"\x01"  # ciphertext format: version | 12-byte nonce | ciphertext | 16-byte tag
_NONCE = 12
_TAG = 16


class DecryptionError(Exception):
    """A stored value cannot be decrypted with the configured key."""


@lru_cache(maxsize=4)
def _keys(master_hex: str) -> tuple[bytes, bytes]:
    try:
        master = bytes.fromhex(master_hex)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "DANGJIAN_FIELD_KEY 必须是 32 位十六进制字符串 (128 bit)"
        ) from exc
    if len(master) != 16:
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEY 必须是 32 位十六进制字符串 (128 bit)")

    def derive(label: bytes) -> bytes:
        h = hmac.HMAC(master, hashes.SM3())
        h.update(label)
        return h.finalize()

    return derive(b"dangjian/sm4-gcm")[:16], derive(b"dangjian/hmac-sm3")


def _current_keys() -> tuple[bytes, bytes]:
    return _keys(settings.DANGJIAN_FIELD_KEY)


@lru_cache(maxsize=4)
def _sm4(enc_key: bytes) -> algorithms.SM4:
    """The cipher algorithm under ``enc_key``, made once (an import encrypts every row's
    numbers)."""
    return algorithms.SM4(enc_key)


def encrypt(plaintext: str) -> bytes:
    """Encrypt a short string with SM4-GCM under a fresh random nonce."""
    enc_key, _ = _current_keys()
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(_sm4(enc_key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return _VERSION + nonce + body + encryptor.tag


def decrypt(blob: bytes) -> str:
    """Decrypt a value made by :func:`encrypt`; raises :class:`DecryptionError` on a wrong key."""
    blob = bytes(blob)
    if len(blob) < 1 + _NONCE + _TAG or blob[:1] != _VERSION:
        raise DecryptionError("unknown ciphertext format")
    enc_key, _ = _current_keys()
    nonce, body, tag = blob[1 : 1 + _NONCE], blob[1 + _NONCE : -_TAG], blob[-_TAG:]
    decryptor = Cipher(_sm4(enc_key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("wrong key or tampered value") from exc


@lru_cache(maxsize=4)
def _mac_start(mac_key: bytes) -> hmac.HMAC:
    """An HMAC-SM3 under ``mac_key`` with nothing fed yet: copying it skips the key set-up
    (an import digests every row's numbers)."""
    return hmac.HMAC(mac_key, hashes.SM3())


def digest(value: str) -> str:
    """Keyed HMAC-SM3 of a normalised value, hex; equal inputs give equal digests."""
    _, mac_key = _current_keys()
    h = _mac_start(mac_key).copy()
    h.update(value.strip().upper().encode("utf-8"))
    return h.finalize().hex()
