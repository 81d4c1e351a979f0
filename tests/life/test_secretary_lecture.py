"""LIFE-SECRETARY-LECTURE-YEARLY: the secretary of every 党委 / 党工委 gives 1 党课 a year.

A 党课 counts for a committee when it is recorded (at any branch below it) with the lecturer
"上级党委书记" of that committee; boundaries: 31 December, 1 January of the next year.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.life.choices import LecturerRole
from dangjian.life.services import MeetingInput, meeting_record, upper_committees
from dangjian.rules.runner import findings_for
from tests.factories import make_org
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db
D = dt.date
RULE = "LIFE-SECRETARY-LECTURE-YEARLY"


def keys(actor=SYSTEM, *, org: str | None = None, at: dt.date, since: dt.date | None = None):
    found = findings_for(actor, rules="LIFE", rule_ids=[RULE], org_code=org, at=at, since=since)
    return sorted((f.subject, f.severity, f.period) for f in found), found


def lecture(branch, upper, day: dt.date, **extra):
    return meet(
        branch,
        "党课",
        day,
        lecturer_role=LecturerRole.UPPER_SECRETARY,
        lecturer_org=upper,
        **extra,
    )


def test_every_committee_owes_one_a_year_branches_nothing(tree):
    got, found = keys(at=D(2026, 3, 31))
    assert got == [("D0001", "due", "2026"), ("TA001", "due", "2026"), ("TB001", "due", "2026")]
    ta = next(f for f in found if f.subject == "TA001")
    assert ta.due_date == D(2026, 12, 31)
    assert ta.evidence["days_left"] == 275
    assert "截止 2026-12-31" in ta.message and "由党委书记讲党课" in ta.message


def test_lecture_at_a_contact_branch_counts_for_the_upper_committee(tree):
    # the town secretary lectures at a village branch: TA001 is met, the district is not
    lecture(tree["branch_a"], tree["town_a"], D(2026, 6, 1))
    got, _ = keys(at=D(2026, 7, 1))
    assert got == [("D0001", "due", "2026"), ("TB001", "due", "2026")]
    # the district secretary lecturing at the same branch counts for the district only
    lecture(tree["branch_a"], tree["root"], D(2026, 6, 2), topic="区委书记讲党课")
    got, _ = keys(at=D(2026, 7, 1))
    assert got == [("TB001", "due", "2026")]


def test_lecture_without_the_mark_does_not_count(tree):
    meet(tree["branch_a"], "党课", D(2026, 6, 1))  # the branch's own 党课 (or an import)
    meet(tree["branch_a"], "党课", D(2026, 6, 2), lecturer_role=LecturerRole.ORG_SECRETARY)
    got, _ = keys(org="TA001", at=D(2026, 7, 1))
    assert got == [("TA001", "due", "2026")]


def test_lecture_on_31_december_counts_for_that_year(tree):
    lecture(tree["branch_a"], tree["town_a"], D(2025, 12, 31))
    got, _ = keys(org="TA001", at=D(2026, 1, 1), since=D(2025, 1, 1))
    # 2025 met on its last day; 2026 has just begun
    assert got == [("TA001", "due", "2026")]
    got, found = keys(org="TA001", at=D(2025, 12, 31))
    assert got == [] and found == []


def test_lecture_on_1_january_counts_for_the_new_year_not_the_old(tree):
    lecture(tree["branch_a"], tree["town_a"], D(2026, 1, 1))
    # by default a lecture counts for the year of its date: 2025 is still missing; it may
    # still be given for 2025 until the end of February (所属年度), so it is due, not missed
    got, found = keys(org="TA001", at=D(2026, 1, 1), since=D(2025, 1, 1))
    assert got == [("TA001", "due", "2025")]
    assert found[0].due_date == D(2026, 2, 28)
    assert "2025年尚未由党委书记讲党课" in found[0].message
    got, found = keys(org="TA001", at=D(2026, 3, 1), since=D(2025, 1, 1))
    assert got == [("TA001", "error", "2025")]
    assert found[0].due_date is None and "2025年未由党委书记讲党课" in found[0].message
    got, _ = keys(org="TA001", at=D(2027, 3, 1), since=D(2026, 1, 1))
    assert got == [("TA001", "due", "2027")]


def test_lecture_in_january_for_the_year_before(tree):
    """The secretary's lecture for 2025, given in January 2026, counts for 2025 (所属年度)."""
    lecture(tree["branch_a"], tree["town_a"], D(2026, 1, 20), year=2025)
    got, _ = keys(org="TA001", at=D(2026, 1, 31), since=D(2025, 1, 1))
    assert got == [("TA001", "due", "2026")]
    # before it was given, 2025 was still due in the new year's window
    got, found = keys(org="TA001", at=D(2026, 1, 19))
    assert got == [("TA001", "due", "2025"), ("TA001", "due", "2026")]
    assert found[0].evidence["days_left"] == 40


def test_due_on_the_last_day_then_error(tree):
    got, found = keys(org="TB001", at=D(2026, 12, 31))
    assert got == [("TB001", "due", "2026")] and found[0].evidence["days_left"] == 0
    got, _ = keys(org="TB001", at=D(2027, 1, 1), since=D(2026, 1, 1))
    assert got == [("TB001", "due", "2026"), ("TB001", "due", "2027")]
    got, _ = keys(org="TB001", at=D(2027, 3, 1), since=D(2026, 1, 1))
    assert got == [("TB001", "due", "2027"), ("TB001", "error", "2026")]


def test_scope_a_committee_sees_itself_not_its_parent(tree):
    got, _ = keys(tree["admin_a"], at=D(2026, 3, 31))
    assert got == [("TA001", "due", "2026")]
    assert keys(tree["admin_b"], org="TB001", at=D(2026, 3, 31))[0] == [("TB001", "due", "2026")]


def test_committee_founded_in_the_second_half_is_checked_from_the_next_year(tree):
    # founded by 1 July: held to the yearly rule that year (issue 9; it used to be skipped)
    make_org(tree["root"], org_type="党委", code="TC001", founded_on=D(2026, 3, 1))
    assert keys(org="TC001", at=D(2026, 6, 1))[0] == [("TC001", "due", "2026")]
    make_org(tree["root"], org_type="党委", code="TC002", founded_on=D(2026, 8, 1))
    assert keys(org="TC002", at=D(2026, 9, 1))[0] == []
    assert keys(org="TC002", at=D(2027, 6, 1))[0] == [("TC002", "due", "2027")]


# --- recording: who gave the 党课 -----------------------------------------------------------


def data_for(branch, **extra) -> MeetingInput:
    values = {
        "org": branch,
        "meeting_type": "党课",
        "held_on": D(2026, 3, 1),
        "topic": "学习党章",
    }
    values.update(extra)
    return MeetingInput(**values)


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def test_upper_committees_nearest_first(tree):
    group = make_org(tree["branch_a"], org_type="党小组", code="GA001")
    assert [o.code for o in upper_committees(tree["branch_a"])] == ["TA001", "D0001"]
    assert [o.code for o in upper_committees(group)] == ["TA001", "D0001"]
    assert upper_committees(tree["root"]) == []


def test_record_a_lecture_by_the_upper_secretary_is_audited(tree):
    meeting = meeting_record(
        actor=tree["secretary_a"],
        data=data_for(
            tree["branch_a"],
            lecturer_role=LecturerRole.UPPER_SECRETARY,
            lecturer_org=tree["town_a"],
        ),
    )
    assert meeting.lecturer_org == tree["town_a"]
    entry = AuditEntry.objects.get(action="life.meeting.create", object_id=str(meeting.pk))
    assert entry.after["lecturer_role"] == "上级党委书记"
    assert entry.after["lecturer_org"] == "TA001"


@pytest.mark.parametrize(
    "extra,field,text",
    [
        ({"lecturer_role": "上级党委书记"}, "lecturer_org", "请选择是哪个党委"),
        ({"lecturer_role": "校长"}, "lecturer_role", "讲课人“校长”无效"),
        ({"lecturer_role": "本组织书记", "lecturer_org": "town_a"}, "lecturer_org", "只有"),
        ({"lecturer_role": "上级党委书记", "lecturer_org": "town_b"}, "lecturer_org", "不是"),
        ({"lecturer_role": "上级党委书记", "lecturer_org": "branch_b"}, "lecturer_org", "不是"),
        (
            {"meeting_type": "主题党日", "lecturer_role": "上级党委书记", "lecturer_org": "town_a"},
            "lecturer_role",
            "只有党课",
        ),
    ],
)
def test_bad_lecturer_is_refused_and_nothing_written(tree, extra, field, text):
    if "lecturer_org" in extra:
        extra = {**extra, "lecturer_org": tree[extra["lecturer_org"]]}
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        meeting_record(actor=tree["secretary_a"], data=data_for(tree["branch_a"], **extra))
    assert any(text in m for m in errors_of(exc.value)[field])
    assert AuditEntry.objects.count() == before
    from dangjian.life.models import Meeting

    assert not Meeting.objects.exists()


# --- the form, the API and the import carry the mark ----------------------------------------


def test_record_page_offers_the_upper_committees_and_counts_the_lecture(tree):
    from django.test import Client

    from dangjian.life.models import Meeting

    client = Client()
    client.force_login(tree["secretary_a"])
    html = client.get("/life/orgs/BA001/record/").content.decode()
    assert f'value="upper:{tree["town_a"].pk}"' in html and "上级党委书记（甲镇党委）" in html
    assert "乙街道党工委" not in html  # another subtree's committee is not offered
    day = timezone.localdate() - dt.timedelta(days=1)
    form = {
        "meeting_type": "党课",
        "held_on": day.isoformat(),
        "topic": "镇党委书记讲党课",
        "lecturer_choice": f"upper:{tree['town_a'].pk}",
    }
    response = client.post("/life/orgs/BA001/record/", form)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.lecturer_role, meeting.lecturer_org) == ("上级党委书记", tree["town_a"])
    detail = client.get(f"/life/meetings/{meeting.pk}/").content.decode()
    assert "上级党委书记（甲镇党委）" in detail
    # the edit form keeps the choice
    edit = client.get(f"/life/meetings/{meeting.pk}/edit/").content.decode()
    assert f'value="upper:{tree["town_a"].pk}" selected' in edit
    assert keys(org="TA001", at=day)[0] == []
    # a forged choice (a committee that is not offered) is refused, nothing written
    forged = {**form, "topic": "伪造", "lecturer_choice": f"upper:{tree['town_b'].pk}"}
    response = client.post("/life/orgs/BA001/record/", forged)
    assert response.status_code == 400 and Meeting.objects.count() == 1
    # a member of the roll as lecturer
    member = tree["members_a"][1]
    response = client.post(
        "/life/orgs/BA001/record/",
        {**form, "topic": "党员讲党课", "lecturer_choice": f"member:{member.pk}"},
    )
    assert response.status_code == 302
    other = Meeting.objects.get(topic="党员讲党课")
    assert (other.lecturer_role, other.lecturer, other.lecturer_org) == ("其他", member, None)


def test_api_records_the_lecturer_mark(tree, api):
    client = api("secretary_a")
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = {
        "org": "BA001",
        "meeting_type": "党课",
        "held_on": day,
        "topic": "镇党委书记讲党课",
        "lecturer_role": "上级党委书记",
        "lecturer_org": "TA001",
    }
    response = client.post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["lecturer_role"], data["lecturer_org"]) == ("上级党委书记", "TA001")
    bad = client.post(
        "/api/v1/meetings/", {**body, "topic": "x", "lecturer_org": "TB001"}, format="json"
    )
    assert bad.status_code == 400 and "不是本组织的上级党委" in str(bad.json())
    # PATCH: correct the mark
    response = client.patch(
        f"/api/v1/meetings/{data['id']}/",
        {"lecturer_role": "本组织书记", "lecturer_org": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["lecturer_role"], response.json()["lecturer_org"]) == (
        "本组织书记",
        None,
    )


def test_import_counts_only_marked_lectures(tree, tmp_path):
    import csv

    from dangjian.life.importers import COLUMNS, import_meetings
    from dangjian.life.models import Meeting

    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerow(
            [
                "BA001",
                "党课",
                "2026-03-01",
                "镇党委书记讲党课",
                "",
                "",
                "",
                "",
                "上级党委书记",
                "TA001",
            ]
        )
        writer.writerow(["BB001", "党课", "2026-03-01", "支部党课", "", "", "", "", "", ""])
    report = import_meetings(path, actor=tree["admin"])
    assert report.ok, report.error_lines()
    assert Meeting.objects.get(org=tree["branch_a"]).lecturer_org == tree["town_a"]
    got, _ = keys(at=dt.date(2026, 12, 31))
    assert got == [("D0001", "due", "2026"), ("TB001", "due", "2026")]
    # a committee that is not above the row's branch: the whole file is refused
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerow(
            ["BB001", "党课", "2026-04-01", "错配", "", "", "", "", "上级党委书记", "TA001"]
        )
        writer.writerow(["BB001", "党课", "2026-04-02", "另一次", "", "", "", "", "", "NOPE"])
    report = import_meetings(path, actor=tree["admin"])
    assert not report.ok
    text = "\n".join(report.error_lines())
    assert "不是乙社区党支部的上级党委" in text and "“NOPE”不是党委或党工委的编码" in text
    assert Meeting.objects.count() == 2


def test_committee_user_sees_its_own_secretary_lecture_on_the_life_page(tree):
    from django.test import Client

    client = Client()
    client.force_login(tree["admin_a"])
    html = client.get("/life/").content.decode()
    assert "甲镇党委书记讲党课" in html and "本年度已记录书记讲党课 0 次" in html
    lecture(tree["branch_a"], tree["town_a"], timezone.localdate())
    html = client.get("/life/").content.decode()
    assert "已完成每年至少 1 次的要求" in html
    # a branch secretary goes straight to the branch's to-do list
    client.force_login(tree["secretary_a"])
    assert client.get("/life/").status_code == 302


@pytest.mark.today("2027-01-20T09:00")
def test_committee_page_in_january_shows_last_year_still_due(tree):
    from django.test import Client

    client = Client()
    client.force_login(tree["admin_a"])
    html = client.get("/life/").content.decode()
    assert "2026 年度书记讲党课已记录 0 次" in html and "2027-02-28 前讲的党课" in html
    lecture(tree["branch_a"], tree["town_a"], D(2027, 1, 12), year=2026)
    html = client.get("/life/").content.decode()
    assert "2026 年度书记讲党课" not in html
    assert "本年度已记录书记讲党课 0 次" in html  # the January lecture counts for 2026 only
