"""The people of a case at the right date (issue 9): an applicant under 18 is refused by the
service, the page and the API; a 临时党支部 does not recruit; contacts and introducers are
judged by their standing on the step's date (留党察看, 停止党籍); a branch vote's 应到 defaults
to the members with voting rights on the roll that day, and a different number is warned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core.idnumber import compose_id
from dangjian.core.models import AuditEntry
from dangjian.members.services import StatusInput, member_status_record
from dangjian.recruit.models import RecruitCase
from dangjian.recruit.selectors import case_findings, case_get
from tests.factories import make_member, make_org, make_user
from tests.recruit.helpers import TODAY, D, open_case, step

#: an eleven-year-old from 南京市玄武区, born 2015-03-02
CHILD = compose_id("320102", D(2015, 3, 2), 31)
#: turns 18 on 2026-10-20
JUST_18 = compose_id("320102", D(2008, 10, 20), 44)


# --- age --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_refuses_an_eleven_year_old_and_writes_nothing(tree):
    before = (RecruitCase.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        open_case(tree["branch_a"], D(2026, 11, 20), id_number=CHILD, name="小明")
    [message] = exc.value.message_dict["id_number"]
    assert "小明出生于 2015-03-02" in message and "未满 18 周岁" in message
    assert "2033-03-02 年满" in message
    assert (RecruitCase.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_eighteenth_birthday_is_old_enough(tree):
    with pytest.raises(ValidationError):
        open_case(tree["branch_a"], D(2026, 10, 19), id_number=JUST_18)
    case = open_case(tree["branch_a"], D(2026, 10, 20), id_number=JUST_18)
    assert case.birth_date == D(2008, 10, 20)


@pytest.mark.django_db
def test_form_refuses_an_eleven_year_old(tree, login):
    client = login(tree["secretary_a"])
    response = client.post(
        "/recruit/orgs/BA001/open/",
        {"name": "小明", "id_number": CHILD, "applied_on": "2026-11-20", "priority_group": "青年"},
    )
    assert response.status_code == 400
    assert (
        "小明出生于 2015-03-02，递交入党申请书时（2026-11-20）未满 18 周岁"
        in response.content.decode()
    )
    assert not RecruitCase.objects.exists()


@pytest.mark.django_db
def test_api_refuses_an_eleven_year_old(tree, api):
    response = api(tree["secretary_a"]).post(
        "/api/v1/recruitment/cases/",
        {"org": "BA001", "name": "小明", "id_number": CHILD, "applied_on": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 400
    assert "未满 18 周岁" in response.json()["id_number"][0]
    assert not RecruitCase.objects.exists()


# --- 临时党支部 ----------------------------------------------------------------------------------


@pytest.fixture
def temp(tree):
    org = make_org(
        tree["town_a"],
        org_type="临时党支部",
        sector="农村",
        code="LS001",
        name="甲镇培训班临时党支部",
    )
    return org


@pytest.mark.django_db
def test_temporary_branch_does_not_recruit_service(tree, temp):
    with pytest.raises(ValidationError) as exc:
        open_case(temp, D(2026, 3, 1))
    assert (
        "甲镇培训班临时党支部是临时党支部，临时党支部不发展党员" in exc.value.message_dict["org"][0]
    )
    assert not RecruitCase.objects.exists()


@pytest.mark.django_db
def test_temporary_branch_does_not_recruit_pages_and_api(tree, temp, login, api):
    client = login(tree["admin_a"])
    html = client.get("/recruit/orgs/LS001/").content.decode()
    assert "登记入党申请（开案）" not in html and "不发展党员" in html
    response = client.get("/recruit/orgs/LS001/open/")
    assert response.status_code == 400 and "临时党支部不发展党员" in response.content.decode()
    response = client.post(
        "/recruit/orgs/LS001/open/",
        {
            "name": "赵六",
            "id_number": compose_id("320102", D(1985, 6, 1), 11),
            "applied_on": "2026-03-01",
        },
    )
    assert response.status_code == 400 and not RecruitCase.objects.exists()
    response = api(tree["admin_a"]).post(
        "/api/v1/recruitment/cases/",
        {
            "org": "LS001",
            "name": "赵六",
            "id_number": compose_id("320102", D(1985, 6, 1), 11),
            "applied_on": "2026-03-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "临时党支部不发展党员" in response.json()["org"][0]
    assert not RecruitCase.objects.exists()


# --- standing on the step's date ---------------------------------------------------------------


def _watch(member, start, end, kind="留党察看"):
    member_status_record(
        actor=SYSTEM,
        member=member,
        data=StatusInput(kind=kind, started_on=start, ends_on=end, decided_by="甲镇纪委"),
        today=TODAY,
    )


@pytest.mark.django_db
def test_introducer_under_probation_watch_on_the_step_date_is_flagged(tree):
    full = tree["members_a"]
    _watch(full[1], D(2024, 3, 1), D(2025, 3, 1))
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    step(case, 9, D(2024, 7, 19), introducers=full[:2])
    people = case.steps.get(number=9).details["introducers"]
    assert [p["status"] for p in people] == ["full", "probation_watch"]
    [f] = [
        f
        for f in case_findings(case_get(SYSTEM, case.pk), D(2024, 8, 1)).findings
        if f.rule == "RECRUIT-INTRODUCERS"
    ]
    assert f.severity == "error" and "留党察看或停止党籍期间的党员" in f.message
    assert f.evidence["introducers"] == ["full", "probation_watch"]
    # the same two on a day after the 留党察看 ended: both full members with full rights
    step(case, 9, D(2025, 3, 10), introducers=full[:2])
    people = case.steps.get(number=9).details["introducers"]
    assert [p["status"] for p in people] == ["full", "full"]
    findings = case_findings(case_get(SYSTEM, case.pk), D(2025, 4, 1)).findings
    assert not [f for f in findings if f.rule == "RECRUIT-INTRODUCERS"]


@pytest.mark.django_db
def test_contact_suspended_on_the_step_date_is_flagged(tree, login):
    full = tree["members_a"]
    _watch(full[0], D(2023, 5, 1), None, kind="停止党籍")
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    step(case, 3, D(2023, 7, 15))
    step(case, 5, D(2023, 7, 20), contacts=full[:2])
    assert [p["status"] for p in case.steps.get(number=5).details["contacts"]] == [
        "probation_watch",
        "full",
    ]
    [f] = [
        f
        for f in case_findings(case_get(SYSTEM, case.pk), D(2023, 8, 1)).findings
        if f.rule == "RECRUIT-CONTACTS"
    ]
    assert "培养联系人须为正式党员" in f.message
    html = login(tree["inspector_a"]).get(f"/recruit/cases/{case.pk}/").content.decode()
    assert f"{full[0].name}（留党察看或停止党籍期间）" in html


@pytest.mark.django_db
def test_introducer_who_joined_after_the_step_was_not_a_member_that_day(tree):
    late = make_member(tree["branch_a"], joined_on=D(2025, 1, 1), name="后入党")
    case = open_case(tree["branch_a"], D(2023, 1, 10))
    step(case, 9, D(2024, 7, 19), introducers=[tree["members_a"][0], late])
    assert case.steps.get(number=9).details["introducers"][1]["status"] == "not_member"


# --- voters on the vote date --------------------------------------------------------------------


@pytest.mark.django_db
def test_vote_form_defaults_to_the_voters_on_the_roll_and_warns_on_a_difference(tree, login):
    full = tree["members_a"]  # four full members since 2010
    _watch(full[3], D(2026, 9, 1), D(2027, 9, 1))  # no vote while under 留党察看
    make_member(tree["branch_a"], member_type="预备党员", joined_on=D(2026, 5, 1))  # no vote
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    client = login(tree["secretary_a"])
    html = client.get(f"/recruit/cases/{case.pk}/steps/15/").content.decode()
    assert "名册中 2026-11-23 有表决权的正式党员 <strong>3</strong> 人" in html
    assert 'name="entitled" value="3"' in html
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/15/",
        {"done_on": "2026-11-20", "entitled": 5, "present": 4, "yes": 4},
        follow=True,
    )
    text = response.content.decode()
    assert "已记录：第 15 步 支部大会讨论" in text
    assert (
        "填写的应到会有表决权人数为 5 人，而甲村党支部名册中 2026-11-20 有表决权的正式党员为 3 人"
        in text
    )
    assert case.steps.get(number=15).details["vote"]["roll_entitled"] == 3
    # a vote before the 留党察看 began: four had the vote that day, no warning for 4
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/15/",
        {"done_on": "2026-08-20", "entitled": 4, "present": 4, "yes": 4},
        follow=True,
    )
    assert "填写的应到会有表决权人数" not in response.content.decode()


@pytest.mark.django_db
def test_api_step_response_warns_about_the_roll(tree, api):
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    admin = make_user(tree["branch_a"], "branch_secretary", username="sec_api")
    response = api(admin).post(
        f"/api/v1/recruitment/cases/{case.pk}/steps/",
        {"number": 15, "done_on": "2026-11-20", "vote": {"entitled": 6, "present": 4, "yes": 4}},
        format="json",
    )
    assert response.status_code == 201, response.content
    [warning] = response.json()["warnings"]
    assert "有表决权的正式党员为 4 人" in warning


@pytest.mark.django_db
def test_api_names_the_introducer_that_is_not_found_in_words(tree, api):
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    other = tree["members_b"][0]  # another town's member: outside the secretary's scope
    response = api(tree["secretary_a"]).post(
        f"/api/v1/recruitment/cases/{case.pk}/steps/",
        {"number": 9, "done_on": "2026-11-20", "introducers": [tree["members_a"][0].pk, other.pk]},
        format="json",
    )
    assert response.status_code == 400
    [message] = response.json()["introducers"]
    assert message.startswith("所选入党介绍人（第 2 位，")
    assert "不在您可查看的党员名册中" in message and "党员记录" not in message
    assert not case.steps.filter(number=9).exists()


def test_ids_are_real_shaped():
    assert CHILD[:6] == "320102" and CHILD[6:14] == "20150302"
    assert dt.date(2008, 10, 20).isoformat().replace("-", "") in JUST_18


@pytest.mark.django_db
def test_introducer_picker_shows_a_standing_in_force(tree, login):
    full = tree["members_a"]
    _watch(full[2], D(2026, 6, 1), D(2027, 6, 1))
    case = open_case(tree["branch_a"], D(2024, 1, 10))
    html = login(tree["secretary_a"]).get(f"/recruit/cases/{case.pk}/steps/9/").content.decode()
    assert f"{full[2].name}（留党察看）" in html and f"{full[0].name}（正式党员）" in html
