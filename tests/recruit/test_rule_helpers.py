"""Callers ask the rules: the deadlines of the timeline, the services and the forms follow the
parameters in force (issue 10), not values typed beside them."""

from __future__ import annotations

import datetime as dt

from dangjian.recruit import rules, services
from dangjian.recruit.forms import ExtensionForm

D = dt.date


def test_probation_end_follows_the_configured_period(settings):
    assert services.probation_end(D(2025, 3, 10), 0) == D(2026, 3, 10)
    settings.DANGJIAN_RULES = {"RECRUIT-PROBATION-1-YEAR": {"months": 18, "due_days": 30}}
    assert services.probation_end(D(2025, 3, 10), 6) == D(2027, 3, 10)
    params = rules.params_in_force("RECRUIT-PROBATION-1-YEAR", D(2026, 1, 1))
    assert rules.probation_due_from(D(2026, 9, 10), params) == D(2026, 8, 11)


def test_a_switched_off_rule_still_gives_its_parameters(settings):
    settings.DANGJIAN_RULES = {"RECRUIT-TALK-1-MONTH": {"enabled": False, "months": 2}}
    assert rules.params_in_force("RECRUIT-TALK-1-MONTH") == {"months": 1}
    assert rules.rules_in_force(D(2026, 1, 1))["RECRUIT-TALK-1-MONTH"] == {"months": 1}


def test_the_extension_form_states_the_period_in_force(settings):
    settings.DANGJIAN_RULES = {"RECRUIT-APPROVAL-3-MONTHS": {"max_months": 5}}
    form = ExtensionForm(data={"months": 13})
    assert "最长 5 个月" in str(form.fields["months"].label)
    assert not form.is_valid() and "审批期限最长 5 个月" in form.errors["months"][0]
