"""Phases of a campaign: a self-check or spot-check before its phase opens is refused with a
clear message; one after its phase ended is accepted, marked late, audited and shown; the
campaign page shows per phase what is still due. Boundaries: the first and last day of a phase
are on time, the day before is refused, the day after is late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.assess.models import Campaign, Result, SelfCheckScore, SpotCheckScore
from dangjian.assess.services import campaign_score, self_check_record, spot_check_record
from dangjian.core.models import AuditEntry

D = dt.date


def _phases(campaign, **dates):
    Campaign.objects.filter(pk=campaign.pk).update(**dates)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def phased(campaign):
    return _phases(
        campaign,
        self_check_start=D(2026, 3, 1),
        self_check_end=D(2026, 3, 31),
        spot_check_start=D(2026, 4, 1),
        spot_check_end=D(2026, 4, 30),
    )


def _self(tree, campaign, today, points=7):
    return self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="1.4",
        points=points,
        today=today,
    )


def _spot(tree, campaign, today, points=6):
    return spot_check_record(
        actor=tree["inspector_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="1.4",
        points=points,
        today=today,
    )


@pytest.mark.django_db
def test_self_check_refused_the_day_before_the_phase_opens(tree, phased):
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        _self(tree, phased, D(2026, 2, 28))
    assert "自查阶段 2026-03-01 开始" in str(exc.value)
    assert not SelfCheckScore.objects.exists()
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today,late",
    [
        (D(2026, 3, 1), False),
        (D(2026, 3, 31), False),
        (D(2026, 4, 1), True),
        (D(2026, 12, 1), True),
    ],
)
def test_self_check_on_time_and_late(tree, phased, today, late):
    score = _self(tree, phased, today)
    assert score.late is late
    entry = AuditEntry.objects.filter(action="assess.self_check.record").latest("seq")
    assert entry.after["late"] is late


@pytest.mark.django_db
def test_spot_check_boundaries(tree, phased):
    with pytest.raises(ValidationError) as exc:
        _spot(tree, phased, D(2026, 3, 31))
    assert "抽查阶段 2026-04-01 开始" in str(exc.value)
    assert _spot(tree, phased, D(2026, 4, 1)).late is False
    assert _spot(tree, phased, D(2026, 4, 30)).late is False
    late = _spot(tree, phased, D(2026, 5, 1), points=5)
    assert late.late is True and SpotCheckScore.objects.count() == 1
    entry = AuditEntry.objects.filter(action="assess.spot_check.record").latest("seq")
    assert entry.before["late"] is False and entry.after["late"] is True


@pytest.mark.django_db
def test_no_phase_dates_no_limit(tree, campaign):
    assert _self(tree, campaign, D(2020, 1, 1)).late is False
    assert _self(tree, campaign, D(2030, 1, 1)).late is False


@pytest.mark.django_db
def test_late_entry_shown_in_results(tree, phased, login):
    _self(tree, phased, D(2026, 4, 2))
    campaign_score(actor=SYSTEM, campaign=phased)
    result = Result.objects.get(campaign=phased, org=tree["branch_a"])
    crit = next(
        c for item in result.breakdown["items"] for c in item["criteria"] if c["id"] == "1.4"
    )
    assert crit["source"]["self"]["late"] is True
    html = login("admin").get(f"/assess/{phased.pk}/results/BA001/").content.decode()
    assert 'data-late="self"' in html and "逾期录入" in html


@pytest.mark.django_db
def test_pages_follow_the_phase(tree, campaign, login):
    today = timezone.localdate()
    url = f"/assess/{campaign.pk}/orgs/BA001/self/"
    # not open yet: read only, a POST is refused and changes nothing
    _phases(
        campaign,
        self_check_start=today + dt.timedelta(days=3),
        self_check_end=today + dt.timedelta(days=10),
    )
    client = login("secretary_a")
    html = client.get(url).content.decode()
    assert 'data-phase-state="before"' in html and 'name="p_1_4"' not in html
    assert "还有 3 天" in html
    response = client.post(url, {"p_1_4": "7"})
    assert response.status_code == 400 and "还不能填写" in response.content.decode()
    assert not SelfCheckScore.objects.exists()
    # open: days left shown; the last day says so
    _phases(campaign, self_check_start=today - dt.timedelta(days=3), self_check_end=today)
    html = client.get(url).content.decode()
    assert 'data-phase-state="open"' in html and "今天截止" in html
    # ended: still accepted, marked late
    _phases(
        campaign,
        self_check_start=today - dt.timedelta(days=30),
        self_check_end=today - dt.timedelta(days=2),
    )
    html = client.get(url).content.decode()
    assert 'data-phase-state="late"' in html and "已过 2 天" in html
    saved = client.post(url, {"p_1_4": "7"}, follow=True)
    assert "已标记为逾期录入" in saved.content.decode()
    assert SelfCheckScore.objects.get().late is True


@pytest.mark.django_db
def test_campaign_page_shows_what_is_due(tree, campaign, login):
    today = timezone.localdate()
    _phases(
        campaign,
        self_check_start=today - dt.timedelta(days=5),
        self_check_end=today + dt.timedelta(days=4),
        spot_check_start=today + dt.timedelta(days=5),
        spot_check_end=today + dt.timedelta(days=20),
    )
    n = campaign.participants.count()
    assert n >= 2
    self_check_record(
        actor=tree["secretary_a"],
        campaign=campaign,
        org=tree["branch_a"],
        criterion="1.4",
        points=7,
    )
    html = login("admin").get(f"/assess/{campaign.pk}/").content.decode()
    assert f'data-phase="self_check" data-missing="{n - 1}"' in html
    assert "还剩 4 天" in html
    assert f'data-phase="spot_check" data-missing="{n}"' in html  # spot_share 1: every one
    assert "5 天后开始" in html
    # a town's admin sees only its own subtree's figures
    town = login("admin_a").get(f"/assess/{campaign.pk}/").content.decode()
    n_a = campaign.participants.filter(org__path__startswith=tree["town_a"].path).count()
    assert f'data-phase="self_check" data-missing="{n_a - 1}"' in town


@pytest.mark.django_db
def test_index_reminds_the_secretary_of_the_deadline(tree, campaign, login):
    today = timezone.localdate()
    _phases(
        campaign,
        self_check_start=today - dt.timedelta(days=1),
        self_check_end=today + dt.timedelta(days=6),
    )
    html = login("secretary_a").get("/assess/").content.decode()
    assert 'data-self-phase="open"' in html and "还剩 6 天" in html
    _phases(
        campaign,
        self_check_start=today - dt.timedelta(days=9),
        self_check_end=today - dt.timedelta(days=1),
    )
    html = login("secretary_a").get("/assess/").content.decode()
    assert 'data-self-phase="late"' in html and "可如实补录" in html
