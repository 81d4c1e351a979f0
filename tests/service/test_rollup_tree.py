"""The subtree counters (:class:`~dangjian.service.models.ServiceSubtreeTally`): summed from the
village counters by a rebuild, checked by ``differences``, and the dashboard read from them shows
the very figures it shows grouping every village counter of the subtree — at every node of a
random tree (city → towns → 片区 → villages, villages at several depths)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.service import dashboard, rollup
from dangjian.service.choices import Level
from dangjian.service.dashboard import _board, cells
from dangjian.service.models import (
    RESOLVE_BUCKETS,
    RESPOND_BUCKETS,
    ServiceSubtreeTally,
    ServiceTally,
)
from dangjian.service.services import grid_create
from tests.factories import make_org, make_user

SEED = 20261207
MONTHS = [dt.date(2026, m, 1) for m in range(1, 6)]
CATEGORIES = ["roads", "safety", "utilities"]


def _tree(rng: random.Random) -> tuple[Any, list[Any], list[Any]]:
    city = make_org(org_type="党委", sector="农村", name="市委")
    villages, inner = [], [city]
    villages.append(make_org(city, sector="农村", name="市直村党支部"))  # a village at depth 2
    for t in range(3):
        town = make_org(city, org_type="党委", sector="农村", name=f"第{t + 1}镇党委")
        inner.append(town)
        for a in range(rng.randint(0, 2)):
            area = make_org(town, org_type="党总支", sector="农村", name=f"第{t + 1}镇片区{a + 1}")
            inner.append(area)
            for v in range(rng.randint(1, 3)):
                villages.append(make_org(area, sector="农村", name=f"片区{a + 1}村{v + 1}"))
        for v in range(rng.randint(1, 3)):
            villages.append(make_org(town, sector="农村", name=f"第{t + 1}镇村{v + 1}"))
    return city, inner, villages


def _random_rows(rng: random.Random, villages: list[Any]) -> None:
    rows = []
    for village in villages:
        grids = [
            grid_create(actor=SYSTEM, org=village, name=f"{village.name}网格{i}") for i in range(2)
        ]
        cells_taken: set[tuple[Any, ...]] = set()
        for _ in range(rng.randint(0, 12)):
            key = (
                rng.choice(grids).pk,
                rng.choice(CATEGORIES),
                rng.choice(Level.values),
                rng.choice(MONTHS),
            )
            if key in cells_taken:
                continue
            cells_taken.add(key)
            total = rng.randint(1, 9)
            valid = rng.randint(0, total)
            accepted = rng.randint(0, valid)
            resolved = rng.randint(0, accepted)
            rated = rng.randint(0, resolved)
            satisfied = rng.randint(0, rated)
            hist_r = [0] * len(RESPOND_BUCKETS)
            hist_s = [0] * len(RESOLVE_BUCKETS)
            for _ in range(valid):
                hist_r[rng.randrange(len(hist_r))] += 1
            for _ in range(resolved):
                hist_s[rng.randrange(len(hist_s))] += 1
            rows.append(
                ServiceTally(
                    org=village,
                    grid_id=key[0],
                    category=key[1],
                    level=key[2],
                    month=key[3],
                    total=total,
                    valid=valid,
                    responded=rng.randint(0, valid),
                    accepted=accepted,
                    resolved=resolved,
                    rated=rated,
                    satisfied=satisfied,
                    basic=rng.randint(0, rated - satisfied),
                    reopened=rng.randint(0, resolved),
                    ever_resolved=resolved,
                    **dict(zip(RESPOND_BUCKETS, hist_r, strict=True)),
                    **dict(zip(RESOLVE_BUCKETS, hist_s, strict=True)),
                )
            )
    ServiceTally.objects.bulk_create(rows)


def _shown(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (r.key, r.label, r.code, r.overdue, r.rates.total, tuple(map(str, cells(r.rates))))
        for r in rows
    ]


def _figures(board: Any) -> dict[str, Any]:
    return {
        "overall": _shown([board.overall]),
        "months": _shown(board.months),
        "categories": _shown(board.categories),
        "levels": _shown(board.levels),
        "children": _shown(board.children),
        "grids": board.children_are_grids,
    }


@pytest.mark.django_db
def test_the_dashboard_from_the_subtree_counters_equals_grouping_the_villages(monkeypatch):
    rng = random.Random(SEED)
    city, inner, villages = _tree(rng)
    _random_rows(rng, villages)
    written = rollup.rebuild_above(None)
    assert written == ServiceSubtreeTally.objects.count() > 0
    # the rows of an organization: every village strictly below it, summed (the grids too)
    town = inner[1]
    below = ServiceTally.objects.filter(org__path__startswith=town.path)
    assert sum(below.values_list("total", flat=True)) == sum(
        ServiceSubtreeTally.objects.filter(org=town).values_list("total", flat=True)
    )
    assert not ServiceSubtreeTally.objects.filter(org__in=villages).exists()
    admin = make_user(city, "committee_admin")
    first, last = MONTHS[0], MONTHS[-1]
    checked = 0
    calls: list[Any] = []
    real = dashboard.tree_cube
    monkeypatch.setattr(dashboard, "tree_cube", lambda *a, **k: calls.append(a) or real(*a, **k))
    for root in [None, *inner, *villages]:
        for months in ((first, last), (MONTHS[1], MONTHS[2])):
            monkeypatch.setattr(dashboard, "USE_TREE", True)
            tree = _figures(_board(admin if root else SYSTEM, root, *months))
            monkeypatch.setattr(dashboard, "USE_TREE", False)
            flat = _figures(_board(admin if root else SYSTEM, root, *months))
            assert tree == flat, getattr(root, "name", "全部")
            checked += tree["overall"][0][4] > 0
    assert checked > len(inner)
    assert len(calls) == 2 * (1 + len(inner) + len(villages))  # every node read the tree
    # the overview's figures (the overall alone, summed by the database) are the board's overall
    monkeypatch.setattr(dashboard, "USE_TREE", True)
    calls.clear()
    for root in [None, *inner, *villages]:
        actor = admin if root else SYSTEM
        overall = dashboard.period_rates(actor, root, first, last)
        assert overall == real(root, dashboard.over_of(actor, root, first, last))["all"][1]
        assert overall.total == _figures(_board(actor, root, first, last))["overall"][0][4]
    assert len(calls) == 2 * (1 + len(inner) + len(villages))


@pytest.mark.django_db
def test_differences_see_a_wrong_subtree_row_and_a_rebuild_repairs_it(place, clock):
    from dangjian.service import services as s

    clock.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    s.order_submit(
        grid=place.grid, category="roads", description="小区井盖松动了", phone="13800001111"
    )
    row = ServiceSubtreeTally.objects.get()
    assert (row.org_id, row.total, row.valid) == (place.town.pk, 1, 1)
    assert rollup.differences() == []
    ServiceSubtreeTally.objects.filter(pk=row.pk).update(total=5)
    found = rollup.differences()
    assert len(found) == 1 and "下辖合计" in found[0] and "点单数汇总 5 件" in found[0]
    rollup.rebuild()
    assert rollup.differences() == []
    assert ServiceSubtreeTally.objects.get().total == 1


@pytest.mark.django_db
def test_moving_organizations_keeps_the_subtree_counters(clock):
    """A 片区 with its villages moves to another town, a village moves up under the city and
    back down into the 片区: each move carries the orders counted under it from the old
    ancestors' subtree rows to the new ones in its own transaction, so ``rollups check`` agrees
    without a rebuild, and the dashboard of every node equals grouping its villages."""
    import io

    from django.core.management import call_command

    from dangjian.orgs.services import org_move
    from dangjian.service import services as s

    clock.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    city = make_org(org_type="党委", sector="农村", name="市委")
    town_a = make_org(city, org_type="党委", sector="农村", name="甲镇党委")
    town_b = make_org(city, org_type="党委", sector="农村", name="乙镇党委")
    area = make_org(town_a, org_type="党总支", sector="农村", name="甲镇东片区")
    villages = [
        make_org(area, sector="农村", name="东片一村"),
        make_org(area, sector="农村", name="东片二村"),
        make_org(town_a, sector="农村", name="甲镇三村"),
        make_org(town_b, sector="农村", name="乙镇一村"),
    ]
    grids = [grid_create(actor=SYSTEM, org=v, name=f"{v.name}网格") for v in villages]
    dispatcher = {v.pk: make_user(v, "branch_secretary") for v in villages}
    for i, grid in enumerate(grids):
        for k in range(i + 2):
            order = s.order_submit(
                grid=grid,
                category=CATEGORIES[k % 3],
                description=f"{grid.name}第{k + 1}件诉求",
                phone="13800001111",
            )
            if k % 2:
                s.order_accept(actor=dispatcher[grid.org_id], order=order)
    clock.move_to(dt.datetime(2026, 4, 8, 9, 0, tzinfo=dt.UTC))
    s.order_submit(grid=grids[0], category="roads", description="四月的诉求", phone="13800001111")
    admin = make_user(city, "committee_admin")

    def total(org):
        return sum(ServiceSubtreeTally.objects.filter(org=org).values_list("total", flat=True))

    def agree():
        assert rollup.differences() == []
        out = io.StringIO()
        call_command("rollups", "check", stdout=out, stderr=io.StringIO())
        assert "汇总表与记录一致" in out.getvalue()
        for node in (city, town_a, town_b, area, villages[1]):
            node.refresh_from_db()
            span = (MONTHS[0], dt.date(2026, 4, 1))
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(dashboard, "USE_TREE", True)
                tree = _figures(_board(admin, node, *span))
                mp.setattr(dashboard, "USE_TREE", False)
                flat = _figures(_board(admin, node, *span))
            assert tree == flat, node.name

    assert (total(city), total(town_a), total(town_b), total(area)) == (15, 10, 5, 6)
    agree()
    # the 片区 (two villages, 6 orders) moves to town B
    org_move(actor=SYSTEM, org=area, new_parent=town_b)
    assert (total(city), total(town_a), total(town_b), total(area)) == (15, 4, 11, 6)
    agree()
    # a village (3 orders) leaves the 片区 for the city itself
    org_move(actor=SYSTEM, org=villages[1], new_parent=city)
    assert (total(city), total(town_b), total(area)) == (15, 8, 3)
    agree()
    # an order written after the moves counts under the new places
    s.order_submit(
        grid=grids[1], category="safety", description="搬家后的诉求", phone="13800001111"
    )
    assert (total(city), total(town_b), total(area)) == (16, 8, 3)
    agree()
    # and back down into the 片区, now under town B
    org_move(actor=SYSTEM, org=villages[1], new_parent=area)
    assert (total(city), total(town_a), total(town_b), total(area)) == (16, 4, 12, 7)
    agree()
