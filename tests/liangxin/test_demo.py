"""The demo register: built through the services in the demo district, with coverage gaps."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import uscc

from dangjian.accounts.scope import SYSTEM
from dangjian.demo.accounts import demo_nodes
from dangjian.demo.liangxin import seed_demo_liangxin
from dangjian.demo.seed import seed_database
from dangjian.liangxin import selectors
from dangjian.liangxin.models import Unit

TODAY = dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_demo_register():
    seed_database(tier="tiny", seed=42, progress=False)
    (line,) = seed_demo_liangxin(TODAY, seed=42)
    town = demo_nodes()["town"]
    units = Unit.objects.all()
    assert units.filter(org=town).exists()
    assert all(uscc.is_valid(u.uscc) for u in units)
    cov = selectors.coverage(selectors.units_for(SYSTEM), TODAY.year, TODAY)
    registered = units.filter(closed_on__isnull=True).count()
    assert cov.total.total == registered and f"两新组织 {registered} 家" in line
    assert units.exclude(closed_on=None).count() == 1 and "今年已注销 1 家" in line
    assert 0 < cov.total.organized < cov.total.total
    assert cov.total.worked > 0 and cov.total.blank > 0
    assert len(cov.by_region) >= 1
    assert seed_demo_liangxin(TODAY, seed=42) == []  # once
    first = sorted(units.values_list("uscc", flat=True))
    assert first  # deterministic codes: the same seed gives the same register
