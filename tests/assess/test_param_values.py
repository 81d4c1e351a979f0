"""The indicators read the rules' parameters in force, not fixed numbers: the window of
"development candidate in the last years" is ASSESS-WEAK's ``no_candidate_years`` (the same as
the 软弱涣散 check), and "enough full members" names SETUP-BRANCH-MIN-FULL's ``min_full``."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.assess.indicators import compute_all
from tests.assess.test_recruit_indicators import NAMES, _candidate, ctx_for
from tests.recruit.helpers import open_case

D = dt.date


@pytest.mark.django_db
def test_candidate_window_is_the_no_candidate_years_in_force(tree, settings):
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    _candidate(case, D(2024, 6, 1))

    def got():
        return compute_all(ctx_for(tree, tree["branch_a"]), NAMES)["recruit_candidate_2_years"][
            tree["branch_a"].pk
        ]

    assert got().value == 0  # before 2025-01-01: outside the two years
    settings.DANGJIAN_RULES = {"ASSESS-WEAK": {"no_candidate_years": 3}}
    assert got().value == 1 and got().evidence["since"] == "2023-12-31"


@pytest.mark.django_db
def test_full_members_text_names_the_minimum_in_force(tree, settings):
    def display():
        ctx = ctx_for(tree, tree["branch_a"])
        return compute_all(ctx, ["full_members_enough"])["full_members_enough"][
            tree["branch_a"].pk
        ].display

    assert display() == "正式党员 3 名以上"
    settings.DANGJIAN_RULES = {"SETUP-BRANCH-MIN-FULL": {"min_full": 2}}
    assert display() == "正式党员 2 名以上"
