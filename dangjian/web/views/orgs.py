"""组织体系: the tree of the user's subtree, organization pages, member pages.

Every read goes through the selectors of the owning app with ``request.user``; an object outside
the user's subtree is a 404 (its existence is not revealed), a missing permission a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, orgs_for, require
from dangjian.core.dates import add_months
from dangjian.members.choices import MemberType
from dangjian.members.models import Member
from dangjian.members.selectors import committee, member_get, member_list
from dangjian.members.services import member_reveal
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import (
    SubtreeCounts,
    org_children,
    org_get,
    org_roots,
    org_search,
    subtree_counts,
)
from dangjian.rules.selectors import findings_for_org

from ..forms import TreeSearchForm
from ..helpers import bad_input_as_400, login_required_htmx, paginate


def _rows(nodes: list[Organization]) -> list[dict[str, Any]]:
    """Nodes with their subtree counts; siblings are counted together (two queries a depth)."""
    by_depth: dict[int, list[Organization]] = {}
    for node in nodes:
        by_depth.setdefault(node.depth, []).append(node)
    counts: dict[int, Any] = {}
    for same_depth in by_depth.values():
        counts.update(subtree_counts(same_depth))
    return [{"org": n, "counts": counts[n.pk]} for n in nodes]


def _with_children(org: Organization, actor: Any) -> tuple[SubtreeCounts, list[dict[str, Any]]]:
    """The counts of ``org`` and its child rows, with one pass over the subtree.

    The children are counted together by :func:`subtree_counts`; the node's own figures are then
    the sum over its children plus itself and its direct members, so the subtree is not scanned
    twice (at city scale each scan reads about a million member rows).
    """
    children = _rows(list(org_children(actor, org)))
    own = Member.objects.filter(org=org).aggregate(
        full=Count("id", filter=Q(member_type=MemberType.FULL)),
        prob=Count("id", filter=Q(member_type=MemberType.PROBATIONARY)),
    )
    counts = SubtreeCounts(orgs=1, full=own["full"] or 0, probationary=own["prob"] or 0)
    for row in children:
        counts.orgs += row["counts"].orgs
        counts.full += row["counts"].full
        counts.probationary += row["counts"].probationary
    return counts, children


def _with_parents(actor: Any, orgs: list[Organization]) -> list[dict[str, Any]]:
    """Search results with the name of their parent (one query), to tell alike names apart."""
    step = Organization.steplen
    parent_paths = {o.path[:-step] for o in orgs if o.depth > 1}
    names = dict(
        orgs_for(actor, Perm.ORG_VIEW).filter(path__in=parent_paths).values_list("path", "name")
    )
    return [{"org": o, "parent": names.get(o.path[:-step], "")} for o in orgs]


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ORG_VIEW)
    form = TreeSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = _with_parents(request.user, list(org_search(request.user, query))) if query else None
    # the first level below a single top node is shown open; deeper levels load on demand
    top = list(org_roots(request.user))
    open_children: list[dict[str, Any]] = []
    if len(top) == 1:
        counts, open_children = _with_children(top[0], request.user)
        roots = [{"org": top[0], "counts": counts}]
    else:
        roots = _rows(top)
    return render(
        request,
        "web/tree.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "roots": roots,
            "open_children": open_children,
        },
        status=200 if form.is_valid() else 400,
    )


@login_required_htmx
@require_GET
def tree_children(request: HttpRequest, code: str) -> HttpResponse:
    """The child rows of one node (requested by htmx when the node is opened)."""
    require(request.user, Perm.ORG_VIEW)
    org = org_get(request.user, code)
    rows = _rows(list(org_children(request.user, org)))
    return render(request, "web/_tree_children.html", {"rows": rows, "parent": org})


def _term(org: Organization, today: dt.date) -> dict[str, Any]:
    ends = org.term_ends_on
    info: dict[str, Any] = {
        "started": org.term_started_on,
        "years": org.effective_term_years,
        "ends": ends,
        "years_left": None,
        "expired": False,
        "expiring": False,
    }
    if ends is not None:
        days = (ends - today).days
        info["expired"] = days < 0
        # SETUP-TERM-EXPIRING reminds six months ahead; the page highlights the same window
        info["expiring"] = days >= 0 and ends <= add_months(today, 6)
        info["years_left"] = round(days / 365.25, 1) if days >= 0 else None
        info["days_over"] = -days if days < 0 else 0
    return info


def _ancestors(actor: Any, org: Organization) -> list[Organization]:
    """The breadcrumb: ancestors of ``org`` the actor may see (one query)."""
    step = Organization.steplen
    paths = [org.path[:n] for n in range(step, len(org.path), step)]
    if not paths:
        return []
    return list(orgs_for(actor, Perm.ORG_VIEW).filter(path__in=paths).order_by("depth"))


@login_required
@require_GET
@bad_input_as_400
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Perm.ORG_VIEW)
    user = request.user
    org = org_get(user, code)
    today = timezone.localdate()
    show_members = can(user, Perm.MEMBER_VIEW)
    findings = None
    if can(user, Perm.FINDING_VIEW):
        findings = findings_for_org(user, org)
    counts, children = _with_children(org, user)
    context = {
        "org": org,
        "ancestors": _ancestors(user, org),
        "counts": counts,
        "children": children,
        "term": _term(org, today),
        "show_members": show_members,
        "committee": committee(org) if show_members else [],
        "members": paginate(request, member_list(user, org=org)) if show_members else None,
        "findings": findings,
    }
    return render(request, "web/org.html", context)


def _member_context(member: Any, revealed: dict[str, str] | None, user: Any) -> dict[str, Any]:
    community = member.residence_community
    confirmed = member.confirmed_on
    today = timezone.localdate()
    party_age = None  # whole years since 转正 (党龄), by the calendar
    if confirmed and confirmed <= today:
        party_age = (
            today.year
            - confirmed.year
            - ((today.month, today.day) < (confirmed.month, confirmed.day))
        )
    return {
        "member": member,
        # the community a member lives in may lie outside the user's scope: name it only inside
        "community": community
        if community and covers(user, Perm.ORG_VIEW, community.path)
        else None,
        "community_hidden": community is not None
        and not covers(user, Perm.ORG_VIEW, community.path),
        "revealed": revealed,
        "party_age": party_age,
        "can_reveal": can(user, Perm.MEMBER_VIEW_PII),
        "ancestors": _ancestors(user, member.org),
    }


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    return render(request, "web/member.html", _member_context(member, None, request.user))


@login_required
@require_POST
def member_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID and phone numbers once; the view is audited by ``member_reveal``."""
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    revealed = member_reveal(actor=request.user, member=member, reason="网页查看完整号码")
    return render(request, "web/member.html", _member_context(member, revealed, request.user))
