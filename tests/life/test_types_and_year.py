"""One record of several types (同时计为) and the year a record counts for (所属年度).

A 支部党员大会 held as the month's 主题党日 counts for both rules, once each; 民主评议党员 held
at the 组织生活会 likewise. The 组织生活会 for 2026 held in January 2027 counts for 2026; a
record can count for its date's year or, for a yearly meeting held in the first two months of
the next year, for the year before — nothing else.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.accounts.scope import SYSTEM
from dangjian.life.choices import MeetingType
from dangjian.life.compliance import compliance
from dangjian.life.ledger import ledger_build
from dangjian.life.models import Meeting
from dangjian.life.services import MeetingInput, meeting_record, meeting_update
from dangjian.rules.runner import findings_for
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db
D = dt.date


def life(rule: str, *, org: str = "BA001", at: dt.date, since: dt.date | None = None):
    found = findings_for(SYSTEM, rules="LIFE", rule_ids=[rule], org_code=org, at=at, since=since)
    return [(f.subject, f.severity, f.period) for f in found], found


def record(org, **values) -> Meeting:
    data = {"meeting_type": "支部党员大会", "held_on": D(2026, 10, 15), "topic": "学习党章"}
    data.update(values)
    return meeting_record(actor=SYSTEM, data=MeetingInput(org=org, **data))


def refused(org, **values) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        record(org, **values)
    return exc.value.message_dict


# --- several types -----------------------------------------------------------------------------


def test_no_type_name_is_part_of_another():
    """The rules find additional types by a substring test on ``also_counts_as``."""
    for a in MeetingType.values:
        for b in MeetingType.values:
            assert a == b or a not in b


def test_assembly_held_as_theme_day_counts_for_both(tree):
    m = record(tree["branch_a"], held_on=D(2026, 3, 10), also_counts_as=["主题党日"])
    assert m.also_counts_as == "主题党日" and m.type_label == "支部党员大会（同时计为主题党日）"
    keys, _ = life("LIFE-THEME-DAY-MONTHLY", at=D(2026, 3, 31), since=D(2026, 3, 1))
    assert keys == []
    keys, _ = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 3, 31))
    assert keys == []
    # the other months still owe their own 主题党日
    keys, _ = life("LIFE-THEME-DAY-MONTHLY", at=D(2026, 4, 30), since=D(2026, 3, 1))
    assert keys == [("BA001", "due", "2026-04")]


def test_democratic_review_at_the_org_life_meeting(tree):
    record(
        tree["branch_a"],
        meeting_type="组织生活会",
        held_on=D(2026, 11, 20),
        also_counts_as=["民主评议党员"],
        topic="2026年度组织生活会暨民主评议党员",
    )
    for rule in ("LIFE-ORG-LIFE-MEETING-YEARLY", "LIFE-DEMOCRATIC-REVIEW-YEARLY"):
        assert life(rule, at=D(2026, 11, 23))[0] == [], rule
    assert life("LIFE-HEART-TALK-YEARLY", at=D(2026, 11, 23))[0] == [("BA001", "due", "2026")]


def test_one_record_counts_once_for_a_rule_of_two_types(tree, settings):
    """A city that counts 主题党日 and 支部党员大会 together for one rule, at least twice a
    quarter: a meeting that was both is one meeting, not two."""
    settings.DANGJIAN_RULES = {
        "LIFE-ASSEMBLY-QUARTERLY": {"types": ["支部党员大会", "主题党日"], "min_count": 2}
    }
    meet(tree["branch_a"], "支部党员大会", D(2026, 2, 5), also_counts_as="主题党日")
    keys, found = life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 4, 1))
    assert keys == [("BA001", "error", "2026-Q1"), ("BA001", "due", "2026-Q2")]
    assert found[0].evidence["held"] == 1
    meet(tree["branch_a"], "主题党日", D(2026, 3, 5), also_counts_as="支部党员大会")
    assert life("LIFE-ASSEMBLY-QUARTERLY", at=D(2026, 4, 1))[0] == [("BA001", "due", "2026-Q2")]


@pytest.mark.parametrize(
    "values,text",
    [
        ({"also_counts_as": ["支部党员大会"]}, "不能再选会议类型本身"),
        ({"also_counts_as": ["主题党日", "主题党日"]}, "“主题党日”重复了"),
        ({"also_counts_as": ["茶话会"]}, "“茶话会”无效"),
        ({"also_counts_as": ["支委会"]}, "支委会只能单独记录"),
        ({"meeting_type": "支委会", "also_counts_as": ["主题党日"]}, "支委会只能单独记录"),
        ({"meeting_type": "谈心谈话", "also_counts_as": ["党课"]}, "谈心谈话只能单独记录"),
    ],
)
def test_bad_additional_types(tree, values, text):
    errors = refused(tree["branch_a"], **values)
    assert any(text in m for m in errors["also_counts_as"]), errors
    assert Meeting.objects.count() == 0


def test_the_same_meeting_under_another_type_is_a_duplicate(tree):
    record(tree["branch_a"], also_counts_as=["主题党日"])
    errors = refused(tree["branch_a"], meeting_type="主题党日")
    assert "已经记录过（主题党日）" in errors["topic"][0]
    assert Meeting.objects.count() == 1
    # another meeting on the same day with another topic is fine
    record(tree["branch_a"], meeting_type="主题党日", topic="志愿服务进社区")


def test_a_lecture_in_a_theme_day_may_name_its_lecturer(tree):
    m = record(
        tree["branch_a"],
        meeting_type="主题党日",
        also_counts_as=["党课"],
        lecturer_role="上级党委书记",
        lecturer_org=tree["town_a"],
    )
    assert m.lecturer_org == tree["town_a"]
    assert life("LIFE-SECRETARY-LECTURE-YEARLY", org="TA001", at=D(2026, 11, 23))[0] == []
    errors = refused(
        tree["branch_a"], meeting_type="主题党日", topic="另一次", lecturer_role="本组织书记"
    )
    assert errors["lecturer_role"] == ["只有党课可以填写讲课人"]


# --- 所属年度 -----------------------------------------------------------------------------------


@pytest.mark.today("2027-01-20T09:00")
def test_org_life_meeting_for_2026_held_in_january_2027(tree):
    branch = tree["branch_a"]
    # on 31 December it is due; on 1 January 2027 still due, until the end of February
    keys, found = life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2026, 12, 31))
    assert keys == [("BA001", "due", "2026")] and found[0].due_date == D(2026, 12, 31)
    keys, found = life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2027, 1, 1))
    assert keys == [("BA001", "due", "2026"), ("BA001", "due", "2027")]
    assert found[0].due_date == D(2027, 2, 28) and found[0].evidence["days_left"] == 58
    assert "2027-02-28 前召开" in found[0].message
    m = record(
        branch,
        meeting_type="组织生活会",
        held_on=D(2027, 1, 15),
        year=2026,
        also_counts_as=["民主评议党员"],
        topic="2026年度组织生活会",
    )
    assert m.year == 2026 and m.type_label == "组织生活会（同时计为民主评议党员）（计入2026年度）"
    for rule in ("LIFE-ORG-LIFE-MEETING-YEARLY", "LIFE-DEMOCRATIC-REVIEW-YEARLY"):
        assert life(rule, at=D(2027, 1, 20))[0] == [("BA001", "due", "2027")], rule
        assert life(rule, at=D(2027, 3, 1), since=D(2026, 1, 1))[0] == [("BA001", "due", "2027")], (
            rule
        )
    # as of 31 December 2026 it had not been held yet
    assert life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2026, 12, 31))[0] == [("BA001", "due", "2026")]
    # the 2027 organizational life still needs its own meeting
    assert life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2027, 12, 31))[0] == [("BA001", "due", "2027")]


@pytest.mark.today("2027-03-05T09:00")
def test_not_held_by_the_end_of_february_is_missed(tree):
    keys, found = life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2027, 2, 28))
    assert keys == [("BA001", "due", "2026"), ("BA001", "due", "2027")]
    assert found[0].evidence["days_left"] == 0
    keys, found = life("LIFE-ORG-LIFE-MEETING-YEARLY", at=D(2027, 3, 1), since=D(2026, 1, 1))
    assert keys == [("BA001", "error", "2026"), ("BA001", "due", "2027")]
    assert "2026年未召开组织生活会" in found[0].message
    # too late to count for 2026 now
    errors = refused(tree["branch_a"], meeting_type="组织生活会", held_on=D(2027, 3, 2), year=2026)
    assert errors["year"] == ["会议日期 2027-03-02 已过 2027 年 2 月底，不能再计入 2026 年度"]


@pytest.mark.today("2027-02-10T09:00")
@pytest.mark.parametrize(
    "values,text",
    [
        ({"year": 2028}, "所属年度 2028 晚于会议日期 2027-02-01：会议只能计入当年或上一年度"),
        (
            {"year": 2025},
            "所属年度 2025 与会议日期 2027-02-01 相差超过一年：只能计入 2027 年度，"
            "或（次年年初召开的年度会议）计入 2026 年度",
        ),
        ({"meeting_type": "主题党日", "year": 2026}, "主题党日按会议日期计入 2027 年度"),
        ({"meeting_type": "党课", "year": 2026}, "党课按会议日期计入 2027 年度"),
    ],
)
def test_nonsense_years_are_refused(tree, values, text):
    data = {"meeting_type": "组织生活会", "held_on": D(2027, 2, 1), **values}
    errors = refused(tree["branch_a"], **data)
    assert errors["year"][0].startswith(text), errors
    assert Meeting.objects.count() == 0


@pytest.mark.today("2027-02-10T09:00")
def test_years_that_make_sense(tree):
    # the upper secretary's 党课 for 2026, given in January 2027
    m = record(
        tree["branch_a"],
        meeting_type="党课",
        held_on=D(2027, 1, 12),
        year=2026,
        lecturer_role="上级党委书记",
        lecturer_org=tree["town_a"],
    )
    assert m.year == 2026
    assert life("LIFE-SECRETARY-LECTURE-YEARLY", org="TA001", at=D(2027, 1, 31))[0] == [
        ("TA001", "due", "2027")
    ]
    # the 党课 still counts for the quarter of its date
    assert life("LIFE-LECTURE-QUARTERLY", at=D(2027, 2, 10))[0] == []
    # a 支部党员大会 held as the 民主评议 for 2026: the assembly counts by date, the review by year
    record(
        tree["branch_a"],
        held_on=D(2027, 2, 3),
        also_counts_as=["民主评议党员"],
        year=2026,
        topic="民主评议党员大会",
    )
    assert life("LIFE-DEMOCRATIC-REVIEW-YEARLY", at=D(2027, 2, 10))[0] == [("BA001", "due", "2027")]
    assert life("LIFE-ASSEMBLY-QUARTERLY", at=D(2027, 2, 10))[0] == []
    # the year may be left empty: the year of the date
    assert record(tree["branch_a"], held_on=D(2027, 2, 4), topic="x").year == 2027


@pytest.mark.today("2027-02-10T09:00")
def test_changing_the_date_of_a_record_of_its_own_year_keeps_following_the_date(tree):
    m = record(tree["branch_a"], meeting_type="组织生活会", held_on=D(2026, 12, 20))
    data = MeetingInput(
        org=m.org, meeting_type="组织生活会", held_on=D(2027, 1, 8), topic=m.topic, year=2026
    )
    m = meeting_update(actor=SYSTEM, meeting=m, data=data)
    assert (m.held_on, m.year) == (D(2027, 1, 8), 2026)


@pytest.mark.today("2027-02-10T09:00")
def test_overview_and_ledger_of_2026_count_the_january_meeting(tree):
    meet(tree["branch_a"], "组织生活会", D(2027, 1, 15), year=2026, also_counts_as="民主评议党员")
    table = compliance(tree["admin"], year=2026)
    row = next(r for r in table.rows if r.rule == "LIFE-ORG-LIFE-MEETING-YEARLY")
    # BA001 met it, BB001 still may: the year's yearly cells are in progress until March
    assert [(c.label, c.checked, c.met, c.running) for c in row.cells] == [("2026", 2, 1, True)]
    theme = next(r for r in table.rows if r.rule == "LIFE-THEME-DAY-MONTHLY")
    assert [c.label for c in theme.cells][-1] == "2026-12"  # no January 2027 in 2026's table
    assert not theme.cells[-1].running
    book = ledger_build(tree["admin"], "BA001", 2026)
    assert [m.topic for m in book.carried] == ["组织生活会2027-01-15"]
    counts = {kind: total for kind, _months, total in book.count_table()}
    assert counts["组织生活会"] == 1 and counts["民主评议党员"] == 1
    assert not [f for f in book.findings if f.rule == "LIFE-ORG-LIFE-MEETING-YEARLY"]
    assert all((f.period or "2026").startswith("2026") for f in book.findings)
    nxt = ledger_build(tree["admin"], "BA001", 2027)
    assert nxt.months[1][0].meeting.type_label.endswith("（计入2026年度）")
    assert {kind: total for kind, _m, total in nxt.count_table()}["组织生活会"] == 0
    assert nxt.counts["组织生活会"][1] == 1  # held in January 2027
    client = Client()
    client.force_login(tree["admin"])
    html = client.get("/life/orgs/BA001/ledger/?year=2026").content.decode()
    assert "次年召开、计入2026年度的记录（1 条）" in html
    assert "组织生活会（同时计为民主评议党员）（计入2026年度）" in html


# --- the form ----------------------------------------------------------------------------------


@pytest.mark.today("2027-01-20T09:00")
def test_record_form_with_types_and_previous_year(tree):
    client = Client()
    client.force_login(tree["secretary_a"])
    page = client.get("/life/orgs/BA001/record/").content.decode()
    assert "同时计为" in page and "计入上一年度" in page and "请假（已批准）" in page
    base = {
        "meeting_type": "组织生活会",
        "held_on": "2027-01-18",
        "topic": "2026年度组织生活会",
        "also_counts_as": ["民主评议党员"],
        "previous_year": "on",
    }
    response = client.post("/life/orgs/BA001/record/", base)
    assert response.status_code == 302, response.content.decode()
    m = Meeting.objects.get()
    assert (m.also_counts_as, m.year, m.attendance_taken) == ("民主评议党员", 2026, False)
    # a monthly meeting cannot count for last year: the message is on the checkbox
    bad = {**base, "meeting_type": "主题党日", "topic": "重温入党誓词", "also_counts_as": []}
    response = client.post("/life/orgs/BA001/record/", bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "主题党日按会议日期计入 2027 年度" in errors["previous_year"][0]
    edit = client.get(f"/life/meetings/{m.pk}/edit/").content.decode()
    boxes = re.findall(r"<input[^>]*>", edit)
    assert any('name="previous_year"' in b and "checked" in b for b in boxes)
    assert any('value="民主评议党员"' in b and "checked" in b for b in boxes)
