"""The migration to the keyed chain seals an existing trail instead of rewriting it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import hashes
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from dangjian.core.audit import AuditAction, audit_verify
from dangjian.core.models import AuditEntry

BEFORE = [("core", "0002_audit_append_only")]


def _sm3(payload: dict) -> str:
    h = hashes.Hash(hashes.SM3())
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    h.update(text.encode())
    return h.finalize().hex()


@pytest.mark.django_db(transaction=True)
def test_an_unkeyed_trail_is_kept_and_sealed_by_one_keyed_entry():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    old_entry = apps.get_model("core", "AuditEntry")
    old_head = apps.get_model("core", "AuditChainHead")
    prev = "0" * 64
    at = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
    for seq in (1, 2, 3):
        row = {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": None,
            "actor_name": "旧版",
            "action": "member.update",
            "object_type": "member",
            "object_id": str(seq),
            "object_repr": "",
            "scope_path": "",
            "before": None,
            "after": {"n": seq},
            "request_id": "r",
            "client_addr": "",
            "prev_hash": prev,
        }
        digest = _sm3(row)
        old_entry.objects.create(**{k: v for k, v in row.items() if k != "at"}, at=at, hash=digest)
        prev = digest
    old_head.objects.update_or_create(id=1, defaults={"seq": 3, "hash": prev})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", "key_id", "hash"))
    assert [s for s, _, _ in seqs] == [1, 2, 3, 4]
    assert [bool(k) for _, k, _ in seqs] == [False, False, False, True]
    assert seqs[2][2] == prev  # the old entries are not rewritten
    seal = AuditEntry.objects.get(seq=4)
    assert seal.action == AuditAction.AUDIT_KEY_START and seal.after["legacy_through_seq"] == 3
    result = audit_verify()
    assert result.ok, result.reason
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq = 4")
