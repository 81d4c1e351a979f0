"""Survey pages: the public questionnaire (no login) and the staff pages (scoped).

Public pages are found by the survey's random token only and show nothing but the organization's
name, the title and the questions. Staff pages read through the scoped selectors with
``request.user`` (ASSESS_VIEW; opening surveys and adding invite codes need ASSESS_MANAGE): a
survey outside the user's subtree is a 404, a missing permission a 403. Results are
organization-level rates only; single answers are never shown.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers, require
from dangjian.core.errors import errors_on
from dangjian.core.middleware import client_addr
from dangjian.orgs.choices import BRANCH_TYPES
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import breadcrumb, org_get
from dangjian.rectify.rules import weak_thresholds
from dangjian.web.helpers import (
    BadInput,
    form_page,
    page,
    paginate,
    query_without,
)
from dangjian.web.pages import errors_text, form_saved, org_page
from dangjian.web.requests import SignedInRequest

from . import ratelimit
from .forms import SCOPE_BRANCHES, AnswerForm, CodesForm, OpenForm
from .models import DedupMode, InviteCode, Survey
from .questions import questionnaire
from .selectors import answer_distribution, rates_of_surveys, survey_get, survey_rates, surveys_for
from .services import invite_codes_add, open_surveys, response_submit
from .stats import min_answers, min_disclose

STATE_LABELS = {"pending": "未开始", "open": "进行中", "closed": "已结束"}


# ---------------------------------------------------------------- public pages (no login)


def _public_survey(token: str) -> Survey | None:
    return Survey.objects.select_related("org").filter(token=token).first()


def _invalid_link(request: SignedInRequest) -> HttpResponse:
    """A token that names no survey: the public page says the link is invalid (404), in the
    public layout — not the staff "not found or outside your jurisdiction" page."""
    return render(request, "survey/public_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: SignedInRequest, token: str) -> HttpResponse:
    """The questionnaire. Closed or not yet open surveys show a message instead of the form."""
    survey = _public_survey(token)
    if survey is None:
        return _invalid_link(request)
    today = timezone.localdate()
    state = survey.state(today)
    context: dict[str, Any] = {"survey": survey, "org_name": survey.org.name, "state": state}
    if state != "open":
        return render(request, "survey/public_state.html", context)
    qn = questionnaire(survey.version)
    form = AnswerForm(request.POST or None, questionnaire=qn, dedup=survey.dedup)
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(survey.pk, client_addr(request)):
            context["limited"] = True
            return render(request, "survey/public_state.html", context, status=429)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            with errors_on(form):
                response_submit(
                    survey=survey,
                    answers={q.code: data[q.code] for q in qn.questions},
                    phone=data.get("phone", ""),
                    code=data.get("code", ""),
                    today=today,
                )
                return redirect("survey:thanks", survey.token)
    context["form"] = form
    return render(request, "survey/public_form.html", context, status=status)


@never_cache
@require_GET
def thanks(request: SignedInRequest, token: str) -> HttpResponse:
    survey = _public_survey(token)
    if survey is None:
        return _invalid_link(request)
    return render(
        request, "survey/public_thanks.html", {"org_name": survey.org.name, "survey": survey}
    )


# ---------------------------------------------------------------- staff pages


def public_url(request: SignedInRequest, survey: Survey) -> str:
    """The link printed and encoded in the QR code (``DANGJIAN_SURVEY_BASE_URL`` when set)."""
    path = reverse("survey:answer", args=[survey.token])
    base = getattr(settings, "DANGJIAN_SURVEY_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def qr_svg(url: str, title: str = "测评二维码") -> str:
    """The QR code of ``url`` as inline SVG (no style attributes: the CSP forbids inline styles);
    ``title`` names it for screen readers (other pages reuse it: a grid's order link)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=title)
    return mark_safe(svg)  # noqa: S308 - generated by segno from our own URL, not user input


def _rows(surveys: list[Survey], today: dt.date) -> list[dict[str, Any]]:
    """One row per survey: its rates, state, and whether enough answers came in to show them."""
    rates = rates_of_surveys(surveys)
    floor = min_disclose()
    return [
        {
            "survey": s,
            "rates": rates[s.pk],
            "state": STATE_LABELS[s.state(today)],
            "disclose": rates[s.pk].answers >= floor,
        }
        for s in surveys
    ]


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """Surveys of the user's subtree, newest first, with their three rates."""
    require(request.user, Perm.ASSESS_VIEW)
    qs = surveys_for(request.user).order_by("-opens_on", "org__path", "pk")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        qs = qs.filter(Q(org__name__icontains=query) | Q(org__code__istartswith=query))
    page = paginate(request, qs)
    own = getattr(request.user, "org", None)
    return render(
        request,
        "survey/index.html",
        {
            "page": page,
            "rows": _rows(list(page.object_list), timezone.localdate()),
            "q": query,
            "query": query_without(request, "page"),
            "own": own,
            "min_answers": min_answers(),
            "min_disclose": min_disclose(),
        },
    )


@page("GET")
def org_surveys(request: SignedInRequest, code: str) -> HttpResponse:
    """Surveys of one organization and its subtree."""
    require(request.user, Perm.ASSESS_VIEW)
    org = org_get(request.user, code, perm=Perm.ASSESS_VIEW)
    qs = (
        surveys_for(request.user)
        .filter(org__path__startswith=org.path)
        .order_by("-opens_on", "org__path", "pk")
    )
    page = paginate(request, qs)
    return render(
        request,
        "survey/org.html",
        org_page(
            request,
            org,
            page=page,
            rows=_rows(list(page.object_list), timezone.localdate()),
            query=query_without(request, "page"),
            can_open=covers(request.user, Perm.ASSESS_MANAGE, org.path),
            min_answers=min_answers(),
            min_disclose=min_disclose(),
        ),
    )


def _targets(org: Organization, scope: str) -> list[Organization]:
    if scope != SCOPE_BRANCHES:
        return [org]
    branches = list(
        Organization.objects.filter(
            path__startswith=org.path, org_type__in=list(BRANCH_TYPES)
        ).order_by("path")
    )
    if not branches:
        raise ValidationError({"scope": ["该组织下没有党支部"]})
    return branches


@page("GET", "POST")
def open_view(request: SignedInRequest, code: str) -> HttpResponse:
    """发起测评: one survey for the organization or one per branch of its subtree."""
    require(request.user, Perm.ASSESS_MANAGE)
    org = org_get(request.user, code, perm=Perm.ASSESS_MANAGE)
    today = timezone.localdate()
    form = OpenForm(
        request.POST or None,
        initial={
            "title": f"{today.year} 年度党支部工作三率测评",
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=14),
        },
    )

    def open_them(data: dict[str, Any]) -> list[Survey]:
        key = data["key"].strip() or f"manual:{today:%Y%m%d}-{secrets.token_hex(3)}"
        return open_surveys(
            request.user,
            orgs=_targets(org, data["scope"]),
            key=key,
            title=data["title"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            population=data["population"],
            dedup=data["dedup"],
            codes=(data["codes"] or 0) if data["dedup"] == DedupMode.CODE else 0,
            audience=data["audience"],
        )

    if request.method == "POST" and (
        saved := form_saved(
            request, form, open_them, lambda made: f"已发起测评（{len(made)} 个组织）"
        )
    ):
        if form.cleaned_data["scope"] != SCOPE_BRANCHES:
            return redirect("survey:detail", saved.value[0].pk)
        return redirect("survey:org", org.code)
    return form_page(request, "survey/open.html", org_page(request, org, form=form))


def _code_counts(survey: Survey) -> dict[str, int]:
    counts = InviteCode.objects.filter(survey=survey).aggregate(
        total=Count("pk"), used=Count("pk", filter=Q(used=True))
    )
    return {"total": counts["total"] or 0, "used": counts["used"] or 0}


@page("GET")
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """Results: the three rates with sample size and interval, the link and its QR code."""
    require(request.user, Perm.ASSESS_VIEW)
    survey = survey_get(request.user, pk)
    url = public_url(request, survey)
    path = survey.org.path
    rates = survey_rates(survey)
    return render(
        request,
        "survey/detail.html",
        {
            "survey": survey,
            "org": survey.org,
            "ancestors": breadcrumb(request.user, survey.org),
            "state": STATE_LABELS[survey.state(timezone.localdate())],
            "rates": rates,
            "weak": weak_thresholds(timezone.localdate()),
            "rate_rows": [
                ("群众满意率", rates.satisfaction, "选择“满意”或“基本满意”的答卷占比"),
                ("工作知晓率", rates.awareness, "既知道书记是谁、又知道近期活动的答卷占比"),
                ("党员群众参与率", rates.participation, "过去一年参加过支部活动或服务的答卷占比"),
            ],
            "distribution": answer_distribution(survey),
            "min_answers": min_answers(),
            "disclose": rates.answers >= min_disclose(),
            "min_disclose": min_disclose(),
            "url": url,
            "qr": qr_svg(url),
            "codes": _code_counts(survey) if survey.dedup == DedupMode.CODE else None,
            "can_manage": covers(request.user, Perm.ASSESS_MANAGE, path),
            "codes_form": CodesForm(),
        },
    )


def _may_print_codes(user: Any, survey: Survey) -> bool:
    """Invite codes go to the branch that hands them out, or to whoever manages the survey."""
    path = survey.org.path
    return covers(user, Perm.ASSESS_MANAGE, path) or covers(user, Perm.ASSESS_SELF, path)


@page("GET")
def print_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """A printable sheet: title, link, QR code and (for whoever hands them out) the codes."""
    require(request.user, Perm.ASSESS_VIEW)
    survey = survey_get(request.user, pk)
    url = public_url(request, survey)
    codes: list[str] = []
    show_codes = survey.dedup == DedupMode.CODE and _may_print_codes(request.user, survey)
    if show_codes:
        codes = list(
            InviteCode.objects.filter(survey=survey, used=False)
            .order_by("pk")
            .values_list("code", flat=True)
        )
    return render(
        request,
        "survey/print.html",
        {"survey": survey, "url": url, "qr": qr_svg(url), "codes": codes, "show_codes": show_codes},
    )


@page("POST")
def codes_add(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.ASSESS_MANAGE)
    survey = survey_get(request.user, pk, perm=Perm.ASSESS_MANAGE)
    if survey.dedup != DedupMode.CODE:
        raise BadInput("该测评按手机号防重复，不使用邀请码")
    form = CodesForm(request.POST)
    if not form.is_valid():
        raise BadInput(errors_text(form))
    try:
        added = invite_codes_add(request.user, survey=survey, count=form.cleaned_data["count"])
    except ValidationError as exc:
        raise BadInput("；".join(exc.messages)) from exc
    messages.success(request, f"已新增 {len(added)} 个邀请码")
    return redirect("survey:detail", survey.pk)
