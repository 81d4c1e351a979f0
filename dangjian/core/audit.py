"""Writing and verifying the audit trail (see :class:`dangjian.core.models.AuditEntry`).

Services call :func:`audit_record` (or :func:`audit_record_many` for bulk imports) inside the same
``transaction.atomic()`` block as their change, so the change and its entry commit or roll back
together. Appends are serialised by locking the chain head row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from django.db import connection
from django.utils import timezone

from . import context
from .models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


class Actor(Protocol):
    """Anything that acts: a user, or the command-line operator."""

    pk: Any

    @property
    def audit_name(self) -> str: ...


@dataclass
class AuditEvent:
    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    scope_path: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _digest(payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    h = hashes.Hash(hashes.SM3())
    h.update(data.encode("utf-8"))
    return h.finalize().hex()


def _payload(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "scope_path": entry.scope_path,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "client_addr": entry.client_addr,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, given its content and its ``prev_hash``."""
    return _digest(_payload(entry))


def audit_record_many(*, actor: Actor, events: Sequence[AuditEvent]) -> list[AuditEntry]:
    """Append entries for ``events``; must run inside the caller's transaction."""
    if not events:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the change's transaction")
    ctx = context.current()
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        head = AuditChainHead.objects.create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    now = timezone.now().astimezone(dt.UTC)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.hash
    for event in events:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=now,
            actor_id=actor_id,
            actor_name=actor.audit_name[:150],
            action=event.action,
            object_type=event.object_type,
            object_id=str(event.object_id)[:128],
            object_repr=str(event.object_repr)[:255],
            scope_path=event.scope_path,
            before=_jsonable(event.before),
            after=_jsonable(event.after),
            request_id=ctx.request_id,
            client_addr=ctx.client_addr,
            prev_hash=prev,
        )
        entry.hash = entry_hash(entry)
        prev = entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    AuditChainHead.objects.filter(id=1).update(seq=seq, hash=prev)
    return entries


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str = "",
    scope_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; must run inside the caller's transaction."""
    event = AuditEvent(action, object_type, object_id, object_repr, scope_path, before, after)
    return audit_record_many(actor=actor, events=[event])[0]


def audit_verify(entries: Iterable[AuditEntry] | None = None) -> VerifyResult:
    """Recompute the chain in sequence order and report the first broken entry, if any."""
    if entries is None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)
    prev, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, f"缺少第 {expected_seq} 条记录（记录被删除）"
            )
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "前一哈希与上一条记录不符")
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "记录内容与哈希不符（记录被篡改）")
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(
            False,
            checked,
            checked + 1 if head_seq > checked else None,
            "链头与最后一条记录不符（末尾记录被删除）",
        )
    return VerifyResult(True, checked)
