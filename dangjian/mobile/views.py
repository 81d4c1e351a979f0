"""The pages of 流动党员 and 失联党员 (phone-first):

- ``index``: the branch's prompts (REL-TRANSFER, REL-LOST-CONTACT, for a person to decide), the
  members away and the members lost of the subtree, a member picker;
- ``hosted``: the members hosted by organizations of the subtree — name, contact (masked) and
  activities only — with the form to record an activity;
- ``figures``: organization-level counts (流出, 流入, 失联 by months lost) of an organization's
  children, with an ECharts chart; no person is named;
- ``member``: one member's outflows and lost-contact records with the forms (``member_action``);
- ``card``: the printable 流动党员活动证 (PDF) of his current outflow.

Reads through the scoped selectors (outside the subtree: 404); every change is a POST through
:mod:`dangjian.mobile.services`; a refusal is shown in Chinese and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require, restrict
from dangjian.core.labels import evidence_items
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get
from dangjian.web.helpers import action, page, paginate
from dangjian.web.requests import SignedInRequest

from . import services as svc
from .card import card_pdf
from .selectors import (
    figures,
    flags,
    hosted_for,
    lost_bands,
    lost_for,
    member_get,
    open_lost,
    open_outflow,
    outflows_for,
    rel_params,
)

#: the most members a picker lists
CHOICES_MAX = 300


def _date(raw: str, field: str, label: str, *, required: bool = True) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw and not required:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: [f"请填写{label}（如 2026-03-01）"]}) from None


def _required_date(raw: str, field: str, label: str) -> dt.date:
    value = _date(raw, field, label)
    assert value is not None
    return value


def _at(request: SignedInRequest) -> dt.date:
    raw = request.GET.get("at", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404("日期格式错误，应为 YYYY-MM-DD") from None


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """The branch's page: prompts, members away, members lost, and a member picker."""
    require(request.user, Perm.MEMBER_VIEW)
    picked = request.GET.get("m", "").strip()
    if picked.isdigit():
        return redirect("mobile:member", int(picked))
    today = timezone.localdate()
    away = outflows_for(request.user).filter(returned_on__isnull=True).order_by("started_on", "pk")
    lost = lost_for(request.user).filter(found_on__isnull=True).order_by("since", "pk")
    found = [
        {"finding": f, "items": evidence_items(f.evidence), "member": f.evidence.get("member_id")}
        for f in flags(request.user, today)
    ]
    members = restrict(Member.objects.all(), request.user, Perm.MEMBER_CHANGE, "org__path")
    return render(
        request,
        "mobile/index.html",
        {
            "flags": found,
            "away": paginate(request, away),
            "lost": lost[:CHOICES_MAX],
            "members": members.order_by("org__path", "name")[:CHOICES_MAX],
            "today": today,
            "rel": rel_params(today),
        },
    )


@page("GET")
def hosted(request: SignedInRequest) -> HttpResponse:
    """The host side: members hosted here, name, contact and activities only."""
    require(request.user, Perm.MEMBER_VIEW)
    items = hosted_for(request.user).prefetch_related("activities").order_by("-started_on", "pk")
    return render(
        request,
        "mobile/hosted.html",
        {
            "page": paginate(request, items),
            "may_record": can(request.user, Perm.MEMBER_CHANGE),
            "today": timezone.localdate(),
        },
    )


def _labels(at: dt.date) -> list[str]:
    return [label for _m, label in lost_bands(at)]


@page("GET")
def figures_page(request: SignedInRequest) -> HttpResponse:
    """Counts per child organization, and the total: organization level only."""
    require(request.user, Perm.MEMBER_VIEW)
    at = _at(request)
    code = request.GET.get("org", "").strip()
    root: Organization | None = org_get(request.user, code, perm=Perm.MEMBER_VIEW) if code else None
    rows = figures(request.user, at, root)
    children, total = rows[:-1], rows[-1] if rows else None
    chart = {
        "labels": [r.name for r in children],
        "series": [
            {"name": "流出", "values": [r.out for r in children]},
            {"name": "流入", "values": [r.into for r in children]},
            *(
                {"name": f"失联{label}", "values": [r.lost_bands[i] for r in children]}
                for i, label in enumerate(_labels(at))
            ),
        ],
    }
    return render(
        request,
        "mobile/figures.html",
        {
            "rows": children,
            "total": total,
            "total_bands": list(zip(_labels(at), total.lost_bands, strict=True)) if total else [],
            "bands": _labels(at),
            "chart": chart,
            "at": at,
            "code": code,
        },
    )


@page("GET")
def member_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One member (home side): his outflows and lost-contact records with the forms."""
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    today = timezone.localdate()
    outflows = member.outflows.select_related("host_org").prefetch_related("activities")
    lost = member.lost_contacts.prefetch_related("steps")
    current = open_lost(member)
    decisions = []
    if current is not None:
        for kind in svc.DECISIONS:
            due = svc.lost_decision_due(current, kind, today)
            ready = due is not None and due <= today
            decisions.append({"kind": str(kind), "due": due, "ready": ready})
    return render(
        request,
        "mobile/member.html",
        {
            "member": member,
            "outflows": outflows.order_by("-started_on"),
            "lost": lost.order_by("-since"),
            "current": open_outflow(member),
            "current_lost": current,
            "decisions": decisions,
            "may_change": covers(request.user, Perm.MEMBER_CHANGE, member.org.path),
            "today": today,
            "rel": rel_params(today),
        },
    )


def _outflow_input(post: Any) -> svc.OutflowInput:
    code = post.get("host_org", "").strip()
    host = Organization.objects.filter(code=code).first() if code else None
    if code and host is None:
        raise ValidationError({"host_org": [f"没有编码为“{code[:32]}”的党组织"]})
    return svc.OutflowInput(
        region_code=post.get("region_code", ""),
        place=post.get("place", ""),
        started_on=_required_date(post.get("started_on", ""), "started_on", "外出日期"),
        fixed_place=post.get("fixed_place") == "1",
        employer=post.get("employer", ""),
        phone=post.get("phone", ""),
        host_org=host,
        host_name=post.get("host_name", ""),
        card_no=post.get("card_no", ""),
        card_issued_on=_date(post.get("card_issued_on", ""), "card_issued_on", "", required=False),
        card_valid_to=_date(post.get("card_valid_to", ""), "card_valid_to", "", required=False),
    )


def _act(request: SignedInRequest, member: Member, action: str) -> str:
    """Run ``action`` on ``member``; the message of what was done."""
    post, actor = request.POST, request.user
    if action == "activity":
        outflow = open_outflow(member)
        if outflow is None:
            raise ValidationError({"member": [f"{member.name}没有未返回的外出登记"]})
        svc.host_activity_record(
            actor=actor,
            outflow=outflow,
            held_on=_required_date(post.get("held_on", ""), "held_on", "活动日期"),
            subject=post.get("subject", ""),
        )
        return "已登记参加活动"
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    if action == "outflow":
        svc.outflow_start(actor=actor, member=member, data=_outflow_input(post))
        return "已登记外出"
    if action in ("return", "card"):
        outflow = open_outflow(member)
        if outflow is None:
            raise ValidationError({"member": [f"{member.name}没有未返回的外出登记"]})
        if action == "return":
            day = _required_date(post.get("returned_on", ""), "returned_on", "返回日期")
            svc.outflow_return(actor=actor, outflow=outflow, returned_on=day)
            return "已登记返回"
        svc.outflow_card_issue(
            actor=actor,
            outflow=outflow,
            card_no=post.get("card_no", ""),
            issued_on=_date(post.get("card_issued_on", ""), "card_issued_on", "发放日期"),
            valid_to=_date(post.get("card_valid_to", ""), "card_valid_to", "", required=False),
        )
        return "已登记流动党员活动证"
    if action == "lost":
        since = _required_date(post.get("since", ""), "since", "失去联系日期")
        svc.lost_contact_record(actor=actor, member=member, since=since, note=post.get("note", ""))
        return "已登记为失联党员"
    lost = open_lost(member)
    if action == "decide":
        lost = lost or member.lost_contacts.order_by("-since").first()
    if lost is None:
        raise ValidationError({"member": [f"{member.name}没有未恢复联系的失联登记"]})
    if action == "search":
        svc.search_step_add(
            actor=actor,
            lost=lost,
            done_on=_required_date(post.get("done_on", ""), "done_on", "查找日期"),
            how=post.get("how", ""),
            done_by=post.get("done_by", ""),
        )
        return "已登记查找情况"
    if action == "found":
        day = _required_date(post.get("found_on", ""), "found_on", "恢复联系日期")
        svc.lost_contact_found(actor=actor, lost=lost, found_on=day, note=post.get("note", ""))
        return "已登记恢复联系"
    if action == "decide":
        svc.lost_contact_decide(
            actor=actor,
            lost=lost,
            data=svc.DecisionInput(
                kind=post.get("kind", ""),
                started_on=_required_date(post.get("started_on", ""), "started_on", "决定日期"),
                decided_by=post.get("decided_by", ""),
                decision_no=post.get("decision_no", ""),
            ),
        )
        return f"已登记支部决定：{post.get('kind', '')}"
    raise Http404("没有这个操作")


@action
def member_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """One change on a member's records (home side; an activity: the host side too)."""
    require(request.user, Perm.MEMBER_CHANGE)
    hosted_side = action == "activity"
    member = _hosted_member(request, pk) if hosted_side else member_get(request.user, pk)
    done = _act(request, member, action)
    messages.success(request, f"{member.name}：{done}")
    if action == "activity" and not covers(request.user, Perm.MEMBER_VIEW, member.org.path):
        return redirect("mobile:hosted")
    return redirect("mobile:member", member.pk)


def _hosted_member(request: SignedInRequest, pk: int) -> Member:
    """The member ``pk`` seen from his home branch or from the organization hosting him now."""
    member = Member.objects.select_related("org").filter(pk=pk).first()
    if member is not None and covers(request.user, Perm.MEMBER_VIEW, member.org.path):
        return member
    outflow = hosted_for(request.user).filter(member_id=pk, returned_on__isnull=True).first()
    if outflow is None:
        raise Http404("没有这名党员，或不在您的管辖范围内")
    return outflow.member


@page("GET")
def card(request: SignedInRequest, pk: int) -> HttpResponse:
    """The 流动党员活动证 of the member's current outflow (PDF)."""
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    outflow = open_outflow(member)
    if outflow is None:
        raise Http404(f"{member.name}没有未返回的外出登记")
    response = HttpResponse(card_pdf(outflow), content_type="application/pdf")
    name = f"流动党员活动证-{outflow.card_no or outflow.pk}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response
