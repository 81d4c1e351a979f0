"""Scoring does not reward not recording (issue 9), with the shipped 五好 standard.

Two villages of the same town, the same roll and the same records, differ in one thing only;
the figures below are the points of the 2026 五好 standard (wuhao 2026.3).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Result
from dangjian.assess.scoring import campaign_compute
from dangjian.assess.services import CampaignInput, campaign_open, self_check_record
from dangjian.orgs.models import Organization
from tests.factories import make_member, make_org
from tests.life.helpers import meet
from tests.recruit.helpers import open_case, step

D = dt.date
AT = D(2027, 1, 10)


def _village(town, name: str):
    branch = make_org(town, org_type="党支部", sector="农村", name=name)
    make_member(branch, name=f"{name[:2]}书记", post="书记", joined_on=D(1998, 7, 1))
    for year in (1986, 1992, 2003, 2011, 2016):
        make_member(branch, joined_on=D(year, 7, 1))
    Organization.objects.filter(pk=branch.pk).update(term_started_on=D(2024, 3, 15))
    return branch


def _year_of_meetings(branch, *, attendance: bool = True) -> None:
    """Every frequency rule met in 2026; attendance recorded or not."""
    numbers = {"expected": 6, "present": 5} if attendance else {}
    for quarter in (1, 4, 7, 10):
        meet(branch, "支部党员大会", D(2026, quarter, 12), **numbers)
        meet(branch, "党课", D(2026, quarter, 19), **numbers)
    for month in range(1, 13):
        meet(branch, "主题党日", D(2026, month, 8), **numbers)
    meet(branch, "组织生活会", D(2026, 12, 3), **numbers)
    meet(branch, "民主评议党员", D(2026, 12, 4), **numbers)
    meet(branch, "谈心谈话", D(2026, 11, 20))


@pytest.fixture
def villages(tree):
    town = tree["town_a"]
    pair = _village(town, "东风村党支部"), _village(town, "红旗村党支部")
    for branch in pair:
        _year_of_meetings(branch)
    return pair


def _campaign(tree):
    return campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=tree["town_a"],
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            spot_share=0,
            sampling_seed=3,
        ),
    )


def _scores(campaign):
    run = campaign_compute(campaign, at=AT)
    return {s.name: s for s in run.scores}


def _crit(score, cid):
    return next(c for i in score.breakdown["items"] for c in i["criteria"] if c["id"] == cid)


def test_no_attendance_recorded_is_no_data_and_scores_zero(tree, villages):
    _recorded, silent = villages
    Organization.objects.filter(pk=silent.pk).update(name="无出席记录村党支部")
    from dangjian.life.models import Meeting

    Meeting.objects.filter(org=silent).update(expected=None, present=None)
    scores = _scores(_campaign(tree))
    with_rate = _crit(scores["东风村党支部"], "3.1")
    assert with_rate["score"] == 4.17  # 5 of 6 present: 5 × (0.833 − 0.5) ÷ 0.4
    nothing = _crit(scores["无出席记录村党支部"], "3.1")
    assert nothing["score"] == 0
    source = nothing["source"]
    assert source["no_data"] and source["missing"] == "zero"
    assert source["display"] == "无数据：考核期内 22 次会议均未登记出席情况"
    assert source["missing_label"] == "计 0 分"
    gap = scores["东风村党支部"].total - scores["无出席记录村党支部"].total
    prorated = _crit(scores["东风村党支部"], "3.5")["score"]
    prorated -= _crit(scores["无出席记录村党支部"], "3.5")["score"]
    assert gap == pytest.approx(4.17 + prorated)  # 3.5 (no case) follows the rest


def test_attendance_cannot_be_self_checked_instead_of_recorded(tree, villages):
    campaign = _campaign(tree)
    with pytest.raises(ValidationError, match="自动计分"):
        self_check_record(
            actor=SYSTEM, campaign=campaign, org=villages[1], criterion="3.1", points=5
        )


def test_a_branch_that_recruits_correctly_does_not_score_below_one_that_does_not(tree, villages):
    recruits, idle = villages
    case = open_case(recruits, D(2026, 3, 2), name="孙志强")
    step(case, 2, D(2026, 3, 20), talker="东风村党支部书记")
    campaign = _campaign(tree)
    # a branch without a case cannot self-check the criterion into full marks any more
    with pytest.raises(ValidationError, match="自动计分"):
        self_check_record(actor=SYSTEM, campaign=campaign, org=idle, criterion="3.5", points=1)
    scores = _scores(campaign)
    a, b = scores["东风村党支部"], scores["红旗村党支部"]
    assert _crit(a, "3.5")["score"] == 1  # one case, no procedure error
    prorated = _crit(b, "3.5")
    assert prorated["source"]["missing"] == "prorate"
    basis = prorated["source"]["prorate"]
    assert basis["basis_points"] == 99
    assert basis["basis_score"] == pytest.approx(b.total - prorated["score"])
    assert prorated["score"] == pytest.approx(round(basis["basis_score"] / 99, 2))
    assert a.total > b.total
    # the rest is the same: the recruiting branch is ahead by exactly what the rate leaves
    assert a.total - b.total == pytest.approx(1 - prorated["score"], abs=0.011)


def test_one_error_in_four_cases_costs_a_quarter(tree, villages):
    many, _idle = villages
    for n, talk in enumerate([D(2026, 5, 30), D(2026, 3, 20), D(2026, 3, 21), D(2026, 3, 22)]):
        case = open_case(many, D(2026, 3, 2 + n), name=f"申请人{n}")
        step(case, 2, talk, talker="东风村党支部书记")
    scores = _scores(_campaign(tree))
    got = _crit(scores["东风村党支部"], "3.5")
    assert got["score"] == 0.75
    assert got["source"]["evidence"]["faulty_cases"] == 1
    # the old rule (any error: 0 points; no case: the self-check, up to full) put this branch
    # below the idle one; now the idle one scores its own rate on the rest of the standard
    idle_points = _crit(scores["红旗村党支部"], "3.5")["score"]
    assert idle_points == 0.39 < got["score"]  # 39 % of the other 99 points (no self-check yet)


def test_a_withdrawn_case_costs_nothing(tree, villages):
    a, _b = villages
    from dangjian.recruit.services import withdraw_case

    case = open_case(a, D(2026, 1, 5), name="周文斌")
    step(case, 2, D(2026, 4, 1), talker="东风村党支部书记")  # late talk, then withdrawn
    withdraw_case(actor=SYSTEM, case=case, on=D(2026, 5, 1), today=D(2026, 11, 1))
    got = _crit(_scores(_campaign(tree))["东风村党支部"], "3.5")
    assert got["source"]["missing"] == "prorate"  # no case left to judge
    assert got["source"]["evidence"]["excluded"][0]["reason"] == "已终止，不计入"


def test_an_expired_term_is_deducted_once(tree, villages):
    expired, _in_force = villages
    Organization.objects.filter(pk=expired.pk).update(term_started_on=D(2021, 3, 15))
    scores = _scores(_campaign(tree))
    a, b = scores["东风村党支部"], scores["红旗村党支部"]
    assert _crit(a, "1.1")["score"] == 0 and _crit(b, "1.1")["score"] == 4
    setup_a = _crit(a, "1.3")
    assert setup_a["score"] == _crit(b, "1.3")["score"] == 4  # not a second deduction
    assert [e["rule"] for e in setup_a["source"]["evidence"]["counted_elsewhere"]] == [
        "SETUP-TERM-EXPIRED"
    ]
    prorated = _crit(b, "3.5")["score"] - _crit(a, "3.5")["score"]  # no case: follows the rest
    assert b.total - a.total == pytest.approx(4 + prorated)


def test_a_term_not_recorded_scores_zero_with_the_reason(tree, villages):
    unknown, _ = villages
    Organization.objects.filter(pk=unknown.pk).update(term_started_on=None)
    got = _crit(_scores(_campaign(tree))["东风村党支部"], "1.1")
    assert got["score"] == 0 and got["source"]["no_data"]
    assert got["source"]["display"] == "未登记本届任期开始日期"


def test_the_saved_breakdown_names_the_sector_set(tree, villages):
    from dangjian.assess.services import campaign_score

    campaign = _campaign(tree)
    campaign_score(actor=SYSTEM, campaign=campaign, at=AT)
    result = Result.objects.get(campaign=campaign, org=villages[0])
    assert result.breakdown["sector_set"] == {"id": "rural", "title": "农村"}
    assert [i["id"] for i in result.breakdown["items"]][-1] == "6A"


@pytest.mark.parametrize(
    "sector,last_item", [("高校", "6G"), ("中小学", "6H"), ("医院", "6I"), ("国有企业", "6F")]
)
def test_every_sector_takes_part_with_its_own_items(tree, sector, last_item):
    """Branches of 高校, 中小学, 医院 and 国有企业 are assessed (they used to be skipped), each on
    the common goals and its own sector set."""
    unit = make_org(tree["root"], org_type="党委", sector=sector, name=f"{sector}党委")
    branch = make_org(unit, org_type="党支部", sector=sector, name=f"{sector}第一党支部")
    make_member(branch, post="书记", joined_on=D(2001, 7, 1))
    campaign = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=tree["root"],
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            spot_share=0,
            sampling_seed=5,
        ),
    )
    run = campaign_compute(campaign, at=AT)
    assert run.skipped == []
    score = next(s for s in run.scores if s.org_id == branch.pk)
    items = [i["id"] for i in score.breakdown["items"]]
    assert items == ["1", "2", "3", "4", "5", last_item]
    assert sum(i["points"] for i in score.breakdown["items"]) == 100
    assert score.breakdown["sector_set"]["title"] == sector
