"""The RECRUIT rules added for the database (issue 5) at their boundaries, on the pure checker:
APPROVER-AUTHORITY, ACTIVIST-REVIEW-HALF-YEAR, PREREVIEW, LEAVING-3-MONTHS, ARCHIVE, PLAN;
configuration (parameters, switched-off rules, required notices)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.recruit.case import PRIORITY_GROUPS, CaseError, parse_input
from dangjian.recruit.rules import check_cases

D = dt.date


def run(
    at: str = "2026-06-01", config: dict[str, Any] | None = None, **fields: Any
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    raw = {"case": "R-1", "org": "BR0001", "steps": {}}
    raw.update(fields)
    cases, _plans = parse_input([raw])
    report = check_cases(cases, D.fromisoformat(at), config=config)
    data = report.as_dict()
    return data["findings"], data["not_checked"]


def of(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


# --- APPROVER-AUTHORITY ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approver_type", "under_town", "bad"),
    [
        ("党委", False, False),
        ("党工委", False, False),
        ("党总支", False, True),
        ("党支部", False, True),
        ("党委", True, True),
    ],
)
def test_approver_authority(approver_type: str, under_town: bool, bad: bool) -> None:
    findings, _ = run(
        steps={"15": "2025-03-01", "17": "2025-04-01"},
        approver="PC1",
        approver_type=approver_type,
        approver_under_town=under_town,
    )
    found = of(findings, "RECRUIT-APPROVER-AUTHORITY")
    assert bool(found) is bad
    if bad:
        assert found[0]["severity"] == "error" and found[0]["evidence"]["approver"] == "PC1"


def test_approver_authority_not_checked_without_type_once_approved() -> None:
    _, not_checked = run(steps={"17": "2025-04-01"}, approver="PC1")
    assert "RECRUIT-APPROVER-AUTHORITY" in not_checked["R-1"]
    _, not_checked = run(steps={"17": "2025-04-01"}, approver="PC1", approver_type="党委")
    assert "RECRUIT-APPROVER-AUTHORITY" in not_checked["R-1"]
    _, not_checked = run(steps={"1": "2025-04-01"})
    assert "RECRUIT-APPROVER-AUTHORITY" not in not_checked.get("R-1", [])


# --- ACTIVIST-REVIEW-HALF-YEAR -----------------------------------------------------------------


def test_review_exactly_six_months_apart_is_enough() -> None:
    steps = {"3": "2024-03-10", "7": "2025-03-10"}
    findings, _ = run(steps=steps, reviews=["2024-09-10", "2025-03-10"])
    assert of(findings, "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR") == []
    findings, _ = run(steps=steps, reviews=["2024-09-11", "2025-03-10"])
    [f] = of(findings, "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR")
    assert f["severity"] == "error" and f["evidence"]["deadline"] == "2024-09-10"


def test_review_missing_before_candidate_decision() -> None:
    # last review 2024-09-10; candidate on 2025-03-11 is one day past the next half year
    findings, _ = run(steps={"3": "2024-03-10", "7": "2025-03-11"}, reviews=["2024-09-10"])
    [f] = of(findings, "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR")
    assert f["evidence"]["step_7"] == "2025-03-11"


def test_review_due_then_overdue_for_a_current_activist() -> None:
    steps = {"3": "2025-03-10"}
    findings, _ = run(at="2025-09-10", steps=steps, reviews=[])
    [f] = of(findings, "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR")
    assert f["severity"] == "due" and f["due_date"] == "2025-09-10"
    findings, _ = run(at="2025-09-11", steps=steps, reviews=[])
    [f] = of(findings, "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR")
    assert f["severity"] == "error"


def test_review_absent_is_not_checked_after_half_a_year() -> None:
    _, not_checked = run(at="2025-09-10", steps={"3": "2025-03-10"})
    assert "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR" not in not_checked.get("R-1", [])
    _, not_checked = run(at="2025-09-11", steps={"3": "2025-03-10"})
    assert "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR" in not_checked["R-1"]


# --- PREREVIEW ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        ({"13": "2025-05-01", "14": "2025-05-01"}, False),
        ({"13": "2025-05-01", "14": "2025-05-02"}, False),
        ({"13": "2025-05-02", "14": "2025-05-01"}, True),
        ({"14": "2025-05-01"}, True),
        ({"12": "2025-05-01"}, False),
    ],
)
def test_prereview_before_the_application_form(steps: dict[str, str], bad: bool) -> None:
    findings, _ = run(steps=steps)
    assert bool(of(findings, "RECRUIT-PREREVIEW")) is bad


# --- LEAVING-3-MONTHS --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaving", "warn"),
    [
        ("2025-08-01", True),  # exactly 3 months after the vote
        ("2025-08-02", False),
        ("2025-05-01", True),  # on the day of the vote
        ("2025-04-30", False),  # left before: not this rule's concern
        (None, False),
    ],
)
def test_leaving_within_three_months_of_the_vote(leaving: str | None, warn: bool) -> None:
    findings, _ = run(steps={"7": "2025-01-01", "15": "2025-05-01"}, expected_leaving_on=leaving)
    found = of(findings, "RECRUIT-LEAVING-3-MONTHS")
    assert bool(found) is warn
    if warn:
        assert found[0]["severity"] == "warning"


def test_leaving_for_a_candidate_not_yet_voted_and_unknown_is_not_checked() -> None:
    findings, _ = run(at="2025-05-01", steps={"7": "2025-01-01"}, expected_leaving_on="2025-07-01")
    assert of(findings, "RECRUIT-LEAVING-3-MONTHS")
    _, not_checked = run(steps={"7": "2025-01-01"})
    assert "RECRUIT-LEAVING-3-MONTHS" in not_checked["R-1"]
    _, not_checked = run(steps={"3": "2025-01-01"}, reviews=[])
    assert "RECRUIT-LEAVING-3-MONTHS" not in not_checked.get("R-1", [])


# --- ARCHIVE -----------------------------------------------------------------------------------


def test_archive_within_a_week() -> None:
    findings, _ = run(steps={"24": "2025-05-01", "25": "2025-05-08"})
    assert of(findings, "RECRUIT-ARCHIVE") == []
    findings, _ = run(steps={"24": "2025-05-01", "25": "2025-05-09"})
    [f] = of(findings, "RECRUIT-ARCHIVE")
    assert f["severity"] == "warning" and f["evidence"]["deadline"] == "2025-05-08"
    findings, _ = run(at="2025-05-08", steps={"24": "2025-05-01"})
    [f] = of(findings, "RECRUIT-ARCHIVE")
    assert f["severity"] == "due" and f["due_date"] == "2025-05-08"
    findings, _ = run(at="2025-05-09", steps={"24": "2025-05-01"})
    [f] = of(findings, "RECRUIT-ARCHIVE")
    assert f["severity"] == "warning"


# --- configuration -----------------------------------------------------------------------------


def test_configuration_changes_parameters_and_switches_rules_off() -> None:
    steps = {"24": "2025-05-01", "25": "2025-05-12"}
    findings, _ = run(steps=steps, config={"RECRUIT-ARCHIVE": {"days": 14}})
    assert of(findings, "RECRUIT-ARCHIVE") == []
    findings, _ = run(steps=steps, config={"RECRUIT-ORDER": {}})
    assert of(findings, "RECRUIT-ARCHIVE") == []  # not in the configuration: switched off


def test_required_notices_are_configurable() -> None:
    steps = {"3": "2025-03-10", "7": "2026-03-10"}
    publicity = {"activist": ["2025-03-03", "2025-03-07"]}
    findings, _ = run(steps=steps, publicity=publicity)
    assert len(of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS")) == 1  # candidate notice missing
    config = {"RECRUIT-PUBLICITY-5-WORKDAYS": {"workdays": 5, "notices": ["activist"]}}
    findings, _ = run(steps=steps, publicity=publicity, config=config)
    assert of(findings, "RECRUIT-PUBLICITY-5-WORKDAYS") == []


# --- PLAN --------------------------------------------------------------------------------------


def _plan_input(admitted: list[tuple[str, str]], quota: int, groups: dict[str, int]) -> Any:
    cases = [
        {"case": f"R-{i}", "org": "BR1", "steps": {"17": day}, "priority_group": group}
        for i, (day, group) in enumerate(admitted)
    ]
    return {
        "cases": cases,
        "plans": [{"org": "BR1", "year": 2025, "quota": quota, "groups": groups}],
    }


def _plan_findings(data: Any, at: str) -> list[dict[str, Any]]:
    cases, plans = parse_input(data)
    report = check_cases(cases, D.fromisoformat(at), plans=plans)
    return of(report.as_dict()["findings"], "RECRUIT-PLAN")


def test_plan_quota_exactly_used_is_fine_one_more_is_an_error() -> None:
    two = [("2025-03-01", "青年"), ("2025-06-01", "农民")]
    assert _plan_findings(_plan_input(two, 2, {}), "2026-01-05") == []
    three = [*two, ("2025-12-31", "其他")]
    [f] = _plan_findings(_plan_input(three, 2, {}), "2026-01-05")
    assert f["severity"] == "error" and f["subject"] == "BR1" and f["period"] == "2025"
    assert f["evidence"] == {"year": 2025, "quota": 2, "admitted": 3}
    # an admission approved in another year does not count
    other = [*two, ("2026-01-02", "其他")]
    assert _plan_findings(_plan_input(other, 2, {}), "2026-01-05") == []


def test_priority_group_quotas() -> None:
    admitted = [("2025-03-01", "一线工人"), ("2025-04-01", "一线工人")]
    findings = _plan_findings(_plan_input(admitted, 5, {"一线工人": 1, "青年": 1}), "2025-06-01")
    assert {(f["evidence"]["group"], f["severity"]) for f in findings} == {
        ("一线工人", "warning"),
        ("青年", "due"),
    }
    findings = _plan_findings(_plan_input(admitted, 5, {"一线工人": 2, "青年": 1}), "2026-01-01")
    [f] = findings
    assert f["evidence"]["group"] == "青年" and f["severity"] == "warning"


def test_plan_and_new_fields_input_errors() -> None:
    with pytest.raises(CaseError, match="priority_group"):
        parse_input([{"case": "R", "org": "B", "steps": {}, "priority_group": "学生"}])
    with pytest.raises(CaseError, match="approver_type"):
        parse_input([{"case": "R", "org": "B", "steps": {}, "approver_type": "委员会"}])
    with pytest.raises(CaseError, match=r"reviews\[0\]"):
        parse_input([{"case": "R", "org": "B", "steps": {}, "reviews": ["2025-02-30"]}])
    with pytest.raises(CaseError, match="groups"):
        parse_input(
            {"cases": [], "plans": [{"org": "B", "year": 2025, "quota": 1, "groups": {"x": 1}}]}
        )
    with pytest.raises(CaseError, match="重复"):
        plan = {"org": "B", "year": 2025, "quota": 1}
        parse_input({"cases": [], "plans": [plan, plan]})
    assert len(PRIORITY_GROUPS) == 6
