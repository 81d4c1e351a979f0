"""Approval periods and notices (issue 9): an approved extension of the approval period (special
cases, at most 6 months in all, with reason and approving body; service, case page, API, audit);
an approval or a conversion vote past its deadline is an error, not "due" forever; the notices
of admission and conversion are judged against the branch votes, and which step a notice must
precede is a parameter with dated versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from rest_framework.test import APIClient

from dangjian.accounts.scope import SYSTEM
from dangjian.api.services import token_issue
from dangjian.core.models import AuditEntry
from dangjian.recruit import config, services
from dangjian.recruit.case import parse_cases
from dangjian.recruit.models import ApprovalExtension
from dangjian.recruit.rules import check_cases
from dangjian.recruit.selectors import approval_queue, case_findings, case_get, case_timeline
from tests.recruit.helpers import TODAY, D, decide, open_case, step, vote, walk_to_admission


def run(at: str, **fields: Any) -> list[dict[str, Any]]:
    raw = {"case": "R-1", "org": "BR0001", "steps": {}} | fields
    return [f.as_dict() for f in check_cases(parse_cases([raw]), D.fromisoformat(at)).findings]


def of(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


# --- the checker ------------------------------------------------------------------------------


def test_pending_approval_is_due_then_an_error_after_three_months():
    steps = {"15": "2025-06-10"}
    [f] = of(run("2025-09-10", steps=steps), "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "due" and f["due_date"] == "2025-09-10"
    [f] = of(run("2026-11-23", steps=steps), "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "error" and "已逾期" in f["message"]


def test_extension_to_six_months_moves_the_deadline():
    steps = {"15": "2025-06-10"}
    ext = {"17": {"months": 6, "approved_on": "2025-08-25"}}
    [f] = of(run("2025-10-01", steps=steps, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "due" and f["due_date"] == "2025-12-10"
    assert f["evidence"]["extended_months"] == 6
    approved = steps | {"17": "2025-12-10"}
    assert (
        of(run("2026-01-05", steps=approved, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
        == []
    )
    late = steps | {"17": "2025-12-11"}
    [f] = of(run("2026-01-05", steps=late, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "error" and f["evidence"]["deadline"] == "2025-12-10"
    assert "已批准延长" in f["message"]
    # past the extended deadline with no decision: an error, not due
    [f] = of(run("2025-12-11", steps=steps, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
    assert f["severity"] == "error"


def test_extension_beyond_six_months_is_an_error_and_counts_only_six():
    steps = {"15": "2025-06-10", "17": "2026-01-05"}
    ext = {"17": {"months": 7, "approved_on": "2025-08-25"}}
    found = of(run("2026-02-01", steps=steps, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
    messages = sorted(f["message"] for f in found)
    assert len(found) == 2 and all(f["severity"] == "error" for f in found)
    assert any("超过最长 6 个月" in m for m in messages)
    assert any("晚于期限 2025-12-10" in m for m in messages)


def test_extension_decided_after_the_original_deadline_does_not_count():
    steps = {"15": "2025-06-10", "17": "2025-11-20"}
    ext = {"17": {"months": 6, "approved_on": "2025-09-15"}}
    found = of(run("2025-12-01", steps=steps, approval_extensions=ext), "RECRUIT-APPROVAL-3-MONTHS")
    assert {f["evidence"]["deadline"] for f in found} == {"2025-09-10"}
    assert any("晚于原期限 2025-09-10，不能延长" in f["message"] for f in found)
    assert any("上级党委审批于 2025-11-20，晚于期限 2025-09-10" in f["message"] for f in found)


def test_conversion_approval_extension_and_overdue():
    steps = {"15": "2024-08-20", "17": "2024-09-20", "22": "2025-07-25", "23": "2025-08-21"}
    [f] = of(run("2026-11-23", steps=steps), "RECRUIT-CONVERSION-APPROVAL-3-MONTHS")
    assert f["severity"] == "error" and f["evidence"]["deadline"] == "2025-11-21"
    ext = {"24": 5}
    done = steps | {"24": "2026-01-15"}
    assert (
        of(
            run("2026-11-23", steps=done, approval_extensions=ext),
            "RECRUIT-CONVERSION-APPROVAL-3-MONTHS",
        )
        == []
    )


def test_conversion_vote_overdue_after_probation_is_an_error_not_due_forever():
    steps = {"15": "2024-08-20", "17": "2024-09-20"}
    [f] = of(run("2025-07-01", steps=steps), "RECRUIT-PROBATION-1-YEAR")
    assert (f["severity"], f["due_date"]) == ("due", "2025-08-20")
    [f] = of(run("2025-10-01", steps=steps), "RECRUIT-PROBATION-1-YEAR")
    assert (f["severity"], f["due_date"]) == ("due", "2025-11-20")
    [f] = of(run("2025-11-21", steps=steps), "RECRUIT-PROBATION-1-YEAR")
    assert f["severity"] == "error" and "至 2025-11-21 尚未讨论" in f["message"]
    [f] = of(run("2026-11-23", steps=steps | {"23": "2026-01-10"}), "RECRUIT-PROBATION-1-YEAR")
    assert f["severity"] == "error" and "未及时讨论转正" in f["message"]
    assert (
        of(run("2026-11-23", steps=steps | {"23": "2025-11-20"}), "RECRUIT-PROBATION-1-YEAR") == []
    )


def test_ended_case_has_no_deadline_running_after_its_end():
    steps = {"1": "2026-09-01"}
    [f] = of(run("2026-11-23", steps=steps), "RECRUIT-TALK-1-MONTH")
    assert f["severity"] == "error"
    # withdrawn on 09-20, before the talk was due: nothing pending any more
    assert of(run("2026-11-23", steps=steps, ended_on="2026-09-20"), "RECRUIT-TALK-1-MONTH") == []
    # withdrawn on 10-15, after the talk was already overdue: that stays a fact
    [f] = of(run("2026-11-23", steps=steps, ended_on="2026-10-15"), "RECRUIT-TALK-1-MONTH")
    assert "至 2026-10-15 尚未完成（案例已于该日结束）" in f["message"]


def test_admission_notice_is_judged_against_the_branch_vote():
    steps = {"15": "2024-08-20", "17": "2024-09-20"}
    after_vote = {"admission": ["2024-09-09", "2024-09-13"]}
    [f] = of(run("2024-12-01", steps=steps, publicity=after_vote), "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert f["evidence"]["step_15"] == "2024-08-20"
    assert "第 15 步“支部大会讨论”却在 2024-08-20 进行" in f["message"]
    before_vote = {"admission": ["2024-08-12", "2024-08-16"]}
    assert (
        of(run("2024-12-01", steps=steps, publicity=before_vote), "RECRUIT-PUBLICITY-5-WORKDAYS")
        == []
    )
    steps = {"15": "2024-08-20", "17": "2024-09-20", "22": "2025-07-25", "23": "2025-08-21"}
    conversion = {
        "admission": ["2024-08-12", "2024-08-16"],
        "conversion": ["2025-08-18", "2025-08-22"],
    }
    [f] = of(run("2025-12-01", steps=steps, publicity=conversion), "RECRUIT-PUBLICITY-5-WORKDAYS")
    assert f["evidence"]["notice"] == "conversion" and f["evidence"]["step_23"] == "2025-08-21"


def test_which_step_a_notice_precedes_is_a_parameter_with_dated_versions():
    cases = parse_cases(
        [
            {
                "case": "R-1",
                "org": "BR0001",
                "steps": {"15": "2024-08-20", "17": "2024-09-20"},
                "publicity": {"admission": ["2024-09-09", "2024-09-13"]},
            }
        ]
    )
    rules = {"RECRUIT-PUBLICITY-5-WORKDAYS": {"before": {"admission": 17}}}
    with override_settings(DANGJIAN_RULES=rules):
        assert not [
            f
            for f in config.check(cases, D(2024, 12, 1)).findings
            if f.rule.startswith("RECRUIT-PUB")
        ]
    versions = {
        "RECRUIT": {
            "versions": [
                {"valid_from": "2024-09-01", "version": "2024-09", "rules": rules},
            ]
        }
    }
    with override_settings(DANGJIAN_RULES=versions):
        # judged by the version in force on the date of step 17 (2024-09-20): before = 17
        assert not [
            f
            for f in config.check(cases, D(2024, 12, 1)).findings
            if f.rule.startswith("RECRUIT-PUB")
        ]
        before_version = parse_cases(
            [
                {
                    "case": "R-2",
                    "org": "BR0001",
                    "steps": {"15": "2024-06-20", "17": "2024-07-20"},
                    "publicity": {"admission": ["2024-07-08", "2024-07-12"]},
                }
            ]
        )
        found = [
            f
            for f in config.check(before_version, D(2024, 12, 1)).findings
            if f.rule.startswith("RECRUIT-PUB")
        ]
        assert [f.evidence["step_15"] for f in found] == ["2024-06-20"]


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        ({"RECRUIT-PUBLICITY-5-WORKDAYS": {"before": {"admission": 26}}}, "before.admission"),
        ({"RECRUIT-PUBLICITY-5-WORKDAYS": {"before": {"oath": 20}}}, "未知公示类别"),
        ({"RECRUIT-APPROVAL-3-MONTHS": {"max_months": 2}}, "max_months 不能小于 months"),
        ({"RECRUIT-PROBATION-1-YEAR": {"vote_within_months": 0}}, "vote_within_months"),
    ],
)
def test_bad_parameters_are_refused_in_chinese(rules, match):
    with override_settings(DANGJIAN_RULES=rules), pytest.raises(ValueError, match=match):
        config.rule_config()


# --- service, pages, API ----------------------------------------------------------------------


@pytest.fixture
def voted(tree):
    case = open_case(tree["branch_a"], D(2025, 1, 6), name="孙立")
    step(case, 3, D(2025, 7, 15))
    step(case, 7, D(2026, 7, 20))
    step(case, 15, D(2026, 8, 3), vote=vote())
    return case


def extend(case, actor=SYSTEM, **kw):
    data = {
        "step": 17,
        "months": 6,
        "approved_on": D(2026, 10, 20),
        "approved_by": "甲镇党委",
        "reason": "发展对象外出援疆，上级党委派人谈话推迟",
    } | kw
    return services.approval_extend(actor=actor, case=case, today=TODAY, **data)


@pytest.mark.django_db
def test_extension_recorded_audited_and_used_by_queue_and_timeline(tree, voted):
    assert [i.deadline for i in approval_queue(tree["admin_a"], D(2026, 11, 20))] == [
        D(2026, 11, 3)
    ]
    assert approval_queue(tree["admin_a"], D(2026, 11, 20))[0].overdue
    item = extend(voted, actor=tree["admin_a"])
    assert (item.months, item.round, item.approved_by) == (6, 1, "甲镇党委")
    entry = AuditEntry.objects.filter(action="recruit.approval_extend").get()
    assert entry.after["months"] == 6 and entry.after["reason"].startswith("发展对象外出援疆")
    assert entry.actor_name and entry.before is None
    [queued] = approval_queue(tree["admin_a"], D(2026, 11, 20))
    assert queued.deadline == D(2027, 2, 3) and not queued.overdue
    t = case_timeline(case_get(SYSTEM, voted.pk), D(2026, 11, 20))
    approval = next(n for n in t.next_steps if n.number == 17)
    assert approval.deadline == D(2027, 2, 3) and "已批准延长审批期限" in approval.text
    [f] = [
        f
        for f in case_findings(case_get(SYSTEM, voted.pk), D(2026, 11, 20)).findings
        if f.rule == "RECRUIT-APPROVAL-3-MONTHS"
    ]
    assert f.severity == "due" and f.due_date == D(2027, 2, 3)
    # a correction is audited with before and after
    extend(voted, months=5)
    last = AuditEntry.objects.filter(action="recruit.approval_extend").order_by("-seq").first()
    assert last.before["months"] == 6 and last.after["months"] == 5
    assert ApprovalExtension.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "match"),
    [
        ({"months": 7}, "months", "最长 6 个月"),
        ({"months": 3}, "months", "多于 3 个月"),
        ({"reason": " "}, "reason", "特殊情况"),
        ({"approved_by": ""}, "approved_by", "批准延长的党委"),
        ({"approved_on": D(2026, 7, 1)}, "approved_on", "早于支部大会讨论"),
        ({"approved_on": D(2026, 11, 2)}, "approved_on", "晚于今天"),
        ({"step": 13}, "step", "只有第 17 步"),
        ({"step": 24}, "step", "请先记录第 23 步"),
    ],
)
def test_extension_refuses_what_cannot_be_and_writes_nothing(tree, voted, change, field, match):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        extend(voted, **change)
    assert any(match in m for m in exc.value.message_dict[field])
    assert AuditEntry.objects.count() == before and not ApprovalExtension.objects.exists()


@pytest.mark.django_db
def test_extension_needs_the_approval_right_and_no_decision_yet(tree, voted):
    with pytest.raises(PermissionDenied):
        extend(voted, actor=tree["secretary_a"])
    decide(voted, 17, D(2026, 9, 20))
    with pytest.raises(ValidationError, match="已有审批结论"):
        extend(voted)


@pytest.mark.django_db
def test_case_page_records_and_shows_the_extension(tree, voted):
    client = Client()
    client.force_login(tree["admin_a"])
    html = client.get(f"/recruit/cases/{voted.pk}/").content.decode()
    assert 'id="extensions"' in html and "记录延长审批期限" in html
    response = client.post(
        f"/recruit/cases/{voted.pk}/extensions/",
        {
            "step": 17,
            "months": 6,
            "approved_on": "2026-10-20",
            "approved_by": "甲镇党委",
            "reason": "谈话人因公外出",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "审批期限延长至 6 个月，甲镇党委 于 2026-10-20 批准；特殊情况：谈话人因公外出" in text
    response = client.post(
        f"/recruit/cases/{voted.pk}/extensions/",
        {
            "step": 17,
            "months": 8,
            "approved_on": "2026-10-20",
            "approved_by": "甲镇党委",
            "reason": "x",
        },
    )
    assert response.status_code == 400 and "最长 6 个月" in response.content.decode()
    # the branch secretary sees it but cannot record one
    secretary = Client()
    secretary.force_login(tree["secretary_a"])
    html = secretary.get(f"/recruit/cases/{voted.pk}/").content.decode()
    assert "谈话人因公外出" in html and "记录延长审批期限" not in html
    response = secretary.post(f"/recruit/cases/{voted.pk}/extensions/", {"step": 17})
    assert response.status_code == 403


@pytest.mark.django_db
def test_api_records_the_extension(tree, voted):
    client = APIClient()
    _token, raw = token_issue(user=tree["admin_a"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    url = f"/api/v1/recruitment/cases/{voted.pk}/extensions/"
    body = {
        "step": 17,
        "months": 6,
        "approved_on": "2026-10-20",
        "approved_by": "甲镇党委",
        "reason": "特殊情况",
    }
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["extensions"] == [
        {
            "step": 17,
            "round": 1,
            "months": 6,
            "approved_on": "2026-10-20",
            "approved_by": "甲镇党委",
            "reason": "特殊情况",
        }
    ]
    response = client.post(url, body | {"months": 9}, format="json")
    assert response.status_code == 400 and "最长 6 个月" in response.json()["months"][0]
    _token, raw = token_issue(user=tree["secretary_a"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.post(url, body, format="json").status_code == 403


@pytest.mark.django_db
def test_conversion_extension_after_an_extended_probation_is_of_round_two(tree):
    case = walk_to_admission(tree["branch_a"], tree["members_a"], approver=tree["town_a"])
    step(case, 22, D(2025, 7, 25))
    step(case, 23, D(2025, 8, 21), vote=vote())
    decide(case, 24, D(2025, 9, 1), "extended", extension_months=6)
    step(case, 22, D(2026, 1, 25))
    step(case, 23, D(2026, 2, 21), vote=vote())
    item = extend(case, step=24, months=6, approved_on=D(2026, 5, 10))
    assert item.round == 2
    t = case_timeline(case_get(SYSTEM, case.pk), D(2026, 6, 1))
    assert next(n for n in t.next_steps if n.number == 24).deadline == D(2026, 8, 21)


@pytest.mark.django_db
def test_withdrawn_case_ends_its_deadlines(tree):
    case = open_case(tree["branch_a"], D(2026, 9, 1))
    services.withdraw_case(
        actor=SYSTEM, case=case, on=D(2026, 9, 20), reason="本人撤回申请", today=TODAY
    )
    case.refresh_from_db()
    assert case.ended_on == D(2026, 9, 20)
    findings = case_findings(case_get(SYSTEM, case.pk), D(2026, 11, 23)).findings
    assert not [f for f in findings if f.rule == "RECRUIT-TALK-1-MONTH"]
    with pytest.raises(ValidationError, match="早于递交入党申请书的日期"):
        other = open_case(tree["branch_a"], D(2026, 9, 1))
        services.withdraw_case(actor=SYSTEM, case=other, on=D(2026, 8, 1), today=TODAY)


def test_approval_deadline_arithmetic_matches_the_checker():
    from dangjian.recruit.case import ApprovalExtension as Ext
    from dangjian.recruit.rules import approval_deadline

    vote_on = dt.date(2025, 11, 30)
    assert approval_deadline(vote_on, None) == dt.date(2026, 2, 28)
    assert approval_deadline(vote_on, Ext(6, dt.date(2026, 1, 5))) == dt.date(2026, 5, 30)
    assert approval_deadline(vote_on, Ext(9, dt.date(2026, 1, 5))) == dt.date(2026, 5, 30)
    assert approval_deadline(vote_on, Ext(6, dt.date(2026, 3, 1))) == dt.date(2026, 2, 28)
