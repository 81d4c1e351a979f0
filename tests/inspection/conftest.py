"""A district with two towns of branches in two sectors, the district's and a town's users, the
district's inspector listed on plans and one who is not, and the branch secretaries."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.inspection.services import ObservationInput, PlanInput, plan_create, visit_record
from tests.factories import make_org, make_user

D = dt.date


@pytest.fixture
def place(db):
    root = make_org(org_type="党委", sector="机关", name="青山区委组织部")
    town = make_org(root, org_type="党委", sector="农村", name="溪口镇党委")
    street = make_org(root, org_type="党委", sector="社区", name="城关街道党工委")
    villages = [
        make_org(town, org_type="党支部", sector="农村", name=f"溪口{n}村党支部") for n in range(6)
    ]
    communities = [
        make_org(street, org_type="党支部", sector="社区", name=f"城关{n}社区党支部")
        for n in range(4)
    ]
    inspector = make_user(root, "inspector", username="ducha1")
    return SimpleNamespace(
        root=root,
        town=town,
        street=street,
        villages=villages,
        communities=communities,
        branch=villages[0],
        root_admin=make_user(root, "org_admin"),
        town_admin=make_user(town, "committee_admin"),
        secretary=make_user(villages[0], "branch_secretary"),
        other_secretary=make_user(villages[1], "branch_secretary"),
        inspector=inspector,
        bystander=make_user(root, "inspector", username="ducha2"),
    )


def make_plan(place, kind: str = "暗访", **kwargs):
    data = PlanInput(
        title=kwargs.pop("title", "2026 年第四季度党群服务阵地暗访"),
        kind=kind,
        org=place.root,
        checklist_key=kwargs.pop("checklist_key", "dangjian-ducha"),
        starts_on=D(2026, 11, 1),
        ends_on=D(2026, 12, 31),
        sample_share=kwargs.pop("sample_share", "0"),
        sampling_seed=kwargs.pop("sampling_seed", 7),
        hand_picked=kwargs.pop("hand_picked", [place.branch]),
        inspectors=kwargs.pop("inspectors", [place.inspector]),
    )
    return plan_create(actor=kwargs.pop("actor", place.root_admin), data=data)


def make_visit(place, plan, actor=None):
    return visit_record(
        actor=actor or SYSTEM,
        plan=plan,
        org=place.branch,
        visited_on=D(2026, 11, 20),
        observations=[
            ObservationInput("D1", "符合"),
            ObservationInput("D4", "不符合", "10 月主题党日只有签到，没有活动记录和照片", "较重"),
            ObservationInput("D5", "不适用"),
        ],
        note="支部书记在岗，活动室开放",
    )
