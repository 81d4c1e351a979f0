"""Tests: fast hashing, throw-away field and audit keys (no secrets), SQLite unless DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-only-not-secret"  # noqa: S105
DANGJIAN_FIELD_KEY = "00112233445566778899aabbccddeeff"
DANGJIAN_AUDIT_KEY = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" * 2  # throw-away, not a secret
DANGJIAN_AUDIT_FLUSH_ALLOWED = True  # transactional tests empty the database between tests
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
DANGJIAN_FINDINGS_STORE = False  # tests that use the findings store switch it on
