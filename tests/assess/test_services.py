"""Assessment services: who may do what (authorization matrix), validation, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import (
    Campaign,
    CampaignOrg,
    CampaignStatus,
    Result,
    SelfCheckScore,
    SpotCheckScore,
    VetoEvent,
)
from dangjian.assess.services import (
    CampaignInput,
    campaign_finalize,
    campaign_open,
    campaign_pick,
    campaign_sample,
    campaign_score,
    self_check_record,
    spot_check_record,
    veto_record,
)
from dangjian.core.models import AuditEntry
from tests.factories import make_org

AFTER = dt.date(2027, 1, 10)


def state():
    return (
        Campaign.objects.count(),
        CampaignOrg.objects.count(),
        tuple(SelfCheckScore.objects.order_by("pk").values_list("pk", "points", "note")),
        tuple(SpotCheckScore.objects.order_by("pk").values_list("pk", "points", "note")),
        VetoEvent.objects.count(),
        Result.objects.count(),
        AuditEntry.objects.count(),
    )


def _input(tree, **extra) -> CampaignInput:
    data = {
        "name": "2026 年度五好党支部考核",
        "standard_key": "wuhao",
        "root": tree["root"],
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "spot_share": 0.5,
        "sampling_seed": 11,
    }
    data.update(extra)
    return CampaignInput(**data)


def test_open_campaign_takes_every_branch_of_the_standard_and_audits(tree):
    before = AuditEntry.objects.count()
    c = campaign_open(actor=tree["admin"], data=_input(tree, hand_picked=[tree["branch_b"]]))
    parts = {p.org.code: p for p in CampaignOrg.objects.filter(campaign=c).select_related("org")}
    assert set(parts) == {"BA001", "BB001"}  # branches only; the 党委 are not assessed
    assert parts["BB001"].hand_picked
    assert sum(p.sampled for p in parts.values()) == 1  # round(0.5 × 2)
    assert c.standard_text.startswith("# 五好党支部")
    assert c.standard_version == "2026.3"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "assess.campaign.open" and entry.after["participants"] == 2
    assert entry.actor_name == "admin"


@pytest.mark.parametrize("who", [None, "admin_a", "secretary_a", "inspector_a", "auditor"])
def test_open_campaign_denied_changes_nothing(tree, who):
    before = state()
    with pytest.raises(PermissionDenied):
        campaign_open(actor=tree[who] if who else None, data=_input(tree))
    assert state() == before


def test_open_campaign_validation(tree):
    with pytest.raises(ValidationError) as exc:
        campaign_open(
            actor=SYSTEM,
            data=_input(
                tree,
                name=" ",
                standard_key="nope",
                period_end=dt.date(2025, 1, 1),
                spot_share=2,
                phases={
                    "self_check_start": dt.date(2026, 3, 1),
                    "self_check_end": dt.date(2026, 2, 1),
                },
            ),
        )
    errors = exc.value.message_dict
    assert errors["name"] == ["名称不能为空"]
    assert "没有找到标准“nope”" in errors["standard_key"][0]
    assert "早于开始" in errors["period_end"][0]
    assert "抽查比例应在 0 到 1 之间" in errors["spot_share"][0]
    assert "自查截止日期 2026-02-01 早于开始日期 2026-03-01" in errors["self_check_end"][0]
    assert Campaign.objects.count() == 0


@pytest.fixture
def wuhao(tree):
    return campaign_open(
        actor=SYSTEM, data=_input(tree, spot_share=0, hand_picked=[tree["branch_a"]])
    )


# --- self-check: only the organization itself -------------------------------------------------


def test_secretary_records_own_self_check_and_changes_it(tree, wuhao):
    org = tree["branch_a"]
    s = self_check_record(
        actor=tree["secretary_a"],
        campaign=wuhao,
        org=org,
        criterion="1.4",
        points="6.5",
        note="班子团结",
    )
    assert (s.points, s.note, s.by, s.by_name) == (
        6.5,
        "班子团结",
        tree["secretary_a"],
        "secretary_a",
    )
    self_check_record(actor=tree["secretary_a"], campaign=wuhao, org=org, criterion="1.4", points=7)
    assert SelfCheckScore.objects.get().points == 7
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "assess.self_check.record"
    assert entry.before["points"] == "6.50" and entry.after["points"] == "7"
    assert entry.scope_path == org.path


@pytest.mark.parametrize(
    "who,org",
    [
        (None, "branch_a"),
        ("secretary_a", "branch_b"),  # another branch
        ("inspector_a", "branch_a"),  # an inspector cannot fill or edit a self-check
        ("admin_a", "branch_a"),  # the upper level cannot fill it for the branch
        ("admin", "branch_a"),
        ("auditor", "branch_a"),
    ],
)
def test_self_check_denied_changes_nothing(tree, wuhao, who, org):
    self_check_record(
        actor=tree["secretary_a"], campaign=wuhao, org=tree["branch_a"], criterion="1.4", points=6
    )
    before = state()
    with pytest.raises(PermissionDenied):
        self_check_record(
            actor=tree[who] if who else None,
            campaign=wuhao,
            org=tree[org],
            criterion="1.4",
            points=1,
        )
    assert state() == before


@pytest.mark.parametrize(
    "criterion,points,message",
    [
        ("9.9", 1, "本标准没有编号为“9.9”的评分标准"),
        ("1.2", 1, "由系统根据记录自动计分"),
        ("6B.1", 1, "不适用于农村领域"),
        ("1.4", 9, "得分应在 0 到 8 分之间"),
        ("1.4", -1, "得分应在 0 到 8 分之间"),
        ("1.4", "abc", "得分应为数字"),
        ("1.4", "1.234", "最多保留两位小数"),
    ],
)
def test_self_check_validation(tree, wuhao, criterion, points, message):
    before = state()
    with pytest.raises(ValidationError) as exc:
        self_check_record(
            actor=tree["secretary_a"],
            campaign=wuhao,
            org=tree["branch_a"],
            criterion=criterion,
            points=points,
        )
    assert message in " ".join(exc.value.messages)
    assert state() == before


def test_criteria_with_a_self_fallback_can_be_self_checked(tree, wuhao):
    s = self_check_record(
        actor=tree["secretary_a"], campaign=wuhao, org=tree["branch_a"], criterion="5.1", points=2
    )
    assert s.criterion == "5.1"  # a survey rate, ``missing: self``
    # attendance is the branch's own record: without it the criterion scores 0 (``missing:
    # zero``), it cannot be self-checked instead (issue 9: not recording is never rewarded)
    with pytest.raises(ValidationError, match="自动计分"):
        self_check_record(
            actor=tree["secretary_a"],
            campaign=wuhao,
            org=tree["branch_a"],
            criterion="3.1",
            points=2,
        )


def test_scores_refused_once_scored(tree, wuhao):
    campaign_score(actor=SYSTEM, campaign=wuhao, at=AFTER)
    with pytest.raises(ValidationError, match="已评分"):
        self_check_record(
            actor=tree["secretary_a"],
            campaign=wuhao,
            org=tree["branch_a"],
            criterion="1.4",
            points=1,
        )


# --- spot-check: inspector, sampled or hand-picked organizations only -----------------------------


def test_inspector_scores_a_hand_picked_branch(tree, wuhao):
    s = spot_check_record(
        actor=tree["inspector_a"],
        campaign=wuhao,
        org=tree["branch_a"],
        criterion="1.4",
        points=5,
        note="查阅会议记录",
    )
    assert s.by_name == "inspector_a"
    assert AuditEntry.objects.order_by("-seq").first().action == "assess.spot_check.record"


def test_spot_check_of_an_organization_not_drawn_is_refused(tree, wuhao):
    campaign_pick(actor=SYSTEM, campaign=wuhao, org=tree["branch_a"], picked=False)
    before = state()
    with pytest.raises(ValidationError, match="未被抽中或指定抽查"):
        spot_check_record(
            actor=tree["inspector_a"],
            campaign=wuhao,
            org=tree["branch_a"],
            criterion="1.4",
            points=5,
        )
    assert state() == before


@pytest.mark.parametrize(
    "who,org",
    [
        (None, "branch_a"),
        ("secretary_a", "branch_a"),  # a branch does not inspect itself
        ("admin_b", "branch_a"),  # other subtree
        ("inspector_a", "branch_b"),  # outside the inspector's subtree
        ("auditor", "branch_a"),
    ],
)
def test_spot_check_denied_changes_nothing(tree, wuhao, who, org):
    campaign_pick(actor=SYSTEM, campaign=wuhao, org=tree["branch_b"], picked=True)
    before = state()
    with pytest.raises(PermissionDenied):
        spot_check_record(
            actor=tree[who] if who else None,
            campaign=wuhao,
            org=tree[org],
            criterion="1.4",
            points=1,
        )
    assert state() == before


# --- veto events: upper level, ASSESS_MANAGE ---------------------------------------------------


def test_upper_level_records_a_veto_event(tree):
    e = veto_record(
        actor=tree["admin_a"],
        org=tree["branch_a"],
        occurred_on=dt.date(2026, 3, 1),
        line="public-security",
        note="辖区发生重大刑事案件",
    )
    assert e.entered_by_name == "admin_a"
    assert AuditEntry.objects.order_by("-seq").first().action == "assess.veto.record"


@pytest.mark.parametrize("who", [None, "secretary_a", "inspector_a", "admin_b", "auditor"])
def test_veto_denied_changes_nothing(tree, who):
    before = state()
    with pytest.raises(PermissionDenied):
        veto_record(
            actor=tree[who] if who else None,
            org=tree["branch_a"],
            occurred_on=dt.date(2026, 3, 1),
            line="disciplined",
            note="x",
        )
    assert state() == before


def test_a_committee_cannot_record_its_own_veto_event(tree):
    with pytest.raises(PermissionDenied, match="上级组织"):
        veto_record(
            actor=tree["admin_a"],
            org=tree["town_a"],
            occurred_on=dt.date(2026, 3, 1),
            line="disciplined",
            note="x",
        )


def test_veto_validation(tree):
    with pytest.raises(ValidationError) as exc:
        veto_record(
            actor=tree["admin_a"],
            org=tree["branch_a"],
            occurred_on=dt.date(2999, 1, 1),
            line="V9",
            note="",
        )
    errors = exc.value.message_dict
    # the choices are named in Chinese, not by their ids (issue 9: no internal codes)
    assert "未知的高压线“V9”" in errors["line"][0] and "党纪政务处分" in errors["line"][0]
    assert "disciplined" not in errors["line"][0]
    assert "晚于今天" in errors["occurred_on"][0]
    assert errors["note"] == ["请填写情况说明"]


# --- scoring and the campaign's life cycle ----------------------------------------------------


def test_score_is_audited_and_final_is_final(tree, wuhao):
    with pytest.raises(PermissionDenied):
        campaign_score(actor=tree["admin_a"], campaign=wuhao, at=AFTER)
    assert Result.objects.count() == 0
    run = campaign_score(actor=tree["admin"], campaign=wuhao, at=AFTER)
    wuhao.refresh_from_db()
    assert wuhao.status == CampaignStatus.SCORED and wuhao.scored_as_of == AFTER
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "assess.campaign.score" and entry.after["scored"] == len(run.scores) == 2
    campaign_finalize(actor=tree["admin"], campaign=wuhao)
    with pytest.raises(ValidationError, match="已定档"):
        campaign_score(actor=tree["admin"], campaign=wuhao, at=AFTER)


def test_resample_keeps_hand_picks_and_is_reproducible(tree):
    for i in range(8):
        make_org(tree["town_a"], org_type="党支部", sector="农村", code=f"BX{i:03d}")
    c = campaign_open(
        actor=SYSTEM, data=_input(tree, spot_share=0.3, hand_picked=[tree["branch_b"]])
    )
    first = set(
        CampaignOrg.objects.filter(campaign=c, sampled=True).values_list("org_id", flat=True)
    )
    assert len(first) == 3  # round(0.3 × 10)
    assert campaign_sample(actor=SYSTEM, campaign=c) == 3
    again = set(
        CampaignOrg.objects.filter(campaign=c, sampled=True).values_list("org_id", flat=True)
    )
    assert again == first
    campaign_sample(actor=SYSTEM, campaign=c, seed=999)
    assert CampaignOrg.objects.get(campaign=c, org=tree["branch_b"]).hand_picked
    with pytest.raises(PermissionDenied):
        campaign_sample(actor=tree["admin_a"], campaign=c)


def test_campaign_surveys_open_one_per_participant_and_idempotent(tree, wuhao):
    from dangjian.assess.services import campaign_surveys_open
    from dangjian.survey.models import Survey

    with pytest.raises(ValidationError, match="群众测评"):
        campaign_surveys_open(actor=SYSTEM, campaign=wuhao)
    with pytest.raises(PermissionDenied):
        campaign_surveys_open(
            actor=tree["admin_a"], campaign=wuhao, opens_on=AFTER, closes_on=AFTER
        )
    n = campaign_surveys_open(
        actor=tree["admin"], campaign=wuhao, opens_on=AFTER, closes_on=dt.date(2027, 1, 31)
    )
    assert n == 2
    assert set(
        Survey.objects.filter(key=f"campaign:{wuhao.pk}").values_list("org__code", flat=True)
    ) == {
        "BA001",
        "BB001",
    }
    campaign_surveys_open(actor=tree["admin"], campaign=wuhao, opens_on=AFTER, closes_on=AFTER)
    assert Survey.objects.filter(key=f"campaign:{wuhao.pk}").count() == 2
