from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_audit_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The audit key is configured and usable (else every audited write would fail)."""
    from .keys import audit_keys

    try:
        audit_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="dangjian.E001")]
    return []


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "核心"

    def ready(self) -> None:
        checks.register(check_audit_key, checks.Tags.security)
        from .lookups import register

        register()  # path prefixes read from an index on SQLite (core/lookups.py)
