"""Stratified sampling: proportional by sector, reproducible from the seed, strata independent."""

from __future__ import annotations

from dangjian.assess.sampling import allocate, stratified_sample


def orgs(n_rural: int, n_community: int):
    return [(i, f"R{i:04d}", "农村") for i in range(n_rural)] + [
        (1000 + i, f"C{i:04d}", "社区") for i in range(n_community)
    ]


def test_allocation_is_proportional_with_largest_remainder():
    assert allocate({"农村": 30, "社区": 10}, 0.1) == {"农村": 3, "社区": 1}
    assert allocate({"农村": 5, "社区": 5}, 0.1) == {"农村": 1, "社区": 0}  # tie → name order
    assert allocate({"农村": 2}, 0.01) == {"农村": 1}  # at least one when the share is positive
    assert allocate({"农村": 2}, 0) == {"农村": 0}
    assert allocate({"农村": 3, "社区": 1}, 1) == {"农村": 3, "社区": 1}


def test_same_seed_same_sample_and_seed_matters():
    population = orgs(40, 20)
    a = stratified_sample(population, 0.25, 7)
    assert a == stratified_sample(list(reversed(population)), 0.25, 7)
    assert len(a) == 15
    assert len([pk for pk in a if pk < 1000]) == 10
    assert a != stratified_sample(population, 0.25, 8)


def test_one_sector_growing_does_not_change_another_sectors_draw():
    before = stratified_sample(orgs(40, 20), 0.25, 7)
    after = stratified_sample(
        orgs(40, 20) + [(5000 + i, f"Z{i}", "机关") for i in range(8)], 0.25, 7
    )
    assert {pk for pk in before if pk >= 1000} == {pk for pk in after if 1000 <= pk < 5000}
