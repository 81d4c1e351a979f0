"""LIFE-* rules at their boundaries: period ends, leap years, 1 January, mid-year committees."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org
from tests.life.helpers import attend, meet

D = dt.date


def life(rule: str, *, org: str = "BA001", at: dt.date, since: dt.date | None = None):
    found = findings_for(SYSTEM, rules="LIFE", rule_ids=[rule], org_code=org, at=at, since=since)
    return [(f.subject, f.severity, f.period) for f in found], found


# --- LIFE-ASSEMBLY-QUARTERLY ---------------------------------------------------------------


def test_assembly_on_last_day_of_quarter_counts_for_that_quarter(tree):
    meet(tree["branch_a"], "支部党员大会", D(2026, 3, 31))
    keys, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 6, 30))
    # Q1 met on its last day; Q2 contains ``at`` (its last day): due, 0 days left
    assert keys == [("BA001", "due", "2026-Q2")]
    assert found[0].due_date == D(2026, 6, 30)
    assert found[0].evidence["days_left"] == 0
    assert "还剩 0 天" in found[0].message


def test_assembly_missed_quarter_is_error_the_day_after(tree):
    meet(tree["branch_a"], "支部党员大会", D(2026, 4, 1))  # Q2, not Q1
    keys, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 7, 1))
    assert keys == [("BA001", "error", "2026-Q1"), ("BA001", "due", "2026-Q3")]
    assert found[0].evidence["held"] == 0
    assert found[0].due_date is None
    assert "2026年第1季度未召开支部党员大会" in found[0].message
    assert found[1].evidence["days_left"] == 91  # 1 July → 30 September


def test_meeting_on_first_of_january(tree):
    meet(tree["branch_a"], "支部党员大会", D(2025, 12, 31))
    keys, _ = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 4, 1))
    assert keys == [("BA001", "error", "2026-Q1"), ("BA001", "due", "2026-Q2")]
    meet(tree["branch_a"], "支部党员大会", D(2026, 1, 1))
    keys, _ = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 4, 1))
    assert keys == [("BA001", "due", "2026-Q2")]
    # on 1 January itself only the new year's first quarter is considered
    keys, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 1, 1))
    assert keys == []
    keys, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2025, 1, 1))
    assert keys == [("BA001", "due", "2025-Q1")]
    assert found[0].evidence["days_left"] == 89


def test_met_requirement_leaves_no_due(tree):
    meet(tree["branch_a"], "支部党员大会", D(2026, 5, 5))
    keys, _ = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 5, 6), since=D(2026, 4, 1))
    assert keys == []


def test_only_branches_get_branch_rules(tree):
    found = findings_for(SYSTEM, rules="LIFE", at=D(2026, 3, 31))
    assert {f.subject for f in found} == {"BA001", "BB001", "D0001", "TA001", "TB001"}
    # the 党委 / 党工委 only owe their secretary's 党课
    assert {f.rule for f in found if f.subject in ("D0001", "TA001", "TB001")} == {
        "LIFE-SECRETARY-LECTURE-YEARLY"
    }


def test_org_founded_mid_period_is_checked_from_the_next_period(tree):
    young = make_org(tree["town_a"], org_type="党支部", code="BY001", founded_on=D(2026, 5, 10))
    keys, _ = life("LIFE-ASSEMBLY-QUARTERLY", org="BY001", at=D(2026, 9, 30))
    assert keys == [("BY001", "due", "2026-Q3")]
    # before it was founded it is no subject at all
    assert life("LIFE-ASSEMBLY-QUARTERLY", org="BY001", at=D(2026, 5, 1))[0] == []
    assert young.pk


# --- monthly rules and the leap year ----------------------------------------------------------


def test_theme_day_leap_year_february(tree):
    keys, found = life("LIFE-THEME-DAY-MONTHLY", at=D(2028, 2, 29), since=D(2028, 2, 1))
    assert keys == [("BA001", "due", "2028-02")]
    assert found[0].due_date == D(2028, 2, 29)
    assert found[0].evidence["days_left"] == 0
    keys, _ = life("LIFE-THEME-DAY-MONTHLY", at=D(2028, 3, 1), since=D(2028, 2, 1))
    assert keys == [("BA001", "error", "2028-02"), ("BA001", "due", "2028-03")]
    meet(tree["branch_a"], "主题党日", D(2028, 2, 29))
    keys, _ = life("LIFE-THEME-DAY-MONTHLY", at=D(2028, 3, 1), since=D(2028, 2, 1))
    assert keys == [("BA001", "due", "2028-03")]


def test_theme_day_every_month_of_the_year(tree):
    for month in range(1, 12):
        if month != 7:
            meet(tree["branch_a"], "主题党日", D(2026, month, 15))
    keys, _ = life("LIFE-THEME-DAY-MONTHLY", at=D(2026, 12, 1))
    assert keys == [("BA001", "error", "2026-07"), ("BA001", "due", "2026-12")]


LONG_AGO = D(2010, 7, 1)


def _committee(branch, posts=("书记", "组织委员", "宣传委员")):
    for post in posts:
        make_member(branch, post=post, joined_on=LONG_AGO)


def test_committee_monthly_only_for_branches_with_a_committee(tree):
    _committee(tree["branch_a"], posts=("书记", "组织委员"))
    keys, _ = life("LIFE-COMMITTEE-MONTHLY", at=D(2026, 3, 31))
    assert keys == []
    make_member(tree["branch_a"], post="宣传委员")
    keys, _ = life("LIFE-COMMITTEE-MONTHLY", at=D(2026, 3, 31))
    assert keys == [
        ("BA001", "error", "2026-01"),
        ("BA001", "error", "2026-02"),
        ("BA001", "due", "2026-03"),
    ]


def test_committee_elected_mid_year(tree):
    branch = make_org(
        tree["town_a"], org_type="党支部", code="BC001", term_started_on=D(2026, 6, 15)
    )
    _committee(branch)
    meet(branch, "支委会", D(2026, 7, 20))
    keys, _ = life("LIFE-COMMITTEE-MONTHLY", org="BC001", at=D(2026, 9, 30))
    # no 支委会 before the term began: January–June are not required; July was met
    assert keys == [("BC001", "error", "2026-08"), ("BC001", "due", "2026-09")]


def test_committee_with_post_holder_joining_mid_year(tree):
    branch = make_org(tree["town_a"], org_type="党支部", code="BC002")
    _committee(branch, posts=("书记", "组织委员"))
    make_member(branch, post="宣传委员", joined_on=D(2026, 4, 10), member_type="预备党员")
    keys, _ = life("LIFE-COMMITTEE-MONTHLY", org="BC002", at=D(2026, 6, 10))
    assert keys == [("BC002", "error", "2026-05"), ("BC002", "due", "2026-06")]


def test_group_monthly_per_group(tree):
    group1 = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    group2 = make_org(tree["branch_a"], org_type="党小组", code="GA002")
    meet(group1, "党小组会", D(2026, 1, 10))
    meet(group1, "党小组会", D(2026, 2, 10))
    meet(group2, "党小组会", D(2026, 2, 28))
    keys, _ = life("LIFE-GROUP-MONTHLY", at=D(2026, 2, 28))
    assert keys == [("GA002", "error", "2026-01")]
    assert group1.pk and group2.pk


# --- yearly rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule,meeting_type",
    [
        ("LIFE-ORG-LIFE-MEETING-YEARLY", "组织生活会"),
        ("LIFE-DEMOCRATIC-REVIEW-YEARLY", "民主评议党员"),
        ("LIFE-HEART-TALK-YEARLY", "谈心谈话"),
    ],
)
def test_yearly_rules(tree, rule, meeting_type):
    keys, found = life(rule, at=D(2026, 12, 31), since=D(2025, 1, 1))
    assert keys == [("BA001", "error", "2025"), ("BA001", "due", "2026")]
    assert found[1].evidence["days_left"] == 0
    meet(tree["branch_a"], meeting_type, D(2025, 12, 31))
    meet(tree["branch_a"], meeting_type, D(2026, 1, 1))
    assert life(rule, at=D(2026, 12, 31), since=D(2025, 1, 1))[0] == []


def test_lecture_quarterly_and_other_types_do_not_count(tree):
    meet(tree["branch_a"], "主题党日", D(2026, 2, 1), topic="党课与主题党日")
    keys, _ = life("LIFE-LECTURE-QUARTERLY", at=D(2026, 3, 31))
    assert keys == [("BA001", "due", "2026-Q1")]
    meet(tree["branch_a"], "党课", D(2026, 2, 1))
    assert life("LIFE-LECTURE-QUARTERLY", at=D(2026, 3, 31))[0] == []


# --- per-record warnings --------------------------------------------------------------------


def test_late_entry_warning(tree):
    meet(tree["branch_a"], "支委会", D(2026, 3, 1), entered_on=D(2026, 4, 1), late=True)
    meet(tree["branch_a"], "支委会", D(2026, 3, 2), entered_on=D(2026, 4, 1), late=False)
    keys, found = life("LIFE-LATE-ENTRY", at=D(2026, 6, 30))
    assert keys == [("BA001", "warning", "2026-03")]
    assert found[0].evidence["days"] == 31
    assert found[0].evidence["late_days"] == 30
    # not yet known before it was entered
    assert life("LIFE-LATE-ENTRY", at=D(2026, 3, 31))[0] == []


def test_assembly_quorum(tree):
    meet(tree["branch_a"], "支部党员大会", D(2026, 2, 1), expected=10, present=5)
    meet(tree["branch_a"], "支部党员大会", D(2026, 3, 1), expected=10, present=6)
    meet(tree["branch_a"], "支部党员大会", D(2026, 3, 2))  # numbers not given: not checked
    keys, found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert keys == [("BA001", "warning", "2026-02")]
    assert found[0].evidence["present"] == 5


def _absent_months(branch, member, months, reason="因事", year=2026):
    other = make_member(branch)
    for month in months:
        m = meet(branch, "主题党日", D(year, month, 10))
        attend(m, member, False, reason)
        attend(m, other, True)


def test_absent_six_months_flags_the_branch(tree):
    member = tree["members_a"][0]
    _absent_months(tree["branch_a"], member, range(1, 7))
    keys, found = life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 30))
    assert keys == [("BA001", "warning", "2026-06")]
    evidence = found[0].evidence
    assert evidence["member_id"] == member.pk
    assert evidence["months"] == [f"2026-{m:02d}" for m in range(1, 7)]
    # the branch must know who: the person is named with the branch, never "记录 123"
    assert evidence["name"] == member.name and evidence["branch"] == "甲村党支部"
    assert f"{member.name}（甲村党支部）2026年1月至2026年6月连续 6 个月" in found[0].message
    assert "记录" not in found[0].message
    assert [(a["held_on"], a["reason"]) for a in evidence["absences"]] == [
        (f"2026-{m:02d}-10", "因事") for m in range(1, 7)
    ]
    assert "缺席 6 次（因事 6 次）" in found[0].message
    # June is not complete on 29 June
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 6, 29))[0] == []


def test_absent_five_months_or_with_good_reason_is_not_flagged(tree):
    member = tree["members_a"][0]
    _absent_months(tree["branch_a"], member, range(1, 6))
    _absent_months(tree["branch_a"], member, [6], reason="因病")
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 7, 31))[0] == []


def test_absent_run_broken_by_a_month_without_meetings(tree):
    member = tree["members_a"][0]
    _absent_months(tree["branch_a"], member, [1, 2, 3, 5, 6, 7])
    assert life("LIFE-ABSENT-6-MONTHS", at=D(2026, 7, 31))[0] == []


def test_absent_run_may_start_before_since(tree):
    member = tree["members_a"][0]
    _absent_months(tree["branch_a"], member, [10, 11, 12], year=2025)
    _absent_months(tree["branch_a"], member, [1, 2, 3])
    keys, found = life("LIFE-ABSENT-6-MONTHS", at=D(2026, 4, 1))
    assert keys == [("BA001", "warning", "2026-03")]
    assert found[0].evidence["months"][0] == "2025-10"


# --- running --------------------------------------------------------------------------------


def test_setup_and_life_together(tree):
    both = findings_for(SYSTEM, rules="SETUP,LIFE", at=D(2026, 3, 31))
    families = {f.rule.split("-")[0] for f in both}
    assert families == {"SETUP", "LIFE"}
    setup = findings_for(SYSTEM, rules="SETUP", at=D(2026, 3, 31))
    lifes = findings_for(SYSTEM, rules="LIFE", at=D(2026, 3, 31))
    assert len(both) == len(setup) + len(lifes)
    keys = [(f.subject, f.rule) for f in both]
    assert keys == sorted(keys)


def test_scope_of_life_findings(tree):
    found = findings_for(tree["admin_a"], rules="LIFE", at=D(2026, 3, 31))
    assert {f.subject for f in found} == {"BA001", "TA001"}
    assert findings_for(tree["sysadmin"], rules="LIFE", at=D(2026, 3, 31)) == []


@pytest.mark.parametrize(
    "since,at,text",
    [
        (D(2026, 5, 1), D(2026, 4, 1), "晚于检查日期"),
        (D(2020, 1, 1), D(2026, 4, 1), "不能超过 5 年"),
    ],
)
def test_bad_window(tree, since, at, text):
    with pytest.raises(ValueError, match=text):
        findings_for(SYSTEM, rules="LIFE", at=at, since=since)


def test_query_count_is_constant_in_the_number_of_orgs(tree):
    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            findings_for(SYSTEM, rules="LIFE", at=D(2026, 9, 30))
        return len(ctx.captured_queries)

    member = tree["members_a"][0]
    _absent_months(tree["branch_a"], member, range(1, 7))
    _committee(tree["branch_a"])
    meet(tree["branch_a"], "支部党员大会", D(2026, 2, 1), expected=10, present=2)
    meet(tree["branch_a"], "党课", D(2026, 2, 1), entered_on=D(2026, 5, 1), late=True)
    small = run()
    for n in range(6):
        branch = make_org(tree["town_b"], org_type="党支部", code=f"BX{n:03d}")
        _committee(branch)
        group = make_org(branch, org_type="党小组", code=f"GX{n:03d}")
        meet(group, "党小组会", D(2026, 3, 3))
        other = make_member(branch)
        _absent_months(branch, other, range(1, 7))
        meet(branch, "支部党员大会", D(2026, 2, 1), expected=10, present=2)
        meet(branch, "党课", D(2026, 2, 1), entered_on=D(2026, 5, 1), late=True)
        committee = make_org(tree["root"], org_type="党委", code=f"CX{n:03d}")
        below = make_org(committee, org_type="党支部", code=f"CB{n:03d}")
        meet(below, "党课", D(2026, 3, 1), lecturer_role="上级党委书记", lecturer_org=committee)
    big = run()
    assert big == small
    # organizations, one query per rule family of facts (per-month counts of the main type and
    # of records of several types, 所属年度 counts, committees, secretary lectures by month and
    # by year, late records, quorum, absences), then the few candidates' members, absences and
    # statuses
    assert small <= 16


def test_local_configuration(tree, settings):
    settings.DANGJIAN_RULES = {
        "LIFE-LECTURE-QUARTERLY": {"frequency": "month", "min_count": 2},
        "LIFE": {"version": "某市-2026-1", "source": "某市委组织部文件"},
    }
    meet(tree["branch_a"], "党课", D(2026, 1, 5))
    keys, found = life("LIFE-LECTURE-QUARTERLY", at=D(2026, 2, 10))
    assert keys == [("BA001", "error", "2026-01"), ("BA001", "due", "2026-02")]
    assert found[0].evidence["held"] == 1 and found[0].evidence["required"] == 2
    assert found[0].evidence["config"] == {"version": "某市-2026-1", "source": "某市委组织部文件"}
    settings.DANGJIAN_RULES = {"LIFE-LECTURE-QUARTERLY": {"frequency": "week"}}
    with pytest.raises(ValueError, match="frequency"):
        life("LIFE-LECTURE-QUARTERLY", at=D(2026, 2, 10))
    settings.DANGJIAN_RULES = {"LIFE-LECTURE-QUARTERLY": {"enabled": False}}
    assert life("LIFE-LECTURE-QUARTERLY", at=D(2026, 2, 10))[0] == []


def test_default_evidence_names_the_config(tree):
    _, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 2, 10))
    assert found[0].evidence["config"]["version"].startswith("rules.md")


# --- command line ---------------------------------------------------------------------------


def test_check_command_life_json(tree, capsys):
    meet(tree["branch_a"], "支部党员大会", D(2026, 1, 5))
    call_command(
        "check_rules",
        "--rules",
        "LIFE",
        "--org",
        "BA001",
        "--since",
        "2026-01-01",
        "--at",
        "2026-04-15",
        "--format",
        "json",
        "--rule",
        "LIFE-ASSEMBLY-QUARTERLY",
    )
    data = json.loads(capsys.readouterr().out)
    assert data == [
        {
            "rule": "LIFE-ASSEMBLY-QUARTERLY",
            "subject": "BA001",
            "severity": "due",
            "period": "2026-Q2",
            "message": data[0]["message"],
            "source": "支部条例 art. 11",
            "evidence": data[0]["evidence"],
            "due_date": "2026-06-30",
        }
    ]
    assert data[0]["evidence"]["days_left"] == 76


def test_check_command_table_and_catalogue(tree, capsys):
    call_command("check_rules", "--rules", "LIFE", "--at", "2026-04-15", "--format", "table")
    out = capsys.readouterr().out
    assert "LIFE-THEME-DAY-MONTHLY" in out
    assert "LIFE-SECRETARY-LECTURE-YEARLY" in out  # TA001, TB001, D0001: due this year
    call_command("check_rules", "--rules", "SETUP,LIFE", "--list-rules", "--format", "json")
    rules = {r["rule"]: r["checked"] for r in json.loads(capsys.readouterr().out)}
    assert rules["LIFE-ABSENT-6-MONTHS"] is True
    assert rules["LIFE-SECRETARY-LECTURE-YEARLY"] is True
    assert rules["SETUP-BRANCH-MIN-FULL"] is True


def test_check_command_bad_since(tree):
    with pytest.raises(CommandError, match="--since"):
        call_command("check_rules", "--rules", "LIFE", "--since", "2026-02-30")


def test_assembly_quorum_counts_members_with_a_vote_on_the_day(tree):
    full = tree["members_a"]  # four full members
    probationary = [make_member(tree["branch_a"], member_type="预备党员") for _ in range(2)]
    m = meet(tree["branch_a"], "支部党员大会", D(2026, 4, 8))
    for member, here in zip(full, (True, True, False, False), strict=True):
        attend(m, member, here, "" if here else "因事")
    for member in probationary:
        attend(m, member, True)
    m.expected, m.present = 6, 4  # more than half of everybody, but not of those who vote
    m.save()
    keys, found = life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))
    assert keys == [("BA001", "warning", "2026-04")]
    assert found[0].evidence == {
        "meeting_id": m.pk,
        "held_on": "2026-04-08",
        "expected": 4,
        "present": 2,
        "basis": "voters",
        "without_vote": {"预备党员": 2},
        "config": found[0].evidence["config"],
    }
    assert "有表决权的党员 4 人（没有表决权的不计：预备党员 2 人），到会 2 人" in found[0].message
    a = m.attendance.get(member=full[2])
    a.present, a.reason = True, ""
    a.save()
    assert life("LIFE-ASSEMBLY-QUORUM", at=D(2026, 6, 30))[0] == []
