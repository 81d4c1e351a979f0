"""findings_for / findings_for_org: scope, filters, identical results, constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.models import User
from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.rules import findings_for_org
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org

AT = dt.date(2026, 6, 30)


def rules_of(findings, subject):
    return sorted(f.rule for f in findings if f.subject == subject)


def test_system_sees_branch_findings(tree):
    findings = findings_for(SYSTEM, at=AT)
    # BB001 has 2 full members; BA001 has 4: only BB001 is short of full members
    short = [f for f in findings if f.rule == "SETUP-BRANCH-MIN-FULL"]
    assert [f.subject for f in short] == ["BB001"]
    assert short[0].evidence["full_members"] == 2
    assert short[0].severity == "error"
    assert "正式党员 2 名，少于 3 名" in short[0].message
    keys = [(f.subject, f.rule) for f in findings]
    assert keys == sorted(keys)


def test_committee_admin_does_not_get_other_subtree(tree):
    findings = findings_for(tree["admin_a"], at=AT)
    subjects = {f.subject for f in findings}
    assert "BA001" in subjects
    assert "TA001" in subjects
    assert not subjects & {"TB001", "BB001", "D0001"}


def test_org_code_outside_scope_is_404(tree):
    with pytest.raises(Http404):
        findings_for(tree["admin_a"], org_code="TB001", at=AT)
    with pytest.raises(Http404):
        findings_for(tree["admin_a"], org_code="NOPE", at=AT)
    with pytest.raises(Http404):
        findings_for_org(tree["admin_a"], tree["branch_b"], at=AT)


def test_org_code_limits_to_subtree(tree):
    findings = findings_for(tree["admin"], org_code="TB001", at=AT)
    assert {f.subject for f in findings} <= {"TB001", "BB001"}
    assert "BB001" in {f.subject for f in findings}


def test_actor_without_finding_permission_sees_nothing(tree):
    assert findings_for(tree["sysadmin"], at=AT) == []
    assert findings_for(tree["auditor"], at=AT) == []


def test_findings_for_org_equals_scope_run(tree):
    make_member(tree["branch_a"], post="书记", confirmed_on=dt.date(2026, 1, 1))
    everything = findings_for(SYSTEM, at=AT)
    for key in ("root", "town_a", "town_b", "branch_a", "branch_b"):
        org = tree[key]
        mine = findings_for_org(SYSTEM, org, at=AT)
        assert mine == [f for f in everything if f.subject == org.code], key


def test_filters(tree):
    make_org(tree["town_a"], org_type="联合党支部", sector="农村", code="JA001", units_covered=7)
    only = findings_for(SYSTEM, at=AT, rule_ids=["SETUP-JOINT-BRANCH-UNITS"])
    assert [(f.subject, f.severity) for f in only] == [("JA001", "warning")]
    errors = findings_for(SYSTEM, at=AT, severity="error")
    assert errors and all(f.severity == "error" for f in errors)
    rural = findings_for(SYSTEM, at=AT, sector="社区")
    assert {f.subject for f in rural} == {"TB001", "BB001"}


@pytest.mark.parametrize(
    "kwargs,text",
    [
        ({"rules": "ASSESS"}, "尚未实现"),
        ({"rules": "XYZ"}, "未知规则族"),
        ({"rule_ids": ["SETUP-NOPE"]}, "未知或未实现的规则"),
        ({"severity": "fatal"}, "未知的级别"),
        ({"sector": "火星"}, "未知领域"),
    ],
)
def test_bad_arguments_raise_chinese_value_error(tree, kwargs, text):
    with pytest.raises(ValueError, match=text):
        findings_for(SYSTEM, at=AT, **kwargs)


def _grow(parent, n):
    for _ in range(n):
        branch = make_org(parent, org_type="党支部", sector="机关")
        make_member(branch, post="书记")
        make_member(branch, member_type="预备党员", confirmed_on=None)


def _count(func):
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx.captured_queries), result


def test_query_count_is_constant(tree, django_assert_max_num_queries):
    admin_a = User.objects.get(pk=tree["admin_a"].pk)  # fresh instance: org not cached
    _grow(tree["town_a"], 2)
    small_n, small = _count(lambda: findings_for(admin_a, at=AT))
    _grow(tree["town_a"], 12)
    admin_a = User.objects.get(pk=admin_a.pk)
    big_n, big = _count(lambda: findings_for(admin_a, at=AT))
    assert len(big) > len(small)
    assert small_n == big_n
    # organizations (with their election delays), the roll grouped by organization, and the
    # members with a decided standing (留党察看, 出党 …), found from the status records
    with django_assert_max_num_queries(4):
        findings_for(admin_a, at=AT)
    with django_assert_max_num_queries(4):
        findings_for(SYSTEM, org_code="TA001", at=AT)
    with django_assert_max_num_queries(3):
        findings_for_org(SYSTEM, tree["town_a"], at=AT)
    with django_assert_max_num_queries(3):
        findings_for_org(SYSTEM, tree["branch_a"], at=AT)


def test_region_filter_is_a_prefix(tree):
    make_org(tree["town_a"], code="RG001", region_code="110105001001")
    make_org(tree["town_a"], code="RG002", region_code="120101001001")
    subjects = {f.subject for f in findings_for(SYSTEM, at=AT, region="110105")}
    assert subjects == {"RG001"}
    subjects = {f.subject for f in findings_for(SYSTEM, at=AT, region="1")}
    assert subjects == {"RG001", "RG002"}
