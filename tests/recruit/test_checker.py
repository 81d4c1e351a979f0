"""The RECRUIT-* rules at their boundaries (issue 5), on the pure checker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest

from dangjian.recruit.calendar import CalendarRangeError, is_workday, workdays_between
from dangjian.recruit.case import CaseError, parse_cases
from dangjian.recruit.rules import case_rules, check_cases

D = dt.date


def run(at: str = "2026-06-01", **fields: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    raw = {"case": "R-1", "org": "BR0001", "steps": {}}
    raw.update(fields)
    report = check_cases(parse_cases([raw]), D.fromisoformat(at))
    data = report.as_dict()
    return data["findings"], data["not_checked"]


def rules_of(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


def test_every_rule_named_after_its_id_with_source() -> None:
    for rule_id, (spec, func) in case_rules().items():
        assert func.__name__ == rule_id.lower().replace("-", "_")
        assert spec.source and func.__doc__


# --- AGE-18 ------------------------------------------------------------------------------


def test_turning_18_on_the_application_date_is_enough() -> None:
    findings, _ = run(birth_date="2006-05-10", steps={"1": "2024-05-10"})
    assert rules_of(findings, "RECRUIT-AGE-18") == []
    findings, _ = run(birth_date="2006-05-10", steps={"1": "2024-05-09"})
    [f] = rules_of(findings, "RECRUIT-AGE-18")
    assert f["severity"] == "error" and f["subject"] == "R-1"
    assert f["evidence"]["turns_18"] == "2024-05-10"


def test_age_without_birth_date_is_not_checked() -> None:
    _, not_checked = run(steps={"1": "2024-05-09"})
    assert "RECRUIT-AGE-18" in not_checked["R-1"]


# --- TALK-1-MONTH ------------------------------------------------------------------------


def test_talk_exactly_one_month_after_application() -> None:
    findings, _ = run(steps={"1": "2025-01-31", "2": "2025-02-28"})
    assert rules_of(findings, "RECRUIT-TALK-1-MONTH") == []
    findings, _ = run(steps={"1": "2025-01-15", "2": "2025-02-15"})
    assert rules_of(findings, "RECRUIT-TALK-1-MONTH") == []
    findings, _ = run(steps={"1": "2025-01-15", "2": "2025-02-16"})
    [f] = rules_of(findings, "RECRUIT-TALK-1-MONTH")
    assert f["severity"] == "error" and f["evidence"]["deadline"] == "2025-02-15"


def test_talk_pending_is_due_then_overdue() -> None:
    findings, _ = run(at="2025-02-01", steps={"1": "2025-01-15"})
    [f] = rules_of(findings, "RECRUIT-TALK-1-MONTH")
    assert f["severity"] == "due" and f["due_date"] == "2025-02-15"
    findings, _ = run(at="2025-02-16", steps={"1": "2025-01-15"})
    [f] = rules_of(findings, "RECRUIT-TALK-1-MONTH")
    assert f["severity"] == "error"


# --- APPLICATION-6-MONTHS, ACTIVIST-1-YEAR ----------------------------------------------------


def test_application_six_months_before_activist() -> None:
    findings, _ = run(steps={"1": "2024-01-10", "2": "2024-01-20", "3": "2024-07-10"})
    assert rules_of(findings, "RECRUIT-APPLICATION-6-MONTHS") == []
    findings, _ = run(steps={"1": "2024-01-10", "2": "2024-01-20", "3": "2024-07-09"})
    [f] = rules_of(findings, "RECRUIT-APPLICATION-6-MONTHS")
    assert f["severity"] == "warning"


def test_exactly_one_year_as_activist() -> None:
    base = {"1": "2023-01-10", "2": "2023-01-20", "3": "2023-07-10"}
    findings, _ = run(steps={**base, "7": "2024-07-10"})
    assert rules_of(findings, "RECRUIT-ACTIVIST-1-YEAR") == []
    findings, _ = run(steps={**base, "7": "2024-07-09"})
    [f] = rules_of(findings, "RECRUIT-ACTIVIST-1-YEAR")
    assert f["evidence"] == {
        "step_3": "2023-07-10",
        "step_7": "2024-07-09",
        "earliest": "2024-07-10",
    }


# --- CONTACTS, INTRODUCERS, POLITICAL-REVIEW, TRAINING -----------------------------------------


@pytest.mark.parametrize(("contacts", "bad"), [(0, True), (1, False), (2, False), (3, True)])
def test_contacts(contacts: int, bad: bool) -> None:
    findings, _ = run(
        steps={"1": "2023-01-10", "3": "2023-07-10", "5": "2023-07-12"}, contacts=contacts
    )
    assert bool(rules_of(findings, "RECRUIT-CONTACTS")) is bad


@pytest.mark.parametrize(
    ("introducers", "bad"),
    [
        (["full", "full"], False),
        (["full"], True),
        (["full", "probationary"], True),
        (["probation_watch", "full"], True),
        (["full", "full", "full"], True),
    ],
)
def test_introducers(introducers: list[str], bad: bool) -> None:
    findings, _ = run(steps={"9": "2024-08-01"}, introducers=introducers)
    assert bool(rules_of(findings, "RECRUIT-INTRODUCERS")) is bad


@pytest.mark.parametrize(("review", "bad"), [("pass", False), ("fail", True), ("none", True)])
def test_political_review_before_admission(review: str, bad: bool) -> None:
    findings, _ = run(steps={"15": "2025-03-01"}, political_review=review)
    assert bool(rules_of(findings, "RECRUIT-POLITICAL-REVIEW")) is bad
    findings, _ = run(steps={"10": "2025-01-01"}, political_review=review)
    assert rules_of(findings, "RECRUIT-POLITICAL-REVIEW") == []


@pytest.mark.parametrize(("hours", "bad"), [(24, False), (23.5, True), (40, False)])
def test_training_24_hours(hours: float, bad: bool) -> None:
    findings, _ = run(steps={"15": "2025-03-01"}, training_hours=hours)
    assert bool(rules_of(findings, "RECRUIT-TRAINING-3-DAYS")) is bad


# --- VOTE-MAJORITY -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vote", "problems"),
    [
        ({"entitled": 20, "present": 11, "yes": 11}, 0),
        ({"entitled": 20, "present": 10, "yes": 11}, 1),  # exactly half present
        ({"entitled": 20, "present": 15, "yes": 10}, 1),  # exactly half yes
        ({"entitled": 20, "present": 10, "yes": 10}, 2),
        ({"entitled": 7, "present": 4, "yes": 4}, 0),
    ],
)
def test_vote_of_exactly_half_fails(vote: dict[str, int], problems: int) -> None:
    findings, _ = run(admission_vote=vote)
    assert len(rules_of(findings, "RECRUIT-VOTE-MAJORITY")) == problems
    findings, _ = run(conversion_vote=vote)
    got = rules_of(findings, "RECRUIT-VOTE-MAJORITY")
    assert len(got) == problems
    assert all(f["evidence"]["vote"] == "conversion_vote" for f in got)


# --- APPROVAL-3-MONTHS, CONVERSION-APPROVAL ------------------------------------------------


def test_approval_on_day_92_is_exactly_three_months() -> None:
    vote = D(2025, 6, 1)
    assert (D(2025, 9, 1) - vote).days == 92
    findings, _ = run(steps={"15": "2025-06-01", "17": "2025-09-01"})
    assert rules_of(findings, "RECRUIT-APPROVAL-3-MONTHS") == []
    findings, _ = run(steps={"15": "2025-06-01", "17": "2025-09-02"})
    [f] = rules_of(findings, "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "error" and f["evidence"]["deadline"] == "2025-09-01"


def test_approval_pending_is_due_with_due_date() -> None:
    findings, _ = run(at="2025-08-01", steps={"15": "2025-06-01"})
    [f] = rules_of(findings, "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "due" and f["due_date"] == "2025-09-01"
    findings, _ = run(at="2025-09-02", steps={"15": "2025-06-01"})
    [f] = rules_of(findings, "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "error" and "due_date" not in f


def test_steps_after_the_check_date_are_not_done_yet() -> None:
    findings, _ = run(at="2025-08-01", steps={"15": "2025-06-01", "17": "2025-12-01"})
    [f] = rules_of(findings, "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "due"


def test_conversion_approval_within_three_months() -> None:
    findings, _ = run(steps={"23": "2026-01-31", "24": "2026-04-30"})
    assert rules_of(findings, "RECRUIT-CONVERSION-APPROVAL-3-MONTHS") == []
    findings, _ = run(steps={"23": "2026-01-31", "24": "2026-05-01"})
    assert len(rules_of(findings, "RECRUIT-CONVERSION-APPROVAL-3-MONTHS")) == 1


# --- PROBATION, EXTENSION ------------------------------------------------------------------


def test_probation_one_year() -> None:
    findings, _ = run(steps={"15": "2024-06-01", "23": "2025-06-01"}, probation_extension_months=0)
    assert rules_of(findings, "RECRUIT-PROBATION-1-YEAR") == []
    findings, _ = run(steps={"15": "2024-06-01", "23": "2025-05-31"})
    [f] = rules_of(findings, "RECRUIT-PROBATION-1-YEAR")
    assert f["evidence"]["probation_ends"] == "2025-06-01"


def test_probation_extended_six_months() -> None:
    steps = {"15": "2024-06-01", "23": "2025-11-30"}
    findings, _ = run(steps=steps, probation_extension_months=6)
    [f] = rules_of(findings, "RECRUIT-PROBATION-1-YEAR")
    assert f["evidence"]["probation_ends"] == "2025-12-01"
    assert rules_of(findings, "RECRUIT-EXTENSION") == []
    findings, _ = run(steps={**steps, "23": "2025-12-01"}, probation_extension_months=6)
    assert rules_of(findings, "RECRUIT-PROBATION-1-YEAR") == []


@pytest.mark.parametrize(
    ("months", "bad"), [(0, False), (5, True), (6, False), (12, False), (13, True)]
)
def test_extension_bounds(months: int, bad: bool) -> None:
    findings, _ = run(steps={"15": "2024-06-01"}, probation_extension_months=months)
    assert bool(rules_of(findings, "RECRUIT-EXTENSION")) is bad


def test_probation_extended_thirteen_months() -> None:
    # the extension itself is out of bounds; the probation still runs as recorded (25 months)
    findings, _ = run(
        at="2026-08-01",
        steps={"15": "2024-06-01", "23": "2026-06-30"},
        probation_extension_months=13,
    )
    [ext] = rules_of(findings, "RECRUIT-EXTENSION")
    assert ext["severity"] == "error"
    assert ext["evidence"] == {"probation_extension_months": 13}
    [prob] = rules_of(findings, "RECRUIT-PROBATION-1-YEAR")
    assert prob["evidence"]["probation_ends"] == "2026-07-01"
    assert prob["evidence"]["extension_months"] == 13


def test_probation_ending_soon_is_due() -> None:
    findings, _ = run(at="2025-04-15", steps={"15": "2024-06-01"})
    [f] = rules_of(findings, "RECRUIT-PROBATION-1-YEAR")
    assert f["severity"] == "due" and f["due_date"] == "2025-06-01"
    findings, _ = run(at="2025-03-01", steps={"15": "2024-06-01"})
    assert rules_of(findings, "RECRUIT-PROBATION-1-YEAR") == []


# --- ORDER ---------------------------------------------------------------------------------


def test_step_order() -> None:
    findings, _ = run(steps={"1": "2024-01-10", "2": "2024-01-20", "3": "2024-07-15"})
    assert rules_of(findings, "RECRUIT-ORDER") == []
    findings, _ = run(steps={"1": "2024-01-10", "2": "2024-01-05", "3": "2024-07-15"})
    [f] = rules_of(findings, "RECRUIT-ORDER")
    assert f["evidence"] == {"step_2": "2024-01-05", "step_1": "2024-01-10"}


# --- PUBLICITY-5-WORKDAYS and the calendar ----------------------------------------------------


def test_national_day_week_with_adjusted_working_weekend() -> None:
    # verify the calendar facts the test relies on (2025 National Day + Mid-Autumn)
    assert all(not chinese_calendar.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert D(2025, 10, 11).weekday() == 5 and chinese_calendar.is_workday(D(2025, 10, 11))
    assert D(2025, 9, 28).weekday() == 6 and chinese_calendar.is_workday(D(2025, 9, 28))
    assert is_workday(D(2025, 10, 11)) and not is_workday(D(2025, 10, 4))
    # 09-29, 09-30, 10-09, 10-10 and the 调休 Saturday 10-11: exactly five working days
    assert workdays_between(D(2025, 9, 29), D(2025, 10, 11)) == 5
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 11)) == 4

    steps = {"1": "2025-01-02", "3": "2025-10-13"}
    findings, _ = run(steps=steps, publicity={"activist": ["2025-09-29", "2025-10-11"]})
    assert rules_of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS") == []
    findings, _ = run(steps=steps, publicity={"activist": ["2025-09-30", "2025-10-11"]})
    [f] = rules_of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert f["severity"] == "warning" and f["evidence"]["workdays"] == 4
    # 13 calendar days but only 4 working days; a plain weekday count would say 9
    findings, _ = run(steps=steps, publicity={"activist": ["2025-09-30", "2025-10-12"]})
    assert rules_of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS")[0]["evidence"]["workdays"] == 4


def test_publicity_missing_or_not_finished_before_decision() -> None:
    steps = {"3": "2025-03-10", "7": "2026-03-20"}
    findings, _ = run(steps=steps, publicity={"activist": ["2025-03-03", "2025-03-07"]})
    [f] = rules_of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert f["evidence"]["notice"] == "candidate"
    findings, _ = run(
        steps={"3": "2025-03-06"}, publicity={"activist": ["2025-03-03", "2025-03-07"]}
    )
    [f] = rules_of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert f["evidence"]["step_3"] == "2025-03-06"


def test_date_outside_the_calendar_years_is_not_checked_with_the_reason() -> None:
    # issue 9: checks keep working outside the calendar's years; the working-day rule says
    # "not checked" for that case, with the reason (it used to refuse the whole file)
    with pytest.raises(CalendarRangeError):
        is_workday(D(2099, 1, 5))
    raw = {"case": "R-1", "org": "BR0001", "birth_date": "2070-01-01"}
    raw.update(steps={"1": "2098-06-01", "3": "2099-01-12"})
    raw.update(publicity={"activist": ["2099-01-05", "2099-01-09"]})
    report = check_cases(parse_cases([raw]), D(2099, 2, 1))
    assert "RECRUIT-PUBLICITY-5-WORKDAYS" in report.not_checked["R-1"]
    reason = report.reason("R-1", "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert "确定入党积极分子公示" in reason and "2099-01-05" in reason
    assert not [f for f in report.findings if f.rule == "RECRUIT-PUBLICITY-5-WORKDAYS"]
    assert report.as_dict()["not_checked_reasons"]["R-1"]["RECRUIT-PUBLICITY-5-WORKDAYS"] == reason


# --- not checked, input validation -----------------------------------------------------------


def test_absent_data_is_listed_as_not_checked_never_passed() -> None:
    findings, not_checked = run(steps={"1": "2025-01-10", "2": "2025-01-12"})
    assert findings == []
    assert not_checked == {"R-1": ["RECRUIT-AGE-18"]}
    steps = {"1": "2024-01-10", "2": "2024-01-12", "3": "2024-07-15", "17": "2025-09-01"}
    steps.update({"15": "2025-08-01", "9": "2025-07-01"})
    _, not_checked = run(at="2025-10-01", steps=steps)
    assert set(not_checked["R-1"]) == {
        "RECRUIT-AGE-18",
        "RECRUIT-CONTACTS",
        "RECRUIT-INTRODUCERS",
        "RECRUIT-POLITICAL-REVIEW",
        "RECRUIT-TRAINING-3-DAYS",
        "RECRUIT-PUBLICITY-5-WORKDAYS",
        "RECRUIT-VOTE-MAJORITY",
        "RECRUIT-EXTENSION",
        "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
        "RECRUIT-LEAVING-3-MONTHS",
        "RECRUIT-APPROVER-AUTHORITY",
    }
    findings, not_checked = run(
        at="2025-10-01",
        steps=steps,
        birth_date="2000-01-01",
        contacts=2,
        introducers=["full", "full"],
        political_review="pass",
        training_hours=24,
        publicity={
            "activist": ["2024-07-01", "2024-07-05"],
            "candidate": ["2025-01-06", "2025-01-10"],
            "admission": ["2025-07-21", "2025-07-25"],
        },
        admission_vote={"entitled": 3, "present": 3, "yes": 3},
        probation_extension_months=0,
        reviews=["2025-01-10", "2025-07-01"],
        expected_leaving_on=None,
        approver="PC0001",
        approver_type="党委",
        approver_under_town=False,
    )
    assert not_checked == {}
    # everything recorded and in order except candidate step 7 missing: only the reminder that
    # the (still) activist is due for the next half-yearly assessment
    assert [(f["rule"], f["severity"], f["due_date"]) for f in findings] == [
        ("RECRUIT-ACTIVIST-REVIEW-HALF-YEAR", "due", "2026-01-01")
    ]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"key": 1}, "JSON 数组"),
        ([{"org": "B", "steps": {}}], "第 1 个案例 字段 case"),
        ([{"case": "R-9", "steps": {}}], "案例 R-9 字段 org"),
        ([{"case": "R-9", "org": "B"}], "案例 R-9 字段 steps"),
        ([{"case": "R-9", "org": "B", "steps": {"26": "2025-01-01"}}], r"steps\.26.*未知步骤号"),
        ([{"case": "R-9", "org": "B", "steps": {"1": "2025-02-30"}}], r"steps\.1.*不存在"),
        ([{"case": "R-9", "org": "B", "steps": {"1": "yesterday"}}], r"steps\.1.*格式错误"),
        ([{"case": "R-9", "org": "B", "steps": {}, "birth_date": 2000}], "birth_date"),
        ([{"case": "R-9", "org": "B", "steps": {}, "introducers": ["friend"]}], "introducers"),
        ([{"case": "R-9", "org": "B", "steps": {}, "political_review": "ok"}], "political_review"),
        (
            [
                {
                    "case": "R-9",
                    "org": "B",
                    "steps": {},
                    "admission_vote": {"entitled": 5, "present": 6, "yes": 1},
                }
            ],
            r"admission_vote\.present",
        ),
        (
            [
                {
                    "case": "R-9",
                    "org": "B",
                    "steps": {},
                    "conversion_vote": {"entitled": 5, "present": 3},
                }
            ],
            r"conversion_vote\.yes",
        ),
        (
            [
                {
                    "case": "R-9",
                    "org": "B",
                    "steps": {},
                    "publicity": {"activist": ["2025-03-07", "2025-03-03"]},
                }
            ],
            "末日早于首日",
        ),
        (
            [
                {
                    "case": "R-9",
                    "org": "B",
                    "steps": {},
                    "publicity": {"party": ["2025-03-03", "2025-03-07"]},
                }
            ],
            "未知公示类别",
        ),
        (
            [{"case": "R-9", "org": "B", "steps": {}, "probation_extension_months": -1}],
            "probation_extension_months",
        ),
        (
            [{"case": "R-9", "org": "B", "steps": {}}, {"case": "R-9", "org": "B", "steps": {}}],
            "重复",
        ),
    ],
)
def test_bad_input_names_case_and_field(data: Any, match: str) -> None:
    with pytest.raises(CaseError, match=match):
        parse_cases(data)
