"""``dangjian care remind [--at 日期] [--enqueue]``: the reminders of the visits due to the
members in hardship (:func:`dangjian.care.jobs.remind_visits`), in this process or handed to the
``db_worker``. Schedule it daily (cron ``0 8 * * *``); a second run tells nobody twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.care.jobs import remind_task, remind_visits
from dangjian.core.console import RemindCommand


class Command(RemindCommand):
    help = "困难党员走访提醒（care remind [--at 日期] [--enqueue]）"
    due = "回访"

    def run(self, at: dt.date | None) -> Any:
        return remind_visits(at)

    def task(self) -> Any:
        return remind_task
