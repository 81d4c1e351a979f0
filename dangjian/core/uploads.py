"""Uploaded documents: photos or PDFs of signed paper records (meeting minutes, recruitment
documents). The checks every app applies before it stores one, in one place.

The client's file name is reduced to its last part and its claimed content type is never
trusted: the type comes from the first bytes (JPEG, PNG or PDF only). Sizes are refused before a
file is read (:func:`refuse_oversized`) and again on the bytes (:func:`check_upload`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

#: the largest file accepted, in bytes
MAX_BYTES = 5 * 1024 * 1024

#: magic bytes → content type
_MAGIC = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
]
#: the content types an attachment can have (and is downloaded with)
CONTENT_TYPES = tuple(content_type for _magic, content_type in _MAGIC)


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` by its first bytes, or ``None`` if not JPEG, PNG or PDF."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    return None


def _too_big(name: str, max_bytes: int, size: int | None = None) -> str:
    actual = f"（{size / 1024 / 1024:.1f} MB）" if size is not None else ""
    return f"文件“{name}”过大{actual}，每个附件最大 {max_bytes // 1024 // 1024} MB"


def refuse_oversized(files: Iterable[Any], *, max_bytes: int = MAX_BYTES) -> None:
    """Raise ``ValidationError`` (field ``file``) for the first uploaded file whose declared size
    is over ``max_bytes``, before anything is read into memory."""
    for upload in files:
        if upload.size is not None and upload.size > max_bytes:
            raise ValidationError({"file": [_too_big(upload.name or "", max_bytes)]})


@dataclass(frozen=True)
class Upload:
    """A checked file, ready to store."""

    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_upload(
    name: str,
    data: bytes,
    *,
    default_name: str,
    existing: int,
    max_count: int,
    per: str,
    max_bytes: int = MAX_BYTES,
) -> tuple[Upload | None, list[str]]:
    """The checked file, or ``None`` and the Chinese problems: empty, too large, not JPEG/PNG/PDF,
    or ``existing`` files already at ``max_count`` (``per`` names the holder: "每条记录")."""
    name = os.path.basename((name or "").replace("\\", "/")).strip()[:200] or default_name
    problems: list[str] = []
    if not data:
        problems.append(f"文件“{name}”是空的")
    elif len(data) > max_bytes:
        problems.append(_too_big(name, max_bytes, len(data)))
    content_type = sniff(data) if data else None
    if data and content_type is None:
        problems.append(f"文件“{name}”不是 JPEG、PNG 图片或 PDF 文件")
    if existing >= max_count:
        problems.append(f"{per}最多 {max_count} 个附件")
    if problems or content_type is None:
        return None, problems
    return Upload(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data), []
