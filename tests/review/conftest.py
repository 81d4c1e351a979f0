"""A district whose 组织部 党委 holds the 述职评议 of its two town 党委; the first town's
村 branches report to it in the town's own campaign."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_member, make_org, make_user

D = dt.date


@pytest.fixture
def place(db):
    root = make_org(org_type="党委", sector="机关", name="青山区委")
    town = make_org(root, org_type="党委", sector="农村", name="溪口镇党委")
    other_town = make_org(root, org_type="党工委", sector="社区", name="城东街道党工委")
    village = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    village2 = make_org(town, org_type="党支部", sector="农村", name="西坑村党支部")
    organ = make_org(town, org_type="党支部", sector="机关", name="镇机关党支部")
    secretary = make_member(village, name="王建军", post="书记")
    make_member(village2, name="李国强", post="书记")
    make_member(village, name="赵小红")
    return SimpleNamespace(
        root=root,
        town=town,
        other_town=other_town,
        village=village,
        village2=village2,
        organ=organ,
        secretary_member=secretary,
        root_admin=make_user(root, "org_admin"),
        town_admin=make_user(town, "committee_admin"),
        other_admin=make_user(other_town, "committee_admin"),
        secretary=make_user(village, "branch_secretary"),
        secretary2=make_user(village2, "branch_secretary"),
        inspector=make_user(town, "inspector"),
    )
