"""Background refreshes of the findings store (django-tasks, ``settings.TASKS``).

:data:`refresh_orgs_task` is enqueued after a write commits with the organizations it touched
(:func:`dangjian.rules.store.touched`); :data:`refresh_all_task` re-evaluates everything — run
it nightly (the date moves on), when a period closes or when a rule's parameters change
(``dangjian findings refresh`` does the same from the command line). Run the worker beside the
web server: ``dangjian manage db_worker``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from .store import RefreshReport, refresh


def _summary(report: RefreshReport) -> dict[str, Any]:
    return {
        "at": report.at.isoformat(),
        "subtrees": report.subtrees,
        "orgs": report.orgs,
        "found": report.found,
        "created": report.created,
        "updated": report.updated,
        "resolved": report.resolved,
        "seconds": round(report.seconds, 3),
    }


@task()
def refresh_orgs_task(org_ids: list[int], queued_at: str | None = None) -> dict[str, Any]:
    """Refresh the subtrees of ``org_ids`` for today, skipping those evaluated since
    ``queued_at`` (ISO time: when the write committed)."""
    since = dt.datetime.fromisoformat(queued_at) if queued_at else None
    return _summary(refresh(org_ids, since=since))


@task()
def refresh_all_task(at: str | None = None) -> dict[str, Any]:
    """Refresh every organization's findings for ``at`` (ISO date; today when not given)."""
    return _summary(refresh(None, at=dt.date.fromisoformat(at) if at else None))
