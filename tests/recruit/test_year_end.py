"""Recruitment deadlines and 公示 across the year end (issue 9): 元旦 in the working-day count, a
notice reaching into a year the calendar does not know (not checked, with the reason), the same
notice once a calendar file for that year is added, and a one-month deadline on 1 January."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import services
from dangjian.recruit.case import parse_cases
from dangjian.recruit.rules import check_cases
from dangjian.recruit.selectors import case_findings, case_get
from tests.recruit.helpers import open_case, step

D = dt.date
RULE = "RECRUIT-PUBLICITY-5-WORKDAYS"

#: test data only — NOT the official 2027 arrangement (none had been published when written)
TEST_2027 = """\
year: 2027
source: {title: 测试用2027年放假安排（非官方，仅供测试）, number: 测试〔2026〕1号}
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
"""


def run(at: str, **fields: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    raw = {"case": "R-1", "org": "BR0001", "steps": {}}
    raw.update(fields)
    data = check_cases(parse_cases([raw]), D.fromisoformat(at)).as_dict()
    return [f for f in data["findings"] if f["rule"] in (RULE, "RECRUIT-TALK-1-MONTH")], data


def calendar_2027(tmp_path: Path) -> list[str]:
    (tmp_path / "2027.yaml").write_text(TEST_2027, encoding="utf-8")
    return [str(tmp_path)]


# activist notice before step 3 (the decision it must precede)
STEPS = {"1": "2025-03-02", "2": "2025-03-20", "3": "2026-01-12"}


def test_notice_over_new_year_2026_counts_the_adjusted_sunday() -> None:
    # 2025-12-29 … 2026-01-05: Mon–Wed worked, 元旦 Thu–Sat off, Sunday 01-04 worked (调休), Mon
    findings, _ = run(
        "2026-01-20", steps=STEPS, publicity={"activist": ["2025-12-29", "2026-01-05"]}
    )
    assert findings == []
    findings, _ = run(
        "2026-01-20", steps=STEPS, publicity={"activist": ["2025-12-30", "2026-01-05"]}
    )
    [f] = findings
    assert f["severity"] == "warning" and f["evidence"]["workdays"] == 4
    assert "2025-12-30 至 2026-01-05 仅 4 个工作日，少于 5 个工作日" in f["message"]


def test_notice_into_a_year_no_calendar_knows_is_not_checked_with_the_reason(tmp_path) -> None:
    steps = {"1": "2026-03-02", "2": "2026-03-20", "3": "2027-01-12"}
    notice = {"activist": ["2026-12-28", "2027-01-05"]}
    findings, data = run("2027-01-20", steps=steps, publicity=notice)
    assert findings == []
    assert RULE in data["not_checked"]["R-1"]
    reason = data["not_checked_reasons"]["R-1"][RULE]
    assert "确定入党积极分子公示 2026-12-28 至 2027-01-05" in reason
    assert "2027-01-01 超出法定节假日日历已知的年份（2004–2026 年）" in reason
    # the city adds the 2027 file: the same notice is judged (12-28 … 12-31, 01-04, 01-05)
    with override_settings(DANGJIAN_CALENDAR_DIRS=calendar_2027(tmp_path)):
        findings, data = run("2027-01-20", steps=steps, publicity=notice)
        assert findings == [] and RULE not in data["not_checked"].get("R-1", [])
        short = {"activist": ["2026-12-30", "2027-01-05"]}
        [f] = run("2027-01-20", steps=steps, publicity=short)[0]
        assert f["evidence"]["workdays"] == 4  # 12-30, 12-31, 01-04, 01-05: 元旦 not counted


def test_a_notice_in_2031_does_not_stop_the_check_of_other_rules() -> None:
    steps = {"1": "2030-09-02", "2": "2030-10-20", "3": "2031-03-12"}
    findings, data = run(
        "2031-04-01", steps=steps, publicity={"activist": ["2031-03-03", "2031-03-07"]}
    )
    assert RULE in data["not_checked"]["R-1"]
    talk = [f for f in findings if f["rule"] == "RECRUIT-TALK-1-MONTH"]
    assert talk and talk[0]["severity"] == "error"  # 2030-10-20 is after 2030-10-02: still judged


def test_talk_deadline_on_new_years_day() -> None:
    # applied 2026-12-01: the talk is due within a month, by 2027-01-01 (a holiday, still the day)
    steps = {"1": "2026-12-01"}
    [due] = run("2026-12-31", steps=steps)[0]
    assert due["severity"] == "due" and due["due_date"] == "2027-01-01"
    [due] = run("2027-01-01", steps=steps)[0]
    assert due["severity"] == "due"
    [late] = run("2027-01-02", steps=steps)[0]
    assert late["severity"] == "error" and "期限 2027-01-01" in late["message"]
    assert "至 2027-01-02 尚未完成" in late["message"]
    assert run("2027-01-02", steps={**steps, "2": "2027-01-01"})[0] == []


@pytest.mark.django_db
@pytest.mark.today("2027-01-15T09:00")
def test_case_page_over_the_year_end_keeps_working(tree, tmp_path, today) -> None:
    case = open_case(tree["branch_a"], D(2026, 3, 2))
    step(case, 2, D(2026, 3, 20), today=today)
    services.record_notice(
        actor=SYSTEM, case=case, kind="activist", first_day=D(2026, 12, 28), last_day=D(2027, 1, 8)
    )
    step(case, 3, D(2027, 1, 12), today=today)
    report = case_findings(case_get(SYSTEM, case.pk))
    assert RULE in report.not_checked[case.case_no]
    assert "2027-01-01 超出法定节假日日历已知的年份" in report.reasons[case.case_no][RULE]
    client = Client()
    client.force_login(tree["admin_a"])
    page = client.get(f"/recruit/cases/{case.pk}/")
    assert page.status_code == 200
    assert RULE in not_checked_line(page.content.decode())
    with override_settings(DANGJIAN_CALENDAR_DIRS=calendar_2027(tmp_path)):
        report = case_findings(case_get(SYSTEM, case.pk))
        assert RULE not in report.not_checked.get(case.case_no, [])
        assert not [f for f in report.findings if f.rule == RULE]  # 4 + 5 working days
        page = client.get(f"/recruit/cases/{case.pk}/")
        assert page.status_code == 200 and RULE not in not_checked_line(page.content.decode())


def not_checked_line(html: str) -> str:
    """The case page's paragraph listing the rules not checked ("" when there is none)."""
    return next((line for line in html.splitlines() if "未能检查" in line), "")
