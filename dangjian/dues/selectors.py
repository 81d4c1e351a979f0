"""Reads of party dues, scoped by the acting user.

- :func:`month_sheet`: 本月党费 of one branch (its secretary's screen): every member on the roll
  that month, the amount owed and whether it is paid.
- :func:`branch_dues_facts` and :func:`branch_findings`: the DUES rules over one branch;
  :func:`scope_dues_facts` and :func:`check_dues`: the same facts gathered in bulk for a whole
  subtree, the DUES family's checker of the rules engine (``dangjian check --rules DUES``, the
  API, the findings pages).
- :func:`org_totals`: organization-level figures of a subtree for a year up to a month (owed
  member-months, paid, unpaid, the amount collected, members flagged under
  DUES-ARREARS-6-MONTHS, remitted), summed per child organization: set-based queries, no member
  named, no base read. This is what the upper levels and the benchmark use.
- :func:`arrears_members`: the members of one branch flagged (their branch only).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear, Greatest

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require
from dangjian.core import crypto
from dangjian.members.choices import LEAVING, MemberType
from dangjian.members.models import Member, MemberStatus
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_for, params_on
from dangjian.rules.registry import REGISTRY, Finding, RuleSpec
from dangjian.rules.runner import CheckRequest, CheckResult, evaluate

from . import months
from .models import DuesBase, DuesExemption, DuesPayment, DuesRemittance, DuesTally
from .rules import ARREARS, RATE_EMPLOYED, RATE_FLAT, RATE_RETIRED, BranchDues, MemberDues
from .services import base_amount, default_category, on_roll


@dataclass
class SheetRow:
    member: Member
    category: str
    due: Decimal | None
    payment: DuesPayment | None
    base: Decimal | None = None

    @property
    def paid(self) -> bool:
        return self.payment is not None


def require_branch(actor: Actor, org: Organization, perm: Perm = Perm.MEMBER_VIEW) -> None:
    require(actor, perm, org.path)


def month_sheet(actor: Actor, org: Organization, month: dt.date) -> list[SheetRow]:
    """Every member on ``org``'s roll in ``month`` with the month's amount and payment."""
    require_branch(actor, org)
    month = months.first(month)
    members = [
        m
        for m in Member.objects.filter(org=org, joined_on__lte=months.last_day(month))
        .select_related("org")
        .prefetch_related("statuses")
        .order_by("name", "pk")
        if on_roll(m, month)
    ]
    ids = [m.pk for m in members]
    bases = {
        b.member_id: b
        for b in DuesBase.objects.filter(member_id__in=ids, year=month.year).select_related(
            "member"
        )
    }
    paid = {p.member_id: p for p in DuesPayment.objects.filter(member_id__in=ids, month=month)}
    rows = []
    for m in members:
        b = bases.get(m.pk)
        rows.append(
            SheetRow(
                member=m,
                category=b.category if b else default_category(m),
                due=Decimal(str(b.owed)) if b else None,
                payment=paid.get(m.pk),
                base=base_amount(actor, b) if b else None,
            )
        )
    return rows


def _complete_through(at: dt.date) -> dt.date:
    """The last complete month before ``at`` (its first day)."""
    return months.add(months.first(at), -1)


def branch_dues_facts(org: Organization, at: dt.date, decrypt: bool = True) -> BranchDues:
    """The DUES facts of branch ``org`` judged on ``at``: the year of ``at``'s last complete
    month; owed months over the last ``months`` + 6 complete months and the year so far."""
    found = scope_dues_facts([(org.pk, org.code, org.name)], at, decrypt=decrypt, keep_empty=True)
    return found[0]


#: organizations whose members' dues facts are read together (a few queries per chunk)
FACTS_CHUNK = 200
RATE_IDS = frozenset({RATE_EMPLOYED.id, RATE_RETIRED.id, RATE_FLAT.id})


def arrears_months(on: dt.date) -> int:
    """The months of DUES-ARREARS-6-MONTHS in force on ``on`` (its ``months``), for the queries
    and for every page that names the rule's window."""
    return int(params_on(ARREARS.id, on)["months"])


def scope_dues_facts(
    orgs: list[tuple[int, str, str]],
    at: dt.date,
    *,
    bases: bool = True,
    decrypt: bool = True,
    keep_empty: bool = False,
) -> list[BranchDues]:
    """The DUES facts of the organizations ``orgs`` ((id, code, name), in that order) judged on
    ``at`` (see :func:`branch_dues_facts`): five grouped queries per chunk of
    :data:`FACTS_CHUNK` organizations, whatever their size. Without ``bases`` the year's 核定
    are not read (no rate rule asked); without ``decrypt`` the bases stay encrypted.
    Organizations without a member judged are left out unless ``keep_empty``."""
    through = _complete_through(at)
    year = through.year
    window = arrears_months(at)
    start = min(dt.date(year, 1, 1), months.add(through, -(window + 5)))
    judged = months.span(start, through)
    this_month = months.first(at)
    out: list[BranchDues] = []
    for i in range(0, len(orgs), FACTS_CHUNK):
        chunk = orgs[i : i + FACTS_CHUNK]
        ids = [pk for pk, _c, _n in chunk]
        rows = list(
            Member.objects.filter(org_id__in=ids)
            .order_by("name", "pk")
            .values_list("pk", "name", "member_type", "joined_on", "category", "org_id")
        )
        left: dict[int, dt.date] = dict(
            MemberStatus.objects.filter(member__org_id__in=ids, kind__in=sorted(LEAVING))
            .values("member_id")
            .order_by()
            .annotate(first=Min("started_on"))
            .values_list("member_id", "first")
        )
        base_of: dict[int, tuple[str, Decimal, bytes | None]] = {}
        if bases:
            fields = ["member_id", "category", "monthly_due"]
            for b in DuesBase.objects.filter(member__org_id__in=ids, year=year).values_list(
                *fields, "base_cipher" if decrypt else "monthly_due"
            ):
                base_of[b[0]] = (b[1], b[2], bytes(b[3]) if decrypt and b[3] else None)
        paid: dict[int, set[dt.date]] = defaultdict(set)
        for mid, month in DuesPayment.objects.filter(
            member__org_id__in=ids, month__gte=start, month__lte=through
        ).values_list("member_id", "month"):
            paid[mid].add(month)
        excused: dict[int, set[dt.date]] = defaultdict(set)
        for mid, m_from, m_to in DuesExemption.objects.filter(
            member__org_id__in=ids, month_to__gte=start, month_from__lte=through
        ).values_list("member_id", "month_from", "month_to"):
            excused[mid].update(months.span(m_from, m_to))
        by_org: dict[int, list[MemberDues]] = defaultdict(list)
        for pk, name, member_type, joined_on, category, org_id in rows:
            # dangjian.dues.services.on_roll over the judged months, by their order: owed from
            # the month of joined_on, until the month the first leaving standing began
            joined = months.first(joined_on)
            gone = left.get(pk)
            owed = tuple(
                judged[bisect_left(judged, joined) : bisect_left(judged, gone) if gone else None]
            )
            now = joined <= this_month and (gone is None or gone > this_month)
            if not owed and not now:
                continue
            b = base_of.get(pk)
            by_org[org_id].append(
                MemberDues(
                    member_id=pk,
                    name=name,
                    probationary=member_type == MemberType.PROBATIONARY,
                    joined_on=joined_on,
                    category=b[0] if b else _default_category(category),
                    has_base=b is not None,
                    base=Decimal(crypto.decrypt(b[2])) if b and b[2] else None,
                    monthly_due=b[1] if b else None,
                    owed=owed,
                    paid=frozenset(paid[pk]),
                    excused=frozenset(excused[pk]),
                    left=joined <= through and gone is not None and gone <= through,
                )
            )
        for pk, code, name in chunk:
            if by_org.get(pk) or keep_empty:
                out.append(BranchDues(code, name, year, tuple(by_org.get(pk, ()))))
    return out


@lru_cache(maxsize=64)
def _default_category(member_category: str) -> str:
    return default_category(Member(category=member_category))


def branch_findings(actor: Actor, org: Organization, at: dt.date) -> list[Finding]:
    """The findings of every DUES rule over branch ``org`` on ``at`` (its own users)."""
    require_branch(actor, org)
    facts = branch_dues_facts(org, at)
    specs = [spec for spec, _f in REGISTRY.values() if spec.family == "DUES"]
    return evaluate([facts], at, specs)


def check_dues(
    request: CheckRequest, specs: list[RuleSpec], asked: list[str] | None, result: CheckResult
) -> None:
    """The runner's checker of the DUES family: the asked rules over the members of every
    organization of the run's scope (``prefix``, the sector and region filters by the
    member's organization), the facts read in chunks (:func:`scope_dues_facts`); the bases
    are read and decrypted only when a rate rule is asked for and switched on. A finding's
    subject is the member's branch; the member is named in the message (as REL-LOST-CONTACT),
    never the base."""
    if request.prefix is None:
        return
    on = [s for s in specs if params_for(s, request.at)[0]]
    if not on:
        return
    orgs = Organization.objects.filter(path__startswith=request.prefix)
    if request.sector:
        orgs = orgs.filter(sector=request.sector)
    if request.region:
        orgs = orgs.filter(region_code__startswith=request.region)
    rates = any(s.id in RATE_IDS for s in on)
    facts = scope_dues_facts(
        list(orgs.order_by("path").values_list("pk", "code", "name")),
        request.at,
        bases=rates,
        decrypt=rates,
    )
    result.findings.extend(evaluate(facts, request.at, on))


def arrears_members(actor: Actor, org: Organization, at: dt.date) -> list[Finding]:
    """The DUES-ARREARS-6-MONTHS flags of branch ``org`` on ``at``."""
    return [f for f in branch_findings(actor, org, at) if f.rule == ARREARS.id]


# --- organization-level totals ----------------------------------------------------------------


@dataclass
class Totals:
    """Organization-level dues figures of a subtree for a year up to a month."""

    members: int = 0
    owed_months: int = 0
    paid_months: int = 0
    paid_amount: Decimal = field(default_factory=lambda: Decimal(0))
    arrears_members: int = 0
    remitted: Decimal = field(default_factory=lambda: Decimal(0))

    @property
    def unpaid_months(self) -> int:
        return max(self.owed_months - self.paid_months, 0)

    @property
    def paid_share(self) -> float | None:
        return self.paid_months / self.owed_months if self.owed_months else None

    def add(self, other: Totals) -> None:
        self.members += other.members
        self.owed_months += other.owed_months
        self.paid_months += other.paid_months
        self.paid_amount += other.paid_amount
        self.arrears_members += other.arrears_members
        self.remitted += other.remitted


def _leaving(before: dt.date) -> Exists:
    return Exists(
        MemberStatus.objects.filter(
            member=OuterRef("pk"), kind__in=list(LEAVING), started_on__lte=before
        )
    )


def per_branch(prefix: str, year: int, through: dt.date, window: int = 6) -> dict[int, Totals]:
    """org id → :class:`Totals` of the branches under ``prefix`` for ``year`` up to ``through``
    (a first day, in ``year``): four grouped queries over the subtree."""
    jan = dt.date(year, 1, 1)
    t_idx = through.year * 12 + through.month
    j_idx = year * 12 + 1
    out: dict[int, Totals] = defaultdict(Totals)
    members = Member.objects.filter(
        org__path__startswith=prefix, joined_on__lte=months.last_day(through)
    )
    members = members.exclude(_leaving(jan))
    first_idx = ExtractYear("joined_on") * 12 + ExtractMonth("joined_on")
    owed = (
        members.annotate(
            owed=Greatest(Value(t_idx) - Greatest(first_idx, Value(j_idx)) + Value(1), Value(0))
        )
        .values("org_id")
        .annotate(n=Count("pk"), owed_sum=Sum("owed"))
    )
    for row in owed:
        t = out[row["org_id"]]
        t.members, t.owed_months = row["n"], int(row["owed_sum"] or 0)
    paid = (
        DuesTally.objects.filter(org__path__startswith=prefix, month__gte=jan, month__lte=through)
        .values("org_id")
        .annotate(n=Sum("payments"), s=Sum("amount"))
    )
    for row in paid:
        t = out[row["org_id"]]
        t.paid_months, t.paid_amount = row["n"], Decimal(row["s"] or 0)
    flagged = (
        _in_arrears(members, through, window).values("org_id").order_by().annotate(n=Count("pk"))
    )
    for row in flagged:
        out[row["org_id"]].arrears_members = row["n"]
    for row in (
        DuesRemittance.objects.filter(org__path__startswith=prefix, year=year)
        .values("org_id")
        .annotate(s=Sum("amount"))
    ):
        out[row["org_id"]].remitted = Decimal(row["s"] or 0)
    return dict(out)


def _unpaid(start: dt.date, through: dt.date) -> Q:
    """No payment for a month from ``start`` to ``through``, read from the latest month each
    member paid (:class:`~dangjian.dues.models.DuesLastPaid`, joined once): never paid or last
    paid before ``start``; only a member whose latest month is after ``through`` (a month paid
    ahead, a past ``through``) has his payments of the window looked up."""
    paid_in = Exists(
        DuesPayment.objects.filter(member=OuterRef("pk"), month__gte=start, month__lte=through)
    )
    return (
        Q(dues_last_paid__isnull=True)
        | Q(dues_last_paid__month__lt=start)
        | (Q(dues_last_paid__month__gt=through) & Q(~paid_in))
    )


def _in_arrears(members: QuerySet[Member], through: dt.date, window: int) -> QuerySet[Member]:
    """The ``members`` with ``window`` complete months up to ``through`` unpaid and not excused
    (on the roll the whole window: voted in by its first month, not out by ``through``)."""
    start = months.add(through, -(window - 1))
    excused = Exists(
        DuesExemption.objects.filter(
            member=OuterRef("pk"), month_from__lte=through, month_to__gte=start
        )
    )
    return (
        members.filter(joined_on__lte=months.last_day(start))
        .exclude(_leaving(through))
        .filter(_unpaid(start, through))
        .exclude(excused)
    )


def arrears_member_ids(prefix: str, through: dt.date, window: int = 6) -> list[tuple[int, int]]:
    """(member id, branch id) of every member under ``prefix`` with ``window`` complete months
    up to ``through`` unpaid and not excused (the batch form of DUES-ARREARS-6-MONTHS, for the
    benchmark and the branch lists; a partial month of leaving is not judged)."""
    members = Member.objects.filter(org__path__startswith=prefix)
    return list(_in_arrears(members, through, window).values_list("pk", "org_id"))


@dataclass
class OrgRow:
    org: Organization
    totals: Totals


def org_totals(
    actor: Actor, root: Organization, year: int, through: dt.date
) -> tuple[Totals, list[OrgRow]]:
    """The totals of ``root``'s subtree and of each child organization (organization level
    only), for ``year`` up to the month ``through``."""
    require(actor, Perm.ORG_VIEW, root.path)
    window = arrears_months(through)
    branch = per_branch(root.path, year, through, window)
    # the subtree's paths by one range scan of the path index (a list of every branch id as
    # IN (…) parameters made PostgreSQL compare each row with 60,000 values at the city root)
    paths = dict(Organization.objects.filter(path__startswith=root.path).values_list("pk", "path"))
    children = list(
        Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by(
            "path"
        )
    )
    step = Organization.steplen
    by_child: dict[str, Totals] = {c.path: Totals() for c in children}
    total = Totals()
    for org_id, t in branch.items():
        total.add(t)
        path = paths.get(org_id, "")
        key = path[: len(root.path) + step]
        if key in by_child:
            by_child[key].add(t)
    rows = [OrgRow(c, by_child[c.path]) for c in children]
    own = branch.get(root.pk)
    if own is not None and (own.members or own.paid_months):
        rows.insert(0, OrgRow(root, own))
    return total, rows


def chart(rows: list[OrgRow], window: int) -> dict[str, Any]:
    """The ECharts data of arrears by organization (labels and values, no person); ``window``:
    the months of DUES-ARREARS-6-MONTHS in force (:func:`arrears_months`)."""
    return {
        "labels": [r.org.name for r in rows],
        "series": [
            {"name": "欠交人月数", "values": [r.totals.unpaid_months for r in rows]},
            {
                "name": f"连续{window}个月未交人数",
                "values": [r.totals.arrears_members for r in rows],
            },
        ],
    }


def may_view(actor: Actor, org: Organization) -> bool:
    return covers(actor, Perm.MEMBER_VIEW, org.path)


def is_branch(org: Organization) -> bool:
    return org.org_type in ROLL_TYPES
