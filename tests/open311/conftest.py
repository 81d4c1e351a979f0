"""Two counties; in the first a town with two villages, grids (one with a GeoJSON boundary), and
an API key scoped to the first village with a default grid."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.open311.services import key_create
from dangjian.service.services import grid_create
from tests.factories import make_org

#: a square around 东坑村 (longitude 118.70–118.72, latitude 27.50–27.52)
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[118.70, 27.50], [118.72, 27.50], [118.72, 27.52], [118.70, 27.52], [118.70, 27.50]]
    ],
}


@pytest.fixture
def place(db):
    county = make_org(None, org_type="党委", sector="机关", code="C0001", name="松溪县委")
    town = make_org(county, org_type="党委", sector="农村", code="C0002", name="溪口镇党委")
    village = make_org(town, org_type="党支部", sector="农村", code="C0003", name="东坑村党支部")
    other = make_org(town, org_type="党支部", sector="农村", code="C0004", name="西坑村党支部")
    far = make_org(None, org_type="党委", sector="机关", code="C0009", name="邻县县委")
    grid = grid_create(actor=SYSTEM, org=village, name="第一网格", boundary=SQUARE)
    plain = grid_create(actor=SYSTEM, org=village, name="第二网格")
    other_grid = grid_create(actor=SYSTEM, org=other, name="西坑网格")
    key = key_create(actor=SYSTEM, name="随手拍", org=village, default_grid=plain)
    return SimpleNamespace(
        county=county,
        town=town,
        village=village,
        other=other,
        far=far,
        grid=grid,
        plain=plain,
        other_grid=other_grid,
        key=key.key,
        secret=key.secret,
    )
