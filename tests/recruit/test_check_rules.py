"""``dangjian check --rules RECRUIT``: the same checker over the cases in the database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.scope import SYSTEM
from dangjian.recruit import services
from dangjian.recruit.adapter import to_case
from dangjian.recruit.rules import check_cases
from dangjian.recruit.selectors import case_get
from dangjian.rules.catalogue import catalogue
from dangjian.rules.runner import findings_for
from tests.recruit.helpers import D, open_case, step, vote


def run(*args: str) -> str:
    out = StringIO()
    call_command("check_rules", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(tree):
    late_talk = open_case(tree["branch_a"], D(2025, 1, 10))
    step(late_talk, 2, D(2025, 3, 1))
    waiting = open_case(tree["branch_b"], D(2023, 1, 10))
    step(waiting, 15, D(2025, 6, 1), vote=vote(entitled=10, present=5, yes=5))
    services.set_plan(actor=SYSTEM, org=tree["town_a"], year=2025, quota=0, group_quotas={})
    return {"late_talk": late_talk, "waiting": waiting}


@pytest.mark.django_db
def test_json_findings_are_those_of_the_checker(tree, cases):
    data = json.loads(run("--rules", "RECRUIT", "--at", "2025-08-01", "--format", "json"))
    subjects = {f["subject"] for f in data}
    assert subjects == {cases["late_talk"].case_no, cases["waiting"].case_no}
    expected = check_cases(
        [to_case(case_get(SYSTEM, c.pk)) for c in cases.values()], D(2025, 8, 1)
    ).findings
    assert sorted((f["subject"], f["rule"], f["message"]) for f in data) == sorted(
        (f.subject, f.rule, f.message) for f in expected
    )
    rules = {(f["subject"], f["rule"], f["severity"]) for f in data}
    assert (cases["late_talk"].case_no, "RECRUIT-TALK-1-MONTH", "error") in rules
    assert (cases["waiting"].case_no, "RECRUIT-VOTE-MAJORITY", "error") in rules
    assert (cases["waiting"].case_no, "RECRUIT-APPROVAL-3-MONTHS", "due") in rules


@pytest.mark.django_db
def test_scope_org_rule_and_severity_filters(tree, cases):
    mine = findings_for(tree["admin_a"], rules="RECRUIT", at=D(2025, 8, 1))
    assert {f.subject for f in mine} == {cases["late_talk"].case_no}
    only = findings_for(
        SYSTEM, rules="RECRUIT", at=D(2025, 8, 1), rule_ids=["RECRUIT-VOTE-MAJORITY"]
    )
    assert {(f.subject, f.rule) for f in only} == {
        (cases["waiting"].case_no, "RECRUIT-VOTE-MAJORITY")
    }
    sub = findings_for(SYSTEM, rules="RECRUIT", org_code="TB001", at=D(2025, 8, 1))
    assert {f.subject for f in sub} == {cases["waiting"].case_no}
    due = findings_for(SYSTEM, rules="RECRUIT", at=D(2025, 8, 1), severity="due")
    assert due and all(f.severity == "due" for f in due)
    both = findings_for(SYSTEM, rules="SETUP,RECRUIT", at=D(2025, 8, 1))
    assert {f.rule.split("-")[0] for f in both} == {"SETUP", "RECRUIT"}


@pytest.mark.django_db
def test_plan_findings_have_the_org_as_subject(tree, cases):
    case = cases["waiting"]
    services.set_plan(actor=SYSTEM, org=tree["town_b"], year=2025, quota=0)
    services.decide(actor=SYSTEM, case=case, step=17, decided_on=D(2025, 7, 1), decision="approved")
    data = json.loads(
        run(
            "--rules", "RECRUIT", "--rule", "RECRUIT-PLAN", "--at", "2025-08-01", "--format", "json"
        )
    )
    assert [(f["subject"], f["severity"], f["period"]) for f in data] == [
        ("TB001", "error", "2025")
    ]


@pytest.mark.django_db
def test_table_and_catalogue(tree, cases):
    text = run("--rules", "RECRUIT", "--at", "2025-08-01")
    assert cases["late_talk"].case_no in text and "甲村党支部" in text
    assert "发展党员案例 2 个" in text and "派人谈话" in text
    entries = catalogue("RECRUIT")
    assert len(entries) == 21 and all(e.checked for e in entries)
    listed = json.loads(run("--rules", "RECRUIT", "--list-rules", "--format", "json"))
    assert listed[0]["rule"] == "RECRUIT-ORDER" and listed[-1]["rule"] == "RECRUIT-PLAN"


@pytest.mark.django_db
def test_switched_off_rule_is_listed_and_not_run(tree, cases, settings):
    settings.DANGJIAN_RULES = {"RECRUIT-TALK-1-MONTH": {"enabled": False}}
    data = json.loads(run("--rules", "RECRUIT", "--at", "2025-08-01", "--format", "json"))
    assert "RECRUIT-TALK-1-MONTH" not in {f["rule"] for f in data}
    entry = next(e for e in catalogue("RECRUIT") if e.id == "RECRUIT-TALK-1-MONTH")
    assert entry.checked is False and "停用" in entry.note


@pytest.mark.django_db
def test_bad_recruit_rule_arguments(tree):
    with pytest.raises(CommandError, match="未知或未实现的规则"):
        run("--rules", "RECRUIT", "--rule", "RECRUIT-NOPE")
    with pytest.raises(CommandError, match="--rules RECRUIT"):
        run("--rules", "SETUP", "--rule", "RECRUIT-AGE-18")
