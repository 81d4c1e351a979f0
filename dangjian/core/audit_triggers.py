"""Database triggers that keep the audit trail append-only, on SQLite and PostgreSQL.

- an entry (``core_auditentry``) is never updated;
- an entry is deleted only by a purge: a purge entry (action ``audit.purge``) written *before* the
  deletion, later in the chain, names the last purged sequence number (``after.through_seq``), and
  was written at least :data:`RETENTION_FLOOR_DAYS` after the deleted entry. The application's rule
  (``DANGJIAN_AUDIT_RETENTION_MONTHS``, never under 6 calendar months) is stricter; the trigger is
  the backstop, in days because SQLite and PostgreSQL count months differently;
- the chain head (``core_auditchainhead``) is never deleted, and is updated only forwards, to the
  last entry's sequence number and hash;
- on PostgreSQL, TRUNCATE of either table is refused too.

Someone who owns the database can still drop a trigger: the triggers stop accidents and SQL
written by the application's own account; the keyed chain and the off-database checkpoints
(:mod:`dangjian.core.audit`) make what such a person does visible.

Used by the migration that installs them and by the ``flush`` command (which lifts them to empty
a test database).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

#: the least age, in days, of an entry a purge may delete (6 months are 181 to 184 days); written
#: out as a literal in the SQL below
RETENTION_FLOOR_DAYS = 181

SQLITE_UP = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END;""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       WHEN NOT EXISTS (SELECT 1 FROM core_auditentry p
         WHERE p.action = 'audit.purge' AND p.seq > OLD.seq
           AND CAST(json_extract(p.after, '$.through_seq') AS INTEGER) >= OLD.seq
           AND p.at >= datetime(OLD.at, '+181 days'))
       BEGIN SELECT RAISE(ABORT, '审计记录不能删除（只能按保存期限清理）'); END;""",
    """CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       BEGIN SELECT RAISE(ABORT, '审计链头不能删除'); END;""",
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       WHEN NEW.id IS NOT OLD.id OR NEW.seq <= OLD.seq
         OR NEW.seq IS NOT (SELECT MAX(seq) FROM core_auditentry)
         OR NEW.hash IS NOT (SELECT hash FROM core_auditentry WHERE seq = NEW.seq)
       BEGIN SELECT RAISE(ABORT, '审计链头只能随新记录前移'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only;",
]

PG_UP = [
    """CREATE OR REPLACE FUNCTION core_audit_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE FUNCTION core_auditentry_guard_delete() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM core_auditentry p
                    WHERE p.action = 'audit.purge' AND p.seq > OLD.seq
                      AND (p.after ->> 'through_seq')::bigint >= OLD.seq
                      AND p.at >= OLD.at + interval '181 days') THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION '审计记录不能删除（只能按保存期限清理）';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE FUNCTION core_auditchainhead_guard_update() RETURNS trigger AS $$
       BEGIN
         IF NEW.id = OLD.id AND NEW.seq > OLD.seq
            AND NEW.seq = (SELECT MAX(seq) FROM core_auditentry)
            AND NEW.hash = (SELECT hash FROM core_auditentry WHERE seq = NEW.seq) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION '审计链头只能随新记录前移';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_audit_refuse('审计记录只能追加，不能修改');""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard_delete();""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse('审计记录不能清空');""",
    """CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION core_audit_refuse('审计链头不能删除');""",
    """CREATE TRIGGER core_auditchainhead_no_truncate BEFORE TRUNCATE ON core_auditchainhead
       FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse('审计链头不能清空');""",
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION core_auditchainhead_guard_update();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete ON core_auditchainhead;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;",
    "DROP FUNCTION IF EXISTS core_auditchainhead_guard_update();",
    "DROP FUNCTION IF EXISTS core_auditentry_guard_delete();",
    "DROP FUNCTION IF EXISTS core_audit_refuse();",
]

#: the single trigger (and function) of the first version (migration 0002)
OLD_SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;"]
OLD_PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
]

_UP = {"sqlite": SQLITE_UP, "postgresql": PG_UP}
_DOWN = {"sqlite": SQLITE_DOWN + OLD_SQLITE_DOWN, "postgresql": PG_DOWN + OLD_PG_DOWN}


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (after removing any earlier version of them)."""
    _run(connection, _DOWN.get(connection.vendor, []))
    _run(connection, _UP.get(connection.vendor, []))


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (the audit trail is then unprotected: tests' flush and migrations)."""
    _run(connection, _DOWN.get(connection.vendor, []))
