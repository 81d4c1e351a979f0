"""The pages render on their users' scope, the phone form records a visit with photos and a clip,
findings become tasks and are re-visited; bad input is a Chinese 400, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.inspection.models import Finding, InspectionPlan, Visit, VisitMedia
from dangjian.rectify import services as rectify
from dangjian.rectify.choices import TaskStatus
from tests.authz import PNG, state

from .conftest import make_plan, make_visit
from .test_uploads import MP4

D = dt.date
pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_nav_and_lists(place, login):
    plan = make_plan(place, kind="督查")
    make_visit(place, plan, actor=place.inspector)
    client = login(place.root_admin)
    home = _text(client.get(reverse("inspection:index")))
    assert "督查暗访" in home and plan.title in home and "制定督查计划" in home
    page = _text(client.get(reverse("inspection:plan", args=[plan.pk])))
    assert "溪口0村党支部" in page and "指定检查" in page and "发布督查结果" in page
    found = _text(client.get(reverse("inspection:findings")))
    assert "每月开展 1 次主题党日" in found and "转为整改任务" in found
    # the branch reads its finding, cannot turn it into a task, does not see the plans
    branch = login(place.secretary)
    assert "每月开展主题党日" in _text(branch.get(reverse("inspection:findings")))
    assert "<summary>转为整改任务</summary>" not in _text(
        branch.get(reverse("inspection:findings"))
    )
    assert branch.get(reverse("inspection:plan", args=[plan.pk])).status_code == 404


def test_covert_plan_page_hides_results_from_a_bystander(place, login):
    plan = make_plan(place, kind="暗访")
    visit = make_visit(place, plan, actor=place.inspector)
    bystander = login(place.bystander)
    page = _text(bystander.get(reverse("inspection:plan", args=[plan.pk])))
    assert "发布前只有组织督查的本级和督查人员可以查看" in page
    assert "10 月主题党日" not in page
    assert bystander.get(reverse("inspection:visit", args=[visit.pk])).status_code == 404
    assert (
        login(place.secretary).get(reverse("inspection:visit", args=[visit.pk])).status_code == 404
    )
    assert (
        login(place.inspector).get(reverse("inspection:visit", args=[visit.pk])).status_code == 200
    )


def test_make_a_plan_on_the_page(place, login):
    client = login(place.root_admin)
    form = _text(client.get(reverse("inspection:new")))
    assert "城关0社区党支部" in form and "ducha1" in form
    response = client.post(
        reverse("inspection:new"),
        {
            "title": "年终督查",
            "kind": "巡查",
            "checklist_key": "dangjian-ducha",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-15",
            "sample_share": "0.2",
            "sampling_seed": "99",
            "hand_picked": [str(place.villages[3].pk)],
            "inspectors": [str(place.inspector.pk)],
        },
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert plan.sampling_seed == 99 and plan.targets.filter(hand_picked=True).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_on": "2026-13-01"}, "开始日期"),
        ({"sample_share": "abc"}, "抽查比例请填写 0 到 1 之间的小数"),
        ({"sampling_seed": "-1"}, "抽样种子"),
        ({"kind": "", "title": "x" * 300}, "督查事项过长"),
    ],
)
def test_a_bad_plan_is_a_chinese_400(place, login, data, message):
    client = login(place.root_admin)
    base = {
        "title": "年终督查",
        "kind": "督查",
        "checklist_key": "dangjian-ducha",
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-15",
        "sample_share": "0.5",
    }
    before = state()
    response = client.post(reverse("inspection:new"), {**base, **data})
    assert response.status_code == 400 and message in _text(response), _text(response)[:2000]
    assert state() == before


def _visit_form(place, **extra):
    return {
        "org": str(place.branch.pk),
        "visited_on": "2026-11-21",
        "result-D1": "符合",
        "result-D3": "不符合",
        "severity-D3": "严重",
        "note-D3": "全年未讲党课",
        **extra,
    }


def test_the_phone_form_records_a_visit_with_photo_and_clip(place, login):
    plan = make_plan(place)
    client = login(place.inspector)
    form = _text(client.get(reverse("inspection:visit_new", args=[plan.pk])))
    assert "党课每季度至少 1 次" in form and 'capture="environment"' in form
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [
        SimpleUploadedFile("活动室.png", PNG, content_type="image/png"),
        SimpleUploadedFile("值班.mp4", MP4, content_type="video/mp4"),
    ]
    response = client.post(
        reverse("inspection:visit_new", args=[plan.pk]), {**_visit_form(place), "files": files}
    )
    assert response.status_code == 302, _text(response)[:2000]
    visit = Visit.objects.get()
    assert VisitMedia.objects.filter(visit=visit).count() == 2
    assert Finding.objects.get().severity == "严重"
    page = _text(client.get(reverse("inspection:visit", args=[visit.pk])))
    assert "全年未讲党课" in page and "值班.mp4" in page
    media = VisitMedia.objects.get(name="值班.mp4")
    download = client.get(reverse("inspection:media", args=[visit.pk, media.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "video/mp4"


def test_a_wrong_file_refuses_the_whole_visit(place, login):
    plan = make_plan(place)
    client = login(place.inspector)
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = state()
    response = client.post(
        reverse("inspection:visit_new", args=[plan.pk]),
        {
            **_visit_form(place),
            "files": [SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert "不是 JPEG、PNG 图片、MP4 视频" in _text(response)
    assert state() == before


@pytest.mark.parametrize(
    "extra",
    [
        {"org": "abc"},
        {"visited_on": "昨天"},
        {"result-D3": "不符合", "severity-D3": "致命"},
        {"result-D1": "", "result-D3": ""},
    ],
)
def test_a_bad_visit_is_a_chinese_400(place, login, extra):
    plan = make_plan(place)
    before = state()
    response = login(place.inspector).post(
        reverse("inspection:visit_new", args=[plan.pk]), _visit_form(place, **extra)
    )
    assert response.status_code == 400, _text(response)[:1000]
    assert state() == before


def test_task_and_revisit_on_the_page(place, login):
    plan = make_plan(place, kind="督查")
    make_visit(place, plan, actor=place.inspector)
    finding = Finding.objects.get()
    admin = login(place.root_admin)
    url = reverse("inspection:finding_task", args=[finding.pk])
    bad = admin.post(url, {"owner": "", "deadline": "2026-12-01"})
    assert bad.status_code == 400 and "请填写责任人" in _text(bad)
    assert admin.post(url, {"owner": "支部书记", "deadline": "2026-12-01"}).status_code == 302
    finding.refresh_from_db()
    rectify.task_report_done(actor=place.secretary, task=finding.task, text="已整改")
    assert "复查通过" in _text(admin.get(reverse("inspection:findings")))
    revisit = reverse("inspection:finding_revisit", args=[finding.pk])
    assert admin.post(revisit, {"passed": "x"}).status_code == 400
    assert login(place.inspector).post(revisit, {"passed": "1"}).status_code == 403
    assert admin.post(revisit, {"passed": "1"}).status_code == 302
    finding.task.refresh_from_db()
    assert finding.task.status == TaskStatus.CONFIRMED


@pytest.mark.parametrize("opted_in", [True, False])
def test_the_spot_check_page_shows_the_findings_when_the_campaign_says_so(place, login, opted_in):
    from dangjian.accounts.scope import SYSTEM
    from dangjian.assess.services import CampaignInput, campaign_open

    campaign = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="2026 年度五好党支部考核",
            standard_key="wuhao",
            root=place.root,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            spot_share=1,
            sampling_seed=7,
            inspection_evidence=opted_in,
        ),
    )
    make_visit(place, make_plan(place, kind="督查"), actor=place.inspector)
    make_visit(place, make_plan(place, kind="暗访", title="未发布的暗访"), actor=place.inspector)
    url = reverse("assess:spot_check", args=[campaign.pk, place.branch.code])
    response = login(place.inspector).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    if opted_in:
        # the 督查's finding; the unpublished 暗访's stays out of an assessment's evidence
        assert "督查暗访发现的问题（考核期内，1 个）" in page
        assert "2026-11-20 督查 · 溪口0村党支部" in page and "较重" in page
    else:
        assert "督查暗访发现的问题" not in page
