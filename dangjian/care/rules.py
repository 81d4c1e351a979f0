"""The CARE rules (困难党员帮扶), registered with the rules engine, their parameters as data.

- CARE-VISIT-FOLLOW-UP: a member in hardship whose next visit (回访, set at the last visit) is
  due within ``due_soon_days`` is listed as due, one past it as overdue; the branch and the
  helping organizations are reminded (:mod:`dangjian.care.jobs`). Source: 《中国共产党党内关怀
  帮扶办法》(中办发〔2017〕) 经常性走访慰问 and the local default lead time.

The subject of a finding is the register entry (``困难党员登记 #id``), never the member's name:
findings may travel further than the register does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.rules.registry import Context, Finding, RuleSpec, register_family, rule

register_family("CARE", "困难党员帮扶", section=20, source="《中国共产党党内关怀帮扶办法》（2017）")

FOLLOW_UP = RuleSpec(
    "CARE-VISIT-FOLLOW-UP",
    "困难党员按约定日期回访，临近和逾期的回访提醒",
    "local default",
    "《中国共产党党内关怀帮扶办法》（2017）经常性走访慰问",
    {"due_soon_days": 7},
)


@dataclass(frozen=True)
class FollowUpFacts:
    """The follow-up of one open register entry: its last visit and the next one agreed."""

    hardship: int
    last_visit_on: dt.date
    next_visit_on: dt.date


def subject_of(hardship_id: int) -> str:
    return f"困难党员登记 #{hardship_id}"


@rule(FOLLOW_UP)
def care_visit_follow_up(facts: FollowUpFacts, ctx: Context) -> list[Finding] | None:
    """The next visit of an open entry is due soon (severity ``due``) or overdue (``warning``).

    Source: 《中国共产党党内关怀帮扶办法》（2017）; the lead time is a local default."""
    days = int(ctx.params["due_soon_days"])
    due = facts.next_visit_on
    evidence = {"last_visit_on": facts.last_visit_on, "next_visit_on": due}
    if due < ctx.at:
        late = (ctx.at - due).days
        return [
            FOLLOW_UP.finding(
                subject_of(facts.hardship),
                "warning",
                f"应于 {due:%Y-%m-%d} 回访，已逾期 {late} 天",
                {**evidence, "days_late": late},
                due_date=due,
            )
        ]
    if due <= ctx.at + dt.timedelta(days=days):
        return [
            FOLLOW_UP.finding(
                subject_of(facts.hardship),
                "due",
                f"应于 {due:%Y-%m-%d} 前回访",
                evidence,
                due_date=due,
            )
        ]
    return []
