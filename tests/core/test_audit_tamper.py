"""The audit trail against someone who can write the database file (issue 11, item 2).

The five attacks of the issue, each refused by the triggers while they are in place and, with the
triggers dropped (the owner of the database can), detected by ``audit verify`` — the keyed chain
(HMAC-SM3 under a key outside the database) and an off-database checkpoint:

1. delete the last entries and move the chain head back;
2. drop the trigger, rewrite an entry and recompute the (unkeyed) SM3 hashes;
3. update an entry;
4. delete an entry in the middle;
5. cut the trail after a checkpoint was taken (restoring an older, genuine head).

The tests use whatever database the suite runs on: SQLite by default, PostgreSQL with
``DATABASE_URL=postgres://…`` (the PostgreSQL-only TRUNCATE test skips otherwise).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.core import audit_triggers
from dangjian.core.audit import (
    AuditAction,
    AuditError,
    audit_checkpoint,
    audit_purge,
    audit_record,
    audit_seal_legacy,
    audit_verify,
    checkpoint_load,
    entry_hash,
    head_mac,
)
from dangjian.core.keys import audit_keys
from dangjian.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


def _write(n: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + n):
            audit_record(
                actor=SYSTEM,
                action=AuditAction.MEMBER_UPDATE,
                object_type="member",
                object_id=str(i),
                after={"i": i},
            )


def _refused(sql: str, params: list | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params or [])


def _drop_guards() -> None:
    """What the owner of the database file can do: remove the triggers."""
    audit_triggers.uninstall(connection)


#: what the first version hashed, besides the time (written in UTC with microseconds)
_HASHED = [
    "seq",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "scope_path",
    "before",
    "after",
    "request_id",
    "client_addr",
    "prev_hash",
]


def _sm3(entry: AuditEntry) -> str:
    """The attacker's hash: SM3 of the entry's content, as the first version chained them."""
    payload = {name: getattr(entry, name) for name in _HASHED}
    payload["at"] = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if entry.key_id:
        payload["key_id"] = entry.key_id
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    h = hashes.Hash(hashes.SM3())
    h.update(data.encode())
    return h.finalize().hex()


def _rechain(from_seq: int, hasher, **changes) -> None:
    """Rewrite the chain from ``from_seq`` on with ``hasher`` (after applying ``changes`` to every
    rewritten entry), and move the head to match — a complete forgery but for the key."""
    prev = AuditEntry.objects.get(seq=from_seq).prev_hash
    for entry in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        for name, value in changes.items():
            setattr(entry, name, value)
        entry.prev_hash = prev
        entry.hash = prev = hasher(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(
            prev_hash=entry.prev_hash, hash=entry.hash, **changes
        )
        last = entry.seq
    AuditChainHead.objects.filter(id=1).update(seq=last, hash=prev)


# --- the triggers ------------------------------------------------------------------------------


def test_triggers_refuse_update_and_delete_of_entries_and_head():
    _write(5)
    head = AuditChainHead.objects.get()
    _refused("UPDATE core_auditentry SET after = NULL WHERE seq = 3")
    _refused("DELETE FROM core_auditentry WHERE seq = 5")  # the last one
    _refused("DELETE FROM core_auditentry WHERE seq = 3")  # one in the middle
    _refused("DELETE FROM core_auditentry")
    _refused("DELETE FROM core_auditchainhead")
    _refused("UPDATE core_auditchainhead SET seq = 4, hash = %s", [_hash(4)])  # backwards
    _refused("UPDATE core_auditchainhead SET seq = 6, hash = %s", [_hash(5)])  # to no entry
    _refused("UPDATE core_auditchainhead SET mac = ''")  # not forwards
    assert AuditEntry.objects.count() == 5
    assert AuditChainHead.objects.get().seq == head.seq == 5
    # appending still moves the head forwards, and the chain verifies
    _write(1)
    assert AuditChainHead.objects.get().seq == 6
    assert audit_verify().ok


def _hash(seq: int) -> str:
    return AuditEntry.objects.get(seq=seq).hash


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql():
    _write(2)
    _refused("TRUNCATE core_auditentry")
    _refused("TRUNCATE core_auditchainhead")
    assert AuditEntry.objects.count() == 2


# --- the five attacks --------------------------------------------------------------------------


def test_attack_1_delete_last_entries_and_move_the_head_back():
    _write(6)
    _refused("DELETE FROM core_auditentry WHERE seq > 4")
    _drop_guards()
    AuditEntry.objects.filter(seq__gt=4).delete()
    AuditChainHead.objects.filter(id=1).update(seq=4, hash=_hash(4))
    result = audit_verify()
    assert not result.ok
    assert "链头校验码不符" in result.reason
    # a head MAC cannot be made without the key: an unkeyed guess does not pass either
    AuditChainHead.objects.filter(id=1).update(mac=_sm3(AuditEntry.objects.get(seq=4)))
    assert not audit_verify().ok


def test_attack_2_drop_trigger_rewrite_and_recompute_unkeyed_hashes():
    _write(6)
    _drop_guards()
    AuditEntry.objects.filter(seq=3).update(after={"i": 99})
    _rechain(3, _sm3)
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3
    assert "记录被篡改" in result.reason


def test_attack_2_passing_entries_off_as_written_before_the_key_is_detected():
    """Rewriting with an empty key id (an "old" unkeyed entry) does not help: unkeyed entries are
    accepted only before the first keyed one, which must follow them."""
    _write(6)
    _drop_guards()
    AuditEntry.objects.filter(seq=3).update(after={"i": 99})
    _rechain(3, _sm3, key_id="")
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3
    assert "启用审计密钥之后出现未加密钥的记录" in result.reason
    # the whole trail made "old": no keyed entry seals it
    _rechain(1, _sm3, key_id="")
    result = audit_verify()
    assert not result.ok and "缺少启用审计密钥的记录" in result.reason


def test_attack_2_a_guessed_key_is_detected():
    _write(4)
    real_id = AuditEntry.objects.get(seq=1).key_id
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(after={"i": 99})
    with override_settings(DANGJIAN_AUDIT_KEY="11" * 32):
        _rechain(2, entry_hash)  # HMAC under the attacker's key, the real key id kept
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 2 and "记录被篡改" in result.reason
    with override_settings(DANGJIAN_AUDIT_KEY="11" * 32):
        fake_id = audit_keys().key_id
        _rechain(1, entry_hash, key_id=fake_id)  # everything under the attacker's key
        head = AuditChainHead.objects.get()
        AuditChainHead.objects.filter(id=1).update(mac=head_mac(head.seq, head.hash))
        assert audit_verify().ok  # consistent under the attacker's key…
    result = audit_verify()  # …not under the real one
    assert not result.ok and result.first_broken_seq == 1
    assert f"编号 {fake_id}" in result.reason and f"编号 {real_id}" in result.reason


def test_attack_3_update_an_entry():
    _write(5)
    _refused("UPDATE core_auditentry SET actor_name = 'someone' WHERE seq = 2")
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(actor_name="someone")
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 2
    assert "记录内容与哈希不符" in result.reason


def test_attack_4_delete_a_middle_entry():
    _write(5)
    _refused("DELETE FROM core_auditentry WHERE seq = 3")
    _drop_guards()
    AuditEntry.objects.filter(seq=3).delete()
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3
    assert "缺少第 3 条记录" in result.reason
    # closing the gap (renumbering, rechaining without the key) is detected too
    for entry in AuditEntry.objects.filter(seq__gt=3).order_by("seq"):
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq - 1)
    _rechain(3, _sm3)
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3


def test_attack_5_cut_after_a_checkpoint(tmp_path):
    _write(3)
    saved_head = AuditChainHead.objects.values("seq", "hash", "mac").get()  # an old, real head
    _write(2, start=3)
    out = io.StringIO()
    call_command("audit", "checkpoint", "--out", str(tmp_path), stdout=out)
    assert "已签发审计检查点：截至第 6 条记录" in out.getvalue()
    path = tmp_path / "audit-checkpoint-000000006.json"
    assert checkpoint_load(path.read_text()).seq == 6
    _write(2, start=5)
    call_command("audit", "verify", "--checkpoint", str(path), stdout=io.StringIO())

    _refused("DELETE FROM core_auditentry WHERE seq > 3")
    _drop_guards()
    AuditEntry.objects.filter(seq__gt=3).delete()
    AuditChainHead.objects.filter(id=1).update(**saved_head)
    # the trail alone cannot tell (the head is a genuine one of the past)…
    assert audit_verify().ok
    # …the checkpoint kept off the database can
    with pytest.raises(CommandError, match=r"记录被截断：检查点（.*）时已有第 6 条记录"):
        call_command("audit", "verify", "--checkpoint", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="记录被截断"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path), stdout=io.StringIO())


def test_attack_5_even_with_the_key_a_rewrite_before_the_checkpoint_is_detected():
    """Someone who also stole the key can rechain the trail, but not the checkpoint the
    审计管理员 keeps."""
    _write(4)
    cp = audit_checkpoint(SYSTEM)
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(after={"i": 99})
    _rechain(2, entry_hash)
    head = AuditChainHead.objects.get()
    AuditChainHead.objects.filter(id=1).update(mac=head_mac(head.seq, head.hash))
    assert audit_verify().ok
    result = audit_verify(checkpoint=cp)
    assert not result.ok and result.first_broken_seq == cp.seq
    assert "与检查点" in result.reason


# --- checkpoints ---------------------------------------------------------------------------------


def test_checkpoint_printed_signed_and_audited(capsys):
    _write(2)
    call_command("audit", "checkpoint")
    printed = capsys.readouterr()
    cp = checkpoint_load(printed.out)
    assert cp.seq == 3 and "请将以上内容交审计管理员离线保存" in printed.err
    assert "审计日志检查点" in json.loads(printed.out)["说明"]
    assert AuditEntry.objects.get(seq=3).action == AuditAction.AUDIT_CHECKPOINT
    forged = json.loads(printed.out) | {"seq": 2}
    with pytest.raises(AuditError, match="检查点签名不符"):
        checkpoint_load(json.dumps(forged))
    with pytest.raises(AuditError, match="无法读取"):
        checkpoint_load("{")
    with pytest.raises(AuditError, match="格式标识不符"):
        checkpoint_load('{"seq": 1}')
    with override_settings(DANGJIAN_AUDIT_KEY="22" * 32), pytest.raises(AuditError, match="另一把"):
        checkpoint_load(printed.out)
    with pytest.raises(CommandError, match="无法读取检查点文件"):
        call_command("audit", "verify", "--checkpoint", "/nonexistent/cp.json")


def test_checkpoint_is_refused_on_a_broken_chain(tmp_path):
    _write(3)
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(actor_name="x")
    with pytest.raises(CommandError, match="不能签发检查点"):
        call_command("audit", "checkpoint", "--out", str(tmp_path / "cp.json"))
    assert not (tmp_path / "cp.json").exists()


def test_checkpoint_does_not_overwrite_a_file(tmp_path):
    target = tmp_path / "cp.json"
    target.write_text("old")
    with pytest.raises(CommandError, match="已存在，不覆盖"):
        call_command("audit", "checkpoint", "--out", str(target))
    assert target.read_text() == "old"


# --- retention -----------------------------------------------------------------------------------


def test_purge_keeps_six_months_and_verifies_after(clock):
    _write(3)  # 2026-11-23
    clock.move_to(dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC))
    _write(2, start=3)
    # younger than 6 months: nothing goes, and the trigger refuses a hand-made delete
    assert audit_purge(SYSTEM).count == 0
    _refused("DELETE FROM core_auditentry WHERE seq = 1")
    short = override_settings(DANGJIAN_AUDIT_RETENTION_MONTHS=5)
    with short, pytest.raises(AuditError, match="不得少于 6 个月"):
        audit_purge(SYSTEM)

    clock.move_to(dt.datetime(2027, 5, 24, 10, tzinfo=dt.UTC))  # 6 months and a day after
    dry = audit_purge(SYSTEM, dry_run=True)
    assert (dry.from_seq, dry.through_seq, dry.count) == (1, 3, 3)
    assert AuditEntry.objects.count() == 5
    out = io.StringIO()
    call_command("audit", "purge", stdout=out)
    assert "已删除" in out.getvalue() and "第 1 至 3 条" in out.getvalue()
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [4, 5, 6]
    purge = AuditEntry.objects.get(seq=6)
    assert purge.action == AuditAction.AUDIT_PURGE and purge.after["through_seq"] == 3
    result = audit_verify()
    assert result.ok, result.reason
    assert any("已按保存期限清理" in note for note in result.notes)
    # the entries of March are kept until September
    assert audit_purge(SYSTEM).count == 0


def test_purge_respects_a_longer_retention(clock):
    _write(2)
    clock.move_to(dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC))
    with override_settings(DANGJIAN_AUDIT_RETENTION_MONTHS=12):
        assert audit_purge(SYSTEM).count == 0
    assert audit_purge(SYSTEM).count == 2


def test_deleting_old_entries_without_a_purge_is_refused_and_detected(clock):
    _write(4)
    clock.move_to(dt.datetime(2027, 12, 1, 10, tzinfo=dt.UTC))
    _write(1, start=4)
    _refused("DELETE FROM core_auditentry WHERE seq <= 2")  # old, but no purge announced it
    _drop_guards()
    AuditEntry.objects.filter(seq__lte=2).delete()
    result = audit_verify()
    assert not result.ok and "第 1 至 2 条记录缺失，且没有相应的清理记录" in result.reason


def test_a_forged_purge_entry_lets_the_trigger_pass_but_not_verify(clock):
    """Inserting is allowed (appends must be), so a hand-made purge entry gets past the trigger;
    it carries no valid HMAC, so verify shows it."""
    _write(3)
    clock.move_to(dt.datetime(2027, 12, 1, 10, tzinfo=dt.UTC))
    last = AuditEntry.objects.get(seq=3)

    def forge(seq: int, at: dt.datetime) -> AuditEntry:
        return AuditEntry(
            seq=seq,
            at=at,
            actor_name="x",
            action=AuditAction.AUDIT_PURGE,
            object_type="audit",
            object_id="1-2",
            after={"through_seq": 2, "through_hash": _hash(2)},
            request_id="",
            prev_hash=last.hash,
            hash="0" * 64,
            key_id=last.key_id,
        )

    # dated too soon after the entries (under the 181-day floor): the trigger still refuses
    AuditEntry.objects.bulk_create([forge(4, dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC))])
    _refused("DELETE FROM core_auditentry WHERE seq <= 2")
    AuditEntry.objects.bulk_create([forge(5, dt.datetime(2027, 12, 1, 10, tzinfo=dt.UTC))])
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq <= 2")
    assert AuditEntry.objects.count() == 3
    result = audit_verify()
    assert not result.ok


# --- the chain of before the key -----------------------------------------------------------------


def _legacy(n: int) -> None:
    """Entries as the first version wrote them: unkeyed SM3, no key id."""
    prev = "0" * 64
    at = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    for seq in range(1, n + 1):
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor_name="旧版",
            action="member.update",
            object_type="member",
            object_id=str(seq),
            request_id="r",
            prev_hash=prev,
        )
        entry.hash = prev = _sm3(entry)
        AuditEntry.objects.bulk_create([entry])
    AuditChainHead.objects.update_or_create(id=1, defaults={"seq": n, "hash": prev, "mac": ""})


def test_a_chain_of_before_the_key_is_sealed_and_then_protected():
    _drop_guards()
    _legacy(4)
    result = audit_verify()
    assert not result.ok and "缺少启用审计密钥的记录" in result.reason
    with transaction.atomic():
        seal = audit_seal_legacy(AuditEntry, AuditChainHead)
    assert seal.seq == 5 and seal.action == AuditAction.AUDIT_KEY_START
    assert audit_seal_legacy(AuditEntry, AuditChainHead) is None  # once only
    audit_triggers.install(connection)
    _write(2)
    result = audit_verify()
    assert result.ok, result.reason
    assert "前 4 条记录写于启用审计密钥之前" in result.notes[0]
    # rewriting an old entry with its SM3 recomputed breaks the chain at the seal
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(object_repr="改")
    prev = AuditEntry.objects.get(seq=1).hash
    for entry in AuditEntry.objects.filter(seq__in=[2, 3, 4]).order_by("seq"):
        entry.prev_hash = prev
        entry.hash = prev = _sm3(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 5


# --- configuration -------------------------------------------------------------------------------


def test_the_audit_key_is_required_and_separate(tmp_path, settings):
    settings.DANGJIAN_AUDIT_KEY = ""
    settings.DANGJIAN_AUDIT_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="未配置审计密钥"):
        audit_keys()
    settings.DANGJIAN_AUDIT_KEY = settings.DANGJIAN_FIELD_KEY
    with pytest.raises(ImproperlyConfigured, match="不得与字段加密密钥"):
        audit_keys()
    settings.DANGJIAN_AUDIT_KEY = "abcd"
    with pytest.raises(ImproperlyConfigured, match="不少于 128 bit"):
        audit_keys()
    key_file = tmp_path / "audit.key"
    key_file.write_text("5a" * 32 + "\n")
    settings.DANGJIAN_AUDIT_KEY = ""
    settings.DANGJIAN_AUDIT_KEY_FILE = str(key_file)
    assert len(audit_keys().key_id) == 16
    settings.DANGJIAN_AUDIT_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(ImproperlyConfigured, match="无法读取审计密钥文件"):
        audit_keys()


@pytest.mark.django_db(transaction=True)
def test_flush_refuses_to_empty_the_audit_trail_outside_tests(settings):
    _write(1)
    settings.DANGJIAN_AUDIT_FLUSH_ALLOWED = False
    with pytest.raises(CommandError, match="不能清空"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1
    settings.DANGJIAN_AUDIT_FLUSH_ALLOWED = True
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    _write(1)
    _refused("DELETE FROM core_auditentry")  # the triggers are back


def test_the_chain_page_names_the_break_in_chinese(login):
    _write(3)
    client = login("auditor")
    page = client.get(reverse("web:audit_chain")).content.decode()
    assert "哈希链完整" in page and "检查点" in page
    _drop_guards()
    AuditEntry.objects.filter(seq=2).update(actor_name="x")
    fragment = client.get(reverse("web:audit_chain"), HTTP_HX_REQUEST="true").content.decode()
    assert "哈希链已损坏：第 2 条，记录内容与哈希不符（记录被篡改）" in fragment


def test_a_missing_audit_key_fails_the_system_check(settings):
    settings.DANGJIAN_AUDIT_KEY = ""
    settings.DANGJIAN_AUDIT_KEY_FILE = ""
    with pytest.raises(SystemCheckError, match="未配置审计密钥"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
