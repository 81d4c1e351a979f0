"""The API: plans, visits, findings to tasks, with the 暗访 boundary; bad input a 400 in Chinese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.inspection.models import Finding, InspectionPlan
from tests.authz import state

from .conftest import make_plan, make_visit

pytestmark = pytest.mark.django_db
OK = {"code": "D1", "result": "符合"}


def test_plan_visit_and_task_through_the_api(place, api):
    client = api(place.root_admin)
    response = client.post(
        reverse("api:inspection-plans"),
        {
            "title": "年终督查",
            "kind": "督查",
            "checklist": "dangjian-ducha",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-31",
            "sample_share": "0.2",
            "sampling_seed": 3,
            "hand_picked": [place.branch.code],
            "inspectors": ["ducha1"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert any(t["org"] == place.branch.code and t["hand_picked"] for t in plan["targets"])
    visit = api(place.inspector).post(
        reverse("api:inspection-plan-visit", args=[plan["id"]]),
        {
            "org": place.branch.code,
            "visited_on": "2026-11-22",
            "observations": [
                {
                    "code": "D2",
                    "result": "不符合",
                    "note": "全年只开了一次党员大会",
                    "severity": "严重",
                }
            ],
        },
        format="json",
    )
    assert visit.status_code == 201, visit.json()
    finding = visit.json()["findings"][0]
    assert finding["concerns"] == "支部党员大会每季度至少召开 1 次"
    assert finding["severity"] == "严重"
    task = client.post(
        reverse("api:inspection-finding-task", args=[finding["id"]]),
        {"owner": "支部书记", "deadline": "2026-12-31"},
        format="json",
    )
    assert task.status_code == 201 and task.json()["task_status"] == "open"
    mine = api(place.secretary).get(reverse("api:inspection-findings")).json()
    assert [f["id"] for f in mine["results"]] == [finding["id"]]


def test_covert_findings_hidden_over_the_api_until_published(place, api):
    plan = make_plan(place, kind="暗访")
    make_visit(place, plan, actor=place.inspector)
    assert api(place.secretary).get(reverse("api:inspection-findings")).json()["count"] == 0
    detail = api(place.bystander).get(reverse("api:inspection-plan", args=[plan.pk])).json()
    assert detail["results_visible"] is False and detail["findings"] == []
    assert api(place.inspector).get(reverse("api:inspection-findings")).json()["count"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": "x", "kind": "抽查", "checklist": "dangjian-ducha"},
        {
            "title": "x",
            "kind": "督查",
            "checklist": "没有",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
            "hand_picked": ["NOPE"],
        },
        {
            "title": "x",
            "kind": "督查",
            "checklist": "dangjian-ducha",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-01",
            "sample_share": "7",
        },
        [1, 2],
        {"title": ["a"], "kind": {"x": 1}},
    ],
)
def test_bad_plans_are_400_and_write_nothing(place, api, body):
    client = api(place.root_admin)
    before = state()
    response = client.post(reverse("api:inspection-plans"), body, format="json")
    assert response.status_code == 400, response.content
    assert state() == before
    assert not InspectionPlan.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"org": "NOPE", "visited_on": "2026-11-20", "observations": [OK]},
        {"org": "x", "visited_on": "昨天", "observations": "D1"},
        {"org": "x", "visited_on": "2026-11-20", "observations": [{**OK, "result": "不符合"}]},
    ],
)
def test_bad_visits_are_400(place, api, body):
    plan = make_plan(place)
    if body["org"] == "x":
        body["org"] = place.branch.code
    client = api(place.inspector)
    before = state()
    url = reverse("api:inspection-plan-visit", args=[plan.pk])
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert state() == before
    assert not Finding.objects.exists()
