"""The 述职评议 API: the flow through the endpoints, and bad input answered 400 in Chinese (never
a 500), nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.rectify.models import RectificationTask
from dangjian.review.models import Campaign, RatingTally

pytestmark = pytest.mark.django_db


def test_flow(place, api):
    admin = api(place.town_admin)
    opened = admin.post(
        reverse("api:review-campaigns"),
        {"year": 2026, "rater_kinds": ["党代表"], "grade_rule": {"好": 0.5}},
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    body = opened.json()
    assert {r["org_name"] for r in body["reports"]} == {"东坑村党支部", "西坑村党支部"}
    report = next(r for r in body["reports"] if r["org_name"] == "东坑村党支部")
    url = lambda name: reverse(f"api:review-report-{name}", args=[report["id"]])  # noqa: E731
    secretary = api(place.secretary)
    done = secretary.post(url("submit"), {"text": "全年工作"}, format="json")
    assert done.status_code == 200 and done.json()["submitted"]
    item = body["items"][0]
    rated = admin.post(
        url("ratings"),
        {"tallies": [{"rater_kind": "党代表", "item": item, "good": 4, "fairly_good": 1}]},
        format="json",
    )
    assert rated.status_code == 200 and rated.json()["proposed"] == "好"
    graded = admin.post(url("grade"), {"grade": "好"}, format="json")
    assert graded.json()["grade"] == "好"
    given = admin.post(
        url("problems"),
        {"problems": ["发展党员偏少"], "owner": "书记", "deadline": "2027-06-30"},
        format="json",
    )
    assert given.status_code == 201 and given.json()["problems"] == ["发展党员偏少"]
    assert RectificationTask.objects.filter(what="发展党员偏少").exists()
    detail = secretary.get(reverse("api:review-campaign", args=[body["id"]])).json()
    assert [r["org_name"] for r in detail["reports"]] == ["东坑村党支部"]
    assert detail["distribution"]["好"] == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"year": "二〇二六"},
        {"year": 2026, "rater_kinds": ["路人"]},
        {"year": 2026, "grade_rule": {"好": 3}},
        {"year": 2026, "grade_rule": {"优秀": 0.2}},
        {"year": 2026, "items": ["x" * 80]},
    ],
)
def test_bad_campaign_is_a_400(place, api, data):
    response = api(place.town_admin).post(reverse("api:review-campaigns"), data, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not Campaign.objects.exists()


def test_bad_report_input_is_a_400(place, api):
    admin = api(place.town_admin)
    body = admin.post(reverse("api:review-campaigns"), {"year": 2026}, format="json").json()
    pk = body["reports"][0]["id"]
    for name, data in [
        ("grade", {"grade": "优"}),
        ("ratings", {"tallies": [{"rater_kind": "党代表", "item": "别的", "good": 1}]}),
        ("ratings", {"tallies": [{"rater_kind": "党代表", "item": body["items"][0], "good": -1}]}),
        ("problems", {"problems": [], "owner": "书记", "deadline": "2027-01-01"}),
        ("problems", {"problems": ["x"], "owner": "书记", "deadline": "2020-01-01"}),
        ("problems", {"problems": ["x"], "owner": "书记", "deadline": "明天"}),
    ]:
        response = admin.post(reverse(f"api:review-report-{name}", args=[pk]), data, format="json")
        assert response.status_code == 400, (name, data, response.content)
    assert not RatingTally.objects.exists()
    assert not RectificationTask.objects.exists()
    # 1 of 2 × 30 %: no 好 at all
    refused = admin.post(
        reverse("api:review-report-grade", args=[pk]), {"grade": "好"}, format="json"
    )
    assert refused.status_code == 400
    assert "“好”等次不得超过参评组织的 30%" in str(refused.json())
