"""The 述职评议 API: the flow through the endpoints, and bad input answered 400 in Chinese (never
a 500), nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


def test_report_files_through_the_api(place, api):
    """The secretary uploads the report's material (multipart, all or none), the town reads and
    downloads it; another secretary and another town do not; after the grade, no more files."""
    from tests.authz import PDF, PNG, state

    admin, secretary, secretary2, other, inspector = (
        api(place.town_admin),
        api(place.secretary),
        api(place.secretary2),
        api(place.other_admin),
        api(place.inspector),
    )
    body = admin.post(reverse("api:review-campaigns"), {"year": 2026}, format="json").json()
    report = next(r for r in body["reports"] if r["org_name"] == "东坑村党支部")
    url = reverse("api:review-report-files", args=[report["id"]])
    files = [SimpleUploadedFile("述职报告.pdf", PDF), SimpleUploadedFile("活动照片.png", PNG)]
    stored = secretary.post(url, {"files": files}, format="multipart")
    assert stored.status_code == 201, stored.json()
    assert [f["name"] for f in stored.json()] == ["述职报告.pdf", "活动照片.png"]
    listed = admin.get(url).json()
    assert [f["sha256"] for f in listed] == [f["sha256"] for f in stored.json()]
    download = admin.get(listed[0]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download) == PDF

    before = state()
    mixed = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("说明.txt", "文字".encode())]
    refused = secretary.post(url, {"files": mixed}, format="multipart")
    assert refused.status_code == 400 and "说明.txt" in str(refused.json())
    # the other village's secretary and the other town do not see the report at all
    assert secretary2.get(url).status_code == 404
    assert other.get(listed[0]["url"]).status_code == 404
    upload = lambda: {"file": SimpleUploadedFile("b.png", PNG)}  # noqa: E731
    assert secretary2.post(url, upload(), format="multipart").status_code == 404
    # the town's inspector reads the report but does not upload material
    assert inspector.get(url).status_code == 200
    assert inspector.post(url, upload(), format="multipart").status_code == 403
    assert state() == before

    graded = admin.post(
        reverse("api:review-report-grade", args=[report["id"]]), {"grade": "一般"}, format="json"
    )
    assert graded.status_code == 200
    late = secretary.post(url, {"file": SimpleUploadedFile("c.png", PNG)}, format="multipart")
    assert late.status_code == 400 and "已评定等次" in str(late.json())
    assert len(admin.get(url).json()) == 2
