"""The keyed audit chain and the triggers that guard it.

- ``key_id`` on entries (the audit key's fingerprint; empty for entries written before the key,
  which keep their unkeyed SM3 hash — they are not rewritten, which would launder any earlier
  tampering) and ``mac`` on the chain head;
- an existing chain is sealed by one keyed entry (``audit.key_start``) appended after its last
  unkeyed entry, so the old entries cannot be rewritten from then on;
- triggers on SQLite and PostgreSQL refuse UPDATE and DELETE of entries and of the chain head
  (DELETE of entries only as a purge, see :mod:`dangjian.core.audit_triggers`).
"""

import importlib

from django.db import migrations, models

from dangjian.core import audit_triggers


def seal_and_guard(apps, schema_editor):
    from dangjian.core.audit import audit_seal_legacy

    connection = schema_editor.connection
    audit_triggers.uninstall(connection)
    head = apps.get_model("core", "AuditChainHead")
    head.objects.get_or_create(id=1, defaults={"seq": 0, "hash": "0" * 64})
    audit_seal_legacy(apps.get_model("core", "AuditEntry"), head)
    audit_triggers.install(connection)


def unguard(apps, schema_editor):
    """Back to the single trigger of 0002 (the seal entry stays: entries are never removed)."""
    connection = schema_editor.connection
    audit_triggers.uninstall(connection)
    first = importlib.import_module("dangjian.core.migrations.0002_audit_append_only")
    sql = {"sqlite": first.SQLITE_UP, "postgresql": first.PG_UP}.get(connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="密钥编号"),
        ),
        migrations.RunPython(seal_and_guard, unguard),
    ]
