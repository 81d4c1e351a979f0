"""The engine's one parameter system: overrides, dated versions for any family, validation."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.rules.params import config_info, enabled_on, family_value, params_on, versions

LATER = {
    "valid_from": "2026-01-01",
    "version": "市规则 2026",
    "source": "某市通知",
    "rules": {"LIFE-LATE-ENTRY": {"late_days": 10}},
}


def test_versions_apply_from_their_day_in_every_family(settings):
    settings.DANGJIAN_RULES = {
        "LIFE-LATE-ENTRY": {"late_days": 20},
        "LIFE": {"versions": [LATER]},
        "SETUP": {"versions": [{**LATER, "rules": {"SETUP-BRANCH-MAX": {"enabled": False}}}]},
    }
    assert params_on("LIFE-LATE-ENTRY", dt.date(2025, 12, 31))["late_days"] == 20
    assert params_on("LIFE-LATE-ENTRY", dt.date(2026, 1, 1))["late_days"] == 10
    assert params_on("LIFE-LATE-ENTRY")["late_days"] == 20  # the base configuration
    assert enabled_on("SETUP-BRANCH-MAX", dt.date(2025, 12, 31))
    assert not enabled_on("SETUP-BRANCH-MAX", dt.date(2026, 3, 1))
    assert config_info("LIFE", dt.date(2026, 3, 1)).version == "市规则 2026"
    assert config_info("LIFE").source.startswith("rules.md")


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"LIFE-LATE-ENTRY": {"late_days": 0}}, "late_days 无效"),
        ({"LIFE-LATE-ENTRY": {"nope": 1}}, "未知参数：nope"),
        ({"ASSESS-WEAK": {"satisfaction_min": 2}}, "satisfaction_min 无效"),
        ({"SETUP-TERM": {"branch_years": 4, "bad": 1}}, "未知参数：bad"),
    ],
)
def test_bad_values_are_refused_in_chinese(settings, configured, message):
    settings.DANGJIAN_RULES = configured
    rule_id = next(iter(configured))
    with pytest.raises(ValueError, match=message):
        params_on(rule_id)


def test_malformed_versions_are_refused(settings):
    settings.DANGJIAN_RULES = {"LIFE": {"versions": [{**LATER, "rules": {"LIFE-NOPE": {}}}]}}
    with pytest.raises(ValueError, match="规则族 LIFE 的第 1 个版本含未知规则：LIFE-NOPE"):
        versions("LIFE")
    settings.DANGJIAN_RULES = {"LIFE": {"versions": [{**LATER, "valid_from": "x"}]}}
    with pytest.raises(ValueError, match="valid_from 无效"):
        versions("LIFE")


def test_family_values_are_validated(settings):
    settings.DANGJIAN_RULES = {"RECRUIT": {"late_days": -1}}
    with pytest.raises(
        ValueError, match="规则族 RECRUIT 的本地配置参数 late_days 无效：应为非负整数"
    ):
        family_value("RECRUIT", "late_days", 30, lambda v: v >= 0, "应为非负整数")
    assert family_value("LIFE", "anything", 3) == 3


def test_values_stated_on_pages_come_from_the_rules(settings):
    from dangjian.orgs.models import term_years_default
    from dangjian.orgs.services import max_delay_years
    from dangjian.rectify.rules import weak_thresholds

    assert weak_thresholds() == {
        "vacant_months": 3,
        "no_candidate_years": 2,
        "satisfaction_min": "60%",
    }
    assert max_delay_years() == 1
    assert term_years_default("党支部", "机关") == 3
    settings.DANGJIAN_RULES = {
        "SETUP-SECRETARY-VACANT": {"weak_after_months": 6},
        "ASSESS-WEAK": {"satisfaction_min": 0.7},
        "SETUP-TERM-EXPIRED": {"max_delay_years": 2},
        "SETUP-TERM": {"branch_years": 4},
    }
    assert weak_thresholds()["vacant_months"] == 6
    assert weak_thresholds()["satisfaction_min"] == "70%"
    assert max_delay_years() == 2
    assert term_years_default("党支部", "机关") == 4
