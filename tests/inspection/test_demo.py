"""The demo inspections: built through the services, findings closed by rectification."""

from __future__ import annotations

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.demo.inspection import seed_demo_inspection
from dangjian.demo.seed import seed_database
from dangjian.inspection.models import Finding, InspectionPlan
from dangjian.inspection.selectors import findings_for
from dangjian.rectify.choices import PlanReason, TaskStatus


@pytest.mark.django_db
def test_demo_inspections(today):
    seed_database(tier="tiny", seed=42, progress=False)
    (line,) = seed_demo_inspection(today, seed=42)
    plans = InspectionPlan.objects.order_by("pk")
    assert [p.kind for p in plans] == ["督查", "暗访", "暗访"]
    assert plans[0].targets.filter(sampled=True).exists()
    assert plans[0].targets.filter(hand_picked=True).exists()
    findings = Finding.objects.all()
    assert findings.count() >= 5 and f"发现问题 {findings.count()} 个" in line
    covert = plans[2]
    assert covert.published_at is None
    secret = findings.filter(visit__plan=covert)
    assert secret.exists() and all(f.task_id is None for f in secret)
    done = findings.exclude(visit__plan=covert)
    assert all(f.task_id is not None for f in done)
    assert done.filter(task__status=TaskStatus.CONFIRMED, revisit="confirmed").exists()
    assert done.filter(task__plan__reason=PlanReason.INSPECTION).exists()
    assert findings_for(SYSTEM).count() == findings.count()
    assert AuditEntry.objects.filter(action="inspection.revisit").exists()
    assert seed_demo_inspection(today, seed=42) == []  # once
