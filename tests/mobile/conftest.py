"""A town with two branches (home and host), their secretaries and a few members."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_member, make_org, make_user


@pytest.fixture
def place(db):
    town = make_org(org_type="党委", sector="农村", name="溪口镇党委")
    home = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    host = make_org(town, org_type="党支部", sector="社区", name="城关社区流动党员党支部")
    other_town = make_org(org_type="党委", sector="农村", name="岭下镇党委")
    other = make_org(other_town, org_type="党支部", sector="农村", name="岭下村党支部")
    return SimpleNamespace(
        town=town,
        home=home,
        host=host,
        other_town=other_town,
        other=other,
        worker=make_member(home, name="王外出"),
        lost=make_member(home, name="李失联"),
        third=make_member(home, name="赵在家"),
        secretary=make_user(home, "branch_secretary"),
        host_secretary=make_user(host, "branch_secretary"),
        outsider=make_user(other, "branch_secretary"),
        town_admin=make_user(town, "committee_admin"),
        inspector=make_user(town, "inspector"),
    )
