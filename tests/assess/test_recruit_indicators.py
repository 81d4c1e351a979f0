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
NAMES = ["recruit_procedure_errors", "recruit_candidate_2_years"]


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
    assert town.pk not in errs  # no case: missing, the criterion falls back to the self-check


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
    assert wuhao.criterion("3.5").indicator == "recruit_procedure_errors"
    assert "发展党员" in wuhao.criterion("3.5").text
    assert wuhao.criterion("6A.4").indicator == "recruit_candidate_2_years"
    assert zhiliang.criterion("6.2").indicator == "recruit_procedure_errors"
    assert "发展党员" in zhiliang.criterion("6.2").text


@pytest.mark.django_db
def test_scored_campaign_explains_the_recruitment_points(tree, campaign):
    case = open_case(tree["branch_a"], D(2026, 1, 10))
    step(case, 2, D(2026, 4, 28), talker="李书记")
    campaign_score(actor=SYSTEM, campaign=campaign, at=D(2026, 12, 31))
    result = Result.objects.get(campaign=campaign, org=tree["branch_a"])
    crits = {c["id"]: c for item in result.breakdown["items"] for c in item["criteria"]}
    assert crits["3.5"]["score"] == 0
    assert crits["3.5"]["source"]["indicator"] == "recruit_procedure_errors"
    assert crits["3.5"]["source"]["evidence"]["errors"][0]["case"] == case.case_no
    assert crits["6A.4"]["score"] == 0  # a village with no development candidate
