"""A PostgreSQL deadlock is a moment of contention, not a server error: the transaction it rolls
back is answered like a busy database (503, try again), with two real transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction

from dangjian.core.busy import is_database_busy
from dangjian.orgs.models import Organization
from tests.factories import make_org

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]


def test_a_deadlock_counts_as_busy():
    first = make_org(None, org_type="党委", code="DL001")
    second = make_org(None, org_type="党委", code="DL002")
    both = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def lock(a, b):
        def run():
            try:
                with transaction.atomic():
                    Organization.objects.select_for_update().get(pk=a.pk)
                    both.wait()  # each holds one row and asks for the other's
                    Organization.objects.select_for_update().get(pk=b.pk)
            except OperationalError as exc:
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [
        threading.Thread(target=lock(first, second)),
        threading.Thread(target=lock(second, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(errors) == 1  # PostgreSQL rolled one back, the other went through
    assert "deadlock" in str(errors[0])
    assert is_database_busy(errors[0])
