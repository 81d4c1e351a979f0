"""The demo's 流动党员 and 失联党员: written through the services (audited), seen by the rules on
the demo's day, counted by organization, and seeded once."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.demo.mobile import seed_demo_mobile
from dangjian.demo.seed import seed_database
from dangjian.members.models import MemberStatus
from dangjian.mobile.models import HostActivity, LostContact, Outflow, SearchStep
from dangjian.mobile.selectors import figures, flags
from dangjian.orgs.models import Organization

TODAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_demo_mobile_members_are_flagged_counted_and_seeded_once():
    seed_database(tier="tiny", seed=42, as_of=TODAY, progress=False)
    done = seed_demo_mobile(TODAY, seed=42)
    assert done and done[0].startswith("流动党员 6 名")
    assert (
        Outflow.objects.count() == 6
        and Outflow.objects.filter(returned_on__isnull=False).count() == 1
    )
    assert LostContact.objects.count() == 4 and SearchStep.objects.count() >= 8
    assert HostActivity.objects.exists()
    assert all(o.phone_masked and "****" in o.phone_masked for o in Outflow.objects.all())
    assert AuditEntry.objects.filter(action="mobile.outflow.start").count() == 6
    # the rules on the demo's day: one transfer due (8 months at a fixed place; the 5-month hosted
    # one and the 4-month one not yet), one 停止党籍 prompt (7 months), one 除名 prompt
    found = flags(SYSTEM, TODAY)
    assert [f.rule for f in found].count("REL-TRANSFER") == 1
    decisions = sorted(f.evidence["decision"] for f in found if f.rule == "REL-LOST-CONTACT")
    assert decisions == ["停止党籍", "除名"]
    assert (
        MemberStatus.objects.filter(kind="停止党籍", reason__contains="失去联系（自").count() == 1
    )
    root = Organization.objects.filter(depth=1).order_by("path").first()
    total = figures(SYSTEM, TODAY, root)[-1]
    assert (total.out, total.lost) == (5, 3)
    assert seed_demo_mobile(TODAY, seed=42) == []
