"""Recruitment selectors: scope, timeline texts, approval queue, plans and dashboard."""

from __future__ import annotations

import pytest
from django.http import Http404

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import services
from dangjian.recruit.selectors import (
    approval_queue,
    case_get,
    case_timeline,
    cases_for,
    dashboard,
    plan_rows,
)
from tests.recruit.helpers import TODAY, D, decide, open_case, step, vote, walk_to_admission


@pytest.mark.django_db
def test_cases_for_is_scoped(tree):
    a = open_case(tree["branch_a"])
    b = open_case(tree["branch_b"])
    assert set(cases_for(tree["secretary_a"])) == {a}
    assert set(cases_for(tree["admin_b"])) == {b}
    assert set(cases_for(tree["admin"])) == {a, b}
    assert set(cases_for(tree["sysadmin"])) == set()
    assert set(cases_for(tree["auditor"])) == set()
    with pytest.raises(Http404):
        case_get(tree["admin_b"], a.pk)
    assert case_get(tree["inspector_a"], a.pk) == a


@pytest.mark.django_db
def test_timeline_of_an_activist_says_when_candidate_is_possible(tree):
    case = open_case(tree["branch_a"], D(2024, 9, 1))
    step(case, 2, D(2024, 9, 10))
    step(case, 3, D(2025, 3, 10))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2025, 6, 1))
    assert t.stage == "activist" and t.since == D(2025, 3, 10)
    assert "入党积极分子（自 2025-03-10 起）；可于 2026-03-10 起确定为发展对象" in t.summary
    seven = next(n for n in t.next_steps if n.number == 7)
    assert seven.earliest == D(2026, 3, 10)
    review = next(n for n in t.next_steps if n.number == 6 and n.deadline)
    assert review.deadline == D(2025, 9, 10)
    assert {n.number for n in t.next_steps} >= {4, 5, 6, 7}


@pytest.mark.django_db
def test_timeline_applicant_and_approval_due(tree):
    case = open_case(tree["branch_a"], D(2025, 1, 10))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2025, 2, 11))
    talk = next(n for n in t.next_steps if n.number == 2)
    assert talk.deadline == D(2025, 2, 10) and talk.overdue
    assert next(n for n in t.next_steps if n.number == 3).earliest == D(2025, 7, 10)
    step(case, 7, D(2026, 3, 10))
    step(case, 15, D(2026, 4, 2), vote=vote())
    t = case_timeline(case_get(SYSTEM, case.pk), D(2026, 5, 1))
    assert t.stage == "candidate"
    approval = next(n for n in t.next_steps if n.number == 17)
    assert approval.deadline == D(2026, 7, 2) and not approval.overdue
    assert approval.text == "上级党委审批应于 2026-07-02 前完成"


@pytest.mark.django_db
def test_timeline_probation_conversion_and_archive(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    t = case_timeline(case_get(SYSTEM, case.pk), D(2025, 1, 1))
    assert t.stage == "probationary" and t.probation_ends == D(2025, 8, 20)
    assert next(n for n in t.next_steps if n.number == 23).earliest == D(2025, 8, 20)
    step(case, 23, D(2025, 8, 21), vote=vote())
    decide(case, 24, D(2025, 9, 1))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2025, 9, 3))
    assert t.stage == "full" and "正式党员（转正日期 2025-08-20）" in t.summary
    assert next(n for n in t.next_steps if n.number == 25).deadline == D(2025, 9, 8)


@pytest.mark.django_db
def test_approval_queue_oldest_first_and_scoped(tree):
    older = open_case(tree["branch_a"], D(2024, 1, 1))
    step(older, 15, D(2025, 1, 5), vote=vote())
    newer = open_case(tree["branch_a"], D(2024, 2, 1))
    step(newer, 12, D(2025, 3, 1))
    other = open_case(tree["branch_b"], D(2024, 2, 1))
    step(other, 15, D(2025, 2, 1), vote=vote())
    queue = approval_queue(tree["admin_a"], D(2025, 4, 10))
    assert [(i.case, i.step) for i in queue] == [(older, 17), (newer, 13)]
    assert queue[0].deadline == D(2025, 4, 5) and queue[0].overdue
    assert approval_queue(tree["secretary_a"], D(2025, 4, 10)) == []  # no approval right
    services.decide(
        actor=SYSTEM,
        case=older,
        step=17,
        decided_on=D(2025, 4, 1),
        decision="approved",
        today=TODAY,
    )
    assert [(i.case, i.step) for i in approval_queue(tree["admin"], D(2025, 4, 10))] == [
        (other, 17),
        (newer, 13),
    ]


@pytest.mark.django_db
def test_plans_against_admissions_by_org_and_group(tree):
    services.set_plan(
        actor=SYSTEM, org=tree["town_a"], year=2024, quota=1, group_quotas={"青年": 1}
    )
    services.set_plan(actor=SYSTEM, org=tree["root"], year=2024, quota=5, group_quotas={"农民": 1})
    walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    second = open_case(tree["branch_a"], D(2023, 5, 1), priority_group="青年")
    step(second, 15, D(2024, 10, 1), vote=vote())
    services.decide(
        actor=SYSTEM,
        case=second,
        step=17,
        decided_on=D(2024, 11, 1),
        decision="approved",
        today=TODAY,
    )
    rows = {r.org_code: r for r in plan_rows(SYSTEM, 2024, D(2025, 1, 10))}
    town = rows["TA001"]
    assert (town.quota, town.admitted) == (1, 2)
    assert {(g.group, g.quota, g.admitted) for g in town.groups} == {
        ("青年", 1, 1),
        ("其他", None, 1),
    }
    assert [(f.rule, f.severity, f.subject) for f in town.findings] == [
        ("RECRUIT-PLAN", "error", "TA001")
    ]
    root = rows["D0001"]
    assert root.admitted == 2
    assert [(f.severity, f.evidence["group"]) for f in root.findings] == [("warning", "农民")]
    assert [r.org_code for r in plan_rows(tree["admin_b"], 2024, D(2025, 1, 10))] == []


@pytest.mark.django_db
def test_dashboard_counts_and_lists(tree, django_assert_max_num_queries):
    walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    applicant = open_case(tree["branch_a"], D(2025, 6, 1))
    activist = open_case(tree["branch_b"], D(2024, 6, 1))
    step(activist, 3, D(2025, 1, 10))
    waiting = open_case(tree["branch_a"], D(2023, 6, 1))
    step(waiting, 7, D(2024, 12, 1))
    step(waiting, 15, D(2025, 3, 1), vote=vote())
    services.set_plan(actor=SYSTEM, org=tree["town_a"], year=2025, quota=2)
    with django_assert_max_num_queries(20):
        board = dashboard(tree["admin"], 2025, D(2025, 7, 1))
    assert board.by_stage == {
        "applicant": 1,
        "activist": 1,
        "candidate": 1,
        "probationary": 1,
        "full": 0,
        "closed": 0,
    }
    assert [r.case.case_no for r in board.probation_ending] == [
        c.case_no for c in cases_for(SYSTEM).filter(status="admitted")
    ]
    assert [i.case for i in board.overdue_approvals] == [waiting]
    assert applicant.case_no not in {r.case.case_no for r in board.with_findings}
    assert [(p.org_code, p.quota, p.admitted) for p in board.plans] == [("TA001", 2, 0)]
    mine = dashboard(tree["admin_b"], 2025, D(2025, 7, 1))
    assert sum(mine.by_stage.values()) == 1 and mine.plans == []


@pytest.mark.django_db
def test_dashboard_and_queue_queries_do_not_grow_with_organizations_or_cases(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_member, make_org

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            dashboard(tree["admin"], 2025, D(2025, 7, 1))
            approval_queue(tree["admin"], D(2025, 7, 1))
            plan_rows(tree["admin"], 2025, D(2025, 7, 1))
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        for _ in range(n):
            branch = make_org(tree["town_a"], org_type="党支部", sector="农村")
            make_member(branch)
            c = open_case(branch, D(2024, 1, 10))
            step(c, 15, D(2025, 3, 1), vote=vote())
            services.set_plan(actor=SYSTEM, org=branch, year=2025, quota=1)

    grow(2)
    count()  # warm caches (user permissions)
    small = count()
    grow(8)
    assert count() == small


@pytest.mark.django_db
def test_a_notice_outside_the_holiday_calendar_is_not_checked_not_an_error(tree):
    from dangjian.recruit.selectors import case_findings

    case = open_case(tree["branch_a"], D(2024, 1, 10))
    step(case, 3, D(2024, 7, 15))
    services.record_notice(
        actor=SYSTEM, case=case, kind="activist", first_day=D(1999, 1, 4), last_day=D(1999, 1, 8)
    )
    report = case_findings(case_get(SYSTEM, case.pk), D(2024, 8, 1))
    assert "RECRUIT-PUBLICITY-5-WORKDAYS" in report.not_checked[case.case_no]
