"""Reads of the hardship register, with its privacy boundary.

- The persons (names, reasons, notes, help and visits one by one) are read by the member's
  branch (a user bound to the entry's ``org``) and by the helping organizations (a user bound to
  one of its ``helpers``), holding ``Perm.CARE_VIEW``; the command-line operator reads all.
  Nobody else — not the 党委 above the branch, whose scope covers the branch for everything
  else: :func:`hardships_for` is the only way to rows about persons.
- Upper levels see figures by organization only (:func:`figures_for`): how many members are on
  the register, how many in 特别困难, how much help was given and how many visits were made,
  per organization of their subtree — never a name, a reason or a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, SystemActor, can, restrict
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on
from dangjian.rules.registry import Finding
from dangjian.rules.runner import evaluate

from .choices import Level
from .models import Hardship, Help, Visit
from .rules import FOLLOW_UP, FollowUpFacts


def own_org(actor: Actor) -> Organization | None:
    """The organization the actor acts for; ``None`` for the command-line operator."""
    if isinstance(actor, SystemActor):
        return None
    return getattr(actor, "org", None)


def _reads_all(actor: Actor) -> bool:
    return isinstance(actor, SystemActor)


def hardships_for(actor: Actor) -> QuerySet[Hardship]:
    """The entries whose persons the actor may read (see the module docstring)."""
    qs = Hardship.objects.select_related("member", "org")
    if not can(actor, Perm.CARE_VIEW):
        return qs.none()
    if _reads_all(actor):
        return qs
    org = own_org(actor)
    if org is None:
        return qs.none()
    helped = Hardship.helpers.through.objects.filter(
        hardship_id=OuterRef("pk"), organization_id=org.pk
    )
    return qs.filter(Q(org_id=org.pk) | Q(Exists(helped)))


def may_read(actor: Actor, hardship: Hardship) -> bool:
    """Whether the actor may read ``hardship``'s persons (the same test as the queryset)."""
    if not can(actor, Perm.CARE_VIEW):
        return False
    if _reads_all(actor):
        return True
    org = own_org(actor)
    if org is None:
        return False
    return hardship.org_id == org.pk or hardship.helpers.filter(pk=org.pk).exists()


def hardship_get(actor: Actor, pk: int) -> Hardship:
    """One entry the actor may read; 404 otherwise (an upper level learns nothing of it)."""
    item = hardships_for(actor).filter(pk=pk).first()
    if item is None:
        raise Http404("没有这条困难党员登记，或您无权查看")
    return item


def member_record(actor: Actor, hardship: Hardship) -> list[Hardship]:
    """Every entry of ``hardship``'s member the actor may read, newest first (a member's
    record: earlier periods of hardship too)."""
    return list(
        hardships_for(actor)
        .filter(member_id=hardship.member_id)
        .prefetch_related("helpers")
        .order_by("-since", "-pk")
    )


def helps_of(hardship: Hardship) -> QuerySet[Help]:
    return hardship.helps.select_related("org").order_by("-given_on", "-pk")


def visits_of(hardship: Hardship) -> QuerySet[Visit]:
    return hardship.visits.select_related("org").order_by("-visited_on", "-pk")


def recorder_orgs(actor: Actor) -> QuerySet[Organization]:
    """The branches whose members the actor may put on the register: its own organization when
    it keeps a roll (the branch), all for the operator."""
    if not can(actor, Perm.CARE_RECORD):
        return Organization.objects.none()
    if _reads_all(actor):
        return Organization.objects.all()
    org = own_org(actor)
    return (
        Organization.objects.filter(pk=org.pk) if org is not None else Organization.objects.none()
    )


# --- follow-ups due ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """A visit agreed and not yet made: the entry, the finding that explains it."""

    hardship: Hardship
    finding: Finding

    @property
    def overdue(self) -> bool:
        return self.finding.severity == "warning"


def follow_up_facts(entries: QuerySet[Hardship]) -> list[FollowUpFacts]:
    """The last visit of each open entry with a next visit agreed (later visits fulfil it)."""
    open_ = entries.filter(until__isnull=True)
    last = Visit.objects.filter(hardship_id=OuterRef("hardship_id")).order_by("-visited_on", "-pk")
    rows = (
        Visit.objects.filter(hardship__in=open_.values("pk"), next_visit_on__isnull=False)
        .filter(pk=last.values("pk")[:1])
        .values_list("hardship_id", "visited_on", "next_visit_on")
    )
    return [FollowUpFacts(h, v, n) for h, v, n in rows if n is not None]


def follow_ups(
    actor: Actor, at: dt.date, entries: QuerySet[Hardship] | None = None
) -> list[FollowUp]:
    """The follow-ups overdue and due soon (CARE-VISIT-FOLLOW-UP) among the entries the actor
    reads, the earliest first."""
    qs = hardships_for(actor) if entries is None else entries
    findings = evaluate(follow_up_facts(qs), at, [FOLLOW_UP])
    by_id = {h.pk: h for h in qs.filter(pk__in=[_id(f) for f in findings])}
    out = [FollowUp(by_id[_id(f)], f) for f in findings if _id(f) in by_id]
    out.sort(key=lambda u: (u.finding.due_date or at, u.hardship.pk))
    return out


def _id(finding: Finding) -> int:
    return int(finding.subject.rsplit("#", 1)[1])


def due_soon_days(at: dt.date) -> int:
    return int(params_on(FOLLOW_UP.id, at)["due_soon_days"])


# --- figures by organization (the upper levels) ----------------------------------------------


@dataclass
class OrgFigures:
    """One organization's figures in a year: no person in it."""

    code: str
    name: str
    path: str
    on_register: int = 0  # entries of its branch open at the year's end (or today)
    special: int = 0  # of which 特别困难
    registered: int = 0  # entries opened in the year
    helps: int = 0  # help given by it in the year
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))
    visits: int = 0  # visits made by it in the year

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": self.code,
            "org_name": self.name,
            "on_register": self.on_register,
            "special": self.special,
            "registered": self.registered,
            "helps": self.helps,
            "amount": str(self.amount),
            "visits": self.visits,
        }


@dataclass
class Figures:
    root: Organization | None
    year: int
    at: dt.date
    rows: list[OrgFigures]

    @property
    def total(self) -> OrgFigures:
        t = OrgFigures("", "合计", "")
        for r in self.rows:
            t.on_register += r.on_register
            t.special += r.special
            t.registered += r.registered
            t.helps += r.helps
            t.amount += r.amount
            t.visits += r.visits
        return t


def figures_for(actor: Actor, root: Organization | None, year: int, at: dt.date) -> Figures:
    """Counts and amounts by organization in the actor's subtree (under ``root`` when given)
    for ``year``; "on the register" as of the year's end or ``at``, whichever is earlier.
    Entries are counted by the member's branch, help and visits by the organization that gave
    them. Only organizations with something to show are listed, in tree order."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), at)
    entries = restrict(Hardship.objects.all(), actor, Perm.CARE_VIEW, "org__path")
    helps = restrict(Help.objects.all(), actor, Perm.CARE_VIEW, "org__path")
    visits = restrict(Visit.objects.all(), actor, Perm.CARE_VIEW, "org__path")
    if root is not None:
        entries = entries.filter(org__path__startswith=root.path)
        helps = helps.filter(org__path__startswith=root.path)
        visits = visits.filter(org__path__startswith=root.path)
    rows: dict[int, dict[str, Any]] = {}

    def row(org_id: int) -> dict[str, Any]:
        return rows.setdefault(org_id, {})

    open_at_end = Q(since__lte=end) & (Q(until__isnull=True) | Q(until__gt=end))
    for r in entries.values("org_id").annotate(
        on_register=Count("pk", filter=open_at_end),
        special=Count("pk", filter=open_at_end & Q(level=Level.SPECIAL)),
        registered=Count("pk", filter=Q(since__gte=start, since__lte=end)),
    ):
        row(r["org_id"]).update(r)
    for r in (
        helps.filter(given_on__gte=start, given_on__lte=end)
        .values("org_id")
        .annotate(helps=Count("pk"), amount=Sum("amount"))
    ):
        row(r["org_id"]).update(r)
    for r in (
        visits.filter(visited_on__gte=start, visited_on__lte=end)
        .values("org_id")
        .annotate(visits=Count("pk"))
    ):
        row(r["org_id"]).update(r)
    orgs = Organization.objects.filter(pk__in=rows).only("code", "name", "path")
    out = []
    for org in orgs:
        r = rows[org.pk]
        figures = OrgFigures(org.code, org.name, org.path)
        for key in ("on_register", "special", "registered", "helps", "visits"):
            setattr(figures, key, int(r.get(key) or 0))
        figures.amount = Decimal(r.get("amount") or 0).quantize(Decimal("0.01"))
        if any((figures.on_register, figures.registered, figures.helps, figures.visits)):
            out.append(figures)
    out.sort(key=lambda f: f.path)
    return Figures(root, year, at, out)
