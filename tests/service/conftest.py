"""A town with two villages, their dispatchers and grid workers, and a grid each."""

from __future__ import annotations

import datetime as dt
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


@pytest.fixture
def people(place):
    """The place with a community of the town, members on the rolls, a team of the village and
    an in-service member of an office branch registered (双报到) with the village."""
    from dangjian.service.teams import double_report_register, team_create, team_member_add
    from tests.factories import make_member

    office = make_org(place.town, org_type="党支部", sector="机关", name="镇机关党支部")
    employed = make_member(office, name="林在职", category="在岗职工")
    employed_user = make_user(office, "grid_worker")
    office_secretary = make_user(office, "branch_secretary")
    report = double_report_register(
        actor=office_secretary,
        member=employed,
        community=place.village,
        registered_on=dt.date(2026, 3, 1),
        offers="法律咨询",
        services=["policy"],
        user=employed_user,
    )
    retired = make_member(place.village, name="陈退休", category="离退休人员")
    retired_user = make_user(place.village, "grid_worker")
    farmer = make_member(place.village, name="王无职")
    leader = make_user(place.village, "grid_worker")
    team = team_create(
        actor=place.dispatcher,
        org=place.village,
        name="东坑红色志愿服务队",
        services=["elderly", "environment"],
        area="东坑村全村",
        leader=leader,
    )
    team_member_add(actor=place.dispatcher, team=team, member=retired, user=retired_user)
    team_member_add(actor=place.dispatcher, team=team, member=employed)
    return SimpleNamespace(
        **vars(place),
        office=office,
        employed=employed,
        employed_user=employed_user,
        office_secretary=office_secretary,
        report=report,
        retired=retired,
        retired_user=retired_user,
        farmer=farmer,
        leader=leader,
        team=team,
    )
