"""Local secrets for development and the demo, kept under var/ (never in the repository)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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
