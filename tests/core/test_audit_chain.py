import pytest
from django.db import DatabaseError, connection, transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.core.audit import audit_record, audit_verify
from dangjian.core.models import AuditEntry


def _write(n):
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=SYSTEM, action="test.write", object_type="t", object_id=str(i), after={"i": i}
            )


@pytest.mark.django_db
def test_chain_verifies_and_detects_tampering():
    _write(5)
    assert audit_verify().ok
    assert audit_verify().checked == 5
    target = AuditEntry.objects.get(seq=3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=target.pk).update(action="tampered")
    # an attacker with database access drops the trigger and rewrites an entry
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER core_auditentry_no_update")
        else:
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
    AuditEntry.objects.filter(pk=target.pk).update(after={"i": 99})
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == 3


@pytest.mark.django_db(transaction=True)
def test_audit_outside_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor=SYSTEM, action="x", object_type="t", object_id="1")


@pytest.mark.django_db
def test_entries_refuse_model_level_change():
    _write(1)
    entry = AuditEntry.objects.get()
    with pytest.raises(RuntimeError):
        entry.delete()
    entry.action = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
