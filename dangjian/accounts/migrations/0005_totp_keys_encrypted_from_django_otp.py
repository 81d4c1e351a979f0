"""Move the administrators' authenticator devices out of ``django_otp.plugins.otp_totp`` (whose
``key`` column is the secret in clear hex) into :class:`accounts.TOTPDevice`, which stores it
encrypted with the field key, then empty the old table so no clear secret stays behind.

The old app is no longer installed, so its table is read with plain SQL when it exists (a
database made before this change); a fresh database has no such table and nothing to do. The
old device ids are kept, so the devices stay the same for their users."""

import datetime as dt

from django.db import migrations
from django.utils.dateparse import parse_datetime

OLD_TABLE = "otp_totp_totpdevice"
COLUMNS = (
    "id",
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)

DATETIMES = ("throttling_failure_timestamp", "created_at", "last_used_at")


def _aware(value):
    """A timestamp read with plain SQL: SQLite gives text or a naive datetime, stored in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def move_devices(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        present = {
            col.name for col in connection.introspection.get_table_description(cursor, OLD_TABLE)
        }
        columns = [c for c in COLUMNS if c in present]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(OLD_TABLE)}")
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    device_model = apps.get_model("accounts", "TOTPDevice")
    for row in rows:
        row["key"] = str(row["key"]).strip().lower()  # saved encrypted by the model's field
        for name in DATETIMES:
            if name in row:
                row[name] = _aware(row[name])
        created_at = row.pop("created_at", None)
        device = device_model.objects.create(**row)
        # auto_now_add stamped the move: keep the enrolment's own date
        device_model.objects.filter(pk=device.pk).update(created_at=created_at)
    if rows and connection.vendor == "postgresql":
        # the ids were given explicitly: move the sequence past them
        table = device_model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(OLD_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_totp_device_encrypted_key"),
    ]

    operations = [
        migrations.RunPython(move_devices, migrations.RunPython.noop),
    ]
