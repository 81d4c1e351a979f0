"""The demo register: built through the services in the demo town, every list has something."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.care.models import Hardship, Help, Visit
from dangjian.care.selectors import figures_for, follow_ups
from dangjian.core.models import AuditEntry
from dangjian.demo.accounts import demo_nodes
from dangjian.demo.care import seed_demo_care
from dangjian.demo.seed import seed_database

TODAY = dt.date(2026, 11, 2)


@pytest.mark.django_db
def test_demo_register():
    seed_database(tier="tiny", seed=42, progress=False)
    (line,) = seed_demo_care(TODAY, seed=42)
    nodes = demo_nodes()
    town, weak = nodes["town"], nodes["weak_branch"]
    entries = Hardship.objects.all()
    assert entries.count() >= 4
    assert all(h.org.path.startswith(town.path) or h.org == weak for h in entries)
    assert entries.filter(org=weak).exists()  # zb_shuji's branch has a register too
    assert f"困难党员 {entries.count()} 人" in line
    assert entries.filter(until__isnull=False).count() == 1
    assert entries.filter(helpers=town).exists() and entries.filter(level="特别困难").exists()
    assert Help.objects.filter(org=town).exists() and Visit.objects.exists()
    assert all(h.note() for h in entries)  # notes were written encrypted
    due = follow_ups(SYSTEM, TODAY)
    assert any(u.overdue for u in due) and any(not u.overdue for u in due)
    assert (
        figures_for(SYSTEM, None, TODAY.year, TODAY).total.on_register
        == entries.filter(until__isnull=True).count()
    )
    assert AuditEntry.objects.filter(action="care.register").count() == entries.count()
    assert seed_demo_care(TODAY, seed=42) == []  # once
