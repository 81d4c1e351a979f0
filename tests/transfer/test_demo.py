"""The demo's transfers: every state in the demo town, some overdue, through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.demo.accounts import demo_nodes
from dangjian.demo.seed import seed_database
from dangjian.demo.transfer import seed_demo_transfers
from dangjian.members.models import MemberCount
from dangjian.members.rollups import has_left
from dangjian.transfer.choices import TransferState
from dangjian.transfer.models import Transfer
from dangjian.transfer.selectors import overdue


@pytest.mark.django_db
def test_demo_transfers_in_every_state():
    seed_database(tier="tiny", seed=42, progress=False)
    today = timezone.localdate()
    town = demo_nodes()["town"]
    before = MemberCount.objects.get(org=town)
    (line,) = seed_demo_transfers(today, seed=42)
    assert "组织关系转接" in line and "超期" in line
    states = set(Transfer.objects.values_list("state", flat=True))
    assert set(TransferState.values) <= states
    assert overdue(Transfer.objects.all(), today).count() >= 2
    assert Transfer.objects.filter(to_org__isnull=True, state=TransferState.ACCEPTED).exists()
    for t in Transfer.objects.filter(state=TransferState.ACCEPTED, to_org__isnull=False):
        assert t.member.org_id == t.to_org_id  # on the new roll
    assert all(t.from_org.path.startswith(town.path) for t in Transfer.objects.all())
    # moves inside the town leave its subtree count unchanged (nobody counted twice or lost);
    # a receipt from outside the platform takes the member off the roll (counted as left)
    out = Transfer.objects.filter(to_org__isnull=True, state=TransferState.ACCEPTED)
    assert all(has_left(t.member) for t in out)
    after = MemberCount.objects.get(org=town)
    assert (after.sub_full + after.sub_probationary) == (
        before.sub_full + before.sub_probationary - out.count()
    )
    assert after.sub_left == before.sub_left + out.count()
    assert seed_demo_transfers(today, seed=42) == []  # once
