"""The "12248"-style 示范点 standard: it loads with the assessment loader, its indicators exist,
it runs as a campaign on a small tree; an example's evidence is resolved live from the records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.indicators import REGISTRY
from dangjian.assess.models import Result
from dangjian.assess.services import CampaignInput, campaign_open, campaign_score, spot_check_record
from dangjian.assess.standard import DEFAULT_DIR, get_standard, load_file
from dangjian.exemplar.selectors import (
    SITE_STANDARD,
    evidence_of,
    latest_site_result,
    site_result_items,
)
from dangjian.exemplar.services import evidence_add
from tests.life.helpers import meet


def test_the_site_standard_loads_and_adds_up():
    std = load_file(Path(DEFAULT_DIR) / "shifandian.yaml")
    assert std.key == SITE_STANDARD and get_standard(SITE_STANDARD).version == std.version
    assert sum(i.points for i in std.items_for("农村")) == 100
    assert set(std.indicators()) <= set(REGISTRY)
    assert {c.mode for c in std.criteria()} == {"automatic", "self", "spot"}
    assert "12248" in std.text and "可推广、可复制" in std.text


def _campaign(tree):
    return campaign_open(
        actor=tree["admin"],
        data=CampaignInput(
            name="2026 年度高品质党建点创建评估",
            standard_key=SITE_STANDARD,
            root=tree["root"],
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            hand_picked=[tree["branch_a"]],
            sampling_seed=3,
        ),
    )


def test_it_runs_as_a_campaign_and_the_example_shows_its_result(tree, examples):
    campaign = _campaign(tree)
    assert campaign.participants.count() == 2
    spot_check_record(
        actor=tree["inspector_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="5.2",
        points=5,
        note="经验已总结成册",
    )
    campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2026, 12, 31))
    result = Result.objects.get(campaign=campaign, org=tree["branch_a"])
    assert result.total >= 5
    practice = examples["practice"]
    assert latest_site_result(practice) == result
    items = site_result_items(result)
    assert [i["title"] for i in items][-1] == "品牌特色与示范带动"
    assert latest_site_result(examples["brand"]).org == tree["branch_b"]


def test_evidence_is_read_live(tree, examples, today):
    practice = examples["practice"]
    campaign = _campaign(tree)
    ev_meeting = meet(
        tree["branch_a"], "支部党员大会", today - dt.timedelta(days=3), topic="学习王某某事迹"
    )
    evidence_add(actor=tree["secretary_a"], item=practice, kind="考核结果", campaign=campaign)
    assert "campaign" not in str(practice)  # nothing copied
    evidence_add(actor=tree["secretary_a"], item=practice, kind="组织生活", meeting=ev_meeting)
    evidence_add(
        actor=tree["secretary_a"], item=practice, kind="为民服务", year=today.year, note="全年"
    )
    # the campaign has no result yet: said so
    shown = {r.evidence.kind: r for r in evidence_of(practice)}
    assert shown["考核结果"].missing == "该考核尚无本组织的评分结果"
    assert shown["为民服务"].missing.endswith("没有服务工单")
    assert ("主题", "学习王某某事迹") in shown["组织生活"].lines
    # scored later: the same evidence now shows the score, with no copy to update
    campaign_score(actor=SYSTEM, campaign=campaign, at=dt.date(2026, 12, 31))
    result = Result.objects.get(campaign=campaign, org=tree["branch_a"])
    shown = {r.evidence.kind: r for r in evidence_of(practice)}
    assert ("总分", f"{result.total}") in shown["考核结果"].lines
    public = {r.evidence.kind: r for r in evidence_of(practice, public=True)}
    assert all(label != "主题" for label, _v in public["组织生活"].lines)
