"""The demo's orders leave messages in the demo accounts' inboxes (the jobs run at its end)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.demo.accounts import ensure_demo_accounts
from dangjian.demo.seed import seed_database
from dangjian.demo.service import seed_demo_service
from dangjian.notify.models import Kind, Message
from dangjian.service.jobs import tick


@pytest.mark.django_db
def test_the_demo_fills_the_inboxes_once():
    seed_database(tier="tiny", seed=42, progress=False)
    seed_demo_service(timezone.localdate(), seed=42)
    assigned = Message.objects.filter(kind=Kind.ASSIGNED)
    # to the grid workers, and to the 双报到 members' own accounts the demo dispatches to
    assert assigned.exists()
    assert all(m.user.username.startswith(("wgy_", "sbd_")) for m in assigned)
    assert not Message.objects.filter(created_at__gt=timezone.now()).exists()  # backdated
    ensure_demo_accounts()
    tick()
    mine = Message.objects.filter(user__username="dw_admin")
    assert mine.filter(kind=Kind.OVERDUE).exists()
    count = Message.objects.count()
    tick()  # a second demo run adds nothing
    assert Message.objects.count() == count
