"""Recruitment indicators (发展党员): procedure errors on the cases active in the window, and a
development candidate in the last two years (ASSESS-WEAK); cited by the shipped standards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.indicators import IndicatorContext, compute_all
from dangjian.assess.models import Result
from dangjian.assess.services import campaign_score
from dangjian.assess.standard import get_standard
from dangjian.recruit.models import RecruitStep
from tests.recruit.helpers import open_case, step

D = dt.date
NAMES = ["recruit_procedure_errors", "recruit_cases_correct_rate", "recruit_candidate_2_years"]


def ctx_for(tree, *orgs):
    return IndicatorContext(
        org_ids=[o.pk for o in orgs],
        prefix=tree["root"].path,
        start=D(2026, 1, 1),
        end=D(2026, 12, 31),
        at=D(2027, 1, 10),
    )


def _candidate(case, day):
    RecruitStep.objects.create(case=case, number=7, done_on=day)


@pytest.mark.django_db
def test_procedure_errors_count_only_cases_active_in_the_window(tree):
    late_talk = open_case(tree["branch_a"], D(2026, 1, 10))
    step(late_talk, 2, D(2026, 4, 28), talker="李书记")  # talk after the 1-month limit
    clean = open_case(tree["branch_b"], D(2026, 1, 10))
    step(clean, 2, D(2026, 1, 20), talker="李书记")
    old = open_case(tree["branch_b"], D(2024, 1, 10))
    step(old, 2, D(2024, 5, 1), talker="李书记")  # an error, but no step in 2026
    town = tree["town_a"]
    v = compute_all(ctx_for(tree, tree["branch_a"], tree["branch_b"], town), NAMES)
    errs = v["recruit_procedure_errors"]
    a = errs[tree["branch_a"].pk]
    assert a.value == 1 and a.evidence["errors"][0]["rule"] == "RECRUIT-TALK-1-MONTH"
    assert a.evidence["cases"] == [late_talk.case_no]
    b = errs[tree["branch_b"].pk]
    assert b.value == 0 and b.evidence["cases"] == [clean.case_no]
    assert "无程序差错" in b.display
    assert town.pk not in errs  # no case: missing, the criterion's ``missing`` applies
    rate = v["recruit_cases_correct_rate"]
    assert rate[tree["branch_a"].pk].value == 0 and rate[tree["branch_b"].pk].value == 1
    assert town.pk not in rate


def _withdraw(case):
    from dangjian.recruit.services import withdraw_case

    withdraw_case(actor=SYSTEM, case=case, on=D(2026, 6, 1), today=D(2026, 11, 1))


@pytest.mark.django_db
def test_withdrawn_and_ended_cases_cost_nothing_unless_at_fault(tree):
    """A withdrawn case never counts; a case ended without admission counts only with an error
    made before it ended, judged on its last step (issue 9: they used to cost points)."""
    from dangjian.recruit.models import CaseStatus, RecruitCase

    a, b = tree["branch_a"], tree["branch_b"]
    withdrawn = open_case(a, D(2026, 1, 10), name="王晓燕")
    step(withdrawn, 2, D(2026, 4, 28), talker="李书记")  # late talk, then withdrawn
    _withdraw(withdrawn)
    clean = open_case(a, D(2026, 2, 3), name="陈建国")
    step(clean, 2, D(2026, 2, 20), talker="李书记")
    # ended at its application: the talk deadline ran on after it ended — no fault
    stopped = open_case(b, D(2026, 3, 2), name="赵立新")
    RecruitCase.objects.filter(pk=stopped.pk).update(status=CaseStatus.NOT_ADMITTED)
    # ended after a late talk: a fault made before it ended still counts
    faulty = open_case(b, D(2026, 1, 5), name="刘海波")
    step(faulty, 2, D(2026, 3, 20), talker="李书记")
    RecruitCase.objects.filter(pk=faulty.pk).update(status=CaseStatus.NOT_ADMITTED)
    v = compute_all(ctx_for(tree, a, b), NAMES)
    rate_a = v["recruit_cases_correct_rate"][a.pk]
    assert rate_a.value == 1.0 and rate_a.evidence["cases"] == [clean.case_no]
    assert rate_a.evidence["excluded"] == [{"case": withdrawn.case_no, "reason": "已终止，不计入"}]
    assert v["recruit_procedure_errors"][a.pk].value == 0
    rate_b = v["recruit_cases_correct_rate"][b.pk]
    assert rate_b.value == 0.0 and rate_b.evidence["cases"] == [faulty.case_no]
    assert rate_b.evidence["errors"][0]["rule"] == "RECRUIT-TALK-1-MONTH"
    assert rate_b.evidence["excluded"][0]["case"] == stopped.case_no
    assert "另有 1 个已终止或未接收且无差错的案例不计入" in rate_b.display


@pytest.mark.django_db
def test_only_withdrawn_cases_leave_no_data(tree):
    a = tree["branch_a"]
    case = open_case(a, D(2026, 1, 10))
    step(case, 2, D(2026, 4, 28), talker="李书记")
    _withdraw(case)
    got = compute_all(ctx_for(tree, a), NAMES)
    assert a.pk not in got["recruit_procedure_errors"]
    rate = got["recruit_cases_correct_rate"][a.pk]
    assert rate.value is None and rate.display.startswith("无数据：")


@pytest.mark.django_db
def test_rate_is_per_case(tree):
    """One error among four cases is not one error in one case."""
    a, b = tree["branch_a"], tree["branch_b"]
    for n in range(4):
        case = open_case(a, D(2026, 1, 10 + n))
        step(case, 2, D(2026, 4, 28) if n == 0 else D(2026, 1, 25), talker="李书记")
    single = open_case(b, D(2026, 1, 10))
    step(single, 2, D(2026, 4, 28), talker="李书记")
    rate = compute_all(ctx_for(tree, a, b), NAMES)["recruit_cases_correct_rate"]
    assert rate[a.pk].value == 0.75 and rate[b.pk].value == 0
    assert rate[a.pk].display == "4 个发展党员案例，3 个无程序差错（75.0%），1 个有差错"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day,value",
    [(D(2024, 12, 31), 0), (D(2025, 1, 1), 1), (D(2026, 12, 31), 1), (D(2027, 1, 1), 0)],
)
def test_candidate_in_the_last_two_years_boundaries(tree, day, value):
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    _candidate(case, day)
    v = compute_all(ctx_for(tree, tree["branch_a"], tree["branch_b"]), NAMES)
    got = v["recruit_candidate_2_years"]
    assert got[tree["branch_a"].pk].value == value
    assert got[tree["branch_b"].pk].value == 0
    assert got[tree["branch_b"].pk].display == "2024-12-31 以来未确定发展对象，也未接收新党员"


@pytest.mark.django_db
@pytest.mark.parametrize("day,value", [(D(2024, 12, 31), 0), (D(2025, 1, 1), 1)])
def test_a_member_admitted_counts_like_a_candidate(tree, day, value):
    from dangjian.members.models import Member

    Member.objects.filter(org=tree["branch_b"]).update(joined_on=D(2010, 1, 1))
    member = Member.objects.filter(org=tree["branch_b"]).first()
    Member.objects.filter(pk=member.pk).update(joined_on=day)
    v = compute_all(ctx_for(tree, tree["branch_b"]), NAMES)["recruit_candidate_2_years"]
    got = v[tree["branch_b"].pk]
    assert got.value == value
    assert got.evidence["admitted"] == value


@pytest.mark.django_db
def test_recruit_indicators_read_a_constant_number_of_queries(tree):
    for org in (tree["branch_a"], tree["branch_b"]):
        for n in range(3):
            case = open_case(org, D(2026, 1, 10))
            step(case, 2, D(2026, 1, 20), talker="李书记")
            _candidate(case, D(2026, 2, 1 + n))
    orgs = (tree["branch_a"], tree["branch_b"])
    with CaptureQueriesContext(connection) as few:
        compute_all(ctx_for(tree, *orgs), NAMES)
    for org in orgs:
        for _ in range(3):
            case = open_case(org, D(2026, 1, 10))
            step(case, 2, D(2026, 1, 20), talker="李书记")
    with CaptureQueriesContext(connection) as more:
        compute_all(ctx_for(tree, *orgs), NAMES)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_standards_cite_the_recruitment_indicators():
    wuhao, zhiliang = get_standard("wuhao"), get_standard("zhiliang")
    for crit in (wuhao.criterion("3.5"), zhiliang.criterion("6.2")):
        assert crit.indicator == "recruit_cases_correct_rate"
        assert crit.missing == "prorate"  # no case: neither a gain nor a loss by itself
        assert "发展党员" in crit.text
    assert wuhao.criterion("6A.4").indicator == "recruit_candidate_2_years"


@pytest.mark.django_db
def test_scored_campaign_explains_the_recruitment_points(tree, campaign):
    case = open_case(tree["branch_a"], D(2026, 1, 10))
    step(case, 2, D(2026, 4, 28), talker="李书记")
    campaign_score(actor=SYSTEM, campaign=campaign, at=D(2026, 12, 31))
    result = Result.objects.get(campaign=campaign, org=tree["branch_a"])
    crits = {c["id"]: c for item in result.breakdown["items"] for c in item["criteria"]}
    assert crits["3.5"]["score"] == 0
    assert crits["3.5"]["source"]["indicator"] == "recruit_cases_correct_rate"
    assert crits["3.5"]["source"]["evidence"]["errors"][0]["case"] == case.case_no
    assert crits["6A.4"]["score"] == 0  # a village with no development candidate


@pytest.mark.django_db
def test_a_branch_counts_its_whole_village(tree):
    """第二党支部 of a village whose 第一党支部 determined a candidate scores the criterion."""
    from tests.factories import make_org

    code = "120113001210"
    top = make_org(
        tree["town_a"],
        org_type="党总支",
        sector="农村",
        region_code=code,
        name="中共东湖村总支部委员会",
    )
    first = make_org(top, sector="农村", region_code=code, name="东湖村第一党支部")
    second = make_org(top, sector="农村", region_code=code, name="东湖村第二党支部")
    case = open_case(first, D(2024, 1, 10))
    _candidate(case, D(2026, 5, 6))
    got = compute_all(ctx_for(tree, first, second, tree["branch_a"]), NAMES)[
        "recruit_candidate_2_years"
    ]
    assert got[first.pk].value == 1 and got[second.pk].value == 1
    assert got[second.pk].evidence["village"] == "中共东湖村总支部委员会"
    assert got[second.pk].display.startswith("全村（中共东湖村总支部委员会，2 个党支部）")
    assert got[tree["branch_a"].pk].value == 0  # a village of its own, no candidate
