"""Messages and labels of the recruitment rules name the parameters in force, not fixed numbers:
with a changed parameter the text follows it; with the defaults it reads as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from dangjian.recruit.case import parse_cases
from dangjian.recruit.forms import StepForm
from dangjian.recruit.rules import check_cases

D = dt.date


def messages(rule: str, params: dict[str, Any], at: str, **fields: Any) -> list[str]:
    raw = {"case": "R-1", "org": "BR0001", "steps": {}, **fields}
    report = check_cases(parse_cases([raw]), D.fromisoformat(at), {rule: params})
    return [f["message"] for f in report.as_dict()["findings"] if f["rule"] == rule]


def test_activist_review_names_the_interval() -> None:
    case = {"steps": {"1": "2025-01-10", "3": "2026-03-01"}, "reviews": []}
    rule = "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR"
    assert messages(rule, {"months": 6}, "2026-04-01", **case) == [
        "积极分子半年考察应于 2026-09-01 前进行"
    ]
    assert messages(rule, {"months": 3}, "2026-04-01", **case) == [
        "积极分子 3 个月考察应于 2026-06-01 前进行"
    ]


def test_contacts_name_the_most_in_force() -> None:
    case = {"steps": {"1": "2023-01-10", "3": "2023-07-10", "5": "2023-07-12"}, "contacts": 3}
    assert messages("RECRUIT-CONTACTS", {"max": 2}, "2026-06-01", **case) == [
        "培养联系人应为 1–2 名正式党员，实为 3 名"
    ]
    assert messages("RECRUIT-CONTACTS", {"max": 3}, "2026-06-01", **case) == []
    case["contacts"] = 4
    assert messages("RECRUIT-CONTACTS", {"max": 3}, "2026-06-01", **case) == [
        "培养联系人应为 1–3 名正式党员，实为 4 名"
    ]


def test_age_names_the_years_in_force() -> None:
    case = {"birth_date": "2006-05-10", "steps": {"1": "2022-05-09"}}
    assert messages("RECRUIT-AGE-18", {"years": 16}, "2026-06-01", **case) == [
        "递交入党申请书时（2022-05-09）未满 16 周岁（2022-05-10 年满 16 周岁）"
    ]


@pytest.mark.django_db
def test_contacts_label_names_the_most_in_force(settings) -> None:
    assert StepForm(number=5, roll=[]).fields["people"].label == "培养联系人（1–2 名正式党员）"
    settings.DANGJIAN_RULES = {"RECRUIT-CONTACTS": {"max": 3}}
    assert StepForm(number=5, roll=[]).fields["people"].label == "培养联系人（1–3 名正式党员）"


@pytest.mark.django_db
def test_timeline_and_case_page_name_the_review_interval(tree, settings, client) -> None:
    from dangjian.accounts.scope import SYSTEM
    from dangjian.recruit.selectors import case_get, case_timeline
    from tests.recruit.helpers import open_case, step

    case = open_case(tree["branch_a"], D(2024, 9, 1))
    step(case, 2, D(2024, 9, 10))
    step(case, 3, D(2025, 3, 10))

    def review_text() -> str:
        t = case_timeline(case_get(SYSTEM, case.pk), D(2025, 6, 1))
        return next(n.text for n in t.next_steps if n.number == 6 and n.deadline)

    client.force_login(tree["secretary_a"])
    url = reverse("recruit:case", args=[case.pk])
    assert review_text() == "培养教育考察：半年考察应于 2025-09-10 前进行"
    assert "入党积极分子考察（每半年一次）" in client.get(url).content.decode()
    settings.DANGJIAN_RULES = {"RECRUIT-ACTIVIST-REVIEW-HALF-YEAR": {"months": 3}}
    assert review_text() == "培养教育考察：3 个月考察应于 2025-06-10 前进行"
    assert "入党积极分子考察（每 3 个月一次）" in client.get(url).content.decode()
