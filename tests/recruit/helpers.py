"""Builders for recruitment tests: a case walked through its steps via the services."""

from __future__ import annotations

import datetime as dt
import itertools

from dangjian.accounts.scope import SYSTEM
from dangjian.core.idnumber import compose_id
from dangjian.recruit import services
from dangjian.recruit.models import RecruitCase
from dangjian.recruit.services import CaseInput, StepInput, VoteInput

D = dt.date
TODAY = D(2026, 11, 1)
APPLIED = D(2023, 1, 10)
BIRTH = D(2000, 3, 1)
#: distinct serials: two cases of the same birth date never share an ID number
_serial = itertools.count(1)


def unique_id(birth: dt.date) -> str:
    return compose_id("110105", birth, next(_serial) % 1000)


def open_case(org, applied_on=APPLIED, *, birth=BIRTH, actor=SYSTEM, **kw):
    data = CaseInput(
        org=org,
        name=kw.pop("name", "张三"),
        id_number=kw.pop("id_number", None) or unique_id(birth),
        applied_on=applied_on,
        **kw,
    )
    return services.open_case(actor=actor, data=data, today=TODAY)


def step(case, number, day, *, actor=SYSTEM, today=TODAY, **kw):
    return services.record_step(
        actor=actor, case=case, data=StepInput(number=number, done_on=day, **kw), today=today
    )


def vote(entitled=20, present=15, yes=11, written=0):
    return VoteInput(entitled=entitled, present=present, yes=yes, written_opinions=written)


def walk_to_admission(branch, full_members, *, approver, today=TODAY) -> RecruitCase:
    """A clean case: application 2023-01-10 → admission approved 2024-09-20 (vote 2024-08-20)."""
    case = open_case(branch)
    services.set_approver(actor=SYSTEM, case=case, approver=approver)
    step(case, 2, D(2023, 1, 28), talker="李书记")
    services.record_notice(
        actor=SYSTEM, case=case, kind="activist", first_day=D(2023, 7, 3), last_day=D(2023, 7, 7)
    )
    step(case, 3, D(2023, 7, 15))
    step(case, 4, D(2023, 7, 20))
    step(case, 5, D(2023, 7, 20), contacts=full_members[:2])
    services.record_review(actor=SYSTEM, case=case, reviewed_on=D(2024, 1, 10), today=today)
    services.record_review(actor=SYSTEM, case=case, reviewed_on=D(2024, 7, 8), today=today)
    step(case, 6, D(2023, 7, 21))
    services.record_notice(
        actor=SYSTEM, case=case, kind="candidate", first_day=D(2024, 7, 8), last_day=D(2024, 7, 12)
    )
    step(case, 7, D(2024, 7, 16))
    step(case, 8, D(2024, 7, 18))
    step(case, 9, D(2024, 7, 19), introducers=full_members[:2])
    step(case, 10, D(2024, 7, 22))
    services.update_case(
        actor=SYSTEM,
        case=case,
        data=services.CaseUpdate(
            political_review="pass",
            political_review_on=D(2024, 7, 25),
            political_review_body="甲镇党委组织办",
            training_hours=24,
        ),
        today=today,
    )
    step(case, 11, D(2024, 7, 26))
    step(case, 12, D(2024, 7, 29))
    services.decide(
        actor=SYSTEM, case=case, step=13, decided_on=D(2024, 8, 1), decision="approved", today=today
    )
    step(case, 14, D(2024, 8, 5))
    # the notice of admission ends before the branch vote (rules.md §3, the default)
    services.record_notice(
        actor=SYSTEM, case=case, kind="admission", first_day=D(2024, 8, 12), last_day=D(2024, 8, 16)
    )
    step(case, 15, D(2024, 8, 20), vote=vote())
    step(case, 16, D(2024, 9, 2), talker="王委员")
    services.decide(
        actor=SYSTEM,
        case=case,
        step=17,
        decided_on=D(2024, 9, 20),
        decision="approved",
        today=today,
    )
    case.refresh_from_db()
    return case


def decide(case, number, day, decision="approved", *, actor=SYSTEM, today=TODAY, **kw):
    return services.decide(
        actor=actor, case=case, step=number, decided_on=day, decision=decision, today=today, **kw
    )
