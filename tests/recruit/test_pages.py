"""发展党员 pages: case list, opening a case, the case page and its step forms, the approval
queue, the dashboard and the plans; the authorization matrix for every page and POST."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.recruit.models import (
    ActivistReview,
    RecruitCase,
    RecruitNotice,
    RecruitPlan,
    RecruitStep,
)
from tests.factories import make_id_number, make_member, make_org, make_user
from tests.recruit.helpers import D, open_case, step, vote, walk_to_admission


def _state():
    return (
        RecruitCase.objects.count(),
        tuple(RecruitCase.objects.order_by("pk").values_list("pk", "status", "approver_id")),
        tuple(RecruitStep.objects.order_by("pk").values_list("pk", "number", "done_on")),
        RecruitNotice.objects.count(),
        ActivistReview.objects.count(),
        RecruitPlan.objects.count(),
        Member.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def rtree(tree):
    tree["secretary_b"] = make_user(tree["branch_b"], "branch_secretary", username="secretary_b")
    tree["probationary_a"] = make_member(
        tree["branch_a"], member_type="预备党员", joined_on=D(2024, 3, 1), name="预备甲"
    )
    return tree


def _open_form(**extra):
    data = {
        "name": "王小明",
        "id_number": make_id_number(D(2000, 5, 1)),
        "applied_on": "2026-01-10",
        "phone": "13912345678",
        "category": "在岗职工",
        "priority_group": "青年",
        "note": "",
    }
    data.update(extra)
    return data


# --- list and opening -------------------------------------------------------------------------


@pytest.mark.django_db
def test_secretary_opens_case_and_sees_where_it_stands(rtree, login):
    client = login("secretary_a")
    assert client.get("/recruit/")["Location"] == "/recruit/orgs/BA001/"
    page = client.get("/recruit/orgs/BA001/").content.decode()
    assert "登记入党申请" in page
    assert client.get("/recruit/orgs/BA001/open/").status_code == 200
    response = client.post("/recruit/orgs/BA001/open/", _open_form())
    case = RecruitCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/recruit/cases/{case.pk}/"
    assert case.org == rtree["branch_a"] and case.priority_group == "青年"
    assert case.steps.get().done_on == D(2026, 1, 10)
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "入党申请人（2026-01-10 递交入党申请书）" in html
    assert "党组织派人谈话应于 2026-02-10 前完成" in html
    assert "13912345678" not in html and case.phone_masked in html
    assert case.id_number_masked in html
    listing = client.get("/recruit/orgs/BA001/").content.decode()
    assert case.case_no in listing and "入党申请人" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "text"),
    [
        ({"id_number": "110105200105060000"}, "校验"),
        ({"applied_on": "2099-01-01"}, "晚于今天"),
        ({"applied_on": "2026-02-30"}, "不存在"),
        ({"name": ""}, "请填写姓名"),
    ],
)
def test_open_bad_input_shows_error_and_writes_nothing(rtree, extra, text, login):
    client = login("secretary_a")
    before = _state()
    response = client.post("/recruit/orgs/BA001/open/", _open_form(**extra))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_open_case_only_at_a_branch(rtree, login):
    response = login("admin_a").get("/recruit/orgs/TA001/open/")
    assert response.status_code == 400 and "应建在党支部" in response.content.decode()


@pytest.mark.django_db
def test_list_filters_and_subtree(rtree, login):
    applicant = open_case(rtree["branch_a"], D(2026, 2, 1), name="申请甲")
    activist = open_case(rtree["branch_a"], D(2025, 1, 5), name="积极乙")
    step(activist, 2, D(2025, 1, 20), today=timezone.localdate())
    step(activist, 3, D(2025, 5, 1), today=timezone.localdate())  # before 6 months: a warning
    other = open_case(rtree["branch_b"], D(2026, 2, 1), name="乙社区申请人")
    admin_a = login("admin_a")
    html = admin_a.get("/recruit/").content.decode()
    assert applicant.case_no in html and activist.case_no in html
    assert other.case_no not in html  # another subtree
    html = admin_a.get("/recruit/?stage=activist").content.decode()
    assert activist.case_no in html and applicant.case_no not in html
    html = admin_a.get("/recruit/?year=2026").content.decode()
    assert applicant.case_no in html and activist.case_no not in html
    html = admin_a.get("/recruit/?findings=yes").content.decode()
    assert activist.case_no in html and "RECRUIT" not in html.split("<table")[0]
    assert login("admin").get("/recruit/?org=TB001").content.decode().count("data-case=") == 1
    assert admin_a.get("/recruit/?org=TB001").status_code == 404
    assert admin_a.get("/recruit/?year=abc").status_code == 400
    assert admin_a.get("/recruit/?stage=nope").status_code == 400


# --- the case page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_steps_data_and_findings_with_source(rtree, login):
    full = rtree["members_a"]
    case = walk_to_admission(rtree["branch_a"], full, approver=rtree["town_a"])
    # a second introducer who is probationary: saved, and shown as a finding
    step(case, 9, D(2024, 7, 19), introducers=[full[0], rtree["probationary_a"]])
    html = login("inspector_a").get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "预备党员（自 2024-08-20 起），预备期至 2025-08-20" in html
    # issue 9: the source in Chinese words, the rule id beside its Chinese title
    assert 'data-rule="RECRUIT-INTRODUCERS"' in html and "《中国共产党章程》第五条" in html
    assert "art. 5" not in html and "两名正式党员作入党介绍人" in html
    assert f"入党介绍人：{full[0].name}（正式党员）、预备甲（预备党员）" in html
    assert "应到有表决权 20 人，实到 15 人，书面意见 0 份，赞成 11 票" in html
    assert "结论：同意" in html and "谈话人：李书记" in html
    assert "甲镇党委组织办" in html
    assert ">记录<" not in html and "记录公示" not in html  # read-only role


@pytest.mark.django_db
def test_record_step_with_people_from_the_roll(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    client = login("secretary_a")
    form = client.get(f"/recruit/cases/{case.pk}/steps/5/").content.decode()
    full = rtree["members_a"]
    assert f"{full[0].name}（正式党员）" in form and "预备甲（预备党员）" in form
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/5/",
        {"done_on": "2025-07-20", "people": [full[0].pk, full[1].pk, full[2].pk]},
    )
    assert response.status_code == 302
    saved = case.steps.get(number=5)
    assert [p["member"] for p in saved.details["contacts"]] == [m.pk for m in full[:3]]
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert 'data-rule="RECRUIT-CONTACTS"' in html  # three contacts: a finding, not a refusal
    # a member of another branch cannot be picked
    before = _state()
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/9/",
        {"done_on": "2025-07-20", "people": [rtree["members_b"][0].pk]},
    )
    assert response.status_code == 400 and "只能从本支部名册中选择" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_talk_step_takes_the_talker_from_the_roll(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    member = rtree["members_a"][1]
    response = login("secretary_a").post(
        f"/recruit/cases/{case.pk}/steps/2/", {"done_on": "2025-01-20", "talker_member": member.pk}
    )
    assert response.status_code == 302
    assert case.steps.get(number=2).details["talker"] == member.name


@pytest.mark.django_db
def test_vote_that_cannot_be_true_is_refused_and_nothing_written(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    client = login("secretary_a")
    before = _state()
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/15/",
        {"done_on": "2025-06-01", "entitled": 10, "present": 12, "yes": 9},
    )
    assert response.status_code == 400 and "实到人数多于应到人数" in response.content.decode()
    assert _state() == before
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/15/",
        {"done_on": "2025-06-01", "entitled": 10, "present": 6, "yes": 5, "written_opinions": 1},
    )
    assert response.status_code == 302  # too early in the procedure: saved, shown as findings
    assert case.steps.get(number=15).details["vote"] == {
        "entitled": 10,
        "present": 6,
        "yes": 5,
        "written_opinions": 1,
        "roll_entitled": 4,  # the branch's full members on the vote date, kept with the record
    }
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert 'data-rule="RECRUIT-VOTE-MAJORITY"' in html and 'data-rule="RECRUIT-ORDER"' not in html
    assert "2099" not in html
    future = client.post(f"/recruit/cases/{case.pk}/steps/16/", {"done_on": "2099-01-01"})
    assert future.status_code == 403  # step 16 belongs to the upper committee


@pytest.mark.django_db
def test_political_review_and_training_are_one_transaction(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    client = login("secretary_a")
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/10/",
        {"done_on": "2025-08-01", "review": "pass", "review_body": "甲镇党委组织办"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.political_review, case.political_review_on) == ("pass", D(2025, 8, 1))
    assert case.political_review_body == "甲镇党委组织办"
    assert case.steps.filter(number=10).exists()
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/11/", {"done_on": "2025-08-05", "hours": "20"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert float(case.training_hours) == 20.0
    # a future date: neither the case fields nor the step change
    before = _state()
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/11/", {"done_on": "2099-08-05", "hours": "30"}
    )
    assert response.status_code == 400
    assert _state() == before
    case.refresh_from_db()
    assert float(case.training_hours) == 20.0


@pytest.mark.django_db
def test_notice_review_and_approver_forms(rtree, login):
    general = make_org(rtree["town_a"], org_type="党总支", code="GZ001", name="甲村党总支")
    branch = make_org(general, org_type="党支部", code="BA002", name="甲村二组党支部")
    case = open_case(branch, D(2025, 1, 5))
    client = login("secretary_a")
    assert client.get(f"/recruit/cases/{case.pk}/").status_code == 404  # not her branch
    client = login("admin_a")
    page = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    html = re.search(r'<select name="approver".*?</select>', page, re.S).group(0)
    assert f'<option value="{rtree["town_a"].pk}">' in html
    assert f'<option value="{general.pk}">' not in html  # a 党总支 has no authority
    before = _state()
    response = client.post(f"/recruit/cases/{case.pk}/approver/", {"approver": general.pk})
    assert response.status_code == 400 and "没有审批权限" in response.content.decode()
    assert _state() == before
    response = client.post(f"/recruit/cases/{case.pk}/approver/", {"approver": rtree["town_a"].pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.approver == rtree["town_a"]
    response = client.post(
        f"/recruit/cases/{case.pk}/notices/",
        {"kind": "activist", "first_day": "2025-06-30", "last_day": "2025-07-04"},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/recruit/cases/{case.pk}/notices/",
        {"kind": "activist", "first_day": "2025-07-04", "last_day": "2025-06-30"},
    )
    assert bad.status_code == 400 and "公示末日早于首日" in bad.content.decode()
    assert (
        client.post(
            f"/recruit/cases/{case.pk}/reviews/",
            {"reviewed_on": "2025-12-01", "review_note": "表现好"},
        ).status_code
        == 302
    )
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "确定入党积极分子：2025-06-30 至 2025-07-04" in html and "表现好" in html


# --- queue, decisions and the roll ------------------------------------------------------------


@pytest.mark.django_db
def test_queue_decides_admission_and_the_member_is_on_the_roll(rtree, login):
    full = rtree["members_a"]
    case = walk_to_admission(rtree["branch_a"], full, approver=rtree["town_a"])
    other = open_case(rtree["branch_a"], D(2024, 1, 5), name="待预审")
    step(other, 12, D(2025, 1, 5), today=timezone.localdate())
    # a case waiting for admission approval (vote recorded, no step 17)
    waiting = open_case(rtree["branch_a"], D(2023, 1, 5), name="待审批")
    step(waiting, 15, D(2025, 6, 1), vote=vote(), today=timezone.localdate())
    client = login("admin_a")
    html = client.get("/recruit/queue/").content.decode()
    order = re.findall(r'data-case="([^"]+)" data-step="(\d+)"', html)
    # oldest first: the pre-review waits since 2025-01-05, the approval since 2025-06-01
    assert order == [(other.case_no, "13"), (waiting.case_no, "17")]
    assert case.case_no not in html  # already approved
    response = client.post(
        f"/recruit/cases/{waiting.pk}/decide/17/",
        {"decided_on": "2025-07-01", "decision": "approved"},
    )
    assert response.status_code == 302 and response["Location"] == "/recruit/queue/"
    waiting.refresh_from_db()
    assert waiting.status == "admitted"
    member = waiting.member
    assert member is not None and member.member_type == "预备党员"
    assert member.joined_on == D(2025, 6, 1) and member.org == rtree["branch_a"]
    # a decision the step does not allow: message, nothing written
    before = _state()
    response = client.post(
        f"/recruit/cases/{other.pk}/decide/13/",
        {"decided_on": "2025-02-01", "decision": "extended"},
        follow=True,
    )
    assert "不能作出" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_conversion_from_the_case_page_makes_a_full_member(rtree, login):
    full = rtree["members_a"]
    case = walk_to_admission(rtree["branch_a"], full, approver=rtree["town_a"])
    step(case, 22, D(2025, 8, 1), today=timezone.localdate())
    step(case, 23, D(2025, 8, 25), vote=vote(), today=timezone.localdate())
    client = login("admin_a")
    response = client.post(
        f"/recruit/cases/{case.pk}/steps/24/", {"done_on": "2025-09-10", "decision": "approved"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "converted"
    assert case.member.member_type == "正式党员"
    assert case.member.confirmed_on == D(2025, 8, 20)


# --- dashboard and plans ----------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_and_plans(rtree, login):
    full = rtree["members_a"]
    walk_to_admission(rtree["branch_a"], full, approver=rtree["town_a"])
    client = login("admin_a")
    response = client.post(
        "/recruit/plans/",
        {"org": "TA001", "year": "2024", "quota": "3", "group_0": "1", "group_2": "2"},
    )
    assert response.status_code == 302
    plan = RecruitPlan.objects.get()
    assert (plan.org, plan.year, plan.quota) == (rtree["town_a"], 2024, 3)
    assert {q.priority_group: q.quota for q in plan.quotas.all()} == {"一线工人": 1, "青年": 2}
    html = client.get("/recruit/plans/?year=2024").content.decode()
    assert 'data-org="TA001"' in html
    bad = client.post(
        "/recruit/plans/", {"org": "TA001", "year": "2024", "quota": "1", "group_2": "2"}
    )
    assert bad.status_code == 400 and "超过计划总数" in bad.content.decode()
    outside = client.post("/recruit/plans/", {"org": "TB001", "year": "2024", "quota": "1"})
    assert outside.status_code == 400 and "不在您的管辖范围内" in outside.content.decode()
    html = client.get("/recruit/dashboard/?year=2024").content.decode()
    assert "echarts.min.js" in html and "recruit/dashboard.js" in html
    assert 'id="stage-chart"' in html and 'id="group-chart"' in html
    assert '<td class="num">1</td>' in html  # one admission in 2024
    assert "甲镇党委" in html
    assert client.get("/recruit/dashboard/?year=20x4").status_code == 400


# --- authorization matrix ---------------------------------------------------------------------


def _targets(case, tree):
    pk = case.pk
    return [
        ("get", "/recruit/", None),
        ("get", "/recruit/orgs/BA001/", None),
        ("get", "/recruit/orgs/BA001/open/", None),
        ("post", "/recruit/orgs/BA001/open/", _open_form()),
        ("get", f"/recruit/cases/{pk}/", None),
        ("get", f"/recruit/cases/{pk}/steps/2/", None),
        ("post", f"/recruit/cases/{pk}/steps/2/", {"done_on": "2025-01-20", "talker": "甲"}),
        ("post", f"/recruit/cases/{pk}/steps/4/", {"done_on": "2025-01-20"}),
        (
            "post",
            f"/recruit/cases/{pk}/notices/",
            {"kind": "activist", "first_day": "2025-06-30", "last_day": "2025-07-04"},
        ),
        ("post", f"/recruit/cases/{pk}/reviews/", {"reviewed_on": "2025-12-01"}),
        ("post", f"/recruit/cases/{pk}/approver/", {"approver": tree["town_a"].pk}),
        ("get", "/recruit/queue/", None),
        (
            "post",
            f"/recruit/cases/{pk}/decide/13/",
            {"decided_on": "2025-02-01", "decision": "approved"},
        ),
        ("get", "/recruit/dashboard/", None),
        ("get", "/recruit/plans/", None),
        ("post", "/recruit/plans/", {"org": "BA001", "year": "2026", "quota": "2"}),
        ("post", f"/recruit/cases/{pk}/export.docx", {}),
        ("get", f"/recruit/cases/{pk}/edit/", None),
        ("post", f"/recruit/cases/{pk}/edit/", {"name": "改名", "priority_group": "农民"}),
        (
            "post",
            f"/recruit/cases/{pk}/withdraw/",
            {"withdrawn_on": "2025-03-01", "reason": "调离"},
        ),
    ]


#: user → expected status per target (same order as _targets); 302 for anonymous = to login
MATRIX = {
    None: [302] * 17,
    "sysadmin": [403] * 17,
    # another branch's secretary: own pages fine, the case and its forms are invisible (404)
    "secretary_b": [
        302,
        404,
        404,
        404,
        404,
        404,
        404,
        403,
        404,
        404,
        404,
        403,
        403,
        200,
        403,
        403,
        404,
    ],
    # same subtree, view only
    "inspector_a": [
        200,
        200,
        403,
        403,
        200,
        403,
        403,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        403,
        200,
    ],
    # the branch's own secretary: branch steps yes, upper-committee steps no
    "secretary_a": [
        302,
        200,
        200,
        302,
        200,
        200,
        302,
        403,
        302,
        302,
        302,
        403,
        403,
        200,
        403,
        403,
        200,
    ],
    # another committee: nothing of this branch
    "admin_b": [
        200,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        200,
        404,
        200,
        200,
        400,
        404,
    ],
}


#: the applicant form and withdrawal (last: it closes the case)
MATRIX_MORE = {
    None: [302] * 3,
    "sysadmin": [403] * 3,
    "secretary_b": [404] * 3,
    "inspector_a": [403] * 3,
    "secretary_a": [200, 302, 302],
    "admin_b": [404] * 3,
}


@pytest.mark.django_db
@pytest.mark.parametrize("user", list(MATRIX))
def test_authorization_matrix(rtree, user, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    step(case, 12, D(2025, 1, 10), today=timezone.localdate())
    client = login(user)
    for (method, url, data), expected in zip(
        _targets(case, rtree), MATRIX[user] + MATRIX_MORE[user], strict=True
    ):
        before = _state()
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == expected, (user, method, url, response.status_code)
        if method == "post" and expected != 302 and not url.endswith(".docx"):
            assert _state() == before, (user, url)
        if user is None:
            assert (
                response["Location"].startswith("/accounts/login/")
                or "login" in response["Location"]
            )


@pytest.mark.django_db
def test_denied_writes_change_nothing_for_an_upper_step_by_the_secretary(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5))
    step(case, 15, D(2025, 6, 1), vote=vote(), today=timezone.localdate())
    before = _state()
    client = login("secretary_a")
    for url, data in [
        (
            f"/recruit/cases/{case.pk}/decide/17/",
            {"decided_on": "2025-07-01", "decision": "approved"},
        ),
        (f"/recruit/cases/{case.pk}/steps/17/", {"done_on": "2025-07-01", "decision": "approved"}),
    ]:
        assert client.post(url, data).status_code == 403
    assert _state() == before
    assert not Member.objects.filter(name="张三").exists()


# --- query counts: the pages do not issue a query per organization or per case ----------------


def _cases_in_branches(tree, start: int, stop: int) -> None:
    today = timezone.localdate()
    for i in range(start, stop):
        branch = make_org(tree["town_a"], org_type="党支部", code=f"QB{i:03d}")
        members = [make_member(branch) for _ in range(3)]
        number = make_id_number(D(1990, 1, 1) + dt.timedelta(days=37 * i))
        case = open_case(branch, D(2023, 1, 5), name=f"申请人{i}", id_number=number)
        step(case, 2, D(2023, 1, 20), talker="甲", today=today)
        step(case, 3, D(2023, 7, 20), today=today)  # earlier than 6 months: a warning
        step(case, 5, D(2023, 7, 21), contacts=members[:2], today=today)
        step(case, 15, D(2025, 6, 1), vote=vote(), today=today)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_number_of_cases(rtree, login):
    client = login("admin_a")
    client.get("/")  # the first view after signing in starts the idle clock (a session write)
    urls = ["/recruit/", "/recruit/?findings=yes", "/recruit/queue/", "/recruit/dashboard/"]
    _cases_in_branches(rtree, 0, 2)
    small = [_queries(client, url) for url in urls]
    _cases_in_branches(rtree, 2, 8)
    large = [_queries(client, url) for url in urls]
    assert large == small, dict(zip(urls, zip(small, large, strict=True), strict=True))


@pytest.mark.django_db
def test_edit_applicant_and_withdraw(rtree, login):
    case = open_case(rtree["branch_a"], D(2025, 1, 5), phone="13912345678")
    client = login("secretary_a")
    html = client.get(f"/recruit/cases/{case.pk}/edit/").content.decode()
    assert case.phone_masked in html and "13912345678" not in html
    response = client.post(
        f"/recruit/cases/{case.pk}/edit/",
        {"name": "张三丰", "priority_group": "农民", "expected_leaving_on": "2026-12-31"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.name, case.priority_group) == ("张三丰", "农民")
    assert case.expected_leaving_on == D(2026, 12, 31)
    assert case.phone() == "13912345678"  # an empty phone field keeps the number
    bad = client.post(
        f"/recruit/cases/{case.pk}/edit/",
        {"name": "张三丰", "priority_group": "农民", "phone": "1"},
    )
    assert bad.status_code == 400
    response = client.post(
        f"/recruit/cases/{case.pk}/edit/",
        {"name": "张三丰", "priority_group": "农民", "clear_phone": "on"},
    )
    case.refresh_from_db()
    assert case.phone() == "" and case.expected_leaving_on is None
    response = client.post(
        f"/recruit/cases/{case.pk}/withdraw/", {"withdrawn_on": "2025-03-01", "reason": "调离"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"
    html = client.get(f"/recruit/cases/{case.pk}/").content.decode()
    assert "案例已结束：已终止" in html and ">记录<" not in html and "终止案例" not in html
    # a closed case takes no more steps; the form says why, nothing written
    before = _state()
    response = client.post(f"/recruit/cases/{case.pk}/steps/2/", {"done_on": "2025-01-20"})
    assert response.status_code == 400 and "不能再记录步骤" in response.content.decode()
    assert _state() == before
