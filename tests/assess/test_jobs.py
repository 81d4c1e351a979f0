"""Scoring from the campaign page: inline for a small campaign, in the background (django-tasks,
the immediate backend in tests) above ``DANGJIAN_ASSESS_INLINE_SCORE_MAX``; state, errors and
the refusal of a second scoring while one runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.assess import jobs
from dangjian.assess.models import Campaign, CampaignStatus, Result, ScoreJob
from dangjian.assess.services import campaign_finalize
from dangjian.core.models import AuditEntry


@pytest.mark.django_db
def test_small_campaign_is_scored_inline(tree, campaign, settings, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 10_000
    response = login("admin").post(f"/assess/{campaign.pk}/do/score/", follow=True)
    assert response.status_code == 200
    assert "已评分：" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCORED
    assert campaign.score_job == ""  # no background job involved
    assert Result.objects.filter(campaign=campaign).exists()
    assert not AuditEntry.objects.filter(action="assess.campaign.score_queue").exists()


@pytest.mark.django_db
def test_large_campaign_is_queued_and_scored_by_the_task(tree, campaign, settings, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 0
    response = login("admin").post(f"/assess/{campaign.pk}/do/score/", follow=True)
    html = response.content.decode()
    assert "已提交后台评分" in html
    campaign.refresh_from_db()
    # the immediate backend ran the task at once
    assert campaign.score_job == ScoreJob.DONE
    assert campaign.score_job_id
    assert campaign.score_job_started_at and campaign.score_job_finished_at
    assert campaign.status == CampaignStatus.SCORED
    assert Result.objects.filter(campaign=campaign).count() > 0
    queued = AuditEntry.objects.get(action="assess.campaign.score_queue")
    assert queued.object_id == str(campaign.pk)
    assert AuditEntry.objects.filter(action="assess.campaign.score").exists()
    page = login("admin").get(f"/assess/{campaign.pk}/").content.decode()
    assert 'data-job="done"' in page and "后台评分已完成" in page


@pytest.mark.django_db
def test_background_failure_is_recorded_and_shown(tree, campaign, settings, monkeypatch, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 0

    def boom(**_kwargs):
        raise ValidationError({"campaign": ["标准快照无法读取"]})

    monkeypatch.setattr(jobs, "campaign_score", boom)
    login("admin").post(f"/assess/{campaign.pk}/do/score/")
    campaign.refresh_from_db()
    assert campaign.score_job == ScoreJob.FAILED
    assert campaign.score_job_error == "标准快照无法读取"
    assert not Result.objects.filter(campaign=campaign).exists()
    assert campaign.status == CampaignStatus.OPEN
    assert AuditEntry.objects.filter(action="assess.campaign.score_failed").exists()
    page = login("admin").get(f"/assess/{campaign.pk}/").content.decode()
    assert "后台评分失败" in page and "标准快照无法读取" in page


@pytest.mark.django_db
def test_running_job_is_shown_polled_and_not_started_twice(tree, campaign, settings, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 0
    started = timezone.now() - dt.timedelta(minutes=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        score_job=ScoreJob.RUNNING, score_job_queued_at=started, score_job_started_at=started
    )
    client = login("admin")
    page = client.get(f"/assess/{campaign.pk}/").content.decode()
    assert "评分中" in page and 'hx-trigger="every 5s"' in page
    assert f"/assess/{campaign.pk}/do/score/" not in page  # no second button
    assert client.post(f"/assess/{campaign.pk}/do/score/").status_code == 400
    assert not Result.objects.exists()
    # finalizing waits for the job too
    with pytest.raises(ValidationError):
        campaign.refresh_from_db()
        campaign.scored_at = timezone.now()
        campaign.save()
        campaign_finalize(actor=SYSTEM, campaign=campaign)
    fragment = client.get(f"/assess/{campaign.pk}/score-status/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment.headers
    # once it has ended, the polling fragment makes the page reload
    Campaign.objects.filter(pk=campaign.pk).update(score_job=ScoreJob.DONE)
    ended = client.get(f"/assess/{campaign.pk}/score-status/", HTTP_HX_REQUEST="true")
    assert ended.headers.get("HX-Refresh") == "true"


@pytest.mark.django_db
def test_stale_job_may_be_started_again(tree, campaign, settings, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 0
    long_ago = timezone.now() - jobs.STALE_AFTER - dt.timedelta(minutes=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        score_job=ScoreJob.QUEUED, score_job_queued_at=long_ago
    )
    assert "超过 2 小时没有完成" in login("admin").get(f"/assess/{campaign.pk}/").content.decode()
    assert login("admin").post(f"/assess/{campaign.pk}/do/score/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.score_job == ScoreJob.DONE


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["secretary_a", "admin_a"])
def test_denied_request_queues_nothing(tree, campaign, settings, user, login):
    settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX = 0
    before = AuditEntry.objects.count()
    assert login(user).post(f"/assess/{campaign.pk}/do/score/").status_code == 403
    campaign.refresh_from_db()
    assert campaign.score_job == "" and not Result.objects.exists()
    assert AuditEntry.objects.count() == before
    assert login(user).get(f"/assess/{campaign.pk}/score-status/").status_code in (200, 404)


@pytest.mark.django_db
def test_task_rechecks_the_permission_of_the_user(tree, campaign):
    """A user who lost the permission between queueing and running gets a recorded failure."""
    out = jobs.run_score_job(campaign.pk, tree["secretary_a"].pk)
    assert out["ok"] is False
    campaign.refresh_from_db()
    assert campaign.score_job == ScoreJob.FAILED and "无权评分" in campaign.score_job_error
    assert not Result.objects.exists()
