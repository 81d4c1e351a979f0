"""The committee rollup under two concurrent writes of one roll, with two real transactions on
PostgreSQL (READ COMMITTED): the second writer waits for the first's row and reads the roll
after the first commits, so neither change is lost."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)

from dangjian.accounts.scope import SYSTEM
from dangjian.members import committee
from dangjian.members.committee import committee_differences
from dangjian.members.services import member_update
from dangjian.orgs.models import OrgCommittee
from tests.factories import make_member, make_org
from tests.members.test_committee_rollup import input_of
from tests.members.test_rollups_concurrent import _run

pytestmark = [
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
    pytest.mark.django_db(transaction=True),
]


def test_two_posts_given_at_once_are_both_counted(monkeypatch):
    root = make_org(None, org_type="党委", sector="机关", code="CC001")
    branch = make_org(root, org_type="党支部", code="CC002")
    first, second = make_member(branch), make_member(branch)
    read = threading.Event()
    expected = committee.expected_rows

    def slow(holders):
        found = expected(holders)
        if threading.current_thread().name == "secretary" and not read.is_set():
            read.set()
            time.sleep(1.0)  # the other writer comes now, and must wait for this row
        return found

    monkeypatch.setattr(committee, "expected_rows", slow)

    def secretary():
        member_update(actor=SYSTEM, member=first, data=input_of(first, post="书记"))

    def deputy():
        assert read.wait(20)
        member_update(actor=SYSTEM, member=second, data=input_of(second, post="副书记"))

    _run(secretary, deputy)
    row = OrgCommittee.objects.get(org=branch)
    assert (row.committee_posts, row.secretaries) == (2, 1)
    assert committee_differences() == []
