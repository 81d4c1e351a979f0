"""A town with two branches, a 结对 unit's organization elsewhere, their users, and a member in
hardship in branch A helped by the town and the unit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.care.services import hardship_register
from tests.factories import make_member, make_org, make_user

D = dt.date
TODAY = D(2026, 11, 2)


@pytest.fixture
def place(db):
    root = make_org(org_type="党委", sector="机关", name="青山区委组织部")
    town = make_org(root, org_type="党委", sector="农村", name="溪口镇党委")
    branch = make_org(town, org_type="党支部", sector="农村", name="东坑村党支部")
    other = make_org(town, org_type="党支部", sector="农村", name="西坑村党支部")
    unit_root = make_org(root, org_type="党委", sector="机关", name="区卫健局党委")
    unit = make_org(unit_root, org_type="党支部", sector="机关", name="区人民医院党支部")
    member = make_member(branch, name="王秀兰", joined_on=D(1975, 7, 1))
    neighbour = make_member(branch, name="李建国", joined_on=D(1980, 7, 1))
    stranger = make_member(other, name="赵德明", joined_on=D(1982, 7, 1))
    entry = hardship_register(
        actor=SYSTEM,
        member=member,
        reason="疾病",
        level="特别困难",
        since=D(2026, 1, 10),
        note="尿毒症，每周透析三次",
        helpers=[town, unit],
        today=TODAY,
    )
    return SimpleNamespace(
        root=root,
        town=town,
        branch=branch,
        other=other,
        unit_root=unit_root,
        unit=unit,
        member=member,
        neighbour=neighbour,
        stranger=stranger,
        entry=entry,
        secretary=make_user(branch, "branch_secretary"),
        other_secretary=make_user(other, "branch_secretary"),
        town_admin=make_user(town, "committee_admin"),
        root_admin=make_user(root, "org_admin"),
        unit_secretary=make_user(unit, "branch_secretary"),
        unit_root_admin=make_user(unit_root, "committee_admin"),
        inspector=make_user(town, "inspector"),
    )
