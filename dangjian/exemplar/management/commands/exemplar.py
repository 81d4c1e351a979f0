"""``dangjian exemplar remind [--at 日期] [--enqueue]``: the reminders of the reviews (复核) of
named examples (:func:`dangjian.exemplar.jobs.remind_reviews`), in this process or handed to the
``db_worker``. Schedule it daily (cron ``0 8 * * *``); a second run tells nobody twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.core.console import RemindCommand
from dangjian.exemplar.jobs import remind_reviews, remind_task


class Command(RemindCommand):
    help = "典型复核提醒（exemplar remind [--at 日期] [--enqueue]）"
    due = "复核"

    def run(self, at: dt.date | None) -> Any:
        return remind_reviews(at)

    def task(self) -> Any:
        return remind_task
