"""``/api/v1/recruitment/cases/``: authorization matrix, create, nested steps, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.recruit.models import RecruitCase, RecruitStep
from tests.factories import make_id_number
from tests.recruit.helpers import D, open_case, step, vote

BASE = "/api/v1/recruitment/cases/"


@pytest.fixture
def case(tree):
    c = open_case(tree["branch_a"], D(2024, 1, 10))
    step(c, 15, D(2024, 8, 1), vote=vote())
    return c


def _state():
    return (
        RecruitCase.objects.count(),
        tuple(RecruitStep.objects.order_by("pk").values_list("pk", "number", "done_on")),
        Member.objects.count(),
        AuditEntry.objects.count(),
    )


def _new_case(_tree) -> dict:
    return {
        "org": "BA001",
        "name": "李四",
        "id_number": make_id_number(dt.date(2000, 1, 2)),
        "applied_on": "2025-03-01",
        "priority_group": "青年",
    }


def _branch_step(_tree) -> dict:
    return {"number": 2, "done_on": "2024-01-20", "talker": "王书记"}


def _approval(_tree) -> dict:
    return {"number": 17, "done_on": "2024-09-01", "decision": "approved"}


# (name, method, url, body, no-permission user, status for the other subtree, allowed user, ok)
MATRIX = [
    ("list", "get", lambda c: BASE, None, "sysadmin", 200, "secretary_a", 200),
    ("detail", "get", lambda c: f"{BASE}{c.pk}/", None, "sysadmin", 404, "inspector_a", 200),
    ("steps", "get", lambda c: f"{BASE}{c.pk}/steps/", None, "auditor", 404, "secretary_a", 200),
    ("create", "post", lambda c: BASE, _new_case, "inspector_a", 400, "secretary_a", 201),
    (
        "branch step",
        "post",
        lambda c: f"{BASE}{c.pk}/steps/",
        _branch_step,
        "inspector_a",
        404,
        "secretary_a",
        201,
    ),
    (
        "approval step",
        "post",
        lambda c: f"{BASE}{c.pk}/steps/",
        _approval,
        "secretary_a",
        404,
        "admin_a",
        201,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", MATRIX, ids=[r[0] for r in MATRIX])
def test_authorization_matrix(tree, case, api, row):
    _name, method, url, body, noperm, other_status, allowed, ok = row
    data = body(tree) if body else None

    clients = {u: api(u) for u in (None, noperm, "admin_b", allowed)}

    def call(user):
        return getattr(clients[user], method)(url(case), data, format="json")

    before = _state()
    assert call(None).status_code in (401, 403)
    assert call(noperm).status_code == 403
    other = call("admin_b")
    assert other.status_code == other_status
    if method == "get" and other_status == 200:
        assert case.case_no not in other.content.decode()
    if method != "get":
        assert _state() == before  # denied writes change nothing
    response = call(allowed)
    assert response.status_code == ok, response.content
    if method == "get" and "steps" not in url(case) and url(case) == BASE:
        assert case.case_no in response.content.decode()


@pytest.mark.django_db
def test_create_returns_detail_with_masked_numbers_and_timeline(tree, api):
    body = _new_case(tree)
    response = api("secretary_a").post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id_number"] != body["id_number"] and "*" in data["id_number"]
    assert data["stage"] == "applicant" and data["priority_group"] == "青年"
    assert [s["number"] for s in data["steps"]] == [1]
    assert data["timeline"]["next_steps"][0]["number"] == 2
    assert body["id_number"] not in response.content.decode()


@pytest.mark.django_db
def test_steps_nested_with_people_votes_and_findings(tree, api, case):
    a = api("secretary_a")
    people = [m.pk for m in tree["members_a"][:2]]
    r = a.post(
        f"{BASE}{case.pk}/steps/",
        {"number": 9, "done_on": "2024-07-01", "introducers": people},
        format="json",
    )
    assert r.status_code == 201, r.content
    nine = next(s for s in r.json()["steps"] if s["number"] == 9)
    assert [p["member"] for p in nine["details"]["introducers"]] == people
    assert {p["status"] for p in nine["details"]["introducers"]} == {"full"}
    r = a.post(
        f"{BASE}{case.pk}/steps/",
        {"number": 23, "done_on": "2024-08-02", "vote": {"entitled": 10, "present": 5, "yes": 5}},
        format="json",
    )
    assert r.status_code == 201
    rules = {f["rule"] for f in r.json()["findings"]["items"]}
    assert "RECRUIT-VOTE-MAJORITY" in rules
    detail = a.get(f"{BASE}{case.pk}/").json()
    assert {s["number"] for s in detail["steps"]} == {1, 9, 15, 23}


@pytest.mark.django_db
def test_step_errors_are_400_with_chinese_messages(tree, api, case):
    a = api("secretary_a")
    url = f"{BASE}{case.pk}/steps/"
    cases = [
        ({"number": 26, "done_on": "2024-01-01"}, "number"),
        ({"number": 2, "done_on": "2024-02-30"}, "done_on"),
        ({"number": 2, "done_on": "2999-01-01"}, "done_on"),
        ({"number": 5, "done_on": "2024-02-01", "contacts": [tree["members_b"][0].pk]}, "contacts"),
        (
            {
                "number": 15,
                "done_on": "2024-08-01",
                "vote": {"entitled": 3, "present": 4, "yes": 1},
            },
            "vote",
        ),
    ]
    before = _state()
    for body, field in cases:
        r = a.post(url, body, format="json")
        assert r.status_code == 400, (body, r.content)
        assert field in r.json(), r.json()
    assert _state() == before
    r = api("admin_a").post(url, {"number": 17, "done_on": "2024-09-01"}, format="json")
    assert r.status_code == 400 and "decision" in r.json()


@pytest.mark.django_db
def test_list_filters(tree, api, case):
    open_case(tree["branch_b"], D(2024, 1, 10))
    admin = api("admin")
    assert admin.get(BASE).json()["count"] == 2
    assert admin.get(f"{BASE}?org=TA001").json()["count"] == 1
    assert admin.get(f"{BASE}?status=admitted").json()["count"] == 0
    assert admin.get(f"{BASE}?status=nope").status_code == 400
    assert api("admin_a").get(f"{BASE}?org=TB001").status_code == 404
    assert SYSTEM  # the fixture cases were opened by the command-line operator
