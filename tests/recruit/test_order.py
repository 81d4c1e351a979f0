"""RECRUIT-ORDER follows the dependency table of rules.md §3 (issue 9): steps that do not depend
on each other may happen in any order; a step dated before a step it depends on is a finding
naming both steps and their dates. The timeline's "next step" and the step form read the same
table."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit.case import DEPENDS_ON, open_steps, parse_cases
from dangjian.recruit.rules import check_cases
from dangjian.recruit.selectors import case_findings, case_get, case_timeline
from tests.recruit.helpers import D, open_case, step, walk_to_admission

#: a clean walk up to step 7 (applied 2023-01-10, candidate 2024-07-16)
BEFORE = {
    "1": "2023-01-10",
    "2": "2023-01-28",
    "3": "2023-07-15",
    "4": "2023-07-20",
    "5": "2023-07-20",
    "6": "2023-07-21",
    "7": "2024-07-16",
}


def order(steps: dict[str, str], at: str = "2026-11-23") -> list[dict[str, Any]]:
    raw = {"case": "R-1", "org": "BR0001", "steps": steps}
    report = check_cases(parse_cases([raw]), dt.date.fromisoformat(at))
    return [f.as_dict() for f in report.findings if f.rule == "RECRUIT-ORDER"]


@pytest.mark.parametrize("permutation", list(itertools.permutations((9, 10, 11))))
def test_introducers_review_and_training_in_any_order_after_the_candidate(permutation):
    days = ["2024-07-18", "2024-07-22", "2024-07-26"]
    steps = dict(BEFORE) | {str(n): day for n, day in zip(permutation, days, strict=True)}
    steps |= {"8": "2024-07-18", "12": "2024-07-29", "13": "2024-08-01"}
    assert order(steps) == []


def test_political_review_before_the_introducers_is_lawful():
    # the example: 政审 (10) on 07-19, 确定入党介绍人 (9) on 07-25
    steps = dict(BEFORE) | {"10": "2024-07-19", "9": "2024-07-25", "11": "2024-07-22"}
    assert order(steps) == []


@pytest.mark.parametrize("permutation", list(itertools.permutations((18, 19, 20, 21))))
def test_steps_after_approval_in_any_order(permutation):
    steps = {"15": "2024-08-20", "16": "2024-09-02", "17": "2024-09-20"}
    days = ["2024-09-21", "2024-09-25", "2024-10-08", "2024-10-15"]
    steps |= {str(n): day for n, day in zip(permutation, days, strict=True)}
    assert order(steps) == []


def test_oath_before_the_filing_with_the_organization_department_is_lawful():
    steps = {"15": "2024-08-20", "17": "2024-09-20", "20": "2024-09-23", "18": "2024-10-09"}
    steps |= {"22": "2025-07-25", "23": "2025-08-21"}  # 22 depends on 17 only
    assert order(steps) == []


def test_committee_review_before_the_political_review_names_both_steps_and_dates():
    steps = dict(BEFORE) | {"9": "2024-07-18", "10": "2024-08-05", "11": "2024-07-22"}
    steps["12"] = "2024-07-29"
    [f] = order(steps)
    assert f["severity"] == "error" and f["source"] == "细则"
    assert f["message"] == (
        "第 12 步“支部委员会审查”日期 2024-07-29 早于第 10 步“进行政治审查”日期 2024-08-05"
        "（须在其后进行）"
    )
    assert f["evidence"] == {"step_12": "2024-07-29", "step_10": "2024-08-05"}


def test_one_finding_per_step_naming_every_prerequisite_it_precedes():
    steps = dict(BEFORE) | {"9": "2024-08-02", "10": "2024-08-05", "11": "2024-07-22"}
    steps["12"] = "2024-07-29"
    [f] = order(steps)
    assert "第 9 步“确定入党介绍人”日期 2024-08-02" in f["message"]
    assert "第 10 步“进行政治审查”日期 2024-08-05" in f["message"]
    assert set(f["evidence"]) == {"step_12", "step_9", "step_10"}


def test_oath_before_the_approval_is_a_finding():
    [f] = order({"15": "2024-08-20", "17": "2024-09-20", "20": "2024-09-12"})
    assert f["evidence"] == {"step_20": "2024-09-12", "step_17": "2024-09-20"}
    assert "第 20 步“入党宣誓”" in f["message"] and "第 17 步“上级党委审批”" in f["message"]


def test_a_missing_step_is_looked_through_to_what_it_depends_on():
    # 13 recorded without 12: still compared with 9, 10 and 11 (12's prerequisites) and 8
    steps = dict(BEFORE) | {"8": "2024-07-18", "9": "2024-07-19", "10": "2024-08-10"}
    steps |= {"11": "2024-07-26", "13": "2024-08-01"}
    [f] = order(steps)
    assert f["evidence"] == {"step_13": "2024-08-01", "step_10": "2024-08-10"}


def test_steps_dated_after_the_check_day_are_not_judged_yet():
    steps = {"15": "2026-12-01", "17": "2026-11-20"}
    assert order(steps, at="2026-11-23") == []


def test_the_table_is_the_one_of_rules_md():
    assert DEPENDS_ON[12] == (9, 10, 11) and DEPENDS_ON[13] == (8, 12)
    assert {DEPENDS_ON[n] for n in (8, 9, 10, 11)} == {(7,)}
    assert {DEPENDS_ON[n] for n in (18, 19, 20, 21, 22)} == {(17,)}
    assert DEPENDS_ON[17] == (15, 16) and DEPENDS_ON[23] == (22,)
    done = {n: D(2024, 7, 1) for n in range(1, 8)}
    assert open_steps(done, range(8, 16)) == [8, 9, 10, 11]


@pytest.mark.django_db
def test_database_case_with_review_before_introducers_has_no_order_finding(tree):
    full = tree["members_a"]
    case = walk_to_admission(tree["branch_a"], full, approver=tree["town_a"])
    # 政审 moved before 确定入党介绍人, 宣誓 before 组织部门备案
    step(case, 10, D(2024, 7, 17))
    step(case, 9, D(2024, 7, 24), introducers=full[:2])
    step(case, 20, D(2024, 9, 23))
    step(case, 18, D(2024, 10, 9))
    report = case_findings(case_get(SYSTEM, case.pk), D(2024, 12, 1))
    assert [f for f in report.findings if f.rule == "RECRUIT-ORDER"] == []
    # a real violation on the same case: the committee's review before the introducers
    step(case, 9, D(2024, 7, 30), introducers=full[:2])
    [f] = [
        f
        for f in case_findings(case_get(SYSTEM, case.pk), D(2024, 12, 1)).findings
        if f.rule == "RECRUIT-ORDER"
    ]
    assert f.evidence == {"step_12": "2024-07-29", "step_9": "2024-07-30"}


@pytest.mark.django_db
def test_timeline_offers_the_steps_whose_prerequisites_are_done(tree):
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    for number, day in ((2, D(2023, 1, 28)), (3, D(2023, 7, 15)), (6, D(2023, 7, 21))):
        step(case, number, day)
    step(case, 7, D(2024, 7, 16))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2024, 7, 20))
    assert [n.number for n in t.next_steps] == [8, 9, 10, 11]
    assert all(n.earliest == D(2024, 7, 16) for n in t.next_steps)
    # 10 and 11 done, 9 not yet: 12 is not offered; 8 and 9 still are, in any order
    step(case, 10, D(2024, 7, 17))
    step(case, 11, D(2024, 7, 18))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2024, 7, 20))
    assert [n.number for n in t.next_steps] == [8, 9]
    step(case, 9, D(2024, 7, 19))
    t = case_timeline(case_get(SYSTEM, case.pk), D(2024, 7, 20))
    twelve = next(n for n in t.next_steps if n.number == 12)
    assert twelve.earliest == D(2024, 7, 19)
    assert "不早于第 9 步“确定入党介绍人”的日期 2024-07-19" in twelve.text


@pytest.mark.django_db
def test_step_form_says_after_which_step_and_warns_when_saved_too_early(tree):
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    step(case, 7, D(2024, 7, 16))
    step(case, 9, D(2024, 7, 19))
    step(case, 10, D(2024, 7, 25))
    client = Client()
    client.force_login(tree["secretary_a"])
    html = client.get(f"/recruit/cases/{case.pk}/steps/12/").content.decode()
    assert "本步骤应在第 10 步“进行政治审查”（2024-07-25）之后进行" in html
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/12/", {"done_on": "2024-07-22"}, follow=True
    )
    text = response.content.decode()
    assert "已记录：第 12 步 支部委员会审查" in text  # saved, never refused
    assert "步骤顺序：第 12 步“支部委员会审查”日期 2024-07-22 早于第 10 步" in text
