"""The demo library: built through the services in the demo town, with live evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.demo.accounts import demo_nodes
from dangjian.demo.exemplar import seed_demo_exemplar
from dangjian.demo.seed import seed_database
from dangjian.exemplar.models import Evidence, Exemplar
from dangjian.exemplar.selectors import evidence_of

TODAY = dt.date(2026, 11, 2)


@pytest.mark.django_db
def test_demo_library():
    seed_database(tier="tiny", seed=42, progress=False)
    (line,) = seed_demo_exemplar(TODAY, seed=42)
    nodes = demo_nodes()
    town, weak = nodes["town"], nodes["weak_branch"]
    items = {x.kind: x for x in Exemplar.objects.all()}
    assert set(items) == {"党建品牌", "工作法", "示范点"}
    assert items["党建品牌"].org == town and items["党建品牌"].status == "命名"
    assert items["工作法"].status == "命名" and items["工作法"].named_by == town
    assert items["示范点"].org == weak and items["示范点"].status == "培育"
    assert f"关联佐证 {Evidence.objects.count()} 条" in line
    for item in items.values():
        assert evidence_of(item)  # each rests on something
    assert seed_demo_exemplar(TODAY, seed=42) == []  # once
