"""The province tier: root → cities → districts, deterministic, ID numbers unique across cities
with a set of numbers kept per city only. Tested on ``province-mini`` (the same shape, two
cities of two districts at a small scale) and on the planner of the full tier; no test seeds a
province."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from dangjian.core.tree import tree_problems
from dangjian.demo import seed as seed_module
from dangjian.demo.seed import (
    TIERS,
    Planner,
    database_rows,
    district_parent,
    iter_plans,
    plan_rows,
    rows_digest,
    seed_database,
    upper_specs,
)
from dangjian.members.models import Member, MemberCount
from dangjian.members.rollups import counts_differences
from dangjian.orgs.models import Organization

AS_OF = dt.date(2026, 6, 30)
MINI = TIERS["province-mini"]
PROVINCE = TIERS["province"]


def test_province_mini_is_deterministic():
    first = rows_digest(plan_rows(MINI, 3, AS_OF))
    assert first == rows_digest(plan_rows(MINI, 3, AS_OF))
    assert first != rows_digest(plan_rows(MINI, 4, AS_OF))
    assert first != rows_digest(plan_rows(MINI, 3, AS_OF + dt.timedelta(days=1)))


def test_province_tier_has_cities_between_the_root_and_the_districts():
    assert len(PROVINCE.cities) == 5 and len(PROVINCE.districts) == 80
    upper = upper_specs(PROVINCE)
    assert [o.name for o in upper[:2]] == ["中共示范省委员会", "中共北辰市委员会"]
    assert [o.parent for o in upper] == [None, 0, 0, 0, 0, 0]
    assert len({o.code for o in upper}) == 6
    names = [d.name for d in PROVINCE.districts]
    assert len(set(names)) == 80  # every district has its own name
    assert len({d.region for d in PROVINCE.districts}) == 80
    for d in PROVINCE.districts:
        parent = upper[district_parent(PROVINCE, d)]
        assert parent.region_code[:4] == d.region[:4]  # a district lies in its city
    # the tiers below a province keep their shape: one root above the districts, or none
    city = TIERS["city"]
    assert [o.parent for o in upper_specs(city)] == [None]
    assert {district_parent(city, d) for d in city.districts} == {0}
    assert upper_specs(TIERS["district"]) == [] and district_parent(TIERS["district"],
        TIERS["district"].districts[0]) is None  # fmt: skip


def test_a_province_district_has_a_city_district_size():
    plan = Planner(seed=42, tier=PROVINCE, index=17, as_of=AS_OF, used_ids=set()).plan()
    # 80 such districts make the ~300,000 organizations and ~6 million members of scale.md
    assert 3300 <= len(plan.orgs) <= 4600
    assert 60_000 <= plan.member_count <= 90_000


def test_id_numbers_are_unique_across_cities_from_disjoint_serials():
    seen: set[str] = set()
    serials: dict[int, set[int]] = {}
    for plan in iter_plans(MINI, 11, AS_OF):
        for o in plan.orgs:
            for m in o.members:
                assert m.id_number not in seen
                seen.add(m.id_number)
                serial = int(m.id_number[14:17]) // 2
                serials.setdefault(plan.district.city, set()).add(serial % len(MINI.cities))
    # city k draws the serials ≡ k (mod the number of cities): no city can repeat another's
    assert serials == {0: {0}, 1: {1}}


def test_one_city_serials_are_the_old_draws():
    """A tier without cities draws exactly as before (the district and city digests hold)."""
    import random

    a, b = random.Random(5), random.Random(5)
    assert [seed_module._serial(a, (0, 1), i % 2 == 0) for i in range(50)] == [
        b.randrange(500) * 2 + (0 if i % 2 == 0 else 1) for i in range(50)
    ]


def test_the_set_of_id_numbers_starts_afresh_with_each_city(monkeypatch):
    sizes: list[int] = []
    real = Planner.__init__

    def spy(self, **kwargs):
        sizes.append(len(kwargs["used_ids"]))
        real(self, **kwargs)

    monkeypatch.setattr(Planner, "__init__", spy)
    list(iter_plans(MINI, 1, AS_OF))
    assert sizes[0] == 0 and sizes[1] > 0  # the second district of the first city shares it
    assert sizes[2] == 0 and sizes[3] > 0  # the second city starts with an empty set


@pytest.mark.django_db
def test_seed_province_mini_writes_the_plan_and_fills_the_rollups():
    result = seed_database(tier="province-mini", seed=5, as_of=AS_OF, progress=False)
    assert result.organizations == Organization.objects.count() > 200
    assert result.members == Member.objects.count() > 2000
    assert tree_problems(Organization).ok
    assert rows_digest(database_rows()) == rows_digest(plan_rows(MINI, 5, AS_OF))
    depths = Counter(Organization.objects.values_list("depth", flat=True))
    assert depths[1] == 1 and depths[2] == 2 and depths[3] == 4  # root, cities, districts
    root = Organization.objects.get(depth=1)
    assert root.name == "中共示范省委员会"
    counts = MemberCount.objects.get(org=root)
    assert counts.sub_full + counts.sub_probationary == result.members
    assert counts_differences() == []
