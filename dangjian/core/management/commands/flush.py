"""``flush`` that respects the audit trail: it refuses to empty a database holding audit entries
unless ``DANGJIAN_AUDIT_FLUSH_ALLOWED`` (tests, which empty the database between transactional
tests), and then lifts the audit triggers for the flush and puts them back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from dangjian.core import audit_triggers
from dangjian.core.models import AuditEntry


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        alias = options.get("database") or DEFAULT_DB_ALIAS
        allowed = getattr(settings, "DANGJIAN_AUDIT_FLUSH_ALLOWED", False)
        if not allowed and AuditEntry.objects.using(alias).exists():
            raise CommandError(
                "数据库中有审计记录，不能清空（审计日志须保存不少于 6 个月，"
                "到期的记录请用 dangjian audit purge 清理）"
            )
        connection = connections[alias]
        audit_triggers.uninstall(connection)
        try:
            super().handle(**options)
        finally:
            audit_triggers.install(connection)
