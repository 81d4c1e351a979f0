"""/api/v1/campaigns/…: scoped reads, self/spot-check writes, authorization matrix."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import SelfCheckScore, SpotCheckScore
from dangjian.assess.services import campaign_score
from dangjian.core.models import AuditEntry


def state():
    return (
        tuple(SelfCheckScore.objects.values_list("pk", "points")),
        tuple(SpotCheckScore.objects.values_list("pk", "points")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    "who,status,count",
    [(None, 401, None), ("auditor", 403, None), ("secretary_a", 200, 1), ("admin_b", 200, 1)],
)
def test_campaign_list_matrix(api, campaign, who, status, count):
    r = api(who).get("/api/v1/campaigns/")
    assert r.status_code in ((401, 403) if status == 401 else (status,))
    if count is not None:
        assert r.json()["count"] == count
        assert r.json()["results"][0]["standard"] == "wuhao"


def test_campaign_detail_lists_items_and_counts_only_own_participants(api, campaign):
    r = api("secretary_a").get(f"/api/v1/campaigns/{campaign.pk}/")
    assert r.status_code == 200
    body = r.json()
    assert body["participants"] == 1
    assert body["phases"][0]["code"] == "self_check"
    assert body["standard_items"][0]["title"] == "支部班子坚强"
    # the sector sets' items are listed too, each with the sectors it applies to
    by_id = {i["id"]: i for i in body["standard_items"]}
    assert by_id["6A"]["sectors"] == ["农村"] and by_id["6I"]["sectors"] == ["医院"]
    assert by_id["1"]["sectors"] == []


def test_campaign_of_another_subtree_is_404(api, tree, campaign):
    from dangjian.assess.services import CampaignInput, campaign_open

    other = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="乙街道考核",
            standard_key="zhiliang",
            root=tree["town_b"],
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        ),
    )
    assert api("admin_a").get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    assert api("admin_b").get(f"/api/v1/campaigns/{other.pk}/").status_code == 200


def test_results_are_scoped(api, tree, campaign):
    campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2027, 1, 10))
    admin = api("admin").get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert admin["count"] == 2
    mine = api("admin_b").get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert [r["org"] for r in mine["results"]] == ["BB001"]
    one = api("secretary_a").get(f"/api/v1/campaigns/{campaign.pk}/results/?org=BA001")
    assert one.status_code == 200 and one.json()["breakdown"]["items"][0]["id"] == "1"
    other = api("secretary_a").get(f"/api/v1/campaigns/{campaign.pk}/results/?org=BB001")
    assert other.status_code == 404


def test_secretary_posts_own_self_check(api, campaign):
    r = api("secretary_a").post(
        f"/api/v1/campaigns/{campaign.pk}/self-checks/",
        {"org": "BA001", "criterion": "1.4", "points": "6", "note": "班子团结"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["points"] == "6.00"
    listed = api("secretary_a").get(f"/api/v1/campaigns/{campaign.pk}/self-checks/?org=BA001")
    assert [s["criterion"] for s in listed.json()] == ["1.4"]


def test_self_check_errors_are_chinese_per_field(api, campaign):
    r = api("secretary_a").post(
        f"/api/v1/campaigns/{campaign.pk}/self-checks/",
        {"org": "BA001", "criterion": "1.4", "points": "80"},
        format="json",
    )
    assert r.status_code == 400
    assert "得分应在 0 到 8 分之间" in r.json()["points"][0]


@pytest.mark.parametrize(
    "who,org,status",
    [
        (None, "BA001", (401, 403)),
        ("secretary_a", "BB001", (404,)),  # another branch: not even visible
        ("inspector_a", "BA001", (403,)),  # an inspector cannot edit a self-check
        ("admin_a", "BA001", (403,)),  # the upper level cannot fill it for the branch
        ("auditor", "BA001", (403,)),
    ],
)
def test_self_check_write_matrix(api, campaign, who, org, status):
    client = api(who)
    before = state()
    r = client.post(
        f"/api/v1/campaigns/{campaign.pk}/self-checks/",
        {"org": org, "criterion": "1.4", "points": "1"},
        format="json",
    )
    assert r.status_code in status
    assert state() == before


def test_secretary_cannot_read_another_branchs_self_check(api, tree, campaign):
    from dangjian.assess.services import self_check_record

    self_check_record(
        actor=SYSTEM, campaign=campaign, org=tree["branch_b"], criterion="1.4", points=3
    )
    r = api("secretary_a").get(f"/api/v1/campaigns/{campaign.pk}/self-checks/?org=BB001")
    assert r.status_code == 404
    assert (
        api("admin_b")
        .get(f"/api/v1/campaigns/{campaign.pk}/self-checks/?org=BB001")
        .json()[0]["points"]
        == "3.00"
    )


def test_inspector_posts_spot_check_and_secretary_cannot(api, campaign):
    url = f"/api/v1/campaigns/{campaign.pk}/spot-checks/"
    secretary = api("secretary_a")
    before = state()
    denied = secretary.post(url, {"org": "BA001", "criterion": "1.4", "points": "2"}, format="json")
    assert denied.status_code == 403 and state() == before
    ok = api("inspector_a").post(
        url, {"org": "BA001", "criterion": "1.4", "points": "2"}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert api("secretary_a").get(f"{url}?org=BA001").json()[0]["by"] == "inspector_a"


def test_api_self_check_follows_the_phase(api, campaign):
    import datetime as _dt

    from django.utils import timezone

    from dangjian.assess.models import Campaign as _Campaign

    today = timezone.localdate()
    url = f"/api/v1/campaigns/{campaign.pk}/self-checks/"
    body = {"org": "BA001", "criterion": "1.4", "points": "6"}
    _Campaign.objects.filter(pk=campaign.pk).update(
        self_check_start=today + _dt.timedelta(days=1), self_check_end=today + _dt.timedelta(days=9)
    )
    early = api("secretary_a").post(url, body, format="json")
    assert early.status_code == 400 and "还不能录入自查评分" in str(early.json())
    _Campaign.objects.filter(pk=campaign.pk).update(
        self_check_start=today - _dt.timedelta(days=9), self_check_end=today - _dt.timedelta(days=1)
    )
    late = api("secretary_a").post(url, body, format="json")
    assert late.status_code == 201 and late.json()["late"] is True


def test_campaign_shows_the_background_scoring_state(api, campaign):
    from dangjian.assess.models import Campaign as _Campaign

    _Campaign.objects.filter(pk=campaign.pk).update(score_job="failed", score_job_error="标准有误")
    body = api("admin").get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert body["score_job"] == "failed" and body["score_job_error"] == "标准有误"
