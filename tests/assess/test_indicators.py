"""Indicators: registry documentation, values and evidence, one computation per context."""

from __future__ import annotations

import datetime as dt

from dangjian.assess.indicators import REGISTRY, IndicatorContext, compute_all
from dangjian.orgs.models import Organization
from tests.factories import make_member
from tests.life.helpers import meet

START, END, AT = dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 10)


def ctx_for(tree, *orgs) -> IndicatorContext:
    return IndicatorContext(
        org_ids=[o.pk for o in orgs], prefix=tree["root"].path, start=START, end=END, at=AT
    )


def test_every_indicator_is_documented_and_cites_rules():
    for ind in REGISTRY.values():
        assert ind.doc and ind.title and ind.rules, ind.name
        assert ind.unit in ("rate", "bool", "count")


def test_attendance_rate_sums_present_over_expected(tree):
    branch = tree["branch_a"]
    meet(branch, "支部党员大会", dt.date(2026, 3, 1), expected=4, present=3)
    meet(branch, "党课", dt.date(2026, 6, 1), expected=4, present=4)
    meet(branch, "支委会", dt.date(2026, 6, 2), expected=3, present=1)  # not counted
    meet(branch, "党课", dt.date(2025, 6, 1), expected=4, present=0)  # outside the period
    values = compute_all(ctx_for(tree, branch, tree["branch_b"]), ["attendance_rate"])
    a = values["attendance_rate"][branch.pk]
    assert a.value == 7 / 8
    assert a.evidence == {"meetings": 2, "expected": 8, "present": 7}
    assert values["attendance_rate"][tree["branch_b"].pk].value is None


def test_setup_indicators(tree):
    Organization.objects.filter(pk=tree["branch_b"].pk).update(
        secretary_vacant_since=dt.date(2026, 1, 5), term_started_on=dt.date(2026, 1, 1)
    )
    make_member(tree["branch_a"], post="书记")
    ctx = ctx_for(tree, tree["branch_a"], tree["branch_b"])
    v = compute_all(
        ctx, ["secretary_in_post", "setup_errors", "full_members_enough", "term_in_force"]
    )
    a, b = tree["branch_a"].pk, tree["branch_b"].pk
    assert v["secretary_in_post"][a].value == 1 and v["secretary_in_post"][b].value == 0
    assert "软弱涣散" in v["secretary_in_post"][b].display
    assert v["full_members_enough"][b].value == 0  # two full members
    rules = {f["rule"] for f in v["setup_errors"][b].evidence["findings"]}
    assert {"SETUP-BRANCH-MIN-FULL", "SETUP-SECRETARY-VACANT"} <= rules
    assert v["setup_errors"][b].value == len(v["setup_errors"][b].evidence["findings"])
    assert v["term_in_force"][b].value == 1 and v["term_in_force"][a].value is None


def test_life_indicators_share_one_checker_run_and_grow_when_needed(tree):
    branch = tree["branch_a"]
    meet(branch, "组织生活会", dt.date(2026, 12, 1))
    ctx = ctx_for(tree, branch)
    first = ctx.compute("life_org_life_meeting")[branch.pk]
    assert first.value == 1 and first.display == "已召开组织生活会"
    review = ctx.compute("life_democratic_review")[branch.pk]  # needs another rule: rerun
    assert review.value == 0 and review.evidence["missed"] == ["2026"]
    rate = ctx.compute("life_compliance_rate")[branch.pk]
    assert rate.evidence["met"] == 1
