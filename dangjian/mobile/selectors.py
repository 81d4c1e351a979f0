"""Reads of 流动党员 and 失联党员, restricted to the acting user's subtree.

- The home branch (``Perm.MEMBER_VIEW`` over the member's organization) sees everything of its
  members' outflows and lost-contact records (phone numbers masked).
- The host organization (``MEMBER_VIEW`` over ``host_org``) sees of the members it hosts only
  their name, the masked contact and the activities they took part in (:func:`hosted_for`; the
  pages and the API show no other field of theirs).
- Upper levels read organization-level counts (:func:`figures`): 流出 (members of the subtree
  away), 流入 (members hosted by organizations of the subtree), 失联 by months lost. A member
  stays counted once, on his home roll.
- The flags (:func:`flags`): the findings of REL-TRANSFER and REL-LOST-CONTACT on a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, restrict, scope_prefix
from dangjian.core.dates import add_months
from dangjian.members.choices import LEAVING, StatusKind
from dangjian.members.models import Member, MemberStatus
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on
from dangjian.rules.registry import Finding
from dangjian.rules.runner import evaluate

from .models import LostContact, Outflow
from .rules import LOST_CONTACT, TRANSFER, LostFacts, OutflowFacts


def outflows_for(actor: Actor, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[Outflow]:
    """Outflows of the members of the actor's subtree (the home side: every field)."""
    return restrict(
        Outflow.objects.select_related("member", "member__org", "host_org"),
        actor,
        perm,
        "member__org__path",
    )


def hosted_for(actor: Actor, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[Outflow]:
    """Outflows hosted by organizations of the actor's subtree (the host side)."""
    prefix = scope_prefix(actor, perm)
    qs = Outflow.objects.select_related("member", "member__org", "host_org").filter(
        host_org__isnull=False
    )
    if prefix is None:
        return qs.none()
    return qs.filter(host_org__path__startswith=prefix) if prefix else qs


def outflow_get(actor: Actor, pk: int) -> tuple[Outflow, bool]:
    """(outflow, seen from its home side); 404 when neither side is in the actor's subtree."""
    outflow = (
        Outflow.objects.select_related("member", "member__org", "host_org").filter(pk=pk).first()
    )
    if outflow is None:
        raise Http404("没有这条外出登记，或不在您的管辖范围内")
    if covers(actor, Perm.MEMBER_VIEW, outflow.member.org.path):
        return outflow, True
    if outflow.host_org is not None and covers(actor, Perm.MEMBER_VIEW, outflow.host_org.path):
        return outflow, False
    raise Http404("没有这条外出登记，或不在您的管辖范围内")


def member_get(actor: Actor, pk: int, perm: Perm = Perm.MEMBER_VIEW) -> Member:
    """A member of the actor's subtree (the home side), else 404."""
    member = (
        restrict(Member.objects.select_related("org"), actor, perm, "org__path")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404("没有这名党员，或不在您的管辖范围内")
    return member


def lost_for(actor: Actor, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[LostContact]:
    """Lost-contact records of the members of the actor's subtree."""
    return restrict(
        LostContact.objects.select_related("member", "member__org"),
        actor,
        perm,
        "member__org__path",
    )


def open_outflow(member: Member) -> Outflow | None:
    return Outflow.objects.filter(member=member, returned_on__isnull=True).first()


def open_lost(member: Member) -> LostContact | None:
    return LostContact.objects.filter(member=member, found_on__isnull=True).first()


# --- the facts of the rules and the flags ----------------------------------------------------


def outflow_facts(outflows: QuerySet[Outflow], at: dt.date) -> list[OutflowFacts]:
    """What REL-TRANSFER reads: the outflows not returned by ``at``."""
    rows = (
        outflows.filter(started_on__lte=at)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=at))
        .values_list(
            "pk", "member_id", "member__name", "member__org__code", "started_on", "fixed_place"
        )
    )
    return [
        OutflowFacts(pk, member, name, code, started, fixed, None)
        for pk, member, name, code, started, fixed in rows
    ]


def lost_facts(lost: QuerySet[LostContact], at: dt.date) -> list[LostFacts]:
    """What REL-LOST-CONTACT reads: the records not closed by ``at`` and the standings of their
    members (two queries whatever the number of records)."""
    rows = list(
        lost.filter(since__lte=at)
        .filter(Q(found_on__isnull=True) | Q(found_on__gt=at))
        .values_list("pk", "member_id", "member__name", "member__org__code", "since")
    )
    statuses: dict[int, list[tuple[str, dt.date]]] = {}
    ids = {r[1] for r in rows}
    for start in range(0, len(ids), 1000):
        chunk = sorted(ids)[start : start + 1000]
        for member_id, kind, started in (
            MemberStatus.objects.filter(member_id__in=chunk, started_on__lte=at)
            .filter(Q(kind=StatusKind.SUSPENDED) | Q(kind__in=LEAVING, ends_on__isnull=True))
            .values_list("member_id", "kind", "started_on")
            .order_by("started_on")
        ):
            statuses.setdefault(member_id, []).append((kind, started))
    facts = []
    for pk, member_id, name, code, since in rows:
        suspended = left = None
        for kind, started in statuses.get(member_id, []):
            if kind == StatusKind.SUSPENDED and started >= since and suspended is None:
                suspended = started
            elif kind in LEAVING and left is None:
                left = started
        facts.append(LostFacts(pk, member_id, name, code, since, None, suspended, left))
    return facts


def flags(actor: Actor, at: dt.date) -> list[Finding]:
    """The findings of REL-TRANSFER and REL-LOST-CONTACT on ``at`` for the members of the
    actor's subtree (the same functions the rules engine registers)."""
    found = evaluate(outflow_facts(outflows_for(actor), at), at, [TRANSFER])
    found += evaluate(lost_facts(lost_for(actor), at), at, [LOST_CONTACT])
    found.sort(key=lambda f: (f.due_date or at, f.subject, f.rule))
    return found


# --- organization-level figures -----------------------------------------------------------


def rel_params(on: dt.date | None = None) -> dict[str, int]:
    """The parameters of REL-TRANSFER and REL-LOST-CONTACT in force on ``on``, for the pages
    that name them (``away_months``, ``suspend_after_months``, ``remove_after_years``)."""
    return {**params_on(TRANSFER.id, on), **params_on(LOST_CONTACT.id, on)}


def _months_text(months: int) -> str:
    """``6`` → "6 个月", ``30`` → "2 年半", ``24`` → "2 年", ``28`` → "2 年 4 个月"."""
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest} 个月"
    if not rest:
        return f"{years} 年"
    return f"{years} 年半" if rest == 6 else f"{years} 年 {rest} 个月"


def _bands(params: Mapping[str, Any]) -> tuple[tuple[int, str], ...]:
    suspend = int(params["suspend_after_months"])
    remove = suspend + 12 * int(params["remove_after_years"])
    first, second = _months_text(suspend), _months_text(remove)
    return ((0, f"不满 {first}"), (suspend, f"{first}至 {second}"), (remove, f"{second}以上"))


def lost_bands(on: dt.date | None = None) -> tuple[tuple[int, str], ...]:
    """The bands of 失联 by months lost (lower bound in months, label), from REL-LOST-CONTACT's
    parameters in force on ``on``: before the prompt to suspend, until the prompt to remove
    (suspended ``remove_after_years`` more), after it."""
    return _bands(params_on(LOST_CONTACT.id, on))


#: the bands with the rule's default parameters (a static description, e.g. the API schema's);
#: counts and pages use :func:`lost_bands` of their date
LOST_BANDS = _bands(LOST_CONTACT.params)


@dataclass
class OrgFigures:
    """The counts of one organization (its subtree): no person is named."""

    code: str
    name: str
    out: int = 0
    out_fixed: int = 0
    into: int = 0
    lost: int = 0
    lost_bands: tuple[int, ...] = (0, 0, 0)


def _band(since: dt.date, at: dt.date, bands: tuple[tuple[int, str], ...]) -> int:
    band = 0
    for i, (months, _label) in enumerate(bands):
        if add_months(since, months) <= at:
            band = i
    return band


def figures(actor: Actor, at: dt.date, root: Organization | None = None) -> list[OrgFigures]:
    """Counts per child of ``root`` (default: the actor's organization), then ``root`` itself
    as the total: 流出 (away on ``at``, of which at a fixed place), 流入 (hosted on ``at``) and
    失联 (lost on ``at``, by months lost). Organization-level only."""
    root = root or getattr(actor, "org", None)
    if root is None:
        return []
    if not covers(actor, Perm.MEMBER_VIEW, root.path):
        raise Http404("该组织不在您的管辖范围内")
    children = list(Organization.objects.get_children(root).order_by("path"))
    groups = [*children, root]
    rows = {g.path: OrgFigures(g.code, g.name) for g in groups}

    def owners(path: str) -> list[str]:
        hit = [c.path for c in children if path.startswith(c.path)]
        return [*hit, root.path]

    away = Outflow.objects.filter(member__org__path__startswith=root.path, started_on__lte=at)
    away = away.filter(Q(returned_on__isnull=True) | Q(returned_on__gt=at))
    for path, fixed in away.values_list("member__org__path", "fixed_place"):
        for key in owners(path):
            rows[key].out += 1
            rows[key].out_fixed += int(fixed)
    hosted = Outflow.objects.filter(host_org__path__startswith=root.path, started_on__lte=at)
    hosted = hosted.filter(Q(returned_on__isnull=True) | Q(returned_on__gt=at))
    for (path,) in hosted.values_list("host_org__path"):
        for key in owners(path):
            rows[key].into += 1
    lost = LostContact.objects.filter(member__org__path__startswith=root.path, since__lte=at)
    lost = lost.filter(Q(found_on__isnull=True) | Q(found_on__gt=at))
    left = set(
        MemberStatus.objects.filter(
            member__org__path__startswith=root.path,
            kind__in=LEAVING,
            ends_on__isnull=True,
            started_on__lte=at,
        ).values_list("member_id", flat=True)
    )
    lost_by = lost_bands(at)
    for member_id, path, since in lost.values_list("member_id", "member__org__path", "since"):
        if member_id in left:
            continue
        band = _band(since, at, lost_by)
        for key in owners(path):
            rows[key].lost += 1
            bands = list(rows[key].lost_bands)
            bands[band] += 1
            rows[key].lost_bands = tuple(bands)
    return [rows[g.path] for g in groups]


def check_rel(request: Any, specs: list[Any], asked: list[str] | None, result: Any) -> None:
    """The checker of the runner for REL-TRANSFER and REL-LOST-CONTACT (the other REL specs are
    left to the checkers of the apps that own them): the members of the scope (``prefix``, the
    sector and region filters by the member's branch), the same facts and functions as
    :func:`flags`."""
    mine = [s for s in specs if s.id in (TRANSFER.id, LOST_CONTACT.id)]
    if not mine or request.prefix is None:
        return
    where = Q(member__org__path__startswith=request.prefix)
    if request.sector:
        where &= Q(member__org__sector=request.sector)
    if request.region:
        where &= Q(member__org__region_code__startswith=request.region)
    at = request.at
    for spec in mine:
        if spec.id == TRANSFER.id:
            facts: list[Any] = outflow_facts(Outflow.objects.filter(where), at)
        else:
            facts = lost_facts(LostContact.objects.filter(where), at)
        result.findings.extend(evaluate(facts, at, [spec]))
