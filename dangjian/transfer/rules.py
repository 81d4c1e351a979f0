"""The relation rules this app checks (rules.md §5, ``REL-*``), registered with the rules engine.

- REL-ONE-BRANCH (每名党员编入且只编入一个党支部; 教育管理条例 art. 25): a member is on the roll
  of exactly one branch. The model holds one organization per member, so what can go wrong is
  that the organization keeps no roll (a member left on a 党委 or 党总支 whose type changed), or
  that a transfer and the roll disagree: an open transfer whose member is no longer on the
  sending branch's roll, an accepted one whose member is not on the receiving roll. In-transit
  members stay on the sending roll until the acceptance (REL-TRANSFER: the old branch stays
  responsible until the new one receives) — that is correct, not a finding.
- REL-TRANSFER-DEADLINE (介绍信有效期内到接收党组织报到): a letter still in transit past its last
  valid day is overdue (``warning``); within ``remind_days`` of it, due (``due``). The validity
  (``letter_valid_days``) is the parameter the letter is issued with.

``connect()`` registers this app's REL checker; the engine runs it beside the other apps' REL
checkers (the mobile members').
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from dangjian.orgs.choices import ROLL_TYPES
from dangjian.rules.registry import Context, Finding, RuleSpec, rule

ONE_BRANCH = RuleSpec(
    "REL-ONE-BRANCH",
    "每名党员编入且只编入一个党支部",
    "national",
    "教育管理条例 art. 25",
)
DEADLINE = RuleSpec(
    "REL-TRANSFER-DEADLINE",
    "组织关系介绍信在有效期内送达接收党组织，逾期未接收的列为超期",
    "local default",
    "教育管理条例 art. 25; 本地默认：介绍信有效期 90 天，到期前 7 天提醒",
    {"letter_valid_days": 90, "remind_days": 7},
)


@dataclass
class OrgTransferFacts:
    """What the REL rules read of one organization."""

    code: str
    name: str
    org_type: str
    #: members on its roll although it keeps none (its type is not a branch's)
    off_roll_members: int = 0
    #: letter numbers (or 申请 ids) of open transfers out whose member is not on its roll
    stray_open: list[str] = field(default_factory=list)
    #: letter numbers of transfers it accepted whose member is not on its roll
    stray_accepted: list[str] = field(default_factory=list)
    #: (letter number, receiver, last valid day) of its letters in transit
    in_transit: list[tuple[str, str, dt.date]] = field(default_factory=list)


@rule(ONE_BRANCH)
def rel_one_branch(facts: OrgTransferFacts, ctx: Context) -> list[Finding] | None:
    """A member is on the roll of exactly one 党支部; transfers and the roll agree.

    Source: 教育管理条例 art. 25 (rules.md REL-ONE-BRANCH)."""
    problems: list[tuple[object, str, dict[str, Any]]] = [
        (
            facts.off_roll_members and facts.org_type not in ROLL_TYPES,
            f"{facts.name}是{facts.org_type}，不能编入党员，名册上却有 "
            f"{facts.off_roll_members} 名党员，请转入所属党支部",
            {"members": facts.off_roll_members},
        ),
        (
            facts.stray_open,
            f"{facts.name}有 {len(facts.stray_open)} 件转接尚未办结，党员却已不在本支部名册"
            "（在途期间应由原支部管理，请核对或撤销转接）",
            {"letters": facts.stray_open},
        ),
        (
            facts.stray_accepted,
            f"{facts.name}已接收 {len(facts.stray_accepted)} 名党员的组织关系，"
            "其中有党员不在本支部名册上",
            {"letters": facts.stray_accepted},
        ),
    ]
    return [
        ONE_BRANCH.finding(facts.code, "error", message, evidence)
        for wrong, message, evidence in problems
        if wrong
    ]


@rule(DEADLINE)
def rel_transfer_deadline(facts: OrgTransferFacts, ctx: Context) -> list[Finding] | None:
    """A letter in transit after its last valid day is overdue; within ``remind_days`` of it,
    due. The last valid day itself is still in time.

    Source: 教育管理条例 art. 25; the validity and the reminder are local defaults."""
    remind = int(ctx.params["remind_days"])
    found: list[Finding] = []
    for letter, receiver, due in facts.in_transit:
        if ctx.at > due:
            found.append(
                DEADLINE.finding(
                    facts.code,
                    "warning",
                    f"介绍信 {letter}（转往{receiver}）已于 {due.isoformat()} 过期，"
                    "接收党组织尚未接收",
                    {"letters": [letter], "deadline": due, "overdue_days": (ctx.at - due).days},
                    due_date=due,
                )
            )
        elif (due - ctx.at).days <= remind:
            found.append(
                DEADLINE.finding(
                    facts.code,
                    "due",
                    f"介绍信 {letter}（转往{receiver}）将于 {due.isoformat()} 到期，请督促报到",
                    {"letters": [letter], "deadline": due, "days_left": (due - ctx.at).days},
                    due_date=due,
                )
            )
    return found


def letter_of(transfer: object) -> str:
    """How a transfer is named in findings: its letter number, else its request number."""
    number = getattr(transfer, "letter_no", "")
    return number or f"转接申请 {getattr(transfer, 'pk', '')}"


def collect_facts(prefix: str | None, at: dt.date) -> list[OrgTransferFacts]:
    """The facts of the organizations under ``prefix`` that have anything to judge (set-based:
    a handful of queries whatever the size of the subtree)."""
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    from .choices import OPEN_STATES, TransferState
    from .models import Transfer

    if prefix is None:
        return []
    facts: dict[int, OrgTransferFacts] = {}
    orgs = Organization.objects.filter(path__startswith=prefix)

    def of(org_id: int) -> OrgTransferFacts:
        if org_id not in facts:
            org = orgs.get(pk=org_id)
            facts[org_id] = OrgTransferFacts(org.code, org.name, org.org_type)
        return facts[org_id]

    off_roll = (
        Member.objects.filter(org__path__startswith=prefix)
        .exclude(org__org_type__in=sorted(ROLL_TYPES))
        .values("org_id")
        .annotate(n=Count("pk"))
    )
    for row in off_roll:
        of(row["org_id"]).off_roll_members = row["n"]
    transfers = Transfer.objects.filter(from_org__path__startswith=prefix)
    for t in transfers.filter(state__in=sorted(OPEN_STATES)).exclude(member__org=F("from_org")):
        of(t.from_org_id).stray_open.append(letter_of(t))
    for t in transfers.filter(state=TransferState.IN_TRANSIT, due_on__isnull=False).select_related(
        "to_org"
    ):
        assert t.due_on is not None
        of(t.from_org_id).in_transit.append((letter_of(t), t.receiver_name, t.due_on))
    accepted = Transfer.objects.filter(
        Q(to_org__path__startswith=prefix), state=TransferState.ACCEPTED
    ).exclude(member__org=F("to_org"))
    # only the latest transfer of a member speaks for where he is now
    for t in accepted.order_by("member_id", "-answered_on", "-pk").distinct():
        later = Transfer.objects.filter(
            member_id=t.member_id, state=TransferState.ACCEPTED, pk__gt=t.pk
        ).exists()
        if not later and t.to_org_id is not None:
            of(t.to_org_id).stray_accepted.append(letter_of(t))
    return [facts[k] for k in sorted(facts, key=lambda k: facts[k].code)]


def check_rel(request, specs, rule_ids, result):  # type: ignore[no-untyped-def]
    """This app's REL checker: its rules over the run's scope (the engine runs the other apps'
    REL checkers beside it, :func:`dangjian.rules.runner.register_checker`)."""
    from dangjian.rules.runner import evaluate

    mine = [s for s in specs if s.id in (ONE_BRANCH.id, DEADLINE.id)]
    if mine and request.prefix is not None:
        result.findings.extend(
            evaluate(collect_facts(request.prefix, request.at), request.at, mine)
        )


def connect() -> None:
    """Register :func:`check_rel` as one of the REL family's checkers."""
    from dangjian.rules import runner

    runner.register_checker("REL", check_rel)
