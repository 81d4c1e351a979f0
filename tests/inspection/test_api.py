"""The API: plans, visits, findings to tasks, with the 暗访 boundary; bad input a 400 in Chinese."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


def test_photos_and_clips_of_a_visit_through_the_api(place, api):
    """The visit's id from the plan; multipart upload all or none; list and download; the 暗访
    boundary and the recorders' right hold as on the pages."""
    from tests.authz import PNG

    from .test_uploads import MP4

    plan = make_plan(place, kind="暗访")
    make_visit(place, plan, actor=place.inspector)
    inspector, secretary, bystander = (
        api(place.inspector),
        api(place.secretary),
        api(place.bystander),
    )
    detail = inspector.get(reverse("api:inspection-plan", args=[plan.pk])).json()
    [visit] = detail["visits"]
    assert (visit["org"], visit["media"]) == (place.branch.code, 0)
    assert detail["findings"][0]["visit"] == visit["id"]
    url = reverse("api:inspection-visit-media", args=[visit["id"]])

    png = SimpleUploadedFile("活动室.png", PNG, "image/png")
    clip = SimpleUploadedFile("值班.mp4", MP4, "video/mp4")
    stored = inspector.post(url, {"files": [png, clip]}, format="multipart")
    assert stored.status_code == 201, stored.json()
    assert [(m["name"], m["content_type"]) for m in stored.json()] == [
        ("活动室.png", "image/png"),
        ("值班.mp4", "video/mp4"),
    ]
    listed = inspector.get(url).json()
    assert [m["id"] for m in listed] == [m["id"] for m in stored.json()]
    download = inspector.get(listed[1]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "video/mp4"
    assert b"".join(download) == MP4
    again = inspector.get(reverse("api:inspection-plan", args=[plan.pk])).json()
    assert again["visits"][0]["media"] == 2

    # one bad file among good ones: nothing stored, the reason in Chinese
    before = state()
    mixed = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("说明.txt", "不是照片".encode())]
    refused = inspector.post(url, {"files": mixed}, format="multipart")
    assert refused.status_code == 400 and "说明.txt" in str(refused.json())
    assert state() == before
    # the branch's secretary sees neither the 暗访's visit nor its files before publication
    assert secretary.get(url).status_code == 404
    assert secretary.get(listed[0]["url"]).status_code == 404
    # nor does an inspector of the level who is not one of the plan's inspectors
    assert bystander.get(url).status_code == 404
    assert (
        bystander.post(
            url, {"file": SimpleUploadedFile("b.png", PNG)}, format="multipart"
        ).status_code
        == 404
    )
    # an open 督查: the inspected branch reads the visit's files but does not add to them
    open_plan = make_plan(place, kind="督查", title="年终督查")
    open_visit = make_visit(place, open_plan, actor=place.inspector)
    open_url = reverse("api:inspection-visit-media", args=[open_visit.pk])
    assert secretary.get(open_url).json() == []
    before = state()
    assert (
        secretary.post(
            open_url, {"file": SimpleUploadedFile("c.png", PNG)}, format="multipart"
        ).status_code
        == 403
    )
    assert state() == before
