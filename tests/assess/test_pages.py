"""质量考核 pages: campaigns, self-check, spot-check, results, veto events, bulletin; the
authorization matrices (a denied request changes nothing)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Campaign, Result, SelfCheckScore, SpotCheckScore, VetoEvent
from dangjian.assess.services import campaign_score, self_check_record
from dangjian.core.models import AuditEntry
from tests.factories import make_user


def _state():
    return (
        Campaign.objects.count(),
        tuple(SelfCheckScore.objects.order_by("pk").values_list("criterion", "points", "note")),
        tuple(SpotCheckScore.objects.order_by("pk").values_list("criterion", "points", "note")),
        VetoEvent.objects.count(),
        AuditEntry.objects.count(),
    )


# --- campaign list and page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_index_and_campaign_page(tree, campaign, login):
    html = login("secretary_a").get("/assess/").content.decode()
    assert f'data-campaign="{campaign.pk}"' in html
    assert f"/assess/{campaign.pk}/orgs/BA001/self/" in html
    assert "发起考核" not in html
    admin = login("admin").get("/assess/").content.decode()
    assert "发起考核" in admin and "/orgs/BA001/self/" not in admin
    page = login("admin").get(f"/assess/{campaign.pk}/").content.decode()
    assert "参评组织" in page and 'data-phase="self_check"' in page
    assert 'data-org="BA001"' in page and 'data-org="BB001"' in page  # every one sampled
    assert "评分</button>" in page
    own = login("admin_b").get(f"/assess/{campaign.pk}/").content.decode()
    assert 'data-org="BB001"' in own and 'data-org="BA001"' not in own
    assert "评分</button>" not in own  # the campaign's upper level scores, not a town


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,status", [(None, 302), ("sysadmin", 403), ("auditor", 403), ("secretary_a", 200)]
)
def test_campaign_page_matrix(tree, campaign, user, status, login):
    assert login(user).get(f"/assess/{campaign.pk}/").status_code == status


@pytest.mark.django_db
def test_campaign_of_another_subtree_is_404(tree, login):
    from dangjian.assess.services import CampaignInput, campaign_open

    other = campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name="乙街道考核",
            standard_key="wuhao",
            root=tree["town_b"],
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
        ),
    )
    assert login("admin_a").get(f"/assess/{other.pk}/").status_code == 404
    assert login("admin_b").get(f"/assess/{other.pk}/").status_code == 200


# --- opening a campaign -------------------------------------------------------------------------


def _campaign_form(**extra):
    data = {
        "name": "2026 年度星级评定",
        "standard": "wuhao@2026.3",
        "root": "TA001",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "self_check_start": "2026-11-01",
        "self_check_end": "2026-11-30",
        "spot_percent": "50",
        "sampling_seed": "11",
        "hand_picked": "BA001",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_campaign_new(tree, login):
    client = login("admin_a")
    assert client.get("/assess/new/").status_code == 200
    response = client.post("/assess/new/", _campaign_form())
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.root == tree["town_a"] and str(campaign.spot_share) == "0.500"
    assert campaign.self_check_end == dt.date(2026, 11, 30)
    assert campaign.participants.get(org=tree["branch_a"]).hand_picked
    assert response["Location"] == f"/assess/{campaign.pk}/"
    assert not campaign.inspection_evidence
    # the spot-check may weigh the inspections' findings when the campaign says so
    response = client.post("/assess/new/", _campaign_form(inspection_evidence="on", name="第二次"))
    assert response.status_code == 302
    assert Campaign.objects.get(name="第二次").inspection_evidence


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra,text",
    [
        ({"period_end": "2025-12-31"}, "早于开始"),
        ({"self_check_end": "2026-10-01"}, "截止日期"),
        ({"spot_percent": "120"}, "不能大于 100"),
        ({"standard": "nope@1"}, "考核标准无效"),
        ({"hand_picked": "BB001"}, "不在您的管辖范围内"),
        ({"period_start": "2026-02-30"}, "不存在"),
    ],
)
def test_campaign_new_bad_input(tree, extra, text, login):
    before = _state()
    response = login("admin_a").post("/assess/new/", _campaign_form(**extra))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,root,status",
    [
        (None, "TA001", 302),
        ("secretary_a", "BA001", 403),
        ("inspector_a", "TA001", 403),
        ("admin_a", "TB001", 404),
    ],
)
def test_campaign_new_matrix(tree, user, root, status, login):
    before = _state()
    response = login(user).post("/assess/new/", _campaign_form(root=root, hand_picked=""))
    assert response.status_code == status
    assert _state() == before


# --- self-check ---------------------------------------------------------------------------------


SELF_URL = "/assess/{pk}/orgs/BA001/self/"


@pytest.mark.django_db
def test_self_check_shows_automatic_part_and_saves(tree, campaign, login):
    client = login("secretary_a")
    url = SELF_URL.format(pk=campaign.pk)
    html = client.get(url).content.decode()
    # an automatic criterion with the records behind it, and no input for it
    assert 'data-criterion="1.2" data-mode="automatic"' in html
    # the rule by its Chinese title, its id only as a small tag beside it (issue 9)
    tag = '<span class="rule-id" translate="no">SETUP-SECRETARY-VACANT</span>'
    assert f"书记空缺（超过 3 个月列为软弱涣散） {tag}" in html
    assert 'name="p_1_2"' not in html
    assert "/life/orgs/BA001/ledger/?year=2026" in html  # the records behind LIFE criteria
    # the person judges what the records cannot tell
    assert 'name="p_1_4"' in html and 'name="p_2_2"' in html
    response = client.post(url, {"p_1_4": "7", "n_1_4": "班子团结", "p_2_2": "4.5"})
    assert response.status_code == 302
    scores = dict(SelfCheckScore.objects.values_list("criterion", "points"))
    assert {k: float(v) for k, v in scores.items()} == {"1.4": 7.0, "2.2": 4.5}
    assert AuditEntry.objects.filter(action="assess.self_check.record").count() == 2
    again = client.get(url).content.decode()
    assert 'value="7"' in again and "自查 7 分：班子团结" in again
    # saving the same values again records nothing new
    client.post(url, {"p_1_4": "7", "n_1_4": "班子团结", "p_2_2": "4.5"})
    assert AuditEntry.objects.filter(action="assess.self_check.record").count() == 2


@pytest.mark.django_db
def test_self_check_all_or_nothing(tree, campaign, login):
    before = _state()
    client = login("secretary_a")
    url = SELF_URL.format(pk=campaign.pk)
    # 1.4 is valid and recorded first, 2.2 is out of range: neither is kept
    response = client.post(url, {"p_1_4": "7", "p_2_2": "9"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "得分应在 0 到 5 分之间" in html and "未保存任何评分" in html
    assert _state() == before
    response = client.post(url, {"p_1_4": "7", "n_2_3": "只有说明"})
    assert response.status_code == 400 and "请同时填写得分" in response.content.decode()
    response = client.post(url, {"p_1_4": "7.125"})
    assert response.status_code == 400 and "两位小数" in response.content.decode()
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,status",
    [
        (None, 302),
        ("admin_a", 403),  # the upper level cannot fill a branch's self-check
        ("inspector_a", 403),
        ("admin_b", 404),
        ("auditor", 403),
    ],
)
def test_self_check_matrix(tree, campaign, user, status, login):
    before = _state()
    response = login(user).post(SELF_URL.format(pk=campaign.pk), {"p_1_4": "7"})
    assert response.status_code == status
    assert _state() == before


@pytest.mark.django_db
def test_other_branch_secretary_cannot_see_self_check(tree, campaign):
    client = Client()
    client.force_login(make_user(tree["branch_b"], "branch_secretary"))
    assert client.get(SELF_URL.format(pk=campaign.pk)).status_code == 404
    assert client.get(f"/assess/{campaign.pk}/orgs/BB001/self/").status_code == 200


@pytest.mark.django_db
def test_upper_level_sees_self_check_read_only(tree, campaign, login):
    html = login("admin_a").get(SELF_URL.format(pk=campaign.pk)).content.decode()
    assert 'name="p_1_4"' not in html and "只能查看" in html


# --- spot-check ---------------------------------------------------------------------------------


SPOT_URL = "/assess/{pk}/orgs/BA001/spot/"


@pytest.mark.django_db
def test_spot_check_by_inspector(tree, campaign, login):
    self_check_record(
        actor=tree["secretary_a"], campaign=campaign, org=tree["branch_a"], criterion="1.4",
        points=8, note="自评满分",
    )  # fmt: skip
    client = login("inspector_a")
    html = client.get(SPOT_URL.format(pk=campaign.pk)).content.decode()
    assert "自查 8 分：自评满分" in html and 'name="p_1_4"' in html
    response = client.post(SPOT_URL.format(pk=campaign.pk), {"p_1_4": "6", "n_1_4": "议事记录不全"})
    assert response.status_code == 302
    spot = SpotCheckScore.objects.get()
    assert (spot.criterion, float(spot.points), spot.by) == ("1.4", 6.0, tree["inspector_a"])
    assert SelfCheckScore.objects.get().points == 8  # the self-check is untouched


@pytest.mark.django_db
def test_an_empty_score_sheet_is_a_sheet_with_no_change(tree, campaign, login):
    """Sending the spot-check sheet with nothing typed saves nothing and says so (it answered
    500 before: the empty POST left the form unbound)."""
    client = login("inspector_a")
    response = client.post(SPOT_URL.format(pk=campaign.pk), {}, follow=True)
    assert response.status_code == 200
    assert "抽查评分已保存（0 项有变动）" in response.content.decode()
    assert not SpotCheckScore.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,status",
    [(None, 302), ("secretary_a", 403), ("admin_b", 404), ("auditor", 403)],
)
def test_spot_check_matrix(tree, campaign, user, status, login):
    before = _state()
    response = login(user).post(SPOT_URL.format(pk=campaign.pk), {"p_1_4": "6"})
    assert response.status_code == status
    assert _state() == before


@pytest.mark.django_db
def test_spot_check_only_sampled(tree, campaign, login):
    campaign.participants.filter(org=tree["branch_a"]).update(sampled=False, hand_picked=False)
    before = _state()
    client = login("inspector_a")
    response = client.post(SPOT_URL.format(pk=campaign.pk), {"p_1_4": "6"})
    assert response.status_code == 400 and "未被抽中" in response.content.decode()
    assert _state() == before


# --- results ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_and_breakdown(tree, campaign, login):
    self_check_record(
        actor=tree["secretary_a"], campaign=campaign, org=tree["branch_a"], criterion="2.2",
        points=4, note="建立了为民办事台账",
    )  # fmt: skip
    preview = login("secretary_a").get(f"/assess/{campaign.pk}/results/BA001/")
    assert preview.status_code == 200 and "尚未评分" in preview.content.decode()
    campaign_score(actor=SYSTEM, campaign=campaign)
    html = login("admin").get(f"/assess/{campaign.pk}/results/").content.decode()
    assert 'data-org="BA001"' in html and 'data-org="BB001"' in html
    assert "按总分（仅上级可见）" in html
    own = login("secretary_a").get(f"/assess/{campaign.pk}/results/").content.decode()
    assert 'data-org="BA001"' in own and 'data-org="BB001"' not in own
    assert "按总分" not in own
    detail = login("secretary_a").get(f"/assess/{campaign.pk}/results/BA001/")
    text = detail.content.decode()
    result = Result.objects.get(org=tree["branch_a"])
    assert detail.status_code == 200
    assert "首次参评" in text and "每一分都列出了来源" in text
    assert "自查 4 分：建立了为民办事台账" in text
    assert 'data-criterion="1.2"' in text and "SETUP-SECRETARY-VACANT" in text
    assert str(result.total).rstrip("0").rstrip(".") in text
    assert login("admin_b").get(f"/assess/{campaign.pk}/results/BA001/").status_code == 404


@pytest.mark.django_db
def test_results_filters(tree, campaign, login):
    campaign_score(actor=SYSTEM, campaign=campaign)
    client = login("admin")
    assert client.get(f"/assess/{campaign.pk}/results/?tier=bogus").status_code == 400
    assert client.get(f"/assess/{campaign.pk}/results/?sector=农村").status_code == 200
    ranked = client.get(f"/assess/{campaign.pk}/results/?order=total").content.decode()
    assert 'data-org="BA001"' in ranked


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,status", [(None, 302), ("secretary_a", 403), ("admin_a", 403), ("admin", 302)]
)
def test_score_action_matrix(tree, campaign, user, status, login):
    response = login(user).post(f"/assess/{campaign.pk}/do/score/")
    assert response.status_code == status
    assert Result.objects.exists() == (status == 302 and user == "admin")


# --- veto events --------------------------------------------------------------------------------


def _veto_form(**extra):
    data = {"org": "BA001", "occurred_on": "2026-03-01", "line": "", "note": "党员受到党纪处分"}
    data.update(extra)
    return data


def _line():
    from dangjian.assess.services import known_veto_lines

    return next(iter(known_veto_lines()))


@pytest.mark.django_db
def test_veto_record_and_withdraw(tree, login):
    client = login("admin_a")
    response = client.post("/assess/veto/", _veto_form(line=_line()))
    assert response.status_code == 302
    event = VetoEvent.objects.get()
    assert event.org == tree["branch_a"] and event.entered_by == tree["admin_a"]
    html = client.get("/assess/veto/").content.decode()
    assert f'data-event="{event.pk}"' in html
    assert login("admin_b").get("/assess/veto/").content.decode().count("data-event=") == 0
    r = client.post(f"/assess/veto/{event.pk}/withdraw/", {"reason": "录入错误"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.withdrawn and event.withdrawn_reason == "录入错误"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,extra,status",
    [
        (None, {}, 302),
        ("secretary_a", {}, 403),
        ("inspector_a", {}, 403),
        ("admin_b", {}, 404),
        ("admin_a", {"occurred_on": "2099-01-01"}, 400),
        ("admin_a", {"note": ""}, 400),
        ("admin_a", {"line": "nope"}, 400),
    ],
)
def test_veto_matrix(tree, user, extra, status, login):
    before = _state()
    data = _veto_form(line=_line())
    data.update(extra)
    response = login(user).post("/assess/veto/", data)
    assert response.status_code == status
    assert _state() == before


# --- bulletin -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulletin_page_and_exports(tree, campaign, login):
    campaign_score(actor=SYSTEM, campaign=campaign)
    client = login("admin")
    html = client.get(f"/assess/{campaign.pk}/bulletin/").content.decode()
    assert "按地区" in html and "按领域" in html and "查看排名" in html
    assert 'data-group="农村"' in html
    ranked = client.get(f"/assess/{campaign.pk}/bulletin/?ranking=1").content.decode()
    assert "仅供上级组织掌握" in ranked
    xlsx = client.get(f"/assess/{campaign.pk}/bulletin.xlsx?ranking=1")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert "排名（仅供上级）" in wb.sheetnames
    pdf = client.get(f"/assess/{campaign.pk}/bulletin.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert client.get(f"/assess/{campaign.pk}/bulletin.doc").status_code == 400
    assert client.get(f"/assess/{campaign.pk}/bulletin/?level=7").status_code == 400


@pytest.mark.django_db
def test_bulletin_ranking_not_for_lower_levels(tree, campaign, login):
    campaign_score(actor=SYSTEM, campaign=campaign)
    client = login("admin_a")
    page = client.get(f"/assess/{campaign.pk}/bulletin/").content.decode()
    assert "查看排名" not in page
    assert client.get(f"/assess/{campaign.pk}/bulletin/?ranking=1").status_code == 403
    assert client.get(f"/assess/{campaign.pk}/bulletin.xlsx?ranking=1").status_code == 403
    wb = load_workbook(io.BytesIO(client.get(f"/assess/{campaign.pk}/bulletin.xlsx").content))
    assert wb.sheetnames[:2] == ["按地区", "按领域"] and "排名（仅供上级）" not in wb.sheetnames
    assert login("sysadmin").get(f"/assess/{campaign.pk}/bulletin/").status_code == 403


@pytest.mark.django_db
def test_hand_pick(tree, campaign, login):
    from dangjian.assess.models import CampaignOrg

    CampaignOrg.objects.filter(campaign=campaign).update(sampled=False)
    client = login("admin")
    r = client.post(f"/assess/{campaign.pk}/pick/", {"org": "BA001", "picked": "1"})
    assert r.status_code == 302
    assert CampaignOrg.objects.get(campaign=campaign, org=tree["branch_a"]).hand_picked
    page = client.get(f"/assess/{campaign.pk}/").content.decode()
    assert 'data-org="BA001"' in page and "取消指定" in page
    before = _state()
    assert (
        login("secretary_a").post(f"/assess/{campaign.pk}/pick/", {"org": "BB001"}).status_code
        == 403
    )
    assert (
        login("admin_a")
        .post(f"/assess/{campaign.pk}/pick/", {"org": "BA001", "picked": "0"})
        .status_code
        == 403
    )  # a town does not manage the district's campaign
    assert client.post(f"/assess/{campaign.pk}/pick/", {"org": "NOPE"}).status_code == 404
    assert _state() == before
    client.post(f"/assess/{campaign.pk}/pick/", {"org": "BA001", "picked": "0"})
    assert not CampaignOrg.objects.get(campaign=campaign, org=tree["branch_a"]).hand_picked


@pytest.mark.django_db
def test_results_link_to_rectification(tree, campaign, login):
    from dangjian.assess.models import Result
    from tests.rectify.helpers import weak_plan

    campaign_score(actor=SYSTEM, campaign=campaign)
    Result.objects.filter(campaign=campaign).update(tier="lagging")
    client = login("admin")
    html = client.get(f"/assess/{campaign.pk}/results/").content.decode()
    assert "/rectify/orgs/BA001/new/" in html and "/rectify/orgs/BB001/new/" in html
    plan = weak_plan(tree["branch_a"])
    html = client.get(f"/assess/{campaign.pk}/results/").content.decode()
    assert f"/rectify/plans/{plan.pk}/" in html and "/rectify/orgs/BA001/new/" not in html
    own = login("secretary_a").get(f"/assess/{campaign.pk}/results/").content.decode()
    assert "/rectify/orgs/" not in own


@pytest.mark.django_db
def test_self_check_shows_every_error_at_once_linked_to_its_field(tree, campaign, login):
    """A form mistake (a note without points) and a rule the service checks (points above the
    criterion's) come back in one round, listed at the top, each linking to its field."""
    before = _state()
    client = login("secretary_a")
    url = SELF_URL.format(pk=campaign.pk)
    response = client.post(url, {"p_1_4": "9", "n_2_3": "只有说明", "p_2_2": "4.5"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "有 2 处需要修改，未保存任何评分" in summary
    assert '<a href="#id_p_1_4" data-error-link>1.4 ' in summary
    assert "得分应在 0 到 8 分之间" in summary
    assert '<a href="#id_p_2_3" data-error-link>2.3 ' in summary and "请同时填写得分" in summary
    assert 'aria-invalid="true"' in html.split('id="id_p_1_4"', 1)[0].rsplit("<input", 1)[1]
    # the items holding an error are open, the others folded
    assert '<details class="card item-card" id="item-1" data-item="1" open>' in html
    assert '<details class="card item-card" id="item-2" data-item="2" open>' in html
    assert '<details class="card item-card" id="item-3" data-item="3">' in html
    assert _state() == before  # 2.2 was valid, and is not kept either


@pytest.mark.django_db
def test_self_check_progress_and_automatic_parts(tree, campaign, login):
    client = login("secretary_a")
    url = SELF_URL.format(pk=campaign.pk)
    html = client.get(url).content.decode()
    todo = html.count(' data-points="')
    assert todo >= 10
    assert f"<strong data-progress-total>0 / {todo} 已填</strong>" in html
    assert '<span class="progress" data-progress>0 / 1 已填</span>' in html  # item 1: only 1.4
    # the automatic criteria are marked done, with what they rest on; a missing value says so
    auto = html.split('data-criterion="1.2"', 1)[1].split("data-criterion=", 1)[0]
    assert "已自动计算" in auto and "书记空缺" in auto
    attendance = html.split('data-criterion="3.1"', 1)[1].split("data-criterion=", 1)[0]
    assert "无数据：考核期内没有党员大会" in attendance and "无数据，本条计 0 分" in attendance
    client.post(url, {"p_1_4": "7", "p_2_2": "4.5"})
    again = client.get(url).content.decode()
    assert f"<strong data-progress-total>2 / {todo} 已填</strong>" in again
    assert '<span class="progress done" data-progress>1 / 1 已填</span>' in again


@pytest.mark.django_db
def test_irreversible_actions_ask_first(tree, campaign, login):
    """定档, 重新评分 and withdrawing a veto event carry the question the browser asks
    (data-confirm, static/js/confirm.js); the first scoring does not need one."""
    from dangjian.assess.services import veto_record

    client = login("admin")
    url = f"/assess/{campaign.pk}/"
    html = client.get(url).content.decode()
    score_form = html.split(f'action="/assess/{campaign.pk}/do/score/"', 1)[1].split(">", 1)[0]
    assert "data-confirm" not in score_form
    campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2026, 11, 20))
    html = client.get(url).content.decode()
    score_form = html.split(f'action="/assess/{campaign.pk}/do/score/"', 1)[1].split(">", 1)[0]
    assert 'data-confirm="确定重新评分？' in score_form
    final_form = html.split(f'action="/assess/{campaign.pk}/do/finalize/"', 1)[1].split(">", 1)[0]
    assert 'data-confirm="确定定档？定档后考核结果不再变动' in final_form
    veto_record(
        actor=SYSTEM,
        org=tree["branch_a"],
        occurred_on=dt.date(2026, 5, 6),
        line="disciplined",
        note="一名党员受到党内警告处分",
    )
    veto = client.get("/assess/veto/").content.decode()
    assert 'data-confirm="确定撤销甲村党支部的这条高压线事件？' in veto
