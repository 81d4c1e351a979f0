"""Scoring a campaign: each mode, veto, stars with quotas, tiers, change and reproducibility."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Campaign, Result, Tier
from dangjian.assess.scoring import (
    OrgScore,
    _change,
    assign_stars,
    assign_tiers,
    campaign_compute,
)
from dangjian.assess.services import (
    CampaignInput,
    campaign_open,
    campaign_score,
    self_check_record,
    spot_check_record,
    veto_record,
    veto_withdraw,
)
from dangjian.assess.standard import parse_standard
from dangjian.rules.runner import findings_for
from tests.factories import make_member, make_org
from tests.life.helpers import meet

TEST_STANDARD = """\
key: t
name: 测试考核标准
version: "1"
sectors: [农村, 社区]
valid_from: 2020-01-01
items:
  - id: "1"
    title: 记录
    points: 40
    criteria:
      - {id: "1.1", text: 组织生活落实, points: 20, mode: automatic,
         indicator: life_compliance_rate, scoring: {linear: {zero: 0.5, full: 1.0}}}
      - {id: "1.2", text: 书记在岗, points: 10, mode: automatic, indicator: secretary_in_post,
         scoring: {thresholds: [{at_least: 1, points: 10}]}}
      - {id: "1.3", text: 按期换届, points: 10, mode: automatic, indicator: term_in_force,
         scoring: {thresholds: [{at_least: 1, points: 10}]}, missing: full}
  - id: "2"
    title: 人工评分
    points: 30
    criteria:
      - {id: "2.1", text: 自查为主, points: 10, mode: self, combine: override}
      - {id: "2.2", text: 抽查取平均, points: 10, mode: spot, combine: average}
      - {id: "2.3", text: 抽查取低, points: 10, mode: spot, combine: min}
  - id: "3"
    title: 群众评价
    points: 30
    criteria:
      - {id: "3.1", text: 满意率, points: 20, mode: survey, rate: satisfaction,
         scoring: {thresholds: [{at_least: 0.9, points: 20}, {at_least: 0.6, points: 10}]}}
      - {id: "3.2", text: 其他, points: 10, mode: self}
veto:
  - {id: disciplined, text: 有违纪违法党员}
stars:
  thresholds: {5: 90, 4: 80, 3: 70}
tiers: {by: score, advanced: 85, lagging: 60}
"""

YEAR = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
AFTER = dt.date(2027, 1, 10)


@pytest.fixture
def local_standard(settings, tmp_path):
    (tmp_path / "t.yaml").write_text(TEST_STANDARD, encoding="utf-8")
    settings.DANGJIAN_STANDARDS_DIRS = [str(tmp_path)]
    settings.DANGJIAN_SURVEY_MIN_ANSWERS = 30
    return tmp_path


def open_t(root, *, share=1, name="2026 测试考核", period=YEAR, previous=None) -> Campaign:
    return campaign_open(
        actor=SYSTEM,
        data=CampaignInput(
            name=name,
            standard_key="t",
            root=root,
            period_start=period[0],
            period_end=period[1],
            spot_share=share,
            sampling_seed=1,
            previous=previous,
        ),
    )


def crit(score: OrgScore, cid: str) -> dict:
    return next(c for i in score.breakdown["items"] for c in i["criteria"] if c["id"] == cid)


def by_code(run, code: str) -> OrgScore:
    return next(s for s in run.scores if s.code == code)


def test_automatic_criteria_follow_the_life_checker(tree, local_standard):
    branch = tree["branch_a"]
    make_member(branch, post="书记")
    for q in (1, 4, 7, 10):
        meet(branch, "支部党员大会", dt.date(2026, q, 15))
    for q in (2, 5):
        meet(branch, "党课", dt.date(2026, q, 3))
    for m in range(1, 13):
        meet(branch, "主题党日", dt.date(2026, m, 10))
    meet(branch, "组织生活会", dt.date(2026, 12, 1))
    meet(branch, "民主评议党员", dt.date(2026, 12, 2))
    campaign = open_t(tree["root"])
    run = campaign_compute(campaign, at=AFTER)
    a = by_code(run, "BA001")

    life = crit(a, "1.1")["source"]
    # the checker's own errors for the completed 2026 periods are exactly the misses counted
    # (asked once the yearly deadline has passed: until the end of February a 2026 谈心谈话
    # held in January may still count for 2026, so the checker calls it due, not missed)
    errors = [
        f
        for f in findings_for(
            SYSTEM, rules="LIFE", org_code="BA001", at=dt.date(2027, 3, 1), since=YEAR[0]
        )
        if f.severity == "error"
        and (f.period or "").startswith("2026")
        and f.rule != "LIFE-LATE-ENTRY"
    ]
    assert life["evidence"]["checked"] - life["evidence"]["met"] == len(errors) == 3
    assert life["value"] == pytest.approx(20 / 23)
    assert crit(a, "1.1")["score"] == round((20 / 23 - 0.5) / 0.5 * 20, 2)
    missed = {m["rule"]: m["periods"] for m in life["evidence"]["missed"]}
    assert missed == {
        "LIFE-HEART-TALK-YEARLY": ["2026"],
        "LIFE-LECTURE-QUARTERLY": ["2026-Q3", "2026-Q4"],
    }
    assert crit(a, "1.2")["score"] == 10  # secretary in post
    assert crit(a, "1.2")["source"]["rules"] == ["SETUP-SECRETARY-VACANT"]
    # no term recorded: missing → full, and the breakdown says so
    assert crit(a, "1.3")["score"] == 10
    assert crit(a, "1.3")["source"]["missing"] == "full"
    b = by_code(run, "BB001")
    assert crit(b, "1.2")["score"] == 0  # no secretary on the roll
    assert crit(b, "1.1")["source"]["value"] == 0


def test_a_running_period_does_not_count(tree, local_standard):
    campaign = open_t(tree["root"])
    run = campaign_compute(campaign, at=dt.date(2026, 2, 15))
    life = crit(by_code(run, "BA001"), "1.1")["source"]
    # only January's theme day is over on 15 February
    assert life["evidence"]["checked"] == 1


def test_expired_term_scores_zero(tree, local_standard):
    from dangjian.orgs.models import Organization

    Organization.objects.filter(pk=tree["branch_a"].pk).update(term_started_on=dt.date(2020, 1, 1))
    Organization.objects.filter(pk=tree["branch_b"].pk).update(term_started_on=dt.date(2025, 3, 1))
    run = campaign_compute(open_t(tree["root"]), at=AFTER)
    a, b = by_code(run, "BA001"), by_code(run, "BB001")
    assert crit(a, "1.3")["score"] == 0
    assert "届满" in crit(a, "1.3")["source"]["display"]
    assert crit(b, "1.3")["score"] == 10


def test_self_and_spot_combine_as_declared(tree, local_standard):
    campaign = open_t(tree["root"], share=1)
    sec, insp, org = tree["secretary_a"], tree["inspector_a"], tree["branch_a"]
    for cid, own, spot in [("2.1", 7, 3), ("2.2", 8, 4), ("2.3", 9, 5)]:
        self_check_record(actor=sec, campaign=campaign, org=org, criterion=cid, points=own)
        spot_check_record(actor=insp, campaign=campaign, org=org, criterion=cid, points=spot)
    run = campaign_compute(campaign, at=AFTER)
    a = by_code(run, "BA001")
    assert crit(a, "2.1")["score"] == 3  # override
    assert crit(a, "2.2")["score"] == 6  # average
    assert crit(a, "2.3")["score"] == 5  # min
    source = crit(a, "2.2")["source"]
    assert source["self"]["points"] == 8 and source["spot"]["points"] == 4
    assert source["self"]["by"] == "secretary_a"


def test_spot_criterion_of_an_organization_not_spot_checked_counts_the_self_check(
    tree, local_standard
):
    campaign = open_t(tree["root"], share=0)
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="2.2",
        points=8,
    )
    a = by_code(campaign_compute(campaign, at=AFTER), "BA001")
    assert crit(a, "2.2")["score"] == 8
    assert crit(a, "2.2")["source"]["used"] == "自查评分（未抽查）"
    assert crit(a, "2.3")["score"] == 0
    assert crit(a, "2.3")["source"]["used"] == "未评分"


def test_survey_rates_and_fallback(tree, local_standard):
    from dangjian.survey.services import open_surveys, seed_responses

    campaign = open_t(tree["root"])
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_b"]],
        key=f"campaign:{campaign.pk}",
        title="群众满意度测评",
        opens_on=dt.date(2026, 11, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    seed_responses(survey, random.Random(3), 60, satisfaction=0.8)
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="3.1",
        points=12,
    )
    run = campaign_compute(campaign, at=AFTER)
    b = crit(by_code(run, "BB001"), "3.1")
    assert b["source"]["kind"] == "survey" and b["source"]["n"] == 60
    assert b["source"]["reliable"] is True
    value = b["source"]["value"]
    assert b["score"] == (20 if value >= 0.9 else 10 if value >= 0.6 else 0)
    assert b["source"]["low"] < value < b["source"]["high"] < 1
    a = crit(by_code(run, "BA001"), "3.1")  # no survey: the self-check stands in
    assert a["score"] == 12
    assert a["source"]["missing"] == "self"
    assert a["source"]["fallback"]["self"]["points"] == 12


def test_unreliable_survey_falls_back(tree, local_standard):
    from dangjian.survey.services import open_surveys, seed_responses

    campaign = open_t(tree["root"])
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_b"]],
        key=f"campaign:{campaign.pk}",
        title="测评",
        opens_on=dt.date(2026, 11, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    seed_responses(survey, random.Random(3), 5, satisfaction=1.0)
    b = crit(by_code(campaign_compute(campaign, at=AFTER), "BB001"), "3.1")
    assert b["source"]["n"] == 5 and b["source"]["reliable"] is False
    assert b["score"] == 0 and b["source"]["fallback"]["used"] == "未评分"


def test_veto_events_in_the_period_cap_the_grade(tree, local_standard):
    campaign = open_t(tree["root"])
    event = veto_record(
        actor=tree["admin_a"],
        org=tree["branch_a"],
        occurred_on=dt.date(2026, 5, 1),
        line="disciplined",
        note="一名党员受党内警告处分",
    )
    veto_record(
        actor=tree["admin_b"],
        org=tree["branch_b"],
        occurred_on=dt.date(2025, 5, 1),  # before the period: does not count
        line="disciplined",
        note="上一年度",
    )
    run = campaign_compute(campaign, at=AFTER)
    a, b = by_code(run, "BA001"), by_code(run, "BB001")
    assert a.veto and a.veto_lines == ["disciplined"]
    assert a.breakdown["veto"][0]["events"][0]["note"] == "一名党员受党内警告处分"
    assert a.stars == 0
    assert not b.veto
    veto_withdraw(actor=tree["admin_a"], event=event, reason="录入错误")
    assert not by_code(campaign_compute(campaign, at=AFTER), "BA001").veto


def _std(quotas: str = "", tiers: str = "{by: score, advanced: 85, lagging: 60}"):
    text = TEST_STANDARD.replace("tiers: {by: score, advanced: 85, lagging: 60}", f"tiers: {tiers}")
    if quotas:
        text = text.replace(
            "  thresholds: {5: 90, 4: 80, 3: 70}\n",
            f"  thresholds: {{5: 90, 4: 80, 3: 70}}\n  quotas: {quotas}\n",
        )
    return parse_standard(text)


def _scores(*totals: float, veto: tuple[int, ...] = ()) -> list[OrgScore]:
    return [
        OrgScore(
            org_id=i,
            code=f"O{i}",
            name=f"组织{i}",
            sector="农村",
            path=f"{i:04d}",
            total=t,
            veto=i in veto,
            veto_lines=["disciplined"] if i in veto else [],
            stars=0,
            tier="middle",
            breakdown={},
        )
        for i, t in enumerate(totals)
    ]


def stars_of(scores):
    return [s.stars for s in scores]


def test_star_thresholds_at_the_boundary():
    scores = _scores(90, 89.99, 80, 79.99, 70, 69.99)
    assign_stars(scores, _std())
    assert stars_of(scores) == [5, 4, 4, 3, 3, 0]


def test_star_quota_is_a_ceiling_and_cascades():
    scores = _scores(95, 94, 93, 92, 91, 89, 88, 87, 60, 50)
    assign_stars(scores, _std("{5: 0.1, 4: 0.4}"))
    assert stars_of(scores) == [5, 4, 4, 4, 4, 3, 3, 3, 0, 0]
    assert scores[1].by_score_stars == 5
    assert "五星名额" in scores[1].breakdown["stars"]["notes"][0]


def test_a_tie_across_the_quota_moves_the_tied_group_down():
    scores = _scores(95, 95, 91, 80, 70, 70, 60, 60, 60, 60)
    assign_stars(scores, _std("{5: 0.1}"))
    assert stars_of(scores)[:3] == [4, 4, 4]
    # 20 organizations: two five-star places, the tie fits
    scores = _scores(95, 95, 91, *([60] * 17))
    assign_stars(scores, _std("{5: 0.1}"))
    assert stars_of(scores)[:3] == [5, 5, 4]


def test_veto_caps_stars_without_using_a_quota_place():
    scores = _scores(99, 95, 80, 70, 60, 60, 60, 60, 60, 60, veto=(0,))
    assign_stars(scores, _std("{5: 0.1}"))
    assert stars_of(scores)[:2] == [0, 5]
    assert "高压线" in scores[0].breakdown["stars"]["notes"][0]


def test_tiers_by_score_at_the_boundary():
    scores = _scores(85, 84.99, 60, 59.99, 95, veto=(4,))
    assign_tiers(scores, _std())
    assert [s.tier for s in scores] == ["advanced", "middle", "middle", "lagging", "middle"]


def test_tiers_by_share_leave_out_ties_across_the_cut():
    share = "{by: share, advanced: 0.25, lagging: 0.25}"
    scores = _scores(90, 80, 70, 60, 50, 40, 30, 20)
    assign_tiers(scores, _std(tiers=share))
    assert [s.tier[0] for s in scores] == list("aammmmll")
    scores = _scores(90, 80, 80, 60, 50, 30, 30, 20)
    assign_tiers(scores, _std(tiers=share))
    assert [s.tier[0] for s in scores] == list("ammmmmml")
    scores = _scores(90, 80, 70, 60, 50, 40, 30, 20, veto=(0,))
    assign_tiers(scores, _std(tiers=share))
    assert [s.tier[0] for s in scores] == list("maammmll")


def test_shipped_wuhao_labels_lagging_by_score_not_a_quarter():
    """wuhao 2026.3: 后进 below 70 (未达三星), 先进 from 90 — eight good branches are not a
    quarter 后进 any more (issue 9: by share, two of them were)."""
    from dangjian.assess.standard import get_standard

    wuhao = get_standard("wuhao")
    scores = _scores(96, 91.5, 88, 84, 80, 77, 74, 71)
    assign_tiers(scores, wuhao)
    assert [s.tier[0] for s in scores] == list("aammmmmm")
    scores = _scores(92, 70, 69.99, 41)
    assign_tiers(scores, wuhao)
    assert [s.tier[0] for s in scores] == list("amll")
    assert scores[2].breakdown["tier"]["by"] == "score"


def test_change_against_previous():
    s = _scores(80)[0]
    s.tier, s.stars = Tier.MIDDLE.value, 4
    assert _change(s) == "new"
    s.previous_tier, s.previous_stars = "advanced", 5
    assert _change(s) == "down"
    s.previous_tier, s.previous_stars = "middle", 3
    assert _change(s) == "up"
    s.previous_stars = 4
    assert _change(s) == "same"
    s.previous_tier = "lagging"
    assert _change(s) == "up"


def test_previous_campaign_results_are_compared(tree, local_standard):
    prev = open_t(tree["root"], name="2025", period=(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    campaign_score(actor=SYSTEM, campaign=prev, at=AFTER)
    Result.objects.filter(campaign=prev, org=tree["branch_a"]).update(tier="advanced", stars=5)
    current = open_t(tree["root"], previous=prev)
    run = campaign_compute(current, at=AFTER)
    a, b = by_code(run, "BA001"), by_code(run, "BB001")
    assert (a.previous_tier, a.previous_stars, a.change) == ("advanced", 5, "down")
    assert b.change == "same"


def test_same_data_gives_the_same_result(tree, local_standard):
    campaign = open_t(tree["root"])
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="2.1",
        points=9,
    )
    first = [s.as_dict() for s in campaign_compute(campaign, at=AFTER).scores]
    second = [s.as_dict() for s in campaign_compute(campaign, at=AFTER).scores]
    assert first == second
    campaign_score(actor=SYSTEM, campaign=campaign, at=AFTER)
    stored = list(Result.objects.filter(campaign=campaign).values("org_id", "total", "breakdown"))
    campaign_score(actor=SYSTEM, campaign=campaign, at=AFTER)
    again = list(Result.objects.filter(campaign=campaign).values("org_id", "total", "breakdown"))
    assert sorted(stored, key=str) == sorted(again, key=str)
    total_a = Result.objects.get(campaign=campaign, org=tree["branch_a"]).total
    assert total_a == Decimal(str(by_code(campaign_compute(campaign, at=AFTER), "BA001").total))


def test_scoring_queries_do_not_grow_with_the_number_of_organizations(tree, local_standard):
    campaign = open_t(tree["root"])
    with CaptureQueriesContext(connection) as small:
        campaign_compute(campaign, at=AFTER)
    for i in range(6):
        branch = make_org(tree["town_a"], org_type="党支部", sector="农村")
        make_member(branch)
        meet(branch, "主题党日", dt.date(2026, 3, 1 + i))
    bigger = open_t(tree["root"], name="更多组织")
    with CaptureQueriesContext(connection) as large:
        run = campaign_compute(bigger, at=AFTER)
    assert len(run.scores) == 8
    assert len(large.captured_queries) == len(small.captured_queries)
