"""SETUP rules on real situations: members under 留党察看 or out of the party, probationary
committee members (SETUP-VOTERS, 党章 art. 7), 临时党支部 judged from participants, no 换届
for a 党工委 or a 临时党支部, and an approved election delay (延期换届)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.members.services import (
    ParticipationInput,
    StatusInput,
    member_status_record,
    participation_add,
)
from dangjian.orgs.rules import findings_for_org
from dangjian.orgs.services import ElectionDelayInput, org_election_delay_record
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org

D = dt.date
TODAY = D(2026, 11, 23)


def hit(findings, subject, rule):
    found = [f for f in findings if f.subject == subject and f.rule == rule]
    assert len(found) <= 1
    return found[0] if found else None


def status(member, kind, start, end=None):
    return member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind=kind, started_on=start, ends_on=end, decided_by="甲镇纪委"),
    )


@pytest.fixture
def branch(tree):
    """A branch of 7 full members with a 支委会: 书记 王强, 组织委员 (probationary until
    2026-07-01) 李娜, 宣传委员 赵敏."""
    org = make_org(tree["town_a"], sector="机关", code="VB001", name="甲镇机关第一党支部")
    make_member(org, name="王强", post="书记", joined_on=D(2001, 7, 1))
    make_member(org, name="李娜", post="组织委员", joined_on=D(2025, 7, 1),
                confirmed_on=D(2026, 7, 1))  # fmt: skip
    sec = make_member(org, name="赵敏", post="宣传委员", joined_on=D(2005, 7, 1))
    others = [make_member(org, joined_on=D(2010, 3, 1)) for _ in range(4)]
    return {"org": org, "propaganda": sec, "others": others}


def test_probationary_committee_member_is_a_voters_error_until_conversion(branch):
    before = hit(findings_for(SYSTEM, at=D(2026, 6, 30)), "VB001", "SETUP-VOTERS")
    assert before is not None and before.severity == "error"
    assert "李娜（组织委员）为预备党员" in before.message and "（党章第七条）" in before.message
    assert "党章 art. 7" in before.source
    assert before.evidence["ineligible_holders"] == "李娜（组织委员，预备党员）"
    # 王强, 赵敏 and 4 others are full members; 李娜 is not yet
    assert before.evidence["voters"] == 6 and before.evidence["full_members"] == 6
    assert hit(findings_for(SYSTEM, at=D(2026, 7, 1)), "VB001", "SETUP-VOTERS") is None


def test_committee_member_under_probation_watch_has_no_right_to_be_elected(branch):
    status(branch["propaganda"], "留党察看", D(2026, 3, 1), D(2027, 3, 1))
    f = hit(findings_for(SYSTEM, at=TODAY), "VB001", "SETUP-VOTERS")
    assert f is not None and "赵敏（宣传委员）处于留党察看期间" in f.message
    assert "（党章第四十条）" in f.message
    assert f.evidence["voters"] == 6  # 7 full members, one without the vote
    assert f.evidence["full_members"] == 7
    earlier = hit(findings_for(SYSTEM, at=D(2026, 2, 28)), "VB001", "SETUP-VOTERS")
    assert earlier is not None and "赵敏" not in earlier.message  # only 李娜, still probationary
    assert findings_for_org(SYSTEM, branch["org"], at=TODAY) == [
        x for x in findings_for(SYSTEM, at=TODAY) if x.subject == "VB001"
    ]


def test_members_out_of_the_party_are_not_on_the_roll(tree):
    org = make_org(tree["town_a"], sector="机关", code="LV001")
    secretary = make_member(org, post="书记", joined_on=D(2000, 7, 1))
    members = [make_member(org) for _ in range(2)]
    assert hit(findings_for(SYSTEM, at=TODAY), "LV001", "SETUP-BRANCH-MIN-FULL") is None
    status(members[0], "死亡", D(2026, 8, 14))
    status(secretary, "开除党籍", D(2026, 9, 1))
    short = hit(findings_for(SYSTEM, at=TODAY), "LV001", "SETUP-BRANCH-MIN-FULL")
    assert short is not None and short.evidence["full_members"] == 1
    vacant = hit(findings_for(SYSTEM, at=TODAY), "LV001", "SETUP-SECRETARY-VACANT")
    assert vacant is not None and vacant.evidence["secretary_holders"] == 0
    # the day before the death all three were still members
    assert hit(findings_for(SYSTEM, at=D(2026, 8, 13)), "LV001", "SETUP-BRANCH-MIN-FULL") is None
    # the 党委 above counts its subtree without them: the page and the scope run agree
    town = tree["town_a"]
    assert findings_for_org(SYSTEM, town, at=TODAY) == [
        x for x in findings_for(SYSTEM, at=TODAY) if x.subject == town.code
    ]


def test_suspended_member_stays_on_the_roll_without_the_vote(tree):
    org = make_org(tree["town_a"], sector="机关", code="SP001")
    members = [make_member(org) for _ in range(3)]
    status(members[0], "停止党籍", D(2026, 1, 10))
    findings = findings_for(SYSTEM, at=TODAY)
    assert hit(findings, "SP001", "SETUP-BRANCH-MIN-FULL") is None


@pytest.fixture
def temp(tree):
    return make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS100",
                    name="甲镇重点项目临时党支部", founded_on=D(2022, 3, 1),
                    term_started_on=D(2022, 3, 1))  # fmt: skip


def _take_part(temp, member, start, post=""):
    return participation_add(
        actor=SYSTEM,
        data=ParticipationInput(org=temp, member=member, started_on=start, post=post),
    )


def test_temporary_branch_without_participants_is_not_judged_from_its_empty_roll(temp):
    rules = {f.rule for f in findings_for(SYSTEM, at=TODAY) if f.subject == "LS100"}
    assert rules == set()  # no roll, no participants recorded, no 换届 (term recorded anyway)


def test_temporary_branch_is_judged_from_its_participants(tree, temp):
    a, b = tree["members_a"][:2]
    _take_part(temp, a, D(2026, 3, 5), post="书记")
    _take_part(temp, b, D(2026, 3, 5))
    findings = findings_for(SYSTEM, at=TODAY)
    short = hit(findings, "LS100", "SETUP-BRANCH-MIN-FULL")
    assert short is not None and short.severity == "warning"
    assert short.evidence == {"participants_full": 2, "participants": 2}
    assert "参加人员中正式党员 2 名" in short.message
    assert hit(findings, "LS100", "SETUP-SECRETARY-VACANT") is None  # 书记 designated
    for rule in ("SETUP-COMMITTEE-REQUIRED", "SETUP-NO-COMMITTEE-SMALL", "SETUP-VOTERS",
                 "SETUP-TERM", "SETUP-TERM-EXPIRING", "SETUP-TERM-EXPIRED"):  # fmt: skip
        assert hit(findings, "LS100", rule) is None, rule
    # the participants' own branch still counts them on its roll
    assert hit(findings, "BA001", "SETUP-BRANCH-MIN-FULL") is None
    _take_part(temp, make_member(tree["branch_b"]), D(2026, 4, 1))
    assert hit(findings_for(SYSTEM, at=TODAY), "LS100", "SETUP-BRANCH-MIN-FULL") is None
    # before anyone took part, nothing was judged
    assert hit(findings_for(SYSTEM, at=D(2026, 3, 4)), "LS100", "SETUP-BRANCH-MIN-FULL") is None
    assert findings_for_org(SYSTEM, temp, at=TODAY) == [
        x for x in findings_for(SYSTEM, at=TODAY) if x.subject == "LS100"
    ]


def test_temporary_branch_secretary_from_participants(tree, temp):
    probationary = make_member(tree["branch_a"], member_type="预备党员", joined_on=D(2026, 1, 8))
    _take_part(temp, probationary, D(2026, 3, 5), post="书记")
    findings = findings_for(SYSTEM, at=TODAY)
    age = hit(findings, "LS100", "SETUP-SECRETARY-PARTY-AGE")
    assert age is not None and "仍为预备党员" in age.message
    no_secretary = make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS101")
    _take_part(no_secretary, tree["members_a"][2], D(2026, 5, 1))
    vacant = hit(findings_for(SYSTEM, at=TODAY), "LS101", "SETUP-SECRETARY-VACANT")
    assert vacant is not None and "参加人员中没有指定书记" in vacant.message


def test_working_committee_has_no_term_rule(tree):
    make_org(tree["root"], org_type="党工委", sector="机关", code="GW100",
             term_started_on=D(2018, 3, 1), term_years=5)  # fmt: skip
    findings = findings_for(SYSTEM, at=TODAY)
    assert not [f for f in findings if f.subject == "GW100" and f.rule.startswith("SETUP-TERM")]
    committee = make_org(tree["root"], org_type="党委", sector="机关", code="DW100",
                         term_started_on=D(2018, 3, 1))  # fmt: skip
    assert committee.term_ends_on == D(2023, 3, 1)
    assert hit(findings_for(SYSTEM, at=TODAY), "DW100", "SETUP-TERM-EXPIRED") is not None


def _delay(org, approved_on, deadline):
    return org_election_delay_record(
        actor=SYSTEM,
        org=org,
        data=ElectionDelayInput(
            approved_by="中共甲镇委员会", approved_on=approved_on, new_deadline=deadline
        ),
    )


def test_approved_delay_is_no_error_until_the_new_deadline(tree):
    # a 3-year branch term from 2023-01-10 ends 2026-01-10; delayed by a year to 2027-01-09
    org = make_org(tree["town_a"], sector="机关", code="DL100", term_started_on=D(2023, 1, 10))
    _delay(org, D(2025, 12, 20), D(2027, 1, 9))

    def rules_at(day):
        return {f.rule: f for f in findings_for(SYSTEM, at=day) if f.subject == "DL100"}

    # approved before the term ended: the reminder follows the new deadline
    assert "SETUP-TERM-EXPIRING" not in rules_at(D(2026, 1, 5))
    quiet = rules_at(D(2026, 3, 1))  # expired, delay approved, new deadline 10 months away
    assert "SETUP-TERM-EXPIRED" not in quiet and "SETUP-TERM-EXPIRING" not in quiet
    due = rules_at(D(2026, 7, 9))["SETUP-TERM-EXPIRING"]
    assert due.severity == "due" and due.due_date == D(2027, 1, 9)
    assert "已于 2026-01-10 届满" in due.message and "批准延期换届至 2027-01-09" in due.message


@pytest.mark.today("2027-01-20T09:00")
def test_after_the_new_deadline_the_term_is_overdue_again(tree):
    org = make_org(tree["town_a"], sector="机关", code="DL101", term_started_on=D(2023, 1, 10))
    _delay(org, D(2025, 12, 20), D(2027, 1, 9))

    def rules_at(day):
        return {f.rule: f for f in findings_for(SYSTEM, at=day) if f.subject == "DL101"}

    last_day = rules_at(D(2027, 1, 9))
    assert "SETUP-TERM-EXPIRED" not in last_day
    assert last_day["SETUP-TERM-EXPIRING"].due_date == D(2027, 1, 9)
    over = rules_at(D(2027, 1, 10))["SETUP-TERM-EXPIRED"]
    assert over.severity == "error" and "已超过延期期限 1 天仍未换届" in over.message
    assert over.evidence["delay_new_deadline"] == "2027-01-09"
    assert over.evidence["delay_approved_by"] == "中共甲镇委员会"
    assert "SETUP-TERM-EXPIRING" not in rules_at(D(2027, 1, 10))
    # without a delay the same term is an error since 2026-01-11
    plain = make_org(tree["town_a"], sector="机关", code="DL102", term_started_on=D(2023, 1, 10))
    f = hit(findings_for(SYSTEM, at=D(2026, 1, 11)), plain.code, "SETUP-TERM-EXPIRED")
    assert f is not None and f.evidence["overdue_days"] == 1


def test_query_count_does_not_grow_with_standings_participants_or_delays(tree):
    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            findings_for(SYSTEM, at=TODAY)
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        org = make_org(tree["town_a"], sector="机关", term_started_on=D(2022, 1, 1))
        members = [make_member(org, post="组织委员" if i == 0 else "") for i in range(3)]
        make_member(org, member_type="预备党员", joined_on=D(2026, 2, 1), post="委员")
        status(members[1], "留党察看", D(2026, 2, 1), D(2027, 2, 1))
        status(members[2], "死亡", D(2026, 5, 1))
        _delay(org, D(2024, 12, 1), D(2025, 6, 1) + dt.timedelta(days=n))
        temp = make_org(tree["town_a"], org_type="临时党支部", sector="农村")
        _take_part(temp, members[0], D(2026, 3, 1), post="书记")

    grow(1)
    small = run()
    for n in range(2, 8):
        grow(n)
    assert run() == small
    # organizations, the roll, committee holders on probation, standings (members and their
    # statuses), participants and their standings
    assert small <= 7
