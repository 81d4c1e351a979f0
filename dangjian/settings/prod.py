"""Production: every secret from the environment, HTTPS only; `check --deploy` is clean."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"环境变量 {name} 未设置 (environment variable {name} is required)"
        )
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
DANGJIAN_FIELD_KEY = _required("DANGJIAN_FIELD_KEY")
if not os.environ.get("DANGJIAN_AUDIT_KEY_FILE"):
    DANGJIAN_AUDIT_KEY = _required("DANGJIAN_AUDIT_KEY")
DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
