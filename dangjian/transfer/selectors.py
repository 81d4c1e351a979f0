"""Reads of relation transfers, restricted to the actor's scope (``Perm.MEMBER_VIEW``).

A transfer belongs to both its ends: the sending side sees its transfers out, the receiving
side its transfers in (a transfer to an organization outside the platform belongs to its
sender only). Lists are one query each; the upper-level figures are grouped in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix
from dangjian.orgs.models import Organization

from .choices import OPEN_STATES, TransferState
from .models import Transfer


def _base() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("from_org", "to_org", "member")


def transfers_for(actor: Actor, *, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[Transfer]:
    """Transfers with either end in the actor's subtree."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return Transfer.objects.none()
    if prefix == "":
        return _base()
    return _base().filter(Q(from_org__path__startswith=prefix) | Q(to_org__path__startswith=prefix))


def transfers_out(actor: Actor) -> QuerySet[Transfer]:
    prefix = scope_prefix(actor, Perm.MEMBER_VIEW)
    if prefix is None:
        return Transfer.objects.none()
    return _base().filter(from_org__path__startswith=prefix)


def transfers_in(actor: Actor) -> QuerySet[Transfer]:
    prefix = scope_prefix(actor, Perm.MEMBER_VIEW)
    if prefix is None:
        return Transfer.objects.none()
    return _base().filter(to_org__path__startswith=prefix)


def transfer_get(actor: Actor, pk: int) -> Transfer:
    """One transfer the actor may see, else 404 (the same for missing and out of scope)."""
    found = transfers_for(actor).filter(pk=pk).first()
    if found is None:
        raise Http404("转接记录不存在或不在您的管辖范围内")
    return found


def in_transit(qs: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """Letters out, not yet answered: the member is on the way (and on the sending roll)."""
    return qs.filter(state=TransferState.IN_TRANSIT)


def overdue(qs: QuerySet[Transfer], at: dt.date) -> QuerySet[Transfer]:
    """In transit after the letter's last valid day (the last day itself is in time)."""
    return qs.filter(state=TransferState.IN_TRANSIT, due_on__lt=at).order_by("due_on", "pk")


def pending(qs: QuerySet[Transfer]) -> QuerySet[Transfer]:
    return qs.filter(state__in=sorted(OPEN_STATES))


def can_send(actor: Actor, t: Transfer) -> bool:
    return covers(actor, Perm.MEMBER_CHANGE, t.from_org.path)


def can_receive(actor: Actor, t: Transfer) -> bool:
    return t.to_org is not None and covers(actor, Perm.MEMBER_CHANGE, t.to_org.path)


def in_transit_by_org(actor: Actor, at: dt.date) -> list[dict[str, Any]]:
    """Transfers in transit by sending organization, grouped under the children of the actor's
    organization (the chart of the upper level): name, in transit, overdue. Organization-level
    figures only."""
    prefix = scope_prefix(actor, Perm.MEMBER_VIEW)
    if prefix is None:
        return []
    rows = (
        Transfer.objects.filter(state=TransferState.IN_TRANSIT, from_org__path__startswith=prefix)
        .values("from_org__path")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(due_on__lt=at)),
        )
    )
    depth = len(prefix) + Organization.steplen if prefix else Organization.steplen
    groups: dict[str, list[int]] = {}
    for row in rows:
        key = row["from_org__path"][:depth]
        total = groups.setdefault(key, [0, 0])
        total[0] += row["n"]
        total[1] += row["late"]
    names = dict(Organization.objects.filter(path__in=list(groups)).values_list("path", "name"))
    out = [
        {"org": names.get(path, path), "in_transit": n, "overdue": late}
        for path, (n, late) in groups.items()
    ]
    out.sort(key=lambda r: (-r["in_transit"], r["org"]))
    return out


def counts(qs: QuerySet[Transfer], at: dt.date) -> dict[str, int]:
    """How many transfers of ``qs`` are in each state, and overdue."""
    by_state = dict(qs.values_list("state").annotate(n=Count("pk")).order_by())
    out = {state.value: by_state.get(state.value, 0) for state in TransferState}
    out["overdue"] = overdue(qs, at).count()
    return out
