"""A town 党委 with two branches, their secretaries, and members of every dues category."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_member, make_org, make_user


@pytest.fixture
def place(db):
    town = make_org(org_type="党委", sector="农村", name="溪口镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    other = make_org(town, org_type="党支部", sector="农村", name="西坑村党支部")
    return SimpleNamespace(
        town=town,
        branch=branch,
        other=other,
        secretary=make_user(branch, "branch_secretary"),
        outsider=make_user(other, "branch_secretary"),
        town_admin=make_user(town, "committee_admin"),
        employed=make_member(branch, name="林在职", category="在岗职工"),
        retired=make_member(branch, name="陈退休", category="离退休人员"),
        farmer=make_member(branch, name="王农民", category="农牧渔民"),
        probationary=make_member(
            branch, name="赵预备", member_type="预备党员", joined_on=dt.date(2026, 3, 20)
        ),
        far=make_member(other, name="周西坑", category="在岗职工"),
    )
