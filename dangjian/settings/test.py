"""Tests: fast hashing, a fixed throw-away field key (not a secret), SQLite unless DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-only-not-secret"  # noqa: S105
DANGJIAN_FIELD_KEY = "00112233445566778899aabbccddeeff"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
VAR_DIR = Path(tempfile.mkdtemp(prefix="dangjian-test-"))
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# one process: the local-memory cache, emptied by the tests that need it
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT = VAR_DIR / "staticfiles"  # exists (empty): static files come from the finders
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
