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
    assert a.evidence == {"meetings": 2, "expected": 8, "present": 7, "unrecorded": 0}
    b = values["attendance_rate"][tree["branch_b"].pk]
    assert b.value is None and b.display.startswith("无数据：")


def test_attendance_not_recorded_is_no_data_and_shown(tree):
    """A branch that held its meetings but recorded no attendance has no rate (no data), never
    a full one; meetings without attendance beside recorded ones are named, not counted."""
    silent, partial = tree["branch_a"], tree["branch_b"]
    for month in (3, 6, 9):
        meet(silent, "支部党员大会", dt.date(2026, month, 10))  # no attendance taken
    meet(partial, "支部党员大会", dt.date(2026, 3, 10), expected=2, present=2)
    meet(partial, "党课", dt.date(2026, 6, 10))
    values = compute_all(ctx_for(tree, silent, partial), ["attendance_rate"])["attendance_rate"]
    s = values[silent.pk]
    assert s.value is None
    assert s.display == "无数据：考核期内 3 次会议均未登记出席情况"
    assert s.evidence == {"held": 3, "recorded": 0}
    p = values[partial.pk]
    assert p.value == 1.0 and p.evidence["unrecorded"] == 1
    assert "另有 1 次会议未登记出席情况，不计入" in p.display


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
    # one defect, one deduction (issue 9): the vacancy and the roll are scored by their own
    # indicators of this standard, so 组织设置问题数 leaves them out and says where they count
    # (it used to count them a second time)
    errors = v["setup_errors"][b]
    rules = {f["rule"] for f in errors.evidence["findings"]}
    assert not rules & {"SETUP-BRANCH-MIN-FULL", "SETUP-SECRETARY-VACANT"}
    assert errors.value == len(errors.evidence["findings"])
    elsewhere = {e["rule"]: e["indicator"] for e in errors.evidence["counted_elsewhere"]}
    assert elsewhere == {
        "SETUP-BRANCH-MIN-FULL": "正式党员人数达标",
        "SETUP-SECRETARY-VACANT": "书记在岗",
    }
    assert "本条不重复扣分" in errors.display
    assert v["term_in_force"][b].value == 1 and v["term_in_force"][a].value is None
    # alone, the aggregate counts every SETUP error
    alone = compute_all(ctx_for(tree, tree["branch_b"]), ["setup_errors"])["setup_errors"][b]
    rules = {f["rule"] for f in alone.evidence["findings"]}
    assert {"SETUP-BRANCH-MIN-FULL", "SETUP-SECRETARY-VACANT"} <= rules
    assert "counted_elsewhere" not in alone.evidence


def test_life_indicators_share_one_checker_run_and_grow_when_needed(tree):
    branch = tree["branch_a"]
    meet(branch, "组织生活会", dt.date(2026, 12, 1))
    ctx = ctx_for(tree, branch)
    first = ctx.compute("life_org_life_meeting")[branch.pk]
    assert first.value == 1 and first.display == "已召开组织生活会"
    review = ctx.compute("life_democratic_review")[branch.pk]  # needs another rule: rerun
    assert review.value == 0 and review.evidence["missed"] == ["2026"]
    rate = ctx.compute("life_compliance_rate")[branch.pk]
    # the two yearly rules are scored by their own indicators in this context: the rate leaves
    # them out instead of counting the missed 民主评议 a second time (issue 9)
    assert rate.evidence["met"] == 0
    assert [e["rule"] for e in rate.evidence["counted_elsewhere"]] == [
        "LIFE-DEMOCRATIC-REVIEW-YEARLY",
        "LIFE-ORG-LIFE-MEETING-YEARLY",
    ]
    assert not any(m["rule"] == "LIFE-DEMOCRATIC-REVIEW-YEARLY" for m in rate.evidence["missed"])
    alone = compute_all(ctx_for(tree, branch), ["life_compliance_rate"])["life_compliance_rate"]
    assert alone[branch.pk].evidence["met"] == 1
