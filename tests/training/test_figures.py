"""Yearly hours derived from the records of organizational life and the courses, at every
boundary: exactly 32 hours, 31.5, the year's edges, the leaders' 56, a member transferred
during the year counted once, members out of the party not counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from dangjian.accounts.scope import SYSTEM
from dangjian.members.models import MemberStatus
from dangjian.members.services import member_move
from dangjian.rules.registry import Context
from dangjian.training.figures import branch_member_hours, requirement, subtree_figures
from dangjian.training.rules import YEARLY_HOURS, OrgYear, training_yearly_hours
from tests.factories import make_member, make_org
from tests.life.helpers import attend, meet
from tests.training.helpers import course

D = dt.date
END = D(2027, 1, 15)  # after the year: the figures of 2026 count the roll of 31 December


def _hours(branch, year=2026, today=END):
    return {h.member.pk: h for h in branch_member_hours(branch, year, today)}


def test_exactly_32_hours_meets_the_requirement_and_31_5_does_not(tree):
    a, b = tree["members_a"][:2]
    course(tree["town_a"], [a, b], hours="30")
    course(tree["town_a"], [a], hours="2", title="专题党课")
    course(tree["town_a"], [b], hours="1.5", title="专题党课")
    hours = _hours(tree["branch_a"])
    assert hours[a.pk].total == Decimal("32") and hours[a.pk].met
    assert hours[b.pk].total == Decimal("31.5") and not hours[b.pk].met
    assert hours[b.pk].missing == Decimal("0.5")
    figures = subtree_figures(tree["town_a"], 2026, END)
    assert (figures.total.members, figures.total.met) == (4, 1)
    assert figures.total.percent == "25.0%"


def test_meetings_count_their_type_hours_for_attendees_only(tree):
    a, b = tree["members_a"][:2]
    lecture = meet(tree["branch_a"], "党课", D(2026, 3, 5))
    attend(lecture, a, True)
    attend(lecture, b, False, "因病")
    theme = meet(tree["branch_a"], "主题党日", D(2026, 4, 5))
    attend(theme, a, True)
    committee = meet(tree["branch_a"], "支部党员大会", D(2026, 4, 6))
    attend(committee, a, True)
    hours = _hours(tree["branch_a"])
    assert hours[a.pk].meeting_hours == Decimal("4")  # 党课 2 + 主题党日 2 + 大会 0
    assert hours[b.pk].meeting_hours == Decimal("0")


def test_a_record_of_several_types_counts_once_for_the_largest(tree):
    a = tree["members_a"][0]
    both = meet(tree["branch_a"], "支部党员大会", D(2026, 6, 1), also_counts_as="主题党日、党课")
    attend(both, a, True)
    assert _hours(tree["branch_a"])[a.pk].meeting_hours == Decimal("2")


def test_a_record_without_attendance_reaches_nobody_and_is_counted_as_unrecorded(tree):
    meet(tree["branch_a"], "党课", D(2026, 6, 1))
    meet(tree["branch_a"], "支委会", D(2026, 6, 2))  # no hours: not reported
    figures = subtree_figures(tree["town_a"], 2026, END)
    assert figures.unrecorded == 1
    assert all(h.meeting_hours == 0 for h in branch_member_hours(tree["branch_a"], 2026, END))


def test_year_edges_december_31_and_january_1(tree):
    a = tree["members_a"][0]
    for day in (D(2025, 12, 31), D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 1)):
        attend(meet(tree["branch_a"], "党课", day), a, True)
    course(tree["town_a"], [a], hours="10", starts_on=D(2025, 12, 29), ends_on=D(2026, 1, 2))
    course(tree["town_a"], [a], hours="7", starts_on=D(2026, 12, 30), ends_on=D(2027, 1, 1))
    course(tree["town_a"], [a], hours="5", starts_on=D(2026, 12, 31), ends_on=D(2026, 12, 31))
    h2026 = _hours(tree["branch_a"], 2026)[a.pk]
    assert h2026.meeting_hours == Decimal("4")  # 1 January and 31 December 2026
    assert h2026.course_hours == Decimal("15")  # courses ending 2 January and 31 December
    h2027 = _hours(tree["branch_a"], 2027, D(2027, 12, 31))[a.pk]
    assert (h2027.meeting_hours, h2027.course_hours) == (Decimal("2"), Decimal("7"))


def test_leaders_need_56_hours(tree):
    secretary = make_member(tree["branch_a"], post="书记")
    plain = tree["members_a"][0]
    course(tree["town_a"], [secretary, plain], hours="40")
    hours = _hours(tree["branch_a"])
    assert hours[plain.pk].met and not hours[secretary.pk].met
    assert hours[secretary.pk].required == Decimal("56")
    figures = subtree_figures(tree["town_a"], 2026, END)
    assert (figures.total.leaders, figures.total.leaders_met) == (1, 0)
    course(tree["town_a"], [secretary], hours="16", title="书记示范培训班")
    assert _hours(tree["branch_a"])[secretary.pk].met


def test_member_transferred_mid_year_is_counted_once_with_all_the_hours(tree):
    other = make_org(tree["town_a"], org_type="党支部", sector="农村", name="丙村党支部")
    mover = tree["members_a"][0]
    attend(meet(tree["branch_a"], "党课", D(2026, 3, 1)), mover, True)
    course(tree["town_a"], [mover], hours="30")
    member_move(actor=SYSTEM, member=mover, org=other, on=D(2026, 7, 1), reason="工作调动")
    attend(meet(other, "党课", D(2026, 9, 1)), mover, True)
    figures = subtree_figures(tree["town_a"], 2026, END)
    assert figures.total.members == 4  # not 5
    by_branch = {t.label: t for t in figures.branches}
    assert (by_branch["丙村党支部"].members, by_branch["丙村党支部"].met) == (1, 1)
    assert by_branch["甲村党支部"].members == 3
    assert _hours(other)[mover.pk].total == Decimal("34")
    assert mover.pk not in _hours(tree["branch_a"])


def test_members_out_of_the_party_or_joined_later_are_not_counted(tree):
    gone = tree["members_a"][0]
    MemberStatus.objects.create(
        member=gone, kind="死亡", started_on=D(2026, 8, 1), decided_by="甲村党支部"
    )
    late = make_member(tree["branch_a"], member_type="预备党员", joined_on=D(2026, 9, 1))
    year_end = _hours(tree["branch_a"])
    assert gone.pk not in year_end and late.pk in year_end
    assert subtree_figures(tree["town_a"], 2026, END).total.members == 4
    # in the middle of the year the roll of that day counts
    mid_year = _hours(tree["branch_a"], 2026, D(2026, 7, 1))
    assert gone.pk in mid_year and late.pk not in mid_year


def test_figures_by_child_sector_and_region(tree):
    tree["branch_a"].region_code = "110101"
    tree["branch_a"].save(update_fields=["region_code"])
    course(tree["root"], [*tree["members_a"][:2], tree["members_b"][0]], hours="32")
    figures = subtree_figures(tree["root"], 2026, END)
    children = {t.label: (t.members, t.met) for t in figures.children}
    assert children == {"甲镇党委": (4, 2), "乙街道党工委": (2, 1)}
    sectors = {t.label: (t.members, t.met) for t in figures.sectors}
    assert sectors == {"农村": (4, 2), "社区": (2, 1)}
    regions = {t.key: (t.members, t.met) for t in figures.regions}
    assert regions == {"110101": (4, 2), "": (2, 1)}
    assert figures.total.share == pytest.approx(0.5)


@override_settings(
    DANGJIAN_RULES={
        "TRAINING-YEARLY-HOURS": {"member_hours": 24},
        "TRAINING-MEETING-HOURS": {"lecture": 4},
    }
)
def test_the_hours_are_parameters_a_city_may_change(tree):
    a = tree["members_a"][0]
    attend(meet(tree["branch_a"], "党课", D(2026, 3, 1)), a, True)
    course(tree["town_a"], [a], hours="20")
    req = requirement(2026)
    assert (req.member_hours, req.leader_hours) == (24, 56)
    h = _hours(tree["branch_a"])[a.pk]
    assert h.total == Decimal("24") and h.met


@override_settings(DANGJIAN_RULES={"TRAINING-YEARLY-HOURS": {"member_hours": -1}})
def test_an_impossible_parameter_is_refused_in_chinese(tree):
    with pytest.raises(ValueError, match="TRAINING-YEARLY-HOURS 的参数 member_hours 无效"):
        requirement(2026)


def test_the_finding_is_about_the_organization_and_explains_itself():
    facts = OrgYear("TA001", "甲镇党委", 2026, members=10, met=7, leaders=2, leaders_met=1)
    ctx = Context(at=D(2026, 11, 23), spec=YEARLY_HOURS, params=YEARLY_HOURS.params)
    (finding,) = training_yearly_hours(facts, ctx)
    assert finding.severity == "due" and "3 名" in finding.message
    assert finding.source == "教育管理条例 art. 11"
    assert finding.evidence["members_met"] == 7 and finding.evidence["member_hours"] == "32"
    after = Context(at=D(2027, 1, 1), spec=YEARLY_HOURS, params=YEARLY_HOURS.params)
    assert training_yearly_hours(facts, after)[0].severity == "warning"
    full = OrgYear("TA001", "甲镇党委", 2026, members=10, met=10, leaders=2, leaders_met=2)
    assert training_yearly_hours(full, ctx) == []


def test_every_evidence_key_has_a_chinese_label():
    from dangjian.core.labels import EVIDENCE_LABELS

    facts = OrgYear("X", "X", 2026, members=2, met=1, leaders=1, leaders_met=0)
    ctx = Context(at=D(2026, 1, 1), spec=YEARLY_HOURS, params=YEARLY_HOURS.params)
    (finding,) = training_yearly_hours(facts, ctx)
    assert set(finding.evidence) <= set(EVIDENCE_LABELS)


def test_the_rules_are_in_the_catalogue_with_their_sources():
    from dangjian.rules.catalogue import catalogue
    from dangjian.rules.registry import REGISTRY

    entries = {e.id: e for e in catalogue("TRAINING")}
    assert set(entries) == {"TRAINING-YEARLY-HOURS", "TRAINING-MEETING-HOURS"}
    assert entries["TRAINING-YEARLY-HOURS"].source == "教育管理条例 art. 11"
    for rule_id in entries:
        _spec, func = REGISTRY[rule_id]
        assert func.__name__ == rule_id.lower().replace("-", "_")
        assert func.__doc__ and "Source" in func.__doc__
