"""The pages of the roll's history (phone-first): a member's timeline (roll events, decided
statuses and posts in date order), the posts of an organization at every level with their
terms (record a term, end it), and the roll of an organization on a chosen day.

Reading needs ``Perm.MEMBER_VIEW`` over the member's branch or the organization; writing
``Perm.MEMBER_CHANGE`` (the services check it again). A refusal is shown on the form in Chinese
and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require
from dangjian.core import idnumber
from dangjian.orgs.selectors import org_get
from dangjian.web.helpers import page
from dangjian.web.pages import form_saved, org_page
from dangjian.web.requests import SignedInRequest

from .forms import PostTermEndForm, PostTermForm
from .history import committee_on, roll_on, timeline
from .models import PostTerm
from .selectors import member_by_id_number, member_get
from .services import TERM_ORG_TYPES, PostTermInput, post_term_end, post_term_start


@page("GET")
def member_timeline(request: SignedInRequest, pk: int) -> HttpResponse:
    """党员档案时间线: what happened to the member in the party, oldest first."""
    require(request.user, Perm.MEMBER_VIEW)
    member = member_get(request.user, pk)
    items = timeline(member)
    for item in items:
        org_id = item["org_id"]
        item["linkable"] = org_id is not None
    context = org_page(request, member.org, member=member, items=items)
    return render(request, "members/timeline.html", context)


def _terms(org_id: int) -> list[PostTerm]:
    return list(
        PostTerm.objects.filter(org_id=org_id)
        .select_related("member__org")
        .order_by("ended_on", "-started_on", "pk")
    )


@page("GET", "POST")
def org_posts(request: SignedInRequest, code: str) -> HttpResponse:
    """任职 of an organization: the current committee and every term, a form to record one."""
    require(request.user, Perm.MEMBER_VIEW)
    org = org_get(request.user, code, perm=Perm.MEMBER_VIEW)
    can_change = can(request.user, Perm.MEMBER_CHANGE) and covers(
        request.user, Perm.MEMBER_CHANGE, org.path
    )
    form = PostTermForm(request.POST or None, prefix="term")
    status = 200
    if request.method == "POST":
        require(request.user, Perm.MEMBER_CHANGE, org.path)

        def save(data: dict[str, object]) -> PostTerm:
            number = str(data["id_number"]).strip()
            try:
                number = idnumber.validate_id(number, today=timezone.localdate())
            except idnumber.InvalidNumber as exc:
                from django.core.exceptions import ValidationError

                raise ValidationError({"id_number": [str(exc)]}) from exc
            holder = member_by_id_number(request.user, number)
            if holder is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"id_number": ["您管辖范围内的党员名册中没有此公民身份号码"]})
            return post_term_start(
                actor=request.user,
                data=PostTermInput(
                    org=org,
                    member=holder,
                    post=str(data["post"]),
                    started_on=data["started_on"],  # type: ignore[arg-type]
                    decided_by=str(data.get("decided_by") or ""),
                ),
            )

        if form_saved(
            request,
            form,
            save,
            lambda t: f"已登记：{t.member.name}任{org.name}{t.post}（{t.started_on:%Y-%m-%d} 起）",
            rename={"member": "id_number"},
        ):
            return redirect("members:org_posts", org.code)
        status = 400
    today = timezone.localdate()
    context = org_page(
        request,
        org,
        terms=_terms(org.pk),
        holders=committee_on(org, today),
        form=form,
        end_form=PostTermEndForm(prefix="end"),
        can_change=can_change and org.org_type in TERM_ORG_TYPES,
        keeps_terms=org.org_type in TERM_ORG_TYPES,
        today=today,
    )
    return render(request, "members/posts.html", context, status=status)


@page("POST")
def post_term_end_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """End a term (离任)."""
    require(request.user, Perm.MEMBER_CHANGE)
    term = PostTerm.objects.select_related("org", "member").filter(pk=pk).first()
    if term is None or not covers(request.user, Perm.MEMBER_CHANGE, term.org.path):
        raise Http404("任职记录不存在或不在您的管辖范围内")
    form = PostTermEndForm(request.POST, prefix="end")
    if form_saved(
        request,
        form,
        lambda d: post_term_end(actor=request.user, term=term, ended_on=d["ended_on"]),
        lambda t: f"已登记：{t.member.name}自 {t.ended_on} 起不再任{t.post}",
    ):
        return redirect("members:org_posts", term.org.code)
    org = term.org
    context = org_page(
        request,
        org,
        terms=_terms(org.pk),
        holders=committee_on(org, timezone.localdate()),
        form=PostTermForm(prefix="term"),
        end_form=form,
        end_term=term.pk,
        can_change=True,
        keeps_terms=True,
        today=timezone.localdate(),
    )
    return render(request, "members/posts.html", context, status=400)


@page("GET")
def org_roll_on(request: SignedInRequest, code: str) -> HttpResponse:
    """党员名册（按日期）: who was on the roll of the organization on the day asked."""
    require(request.user, Perm.MEMBER_VIEW)
    org = org_get(request.user, code, perm=Perm.MEMBER_VIEW)
    raw = request.GET.get("on", "")
    day = timezone.localdate()
    error = ""
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            error = "日期格式应为 年-月-日，如 2026-03-01"
    members = list(roll_on(org, day).order_by("name", "pk")) if not error else []
    context = org_page(request, org, day=day, members=members, error=error)
    return render(request, "members/roll_on.html", context, status=400 if error else 200)
