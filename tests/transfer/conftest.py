"""A town with two branches and a 党委 below it, another town's branch, their secretaries."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_member, make_org, make_user

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def world(db):
    town = make_org(org_type="党委", sector="农村", name="溪口镇党委", code="TOWN1")
    east = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部", code="EAST1")
    west = make_org(town, org_type="党支部", sector="农村", name="西坑村党支部", code="WEST1")
    sub = make_org(town, org_type="党委", sector="农村", name="溪口镇企业党委", code="SUBC1")
    other_town = make_org(org_type="党委", sector="社区", name="城关街道党工委", code="TOWN2")
    far = make_org(
        other_town, org_type="联合党支部", sector="社区", name="城关联合党支部", code="FAR1"
    )
    member = make_member(east, name="王转接", joined_on=dt.date(2010, 7, 1))
    stay = make_member(east, name="李留守")
    return SimpleNamespace(
        town=town,
        east=east,
        west=west,
        sub=sub,
        other_town=other_town,
        far=far,
        member=member,
        stay=stay,
        east_sec=make_user(east, "branch_secretary"),
        west_sec=make_user(west, "branch_secretary"),
        far_sec=make_user(far, "branch_secretary"),
        town_admin=make_user(town, "committee_admin"),
    )
