"""组织体系: the tree of the user's subtree, organization pages, member pages.

Every read goes through the selectors of the owning app with ``request.user``; an object outside
the user's subtree is a 404 (its existence is not revealed), a missing permission a 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, can, covers, require
from dangjian.core import idnumber
from dangjian.core.dates import full_years, span_text
from dangjian.core.errors import error_text, errors_on, put_errors
from dangjian.members.forms import (
    POST_NOTE,
    MemberForm,
    ParticipantEndForm,
    ParticipantForm,
    StatusForm,
    member_initial,
)
from dangjian.members.models import Member
from dangjian.members.selectors import (
    SubtreeCounts,
    committee,
    counts_of,
    member_by_id_number,
    member_get,
    member_list,
    participation_get,
    participations_of,
    post_warning,
    standing_on,
    standings_on,
    statuses_of,
    with_counts,
)
from dangjian.members.services import (
    ParticipationInput,
    member_create,
    member_reveal,
    member_status_record,
    member_update,
    participation_add,
    participation_end,
)
from dangjian.orgs.choices import ROLL_TYPES, TEMP_BRANCH_NO_ROLL, OrgType
from dangjian.orgs.forms import ElectionDelayForm
from dangjian.orgs.models import Organization
from dangjian.orgs.rules import term_expiring
from dangjian.orgs.selectors import (
    breadcrumb,
    election_delay_current,
    org_children,
    org_get,
    org_roots,
    org_search,
    orgs_for,
)
from dangjian.orgs.services import max_delay_years, org_election_delay_record
from dangjian.web.cached import org_page_findings
from dangjian.web.requests import SignedInRequest

from ..forms import TreeSearchForm
from ..helpers import form_page, login_required_htmx, page, paginate, query_without
from ..pages import errors_text, form_saved


def _rows(nodes: list[Organization]) -> list[dict[str, Any]]:
    """Nodes (read :func:`with_counts`) with their subtree counts, from their rollup rows."""
    return [{"org": n, "counts": counts_of(n)} for n in nodes]


def _with_children(org: Organization, actor: Actor) -> tuple[SubtreeCounts, list[dict[str, Any]]]:
    """The counts of ``org`` and its child rows, in one query whatever the size of the subtree:
    the node and its children with their rollup rows (organizations and members of each
    subtree, kept by every write), so no organization below and no member row is read."""
    nodes = list(
        with_counts(orgs_for(actor, Perm.ORG_VIEW))
        .filter(Q(pk=org.pk) | Q(path__startswith=org.path, depth=org.depth + 1))
        .order_by("depth", "code")
    )
    counts = counts_of(nodes[0]) if nodes and nodes[0].pk == org.pk else counts_of(org)
    return counts, _rows([n for n in nodes if n.pk != org.pk])


def _children_page(
    request: SignedInRequest, org: Organization
) -> tuple[SubtreeCounts, Page[Any] | None]:
    """The counts of ``org`` (one query) and the requested page of its child rows (one more,
    none for an organization without children): the length of the list is the node's
    ``numchild``, kept by the tree, so no ``COUNT`` is needed either."""
    node = with_counts(Organization.objects.filter(pk=org.pk)).first()
    counts = counts_of(node or org)
    if not org.numchild:
        return counts, None
    children = with_counts(org_children(request.user, org))
    page = paginate(request, children, param="page_children", count=org.numchild)
    page.object_list = _rows(list(page.object_list))
    return counts, page


def _with_parents(actor: Actor, orgs: list[Organization]) -> list[dict[str, Any]]:
    """Search results with the name of their parent (one query), to tell alike names apart."""
    step = Organization.steplen
    parent_paths = {o.path[:-step] for o in orgs if o.depth > 1}
    names = dict(
        orgs_for(actor, Perm.ORG_VIEW).filter(path__in=parent_paths).values_list("path", "name")
    )
    return [{"org": o, "parent": names.get(o.path[:-step], "")} for o in orgs]


@page("GET")
def tree(request: SignedInRequest) -> HttpResponse:
    require(request.user, Perm.ORG_VIEW)
    form = TreeSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = _with_parents(request.user, list(org_search(request.user, query))) if query else None
    # the first level below a single top node is shown open; deeper levels load on demand
    top = list(with_counts(org_roots(request.user)))
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
def tree_children(request: SignedInRequest, code: str) -> HttpResponse:
    """The child rows of one node (requested by htmx when the node is opened)."""
    require(request.user, Perm.ORG_VIEW)
    org = org_get(request.user, code)
    rows = _rows(list(with_counts(org_children(request.user, org))))
    return render(request, "web/_tree_children.html", {"rows": rows, "parent": org})


#: why an organization has no 换届, shown in place of the term
NO_TERM_NOTES = {
    OrgType.WORKING_COMMITTEE: "党工委是上级党委的派出机关，书记、委员由上级党委任命，"
    "不实行任期换届。",
    OrgType.TEMP_BRANCH: "临时党支部因任务设立、任务完成后撤销，书记、委员由批准设立的党组织"
    "指定，不实行任期换届。",
    OrgType.GROUP: "党小组不设委员会，不实行任期换届。",
}


def _term(org: Organization, today: dt.date) -> dict[str, Any]:
    """The term as the page shows it: end, what is left to the day, an approved delay."""
    ends = org.term_ends_on
    delay = election_delay_current(org, today)
    info: dict[str, Any] = {
        "has_term": org.has_term,
        "no_term_note": NO_TERM_NOTES.get(OrgType(org.org_type)) if not org.has_term else "",
        "started": org.term_started_on,
        "years": org.effective_term_years,
        "ends": ends,
        "delay": delay,
        "left": "",
        "expired": False,
        "expiring": False,
        "delayed": False,
    }
    if ends is not None:
        # an approved delay (延期换届) moves the deadline: SETUP-TERM-EXPIRED/-EXPIRING follow it
        deadline = delay.new_deadline if delay is not None else ends
        info["deadline"] = deadline
        info["delayed"] = delay is not None and ends < today <= deadline
        info["expired"] = today > deadline
        # the page highlights the window SETUP-TERM-EXPIRING reminds in (its parameter in force)
        info["expiring"] = term_expiring(deadline, today)
        info["left"] = span_text(today, deadline) if today <= deadline else ""
        info["days_over"] = (today - deadline).days if today > deadline else 0
    return info


def _org_context(
    request: SignedInRequest,
    org: Organization,
    *,
    participant_form: ParticipantForm | None = None,
    delay_form: ElectionDelayForm | None = None,
) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    show_members = can(user, Perm.MEMBER_VIEW)
    findings = None
    if can(user, Perm.FINDING_VIEW):
        findings = org_page_findings(user, org)
    counts, children = _children_page(request, org)
    members = None
    posts: list[Member] | None = []
    if show_members:
        # the length of the list is the own roll's row of the member counts: no COUNT query,
        # and none at all for an organization without members of its own (a 党委)
        roll = member_list(user, org=org) if counts.own else Member.objects.none()
        members = paginate(request, roll, count=counts.own)
        # a decided standing (留党察看, 去世 …) is shown beside the name: one query for the page
        standings = standings_on(members.object_list, today) if counts.own else {}
        for m in members.object_list:
            m.standing_today = standings[m.pk]
        # no roll of its own (a 党委): no committee member on it either
        posts = None if counts.own else []
    is_temp = org.org_type == OrgType.TEMP_BRANCH
    term = _term(org, today)
    can_change_org = covers(user, Perm.ORG_CHANGE, org.path)
    can_change_members = covers(user, Perm.MEMBER_CHANGE, org.path)
    # the participants' own branches may lie outside the user's subtree: link only inside
    participations = [
        {"item": p, "linked": covers(user, Perm.MEMBER_VIEW, p.member.org.path)}
        for p in (participations_of(user, org) if is_temp and show_members else [])
    ]
    return {
        "org": org,
        "ancestors": breadcrumb(user, org),
        "counts": counts,
        "children": children,
        "children_query": query_without(request, "page_children"),
        "term": term,
        "max_delay_years": max_delay_years(today),
        "show_members": show_members,
        "committee": committee(org) if posts is None else posts,
        "members": members,
        "findings": findings,
        "today": today,
        "has_roll": org.org_type in ROLL_TYPES,
        "is_temp": is_temp,
        "temp_note": TEMP_BRANCH_NO_ROLL,
        "can_add_member": can_change_members and org.org_type in ROLL_TYPES,
        "participations": participations,
        "can_change_participants": is_temp and can_change_members,
        "participant_form": participant_form
        or ParticipantForm(initial={"started_on": today}, prefix="p"),
        "end_form": ParticipantEndForm(initial={"ended_on": today}, prefix="end"),
        "can_record_delay": can_change_org and term["has_term"] and term["ends"] is not None,
        "delay_form": delay_form or ElectionDelayForm(prefix="delay"),
    }


@page("GET")
def org_detail(request: SignedInRequest, code: str) -> HttpResponse:
    require(request.user, Perm.ORG_VIEW)
    org = org_get(request.user, code)
    return render(request, "web/org.html", _org_context(request, org))


@page("POST")
def participant_add_view(request: SignedInRequest, code: str) -> HttpResponse:
    """Record a participant of a 临时党支部 (his relations stay in his own branch)."""
    require(request.user, Perm.MEMBER_CHANGE)
    org = org_get(request.user, code, perm=Perm.MEMBER_CHANGE)
    form = ParticipantForm(request.POST, prefix="p")
    if form.is_valid():
        number = form.cleaned_data["id_number"]
        member = None
        try:
            number = idnumber.validate_id(number)
        except idnumber.InvalidNumber as exc:
            form.add_error("id_number", str(exc))
        else:
            member = member_by_id_number(request.user, number)
            if member is None:
                form.add_error("id_number", "在您的管辖范围内没有找到该公民身份号码的党员")
        if member is not None:
            data = ParticipationInput(
                org=org,
                member=member,
                started_on=form.cleaned_data["started_on"],
                post=form.cleaned_data.get("post") or "",
                note=form.cleaned_data.get("note", "").strip(),
            )
            with errors_on(form, {"member": "id_number", "org": "id_number"}):
                participation_add(actor=request.user, data=data, today=timezone.localdate())
                messages.success(
                    request, f"已登记 {member.name}（{member.org.name}）参加{org.name}"
                )
                return redirect("web:org", org.code)
    context = _org_context(request, org, participant_form=form)
    return render(request, "web/org.html", context, status=400)


@page("POST")
def participant_end_view(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.MEMBER_CHANGE)
    item = participation_get(request.user, pk)
    form = ParticipantEndForm(request.POST, prefix="end")
    problem = ""
    if form.is_valid():
        try:
            participation_end(
                actor=request.user,
                participation=item,
                ended_on=form.cleaned_data["ended_on"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            problem = error_text(exc)
        else:
            messages.success(
                request,
                f"{item.member.name}参加{item.org.name}已于 "
                f"{form.cleaned_data['ended_on'].isoformat()} 结束",
            )
            return redirect("web:org", item.org.code)
    else:
        problem = errors_text(form)
    messages.error(request, f"未能结束{item.member.name}的参加记录：{problem}")
    context = _org_context(request, item.org)
    return render(request, "web/org.html", context, status=400)


@page("POST")
def election_delay_view(request: SignedInRequest, code: str) -> HttpResponse:
    """Record an approved delay of the current term's election (延期换届)."""
    require(request.user, Perm.ORG_CHANGE)
    org = org_get(request.user, code, perm=Perm.ORG_CHANGE)
    form = ElectionDelayForm(request.POST, prefix="delay")
    if form_saved(
        request,
        form,
        lambda d: org_election_delay_record(
            actor=request.user, org=org, data=form.delay_input(), today=timezone.localdate()
        ),
        lambda delay: (
            f"已登记：{delay.approved_by}批准{org.name}延期换届至 {delay.new_deadline.isoformat()}"
        ),
    ):
        return redirect("web:org", org.code)
    context = _org_context(request, org, delay_form=form)
    return render(request, "web/org.html", context, status=400)


# --- members -----------------------------------------------------------------------------


def _member_context(
    member: Any,
    revealed: dict[str, str] | None,
    user: Any,
    *,
    status_form: StatusForm | None = None,
) -> dict[str, Any]:
    community = member.residence_community
    confirmed = member.confirmed_on
    today = timezone.localdate()
    standing = standing_on(member, today)
    can_change = covers(user, Perm.MEMBER_CHANGE, member.org.path)
    participations = [
        {"item": p, "linked": covers(user, Perm.ORG_VIEW, p.org.path)}
        for p in member.participations.select_related("org").order_by("-started_on", "-pk")
    ]
    return {
        "member": member,
        # the community a member lives in may lie outside the user's scope: name it only inside
        "community": community
        if community and covers(user, Perm.ORG_VIEW, community.path)
        else None,
        "community_hidden": community is not None
        and not covers(user, Perm.ORG_VIEW, community.path),
        "revealed": revealed,
        "age": full_years(member.birth_date, today),
        # 党龄: whole years since 转正, by anniversary (SETUP-SECRETARY-PARTY-AGE)
        "party_age": full_years(confirmed, today) if confirmed and confirmed <= today else None,
        "standing": standing,
        "post_warning": post_warning(member, standing, today),
        "statuses": statuses_of(member),
        "participations": participations,
        "can_reveal": can(user, Perm.MEMBER_VIEW_PII),
        "can_change": can_change,
        "status_form": status_form or StatusForm(prefix="status"),
        "ancestors": breadcrumb(user, member.org),
        "today": today,
    }


@page("GET")
def member_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    return render(request, "web/member.html", _member_context(member, None, request.user))


@page("POST")
def member_reveal_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """Show the full ID and phone numbers once; the view is audited by ``member_reveal``."""
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    revealed = member_reveal(actor=request.user, member=member, reason="网页查看完整号码")
    return render(request, "web/member.html", _member_context(member, revealed, request.user))


@page("POST")
def member_status_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record a standing decided by a party body (留党察看, 停止党籍, 出党, 死亡 …)."""
    require(request.user, Perm.MEMBER_CHANGE)
    member = member_get(request.user, pk, perm=Perm.MEMBER_CHANGE)
    form = StatusForm(request.POST, prefix="status")
    if form_saved(
        request,
        form,
        lambda d: member_status_record(
            actor=request.user, member=member, data=form.status_input(), today=timezone.localdate()
        ),
        lambda status: f"已登记：{member.name}{status.kind}（{status.started_on.isoformat()} 起）",
    ):
        return redirect("web:member", member.pk)
    context = _member_context(member, None, request.user, status_form=form)
    return render(request, "web/member.html", context, status=400)


def _after_save(request: SignedInRequest, member: Member, verb: str) -> HttpResponse:
    messages.success(request, f"已{verb}党员：{member.name}（{member.org.name}）")
    today = timezone.localdate()
    warning = post_warning(member, standing_on(member, today), today)
    if warning:
        messages.warning(request, warning)
    return redirect("web:member", member.pk)


@page("GET", "POST")
def member_new(request: SignedInRequest, code: str) -> HttpResponse:
    """新增党员 on the roll of a 党支部 or 联合党支部."""
    require(request.user, Perm.MEMBER_CHANGE)
    org = org_get(request.user, code, perm=Perm.MEMBER_CHANGE)
    form = MemberForm(request.POST or None)
    return _member_form(
        request,
        form,
        org,
        None,
        lambda: member_create(actor=request.user, data=form.member_input(org)),
        refused="" if org.org_type in ROLL_TYPES else _no_roll_note(org),
    )


_MEMBER_FIELDS = {"org": "__all__", "gender": "id_number", "birth_date": "id_number"}


def _member_form(
    request: SignedInRequest,
    form: MemberForm,
    org: Organization,
    member: Member | None,
    save: Callable[[], Member],
    *,
    refused: str = "",
) -> HttpResponse:
    """The member form: saved by ``save()`` (then the member's page, with the warning on his
    post), else shown with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            put_errors(form, exc, _MEMBER_FIELDS)
        else:
            return _after_save(request, saved, "新增" if member is None else "修改")
    return form_page(
        request,
        "web/member_form.html",
        {
            "form": form,
            "org": org,
            "ancestors": breadcrumb(request.user, org),
            "member": member,
            "refused": refused,
            "post_note": POST_NOTE,
        },
    )


def _no_roll_note(org: Organization) -> str:
    if org.org_type == OrgType.TEMP_BRANCH:
        return f"{org.name}是临时党支部：{TEMP_BRANCH_NO_ROLL}。"
    return f"{org.name}是{org.org_type}，党员只能编入党支部或联合党支部。"


@page("GET", "POST")
def member_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """修改党员信息 (the branch stays: a transfer is not an edit)."""
    require(request.user, Perm.MEMBER_CHANGE)
    member = member_get(request.user, pk, perm=Perm.MEMBER_CHANGE)
    form = MemberForm(request.POST or None, member=member, initial=member_initial(member))
    return _member_form(
        request,
        form,
        member.org,
        member,
        lambda: member_update(
            actor=request.user, member=member, data=form.member_input(member.org)
        ),
    )
