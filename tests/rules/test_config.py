"""Local configuration of rules (DANGJIAN_RULES): changed parameters, switched-off rules."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.dates import add_months
from dangjian.rules.catalogue import catalogue
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org

AT = dt.date(2026, 6, 30)


@pytest.fixture
def vacant_four_months(db):
    root = make_org(None, org_type="党委", code="CFG0")
    branch = make_org(root, code="CFG1", secretary_vacant_since=add_months(AT, -4))
    for _ in range(3):
        make_member(branch)
    return branch


def vacancy(findings):
    return next(f for f in findings if f.rule == "SETUP-SECRETARY-VACANT" and f.subject == "CFG1")


def test_default_three_months(vacant_four_months):
    assert vacancy(findings_for(SYSTEM, at=AT)).severity == "error"


def test_city_with_six_months(vacant_four_months, settings):
    settings.DANGJIAN_RULES = {"SETUP-SECRETARY-VACANT": {"weak_after_months": 6}}
    f = vacancy(findings_for(SYSTEM, at=AT))
    assert f.severity == "warning"
    assert "超过 6 个月将列为软弱涣散" in f.message


def test_rule_switched_off(vacant_four_months, settings):
    settings.DANGJIAN_RULES = {"SETUP-SECRETARY-VACANT": {"enabled": False}}
    assert not [f for f in findings_for(SYSTEM, at=AT) if f.rule == "SETUP-SECRETARY-VACANT"]
    entry = next(e for e in catalogue("SETUP") if e.id == "SETUP-SECRETARY-VACANT")
    assert entry.checked is False and "停用" in entry.note


def test_unknown_parameter_is_refused(vacant_four_months, settings):
    settings.DANGJIAN_RULES = {"SETUP-BRANCH-MAX": {"max_member": 60}}
    with pytest.raises(ValueError, match="未知参数：max_member"):
        findings_for(SYSTEM, at=AT)
