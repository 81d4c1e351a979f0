"""The demo's year of dues goes through the real services and runs once."""

from __future__ import annotations

import datetime as dt

from dangjian.core.models import AuditEntry
from dangjian.demo.dues import seed_demo_dues
from dangjian.dues.models import DuesBase, DuesPayment, DuesRemittance


def test_a_year_of_dues_for_the_demo_town(tree):
    lines = seed_demo_dues(dt.date(2026, 3, 15), seed=42)
    assert lines and "党费核定" in lines[0]
    # 4 members of 甲村党支部, two calendar years (2025-03 … 2026-02)
    assert DuesBase.objects.filter(member__org=tree["branch_a"]).count() == 8
    months = set(DuesPayment.objects.values_list("month", flat=True))
    assert min(months) == dt.date(2025, 3, 1) and max(months) == dt.date(2026, 2, 1)
    assert DuesPayment.objects.filter(source="银行流水导入").count() == DuesPayment.objects.count()
    assert AuditEntry.objects.filter(action="dues.payment.import").exists()
    assert DuesRemittance.objects.filter(year=2025).exists()
    assert seed_demo_dues(dt.date(2026, 3, 15), seed=42) == []
