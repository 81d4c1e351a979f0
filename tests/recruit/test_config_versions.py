"""The rule set version in force by date: a city says "from 2026-01-01 these parameters"."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.recruit import config
from dangjian.recruit.case import Case
from dangjian.recruit.selectors import case_findings
from tests.recruit.helpers import D, open_case, step

TALK = "RECRUIT-TALK-1-MONTH"


@pytest.fixture
def versioned(settings):
    settings.DANGJIAN_RULES = {
        "RECRUIT": {
            "version": "市细则-2020",
            "source": "旧细则",
            "versions": [
                {
                    "valid_from": "2026-01-01",
                    "version": "市细则-2026",
                    "source": "2026 年市委组织部通知",
                    "rules": {TALK: {"months": 2}, "RECRUIT-ARCHIVE": {"enabled": False}},
                }
            ],
        }
    }


def _talk_findings(applied: dt.date, talk: dt.date | None, at: dt.date) -> list[str]:
    steps = {1: applied} | ({2: talk} if talk else {})
    case = Case(id="C1", org="BA001", steps=steps, birth_date=D(1995, 1, 1))
    report = config.check([case], at)
    return [f.severity for f in report.findings if f.rule == TALK]


def test_without_versions_one_configuration(settings):
    settings.DANGJIAN_RULES = {}
    assert config.versions() == []
    assert config.rule_config(D(2030, 1, 1)) == config.rule_config()
    assert _talk_findings(D(2026, 1, 10), D(2026, 2, 20), D(2026, 3, 1)) != []


@pytest.mark.usefixtures("versioned")
def test_parameters_in_force_by_date():
    assert config.rule_config(D(2025, 12, 31))[TALK] == {"months": 1}
    assert config.rule_config(D(2026, 1, 1))[TALK] == {"months": 2}
    assert "RECRUIT-ARCHIVE" in config.rule_config(D(2025, 12, 31))
    assert "RECRUIT-ARCHIVE" not in config.rule_config(D(2026, 1, 1))
    assert config.config_info(D(2025, 6, 1)).version == "市细则-2020"
    info = config.config_info(D(2026, 6, 1))
    assert (info.version, info.source) == ("市细则-2026", "2026 年市委组织部通知")


@pytest.mark.usefixtures("versioned")
def test_each_rule_is_judged_by_the_version_in_force_on_its_step():
    at = D(2026, 6, 1)
    # talk held in 2025, 45 days after the application: the old one-month rule applies
    assert _talk_findings(D(2025, 10, 1), D(2025, 11, 15), at) != []
    # talk held in 2026 after 41 days: the 2026 two-month rule applies
    assert _talk_findings(D(2026, 1, 10), D(2026, 2, 20), at) == []
    # application in 2025, talk in 2026 (36 days): judged by the talk's date
    assert _talk_findings(D(2025, 12, 20), D(2026, 1, 25), at) == []
    # no talk yet: the deadline running now follows the version in force on the checking date
    assert _talk_findings(D(2025, 11, 20), None, D(2026, 1, 10)) == ["due"]  # 2 months: Jan 20
    late = _talk_findings(D(2025, 11, 20), None, D(2025, 12, 25))  # 1 month: Dec 20, overdue
    assert late and "due" not in late


@pytest.mark.django_db
@pytest.mark.usefixtures("versioned")
def test_database_cases_use_the_versions(tree):
    case = open_case(tree["branch_a"], D(2026, 1, 10))
    step(case, 2, D(2026, 2, 20), talker="书记")
    assert not [f for f in case_findings(case, D(2026, 6, 1)).findings if f.rule == TALK]
    old = open_case(tree["branch_a"], D(2025, 10, 1), name="李四")
    step(old, 2, D(2025, 11, 15), talker="书记")
    assert [f for f in case_findings(old, D(2026, 6, 1)).findings if f.rule == TALK]


@pytest.mark.parametrize(
    ("versions", "text"),
    [
        ({"x": 1}, "应为列表"),
        ([{"valid_from": "2026-13-01", "rules": {}}], "valid_from 无效"),
        ([{"valid_from": "2026-01-01", "rules": {"RECRUIT-NOPE": {}}}], "未知规则"),
        ([{"valid_from": "2026-01-01", "rules": {TALK: {"weeks": 2}}}], "没有参数：weeks"),
        (
            [{"valid_from": "2026-01-01", "rules": {}}, {"valid_from": "2026-01-01", "rules": {}}],
            "valid_from 相同",
        ),
    ],
)
def test_malformed_versions_are_refused_in_chinese(settings, versions, text):
    settings.DANGJIAN_RULES = {"RECRUIT": {"versions": versions}}
    with pytest.raises(ValueError, match=text):
        config.versions()


def test_versions_are_ordered_and_cumulative(settings):
    settings.DANGJIAN_RULES = {
        "RECRUIT": {
            "versions": [
                {"valid_from": "2027-01-01", "rules": {"RECRUIT-ARCHIVE": {"days": 20}}},
                {"valid_from": "2026-01-01", "rules": {TALK: {"months": 2}}},
            ]
        }
    }
    assert [v.valid_from for v in config.versions()] == [D(2026, 1, 1), D(2027, 1, 1)]
    later = config.rule_config(D(2027, 3, 1))
    assert later[TALK] == {"months": 2} and later["RECRUIT-ARCHIVE"] == {"days": 20}
    assert config.rule_config(D(2026, 3, 1))["RECRUIT-ARCHIVE"] == {"days": 7}


def test_json_command_judges_by_the_version_of_the_step(settings, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    settings.DANGJIAN_RULES = {
        "RECRUIT": {"versions": [{"valid_from": "2026-01-01", "rules": {TALK: {"months": 2}}}]}
    }
    cases = [
        {"case": "OLD", "org": "BR1", "steps": {"1": "2025-10-01", "2": "2025-11-15"}},
        {"case": "NEW", "org": "BR1", "steps": {"1": "2026-01-10", "2": "2026-02-20"}},
    ]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    out = StringIO()
    call_command(
        "recruit", "check", str(path), "--at", "2026-06-01", "--format", "json", stdout=out
    )
    talk = [f["subject"] for f in json.loads(out.getvalue())["findings"] if f["rule"] == TALK]
    assert talk == ["OLD"]
