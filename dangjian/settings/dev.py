"""Local use and the demo: SQLite under var/, keys generated into var/ on first use."""

from __future__ import annotations

import os

from dangjian.core.keys import local_secret

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *ALLOWED_HOSTS]  # noqa: F405
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or local_secret(VAR_DIR / "secret_key", 50)
DANGJIAN_FIELD_KEY = os.environ.get("DANGJIAN_FIELD_KEY") or local_secret(VAR_DIR / "field.key", 16)
if not os.environ.get("DANGJIAN_AUDIT_KEY_FILE"):
    DANGJIAN_AUDIT_KEY = os.environ.get("DANGJIAN_AUDIT_KEY") or local_secret(
        VAR_DIR / "audit.key", 32
    )

# Serve static files straight from the app folders (no collectstatic step for the demo).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
