"""Scoring a campaign from the web page without holding the request (评分 in the background).

Scoring a city-sized campaign takes the better part of a minute, longer than a web request
should wait. :func:`score_request` (used by the campaign page's 评分 button) therefore:

- scores **inline**, as before, when the campaign has at most
  ``settings.DANGJIAN_ASSESS_INLINE_SCORE_MAX`` participants (default
  :data:`INLINE_SCORE_MAX_DEFAULT`): a district or a town is scored in a second or two and the
  demo works without any worker process;
- otherwise **enqueues** :data:`score_campaign_task` with django-tasks (``settings.TASKS``; the
  shipped configuration is the database backend of ``django_tasks_db``) and marks the campaign
  排队中. The campaign page then shows 评分中 with the time it started, reloads itself every few
  seconds (a ``<meta http-equiv="refresh">``, no script), and shows the result — or the
  recorded error — once the worker is done.

Run the worker next to the web server (one is enough; it polls the database)::

    dangjian manage db_worker            # or: python manage.py db_worker

The command line keeps the direct path: ``dangjian assess run --campaign ID --save`` scores in
the calling process and waits for the result.

Every step is recorded on the campaign (``score_job``, ``score_job_queued_at`` /
``_started_at`` / ``_finished_at``, ``score_job_error``) and audited
(``assess.campaign.score_queue``; the scoring itself is audited by
:func:`dangjian.assess.services.campaign_score`; a failure as ``assess.campaign.score_failed``).
A second request while a scoring is queued or running is refused, unless that one has been
silent for :data:`STALE_AFTER` (a worker that died) — then it may be started again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require
from dangjian.core.audit import AuditAction, audit_about
from dangjian.core.errors import error_text

from .models import Campaign, CampaignOrg, CampaignStatus, ScoreJob
from .services import campaign_score, campaign_subject

logger = logging.getLogger(__name__)

#: campaigns with at most this many participants are scored inside the request
INLINE_SCORE_MAX_DEFAULT = 3000
#: a queued or running scoring silent for this long is taken as lost (the worker died)
STALE_AFTER = dt.timedelta(hours=2)
ERROR_MAX = 2000


def inline_max() -> int:
    return int(getattr(settings, "DANGJIAN_ASSESS_INLINE_SCORE_MAX", INLINE_SCORE_MAX_DEFAULT))


@dataclass
class ScoreRequest:
    """What :func:`score_request` did: ``inline`` (scored now, ``scored`` organizations) or
    queued (``task_id``)."""

    inline: bool
    scored: int = 0
    at: dt.date | None = None
    task_id: str = ""


def job_busy(campaign: Campaign, now: dt.datetime | None = None) -> bool:
    """Whether a background scoring of the campaign is queued or running (and not stale)."""
    if campaign.score_job not in (ScoreJob.QUEUED, ScoreJob.RUNNING):
        return False
    since = campaign.score_job_started_at or campaign.score_job_queued_at
    return since is not None and (now or timezone.now()) - since < STALE_AFTER


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        text = error_text(exc)
    elif isinstance(exc, PermissionDenied):
        text = f"无权评分：{exc}" if str(exc) else "无权评分"
    else:
        text = f"系统错误（{type(exc).__name__}）：{exc}"
    return text[:ERROR_MAX]


def score_request(*, actor: Actor, campaign: Campaign) -> ScoreRequest:
    """Score the campaign now when it is small, otherwise enqueue the scoring (see the module
    docstring). Raises ``ValidationError`` (final, or a scoring already under way) or
    ``PermissionDenied`` and then changes nothing."""
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    if campaign.status == CampaignStatus.FINAL:
        raise ValidationError({"campaign": [f"考核“{campaign.name}”已定档，不能重新评分"]})
    size = CampaignOrg.objects.filter(campaign=campaign).count()
    if size <= inline_max():
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if job_busy(locked):
                raise ValidationError({"campaign": ["后台评分正在进行，请等待完成"]})
            run = campaign_score(actor=actor, campaign=locked)
        return ScoreRequest(inline=True, scored=len(run.scores), at=run.at)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("root").get(pk=campaign.pk)
        if job_busy(locked):
            since = locked.score_job_started_at or locked.score_job_queued_at
            raise ValidationError(
                {
                    "campaign": [
                        f"后台评分已在进行（{timezone.localtime(since):%Y-%m-%d %H:%M} 提交），"
                        "请等待完成"
                    ]
                }
            )
        now = timezone.now()
        before = {"score_job": locked.score_job}
        locked.score_job = ScoreJob.QUEUED
        locked.score_job_by = str(getattr(actor, "audit_name", "") or actor)[:150]
        locked.score_job_queued_at = now
        locked.score_job_started_at = None
        locked.score_job_finished_at = None
        locked.score_job_error = ""
        locked.score_job_id = ""
        locked.save()
        audit_about(
            actor,
            AuditAction.ASSESS_CAMPAIGN_SCORE_QUEUE,
            campaign_subject(locked),
            before=before,
            after={"score_job": ScoreJob.QUEUED, "participants": size},
        )
    # Enqueued after the commit: the worker (or the immediate backend of the tests) then sees
    # the campaign marked as queued, and a failed enqueue is recorded as a failure.
    user_id = getattr(actor, "pk", None)
    try:
        result = score_campaign_task.enqueue(campaign.pk, user_id)
    except Exception as exc:  # the queue itself is unavailable
        logger.exception("enqueueing the scoring of campaign %s failed", campaign.pk)
        _fail(campaign.pk, f"无法提交后台评分：{exc}"[:ERROR_MAX], actor=actor)
        raise ValidationError({"campaign": ["无法提交后台评分，请稍后再试或联系管理员"]}) from None
    Campaign.objects.filter(pk=campaign.pk, score_job_id="").update(score_job_id=result.id[:64])
    return ScoreRequest(inline=False, task_id=result.id)


def _fail(campaign_id: int, message: str, *, actor: Actor) -> None:
    with transaction.atomic():
        campaign = Campaign.objects.select_related("root").get(pk=campaign_id)
        campaign.score_job = ScoreJob.FAILED
        campaign.score_job_finished_at = timezone.now()
        campaign.score_job_error = message
        campaign.save(update_fields=["score_job", "score_job_finished_at", "score_job_error"])
        audit_about(
            actor,
            AuditAction.ASSESS_CAMPAIGN_SCORE_FAILED,
            campaign_subject(campaign),
            after={"error": message},
        )


def run_score_job(campaign_id: int, user_id: int | None) -> dict[str, Any]:
    """The body of the background scoring: mark running, score as the user who asked for it
    (their permissions are checked again), mark done or record the error. Never raises."""
    from dangjian.accounts.scope import SYSTEM

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    actor: Actor = user if user is not None else SYSTEM
    updated = Campaign.objects.filter(pk=campaign_id).update(
        score_job=ScoreJob.RUNNING, score_job_started_at=timezone.now()
    )
    if not updated:
        return {"ok": False, "error": "考核不存在"}
    if user_id and user is None:
        message = "发起评分的用户已不存在"
        _fail(campaign_id, message, actor=SYSTEM)
        return {"ok": False, "error": message}
    try:
        campaign = Campaign.objects.select_related("root").get(pk=campaign_id)
        run = campaign_score(actor=actor, campaign=campaign)
    except Exception as exc:
        logger.exception("background scoring of campaign %s failed", campaign_id)
        message = _error_text(exc)
        _fail(campaign_id, message, actor=actor)
        return {"ok": False, "error": message}
    Campaign.objects.filter(pk=campaign_id).update(
        score_job=ScoreJob.DONE, score_job_finished_at=timezone.now(), score_job_error=""
    )
    return {"ok": True, "scored": len(run.scores), "at": run.at.isoformat()}


@task()
def score_campaign_task(campaign_id: int, user_id: int | None) -> dict[str, Any]:
    """django-tasks entry point of :func:`run_score_job`."""
    return run_score_job(campaign_id, user_id)
