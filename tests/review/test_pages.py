"""述职评议 pages: they render in Chinese for the right users, writes go through the services,
bad input is a 400 with a Chinese message and never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.review import services
from dangjian.review.models import Campaign, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(place):
    return services.campaign_open(actor=place.town_admin, org=place.town, year=2026)


def test_pages_render(place, campaign, login):
    admin = login(place.town_admin)
    report = campaign.reports.get(org=place.village)
    services.ratings_record(
        actor=place.town_admin,
        report=report,
        ballots={("党代表", campaign.items[0]): {"好": 3, "较好": 1}},
    )
    services.problems_give(
        actor=place.town_admin,
        report=report,
        problems=["台账不全"],
        owner="书记",
        deadline=dt.date(2027, 1, 31),
    )
    for url, text in [
        (reverse("review:index"), "发起述职评议"),
        (reverse("review:campaign", args=[campaign.pk]), "等次分布"),
        (reverse("review:report", args=[report.pk]), "问题清单"),
        (reverse("review:rate", args=[report.pk]), "登记票数"),
        (reverse("review:meeting", args=[report.pk]), "为民服务"),
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    file = admin.get(reverse("review:results_file", args=[campaign.pk]))
    assert file.status_code == 200 and file.content[:2] == b"PK"
    pdf = admin.get(reverse("review:results_pdf", args=[campaign.pk]))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_secretary_submits_and_sees_only_their_report(place, campaign, login):
    client = login(place.secretary)
    mine = campaign.reports.get(org=place.village)
    other = campaign.reports.get(org=place.village2)
    page = client.get(reverse("review:campaign", args=[campaign.pk])).content.decode()
    assert "东坑村党支部" in page and "西坑村党支部" not in page
    assert client.get(reverse("review:report", args=[other.pk])).status_code == 404
    response = client.post(reverse("review:submit", args=[mine.pk]), {"text": "述职内容"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.text == "述职内容"
    assert client.post(reverse("review:grade", args=[mine.pk]), {"grade": "好"}).status_code == 403


def test_open_rate_grade_through_the_pages(place, login):
    admin = login(place.town_admin)
    response = admin.post(
        reverse("review:new"),
        {"year": "2026", "rater_kinds": ["党代表", "群众代表"], "good_share": "50"},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    report = campaign.reports.get(org=place.village)
    data = {f"n-0-{i}-0": "5" for i in range(len(campaign.items))}
    assert admin.post(reverse("review:rate", args=[report.pk]), data).status_code == 302
    assert admin.post(reverse("review:grade", args=[report.pk]), {"grade": "好"}).status_code == 302
    other = campaign.reports.get(org=place.village2)
    refused = admin.post(reverse("review:grade", args=[other.pk]), {"grade": "好"})
    assert refused.status_code == 400
    assert "“好”等次不得超过" in refused.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"year": "abc"},
        {"year": "2026", "good_share": "很多"},
        {"year": "2026", "good_share": "300"},
        {"year": "2026", "meeting_on": "明天"},
        {"year": "1999"},
        {"year": "2026", "rater_kinds": ["路人"]},
    ],
)
def test_bad_campaign_input_is_a_400(place, login, data):
    response = login(place.town_admin).post(reverse("review:new"), data)
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_bad_report_input_is_a_400(place, campaign, login):
    admin = login(place.town_admin)
    report = campaign.reports.get(org=place.village)
    for url, data in [
        ("review:grade", {"grade": "优"}),
        ("review:problems", {"problems": "问题", "owner": "书记", "deadline": "不知道"}),
        ("review:problems", {"problems": "", "owner": "书记", "deadline": "2027-01-01"}),
        ("review:rate", {"n-0-0-0": "x"}),
    ]:
        response = admin.post(reverse(url, args=[report.pk]), data)
        assert response.status_code == 400, url
    secretary = login(place.secretary)
    assert (
        secretary.post(reverse("review:submit", args=[report.pk]), {"text": ""}).status_code == 400
    )
    assert secretary.post(reverse("review:attach", args=[report.pk]), {}).status_code == 400
    bad = secretary.post(
        reverse("review:attach", args=[report.pk]),
        {"files": [__import__("io").BytesIO(b"MZ not a pdf")]},
    )
    assert bad.status_code == 400
    assert Report.objects.get(pk=report.pk).attachments.count() == 0


def test_meeting_view_shows_the_inspections_the_viewer_reads(place, campaign, login):
    """The 述职会 view lists the year's inspection visits of the organization with their findings:
    the town's own 暗访 (the town is the inspecting level) but not the district's unpublished
    one, which stays with the district until it is published."""
    from dangjian.inspection.services import (
        ObservationInput,
        PlanInput,
        plan_create,
        plan_publish,
        visit_record,
    )

    def visit(organizer: object, actor: object, title: str, on: dt.date) -> object:
        plan = plan_create(
            actor=actor,
            data=PlanInput(
                title=title,
                kind="暗访",
                org=organizer,
                checklist_key="dangjian-ducha",
                starts_on=dt.date(2026, 11, 1),
                ends_on=dt.date(2026, 12, 31),
                sample_share="0",
                sampling_seed=7,
                hand_picked=[place.village],
                inspectors=[],
            ),
        )
        visit_record(
            actor=actor,
            plan=plan,
            org=place.village,
            visited_on=on,
            observations=[
                ObservationInput("D1", "符合"),
                ObservationInput("D4", "不符合", "主题党日只有签到没有记录", "较重"),
                ObservationInput("D5", "不适用"),
            ],
            note="活动室开放",
        )
        return plan

    visit(place.town, place.town_admin, "镇党委暗访", dt.date(2026, 11, 20))
    district = visit(place.root, place.root_admin, "区委暗访", dt.date(2026, 11, 21))
    report = campaign.reports.get(org=place.village)
    url = reverse("review:meeting", args=[report.pk])
    page = login(place.town_admin).get(url).content.decode()
    assert "督查暗访（2026 年，1 次）" in page
    assert "2026-11-20 暗访 · 东坑村党支部" in page and "较重" in page
    assert "2026-11-21" not in page
    plan_publish(actor=place.root_admin, plan=district)
    page = login(place.town_admin).get(url).content.decode()
    assert "督查暗访（2026 年，2 次）" in page and "2026-11-21 暗访" in page


def test_report_files_are_listed_and_downloaded_by_those_who_read_the_report(
    place, campaign, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.authz import PNG

    report = campaign.reports.get(org=place.village)
    secretary = login(place.secretary)
    upload = SimpleUploadedFile("述职照片.png", PNG, content_type="image/png")
    response = secretary.post(reverse("review:attach", args=[report.pk]), {"files": [upload]})
    assert response.status_code == 302
    item = report.attachments.get()
    url = reverse("review:file", args=[report.pk, item.pk])
    assert url in secretary.get(reverse("review:report", args=[report.pk])).content.decode()
    for user in (place.secretary, place.town_admin):
        got = login(user).get(url)
        assert got.status_code == 200 and got.content == bytes(item.data)
    # the other village's secretary does not read this report, nor its files
    assert login(place.secretary2).get(url).status_code == 404
    missing = reverse("review:file", args=[report.pk, item.pk + 1])
    assert login(place.town_admin).get(missing).status_code == 404
