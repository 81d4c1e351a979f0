"""A town with two villages, their dispatchers and grid workers, and a grid each."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.service.services import grid_create
from tests.factories import make_org, make_user


@pytest.fixture
def place(db):
    town = make_org(org_type="党委", sector="农村", name="溪口镇党委")
    village = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    other = make_org(town, org_type="党支部", sector="农村", name="西坑村党支部")
    worker = make_user(village, "grid_worker")
    worker2 = make_user(village, "grid_worker")
    grid = grid_create(
        actor=SYSTEM,
        org=village,
        name="第一网格",
        area="东片区",
        households=120,
        workers=[worker, worker2],
    )
    plain = grid_create(actor=SYSTEM, org=village, name="第二网格", households=80)
    other_grid = grid_create(actor=SYSTEM, org=other, name="西坑网格")
    return SimpleNamespace(
        town=town,
        village=village,
        other=other,
        grid=grid,
        plain=plain,
        other_grid=other_grid,
        worker=worker,
        worker2=worker2,
        dispatcher=make_user(village, "branch_secretary"),
        outsider=make_user(other, "branch_secretary"),
        town_admin=make_user(town, "committee_admin"),
    )
