"""质量考核 pages: campaigns, the self-check on a phone, the spot-check, results with the full
breakdown, veto events, and the bulletin (晾晒通报) with its exports.

Reads go through :mod:`dangjian.assess.selectors` with ``request.user`` (out of scope: 404;
missing permission: 403); writes through :mod:`dangjian.assess.services`, whose Chinese
messages are shown on the form. A sheet of scores is saved all or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import can, covers, require, scope_prefix
from dangjian.core.downloads import MEDIA_TYPES, file_response
from dangjian.core.errors import errors_on
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import breadcrumb, org_get, orgs_for
from dangjian.rectify.bulletin import (
    FINDINGS_NOTE,
    GROUP_HEADERS,
    ORG_COLUMNS,
    REGION_DIGITS,
    SHOWCASE_STARS,
    Bulletin,
    bulletin_build,
    campaign_ranking,
    can_rank,
    export_pdf,
    export_xlsx,
    group_row,
)
from dangjian.web.helpers import BadInput, form_page, page, paginate, query_without, refused_as_400
from dangjian.web.requests import SignedInRequest

from .forms import CampaignForm, ScoreSheet, VetoForm, WithdrawForm, field_name
from .jobs import job_busy, score_request
from .models import (
    Campaign,
    CampaignOrg,
    CampaignStatus,
    Change,
    SelfCheckScore,
    SpotCheckScore,
    Tier,
)
from .scoring import STAR_LABELS
from .selectors import (
    campaign_get,
    campaigns_for,
    org_in_campaign,
    org_preview,
    participants_for,
    result_get,
    results_for,
    self_checks_for,
    spot_checks_for,
    veto_events_for,
)
from .services import (
    CampaignInput,
    campaign_finalize,
    campaign_open,
    campaign_pick,
    campaign_standard,
    is_own_org,
    known_veto_lines,
    phase_window,
    self_check_record,
    spot_check_record,
    veto_record,
    veto_withdraw,
)
from .standard import MODES, available_standards


def current_phase(campaign: Campaign, today: dt.date) -> str:
    """The code of the phase ``today`` falls in ("" when none)."""
    for phase in campaign.phases():
        start, end = phase["start"], phase["end"]
        if start and end and start <= today <= end:  # type: ignore[operator]
            return str(phase["code"])
    return ""


def phase_state(campaign: Campaign, code: str, today: dt.date) -> dict[str, Any]:
    """Where ``today`` stands in a phase: ``state`` is ``"before"`` (not open yet, entries
    refused), ``"open"`` (``days_left`` until the end, 0 on the last day), ``"late"`` (ended
    ``days_over`` days ago; entries accepted and marked late) or ``""`` (no dates set)."""
    start, end = phase_window(campaign, code)
    label = next(lbl for c, lbl, _s, _e in Campaign.PHASES if c == code)
    info: dict[str, Any] = {"code": code, "label": label, "start": start, "end": end, "state": ""}
    if start is not None and today < start:
        info.update(state="before", days_to_start=(start - today).days)
    elif end is not None and today > end:
        info.update(state="late", days_over=(today - end).days)
    elif start is not None or end is not None:
        info.update(state="open", days_left=(end - today).days if end is not None else None)
    return info


# --- campaigns -----------------------------------------------------------------------------------


@page("GET")
def index(request: SignedInRequest) -> HttpResponse:
    """考核列表: the campaigns the user sees; the user's own organization's self-check links."""
    require(request.user, Perm.ASSESS_VIEW)
    page = paginate(request, campaigns_for(request.user).order_by("-period_end", "-pk"))
    own = getattr(request.user, "org", None)
    taking_part: set[int] = set()
    if own is not None:
        taking_part = set(
            CampaignOrg.objects.filter(
                org=own, campaign_id__in=[c.pk for c in page.object_list]
            ).values_list("campaign_id", flat=True)
        )
    today = timezone.localdate()
    self_phase = {
        c.pk: phase_state(c, "self_check", today)
        for c in page.object_list
        if c.pk in taking_part and c.status == CampaignStatus.OPEN
    }
    return render(
        request,
        "assess/index.html",
        {
            "page": page,
            "query": query_without(request, "page"),
            "taking_part": taking_part,
            "self_phase": self_phase,
            "own": own,
            "can_open": can(request.user, Perm.ASSESS_MANAGE),
            "can_self": can(request.user, Perm.ASSESS_SELF),
        },
    )


def _standard_choices() -> list[tuple[str, str]]:
    return [
        (f"{key}@{version}", f"{std.name}（{version}）")
        for (key, version), std in sorted(available_standards().items())
    ]


@page("GET", "POST")
def campaign_new(request: SignedInRequest) -> HttpResponse:
    """发起考核 (upper level): standard, subtree, period, phases, spot-check share."""
    require(request.user, Perm.ASSESS_MANAGE)
    previous = [
        (c.pk, f"{c.name}（{c.root.name}）")
        for c in campaigns_for(request.user, Perm.ASSESS_MANAGE).order_by("-period_end")[:50]
    ]
    own = getattr(request.user, "org", None)
    year = timezone.localdate().year
    form = CampaignForm(
        request.POST or None,
        standards=_standard_choices(),
        previous=previous,
        initial={
            "root": own.code if own else "",
            "period_start": dt.date(year, 1, 1),
            "period_end": dt.date(year, 12, 31),
            "name": f"{year} 年度基层党组织星级评定",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        root = org_get(request.user, d["root"], perm=Perm.ASSESS_MANAGE)
        picked = list(orgs_for(request.user, Perm.ASSESS_MANAGE).filter(code__in=d["hand_picked"]))
        missing = sorted(set(d["hand_picked"]) - {o.code for o in picked})
        key, _, version = d["standard"].partition("@")
        prev = Campaign.objects.filter(pk=d["previous"]).first() if d["previous"] else None
        if missing:
            form.add_error("hand_picked", f"组织“{'、'.join(missing)}”不存在或不在您的管辖范围内")
        else:
            with errors_on(form, {"standard_key": "standard", "spot_share": "spot_percent"}):
                campaign = campaign_open(
                    actor=request.user,
                    data=CampaignInput(
                        name=d["name"],
                        standard_key=key,
                        standard_version=version,
                        root=root,
                        period_start=d["period_start"],
                        period_end=d["period_end"],
                        phases=form.phases(),
                        spot_share=d["spot_percent"] / Decimal(100),
                        sampling_seed=d["sampling_seed"],
                        inspection_evidence=d["inspection_evidence"],
                        previous=prev,
                        hand_picked=picked,
                    ),
                )
                messages.success(request, f"已发起考核：{campaign.name}")
                return redirect("assess:campaign", campaign.pk)
    return form_page(request, "assess/campaign_new.html", {"form": form})


def _progress(request: SignedInRequest, campaign: Campaign) -> dict[str, Any]:
    """Participation figures of the campaign inside the user's scope (a few grouped queries)."""
    parts = participants_for(request.user, campaign)
    prefix = scope_prefix(request.user, Perm.ASSESS_VIEW) or ""
    totals = parts.aggregate(
        n=Count("pk"),
        n_sampled=Count("pk", filter=Q(sampled=True)),
        n_picked=Count("pk", filter=Q(hand_picked=True)),
        n_spot=Count("pk", filter=Q(sampled=True) | Q(hand_picked=True)),
    )
    by_sector = list(parts.values("org__sector").annotate(n=Count("pk")).order_by("org__sector"))

    def orgs_with(model: Any) -> int:
        qs = model.objects.filter(campaign=campaign)
        if prefix:
            qs = qs.filter(org__path__startswith=prefix)
        return int(qs.values("org_id").distinct().count())

    self_done = orgs_with(SelfCheckScore)
    spot_done = orgs_with(SpotCheckScore)
    today = timezone.localdate()
    due = []
    for code, missing in (
        ("self_check", totals["n"] - self_done),
        ("spot_check", totals["n_spot"] - spot_done),
    ):
        info = phase_state(campaign, code, today)
        info["missing"] = max(missing, 0)
        due.append(info)
    return {
        **totals,
        "by_sector": by_sector,
        "self_done": self_done,
        "spot_done": spot_done,
        "due": due,
    }


@page("GET")
def campaign_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A campaign: phases, participation, the spot-check sample, results so far."""
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    today = timezone.localdate()
    sample = participants_for(request.user, campaign).filter(Q(sampled=True) | Q(hand_picked=True))
    page = paginate(request, sample)
    spot_counts = dict(
        SpotCheckScore.objects.filter(
            campaign=campaign, org_id__in=[p.org_id for p in page.object_list]
        )
        .values_list("org_id")
        .annotate(n=Count("pk"))
    )
    own = getattr(request.user, "org", None)
    own_part = (
        CampaignOrg.objects.filter(campaign=campaign, org=own).first() if own is not None else None
    )
    results = results_for(request.user, campaign)
    summary = results.aggregate(
        n=Count("pk"),
        advanced=Count("pk", filter=Q(tier=Tier.ADVANCED)),
        middle=Count("pk", filter=Q(tier=Tier.MIDDLE)),
        lagging=Count("pk", filter=Q(tier=Tier.LAGGING)),
        veto=Count("pk", filter=Q(veto=True)),
        **{f"s{n}": Count("pk", filter=Q(stars=n)) for n in (5, 4, 3)},
    )
    manage = covers(request.user, Perm.ASSESS_MANAGE, campaign.root.path)
    return render(
        request,
        "assess/campaign.html",
        {
            "campaign": campaign,
            "std": campaign_standard(campaign),
            "phases": campaign.phases(),
            "current": current_phase(campaign, today),
            "today": today,
            "progress": _progress(request, campaign),
            "page": page,
            "query": query_without(request, "page"),
            "spot_counts": spot_counts,
            "own_part": own_part,
            "can_self": own_part is not None and can(request.user, Perm.ASSESS_SELF),
            "inspector": can(request.user, Perm.ASSESS_INSPECT),
            "summary": summary,
            "manage": manage,
            "is_open": campaign.status == CampaignStatus.OPEN,
            "job_busy": job_busy(campaign),
        },
    )


@page("GET")
def campaign_score_status(request: SignedInRequest, pk: int) -> HttpResponse:
    """The background scoring's state as a fragment, polled by the campaign page while it runs;
    once it has ended the page reloads itself (``HX-Refresh``) to show the result or error."""
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    busy = job_busy(campaign)
    response = render(
        request,
        "assess/_score_job.html",
        {
            "campaign": campaign,
            "job_busy": busy,
            "manage": covers(request.user, Perm.ASSESS_MANAGE, campaign.root.path),
        },
    )
    if not busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@page("POST")
def campaign_action(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    """评分 (score now) or 定档 (make final): the upper level of the campaign."""
    require(request.user, Perm.ASSESS_MANAGE)
    campaign = campaign_get(request.user, pk, Perm.ASSESS_MANAGE)
    with refused_as_400():
        if action == "score":
            done = score_request(actor=request.user, campaign=campaign)
            if done.inline:
                messages.success(request, f"已评分：{done.scored} 个组织（数据截至 {done.at}）")
            else:
                messages.info(request, "参评组织较多，已提交后台评分；完成后本页显示结果")
        elif action == "finalize":
            campaign_finalize(actor=request.user, campaign=campaign)
            messages.success(request, "已定档，考核结果不再变动")
        else:
            raise Http404("未知操作")
    return redirect("assess:campaign", campaign.pk)


@page("POST")
def campaign_pick_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """指定抽查 (or withdraw a hand pick) of one participant: the campaign's upper level."""
    require(request.user, Perm.ASSESS_MANAGE)
    campaign = campaign_get(request.user, pk, Perm.ASSESS_MANAGE)
    code = request.POST.get("org", "").strip()[:32]
    if not code:
        raise BadInput("请填写组织编码")
    org = org_in_campaign(request.user, campaign, code)
    picked = request.POST.get("picked", "1") == "1"
    with refused_as_400():
        campaign_pick(actor=request.user, campaign=campaign, org=org, picked=picked)
    messages.success(request, f"{'已指定抽查' if picked else '已取消指定'}：{org.name}")
    return redirect("assess:campaign", campaign.pk)


# --- self-check and spot-check -----------------------------------------------------------------


def _rows(breakdown: dict[str, Any], form: ScoreSheet | None) -> list[dict[str, Any]]:
    """Items → criteria of a breakdown, each with its form fields when a person scores it.

    Per item: ``todo`` (criteria a person scores here), ``filled`` (of those, with points
    typed or saved), ``errors`` and ``open`` — a collapsed item opens when it has an error, or
    (without errors on the page) when it is the first with something left to fill.
    """
    editable = {c.id for c in form.criteria} if form is not None else set()
    items = []
    for item in breakdown.get("items", []):
        criteria = []
        todo = filled = errors = 0
        for crit in item["criteria"]:
            source = crit.get("source", {})
            row: dict[str, Any] = {
                "c": crit,
                "mode_label": MODES.get(crit["mode"], crit["mode"]),
                "no_data": bool(source.get("no_data")),
                "auto": crit["mode"] in ("automatic", "survey") and not source.get("no_data"),
            }
            if form is not None and crit["id"] in editable:
                points = form[field_name(crit["id"], "p")]
                note = form[field_name(crit["id"], "n")]
                row.update(points=points, note=note)
                row["filled"] = bool(str(points.value() or "").strip())
                row["error"] = bool(points.errors or note.errors)
                todo += 1
                filled += row["filled"]
                errors += row["error"]
            criteria.append(row)
        items.append(
            {"item": item, "criteria": criteria, "todo": todo, "filled": filled, "errors": errors}
        )
    any_errors = any(i["errors"] for i in items)
    first_open = next((i for i in items if i["filled"] < i["todo"]), None)
    for i in items:
        i["open"] = i["errors"] > 0 if any_errors else i is first_open
    return items


def _error_summary(form: ScoreSheet | None, items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every error of the sheet, in the order of the standard, each linking to its field."""
    if form is None or not form.errors:
        return []
    out = [{"href": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    for block in items:
        for row in block["criteria"]:
            for key in ("points", "note"):
                field = row.get(key)
                if field is None:
                    continue
                for message in field.errors:
                    c = row["c"]
                    what = "说明" if key == "note" else "得分"
                    out.append(
                        {
                            "href": f"#{field.auto_id}",
                            "label": f"{c['id']} {c['text'][:24]}（{what}）",
                            "message": str(message),
                        }
                    )
                field.field.widget.attrs["aria-invalid"] = "true"
    return out


def _person_criteria(campaign: Campaign, org: Organization, breakdown: dict[str, Any]) -> list[Any]:
    """The criteria a person scores for ``org``: self/spot ones, and those scored by the record
    or the survey whose value is missing and whose standard falls back to the check."""
    std = campaign_standard(campaign)
    falls_back = {
        c["id"]
        for item in breakdown.get("items", [])
        for c in item["criteria"]
        if "fallback" in c.get("source", {})
    }
    return [
        c
        for item in std.items_for(org.sector)
        for c in item.criteria
        if c.checked_by_person and (c.mode in ("self", "spot") or c.id in falls_back)
    ]


class _Rollback(Exception):
    pass


def _posted(request: SignedInRequest) -> Any:
    """The POST data of a score sheet, bound even when empty (a sheet sent with nothing typed
    is a sheet with no change, not an unbound form), ``None`` on a GET."""
    return request.POST if request.method == "POST" else None


def _save_sheet(
    request: SignedInRequest, form: ScoreSheet, olds: dict[str, Any], record: Any, **kwargs: Any
) -> int:
    """Record every changed score of the sheet in one transaction; on any error none is kept."""
    changed = 0
    try:
        with transaction.atomic():
            for crit, points, note in form.entries():
                old = olds.get(crit.id)
                if (
                    old is not None
                    and f"{old.points.normalize():f}" == points
                    and (old.note == note)
                ):
                    continue
                try:
                    record(
                        actor=request.user, criterion=crit.id, points=points, note=note, **kwargs
                    )
                    changed += 1
                except ValidationError as exc:
                    for name, errors in exc.message_dict.items():
                        target = field_name(crit.id, "n" if name == "note" else "p")
                        for message in errors:
                            form.add_error(target, message)
            if form.errors:
                raise _Rollback
    except _Rollback:
        return -1
    return changed


@dataclasses.dataclass(frozen=True)
class _Sheet:
    """What tells the self-check page from the spot-check page."""

    phase: str
    name: str
    verb: str
    saved: str
    url: str
    scores_for: Callable[..., Any]
    record: Callable[..., Any]


_SELF = _Sheet(
    "self_check",
    "自查",
    "填写",
    "自查已保存",
    "assess:self_check",
    self_checks_for,
    self_check_record,
)
_SPOT = _Sheet(
    "spot_check",
    "抽查",
    "录入",
    "抽查评分已保存",
    "assess:spot_check",
    spot_checks_for,
    spot_check_record,
)


def _sheet_page(
    request: SignedInRequest,
    campaign: Campaign,
    org: Organization,
    sheet: _Sheet,
    editable: bool,
    **extra: Any,
) -> HttpResponse:
    """The score sheet of ``org``: shown, or saved all or nothing (its errors on the page, 400).
    Before the phase opens it is shown read-only and a POST is refused."""
    phase = phase_state(campaign, sheet.phase, timezone.localdate())
    if editable and phase["state"] == "before":
        if request.method == "POST":
            raise BadInput(f"{sheet.name}阶段 {phase['start']} 开始，现在还不能{sheet.verb}")
        editable = False
    olds = {s.criterion: s for s in sheet.scores_for(request.user, campaign, org)}
    preview = org_preview(request.user, campaign, org)
    form = None
    if editable:
        criteria = _person_criteria(campaign, org, preview.breakdown)
        form = ScoreSheet(_posted(request), criteria=criteria, initial_scores=olds)
    if request.method == "POST" and form is not None:
        valid = form.is_valid()
        # the service checks every score even when the form found a mistake: all errors of
        # the sheet are shown in one round, and nothing is kept while one remains
        changed = _save_sheet(request, form, olds, sheet.record, campaign=campaign, org=org)
        if valid and changed >= 0:
            late = "，已标记为逾期录入" if changed and phase["state"] == "late" else ""
            messages.success(request, f"{sheet.saved}（{changed} 项有变动{late}）")
            return redirect(sheet.url, campaign.pk, org.code)
    items = _rows(preview.breakdown, form)
    return form_page(
        request,
        f"assess/{sheet.phase}.html",
        {
            "campaign": campaign,
            "org": org,
            "ancestors": breadcrumb(request.user, org),
            "preview": preview,
            "items": items,
            "todo": sum(i["todo"] for i in items),
            "filled": sum(i["filled"] for i in items),
            "error_summary": _error_summary(form, items),
            "form": form,
            "editable": editable,
            "phase": phase,
            **extra,
        },
    )


@page("GET", "POST")
def self_check(request: SignedInRequest, pk: int, code: str) -> HttpResponse:
    """自查 on a phone: automatic criteria already computed with the records behind them; the
    organization judges only what the records cannot tell."""
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    org = org_in_campaign(request.user, campaign, code)
    editable = (
        covers(request.user, Perm.ASSESS_SELF, org.path)
        and is_own_org(request.user, org)
        and campaign.status == CampaignStatus.OPEN
    )
    if request.method == "POST" and not editable:
        raise PermissionDenied("自查评分只能由本组织在考核进行中填写")
    return _sheet_page(request, campaign, org, _SELF, editable)


@page("GET", "POST")
def spot_check(request: SignedInRequest, pk: int, code: str) -> HttpResponse:
    """抽查 (听、查、评) of a sampled organization by an inspector, the self-check beside."""
    require(request.user, Perm.ASSESS_INSPECT)
    campaign = campaign_get(request.user, pk, Perm.ASSESS_INSPECT)
    org = org_in_campaign(request.user, campaign, code)
    require(request.user, Perm.ASSESS_INSPECT, org.path)
    part = CampaignOrg.objects.get(campaign=campaign, org=org)
    if not part.spot_checked:
        raise BadInput(f"{org.name}未被抽中或指定抽查，不能录入抽查评分")
    if getattr(request.user, "org_id", None) == org.pk:
        raise PermissionDenied("不能抽查本组织")
    editable = campaign.status == CampaignStatus.OPEN
    if request.method == "POST" and not editable:
        raise BadInput(f"考核“{campaign.name}”{campaign.get_status_display()}，不能再修改评分")
    evidence = None
    if campaign.inspection_evidence:
        # the inspections' findings in the campaign's period, as the inspector reads them
        from dangjian.inspection.selectors import campaign_evidence

        evidence = list(campaign_evidence(request.user, campaign, org)[:50])
    return _sheet_page(request, campaign, org, _SPOT, editable, inspection_findings=evidence)


# --- results -----------------------------------------------------------------------------------


@page("GET")
def results(request: SignedInRequest, pk: int) -> HttpResponse:
    """考核结果 of the subtree. In tree order; ordered by score only for the upper level."""
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    qs = results_for(request.user, campaign)
    tier = request.GET.get("tier", "").strip()
    if tier:
        if tier not in Tier.values:
            raise BadInput(f"档次“{tier[:20]}”无效")
        qs = qs.filter(tier=tier)
    sector = request.GET.get("sector", "").strip()
    if sector:
        if sector not in Sector.values:
            raise BadInput(f"领域“{sector[:20]}”无效")
        qs = qs.filter(org__sector=sector)
    change = request.GET.get("change", "").strip()
    if change:
        if change not in Change.values:
            raise BadInput(f"变化“{change[:20]}”无效")
        qs = qs.filter(change=change)
    ranked = can_rank(request.user, campaign) and request.GET.get("order") == "total"
    qs = qs.order_by("-total", "org__path") if ranked else qs.order_by("org__path")
    page = paginate(request, qs)
    from dangjian.rectify.selectors import plans_for

    open_plans = dict(
        plans_for(request.user)
        .filter(status="open", org_id__in=[r.org_id for r in page.object_list])
        .values_list("org_id", "pk")
    )
    return render(
        request,
        "assess/results.html",
        {
            "campaign": campaign,
            "page": page,
            "open_plans": open_plans,
            "query": query_without(request, "page"),
            "tier": tier,
            "sector": sector,
            "change": change,
            "tiers": Tier.choices,
            "sectors": Sector.values,
            "changes": Change.choices,
            "can_rank": can_rank(request.user, campaign),
            "ranked": ranked,
            "star_labels": STAR_LABELS,
            "can_plan": can(request.user, Perm.ASSESS_MANAGE),
        },
    )


@page("GET")
def result_detail(request: SignedInRequest, pk: int, code: str) -> HttpResponse:
    """One organization's result: item → criterion → points → source, veto, stars, tier, change.

    Before the campaign is scored, the live preview from today's records is shown instead.
    """
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    org = org_in_campaign(request.user, campaign, code)
    result = result_get(request.user, campaign, org)
    preview = None
    breakdown: dict[str, Any]
    if result is None:
        preview = org_preview(request.user, campaign, org)
        breakdown = preview.breakdown
    else:
        breakdown = result.breakdown
    upper = covers(request.user, Perm.ASSESS_MANAGE, org.path) and (
        getattr(request.user, "org_id", None) != org.pk
    )
    return render(
        request,
        "assess/result.html",
        {
            "campaign": campaign,
            "org": org,
            "ancestors": breadcrumb(request.user, org),
            "result": result,
            "preview": preview,
            "breakdown": breakdown,
            "items": _rows(breakdown, None),
            "star_labels": STAR_LABELS,
            "can_plan": upper and result is not None and result.tier == Tier.LAGGING,
        },
    )


# --- veto events -------------------------------------------------------------------------------


def _veto_lines() -> list[tuple[str, str]]:
    """The veto lines for the form's choices: shown by their text, the id only as the value."""
    return list(known_veto_lines().items())


@page("GET", "POST")
def veto(request: SignedInRequest) -> HttpResponse:
    """高压线事件: the subtree's recorded events; the upper level enters new ones."""
    require(request.user, Perm.ASSESS_VIEW)
    manage = can(request.user, Perm.ASSESS_MANAGE)
    if request.method == "POST":
        require(request.user, Perm.ASSESS_MANAGE)
    form = VetoForm(request.POST or None, lines=_veto_lines()) if manage else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        org = org_get(request.user, d["org"], perm=Perm.ASSESS_MANAGE)
        with errors_on(form):
            event = veto_record(
                actor=request.user,
                org=org,
                occurred_on=d["occurred_on"],
                line=d["line"],
                note=d["note"],
            )
            messages.success(request, f"已录入：{org.name} {event.occurred_on}")
            return redirect("assess:veto")
    lines = known_veto_lines()
    return form_page(
        request,
        "assess/veto.html",
        {
            "page": paginate(
                request, veto_events_for(request.user).order_by("-occurred_on", "-pk")
            ),
            "query": query_without(request, "page"),
            "form": form,
            "lines": lines,
            "manage": manage,
        },
    )


@page("POST")
def veto_withdraw_view(request: SignedInRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.ASSESS_MANAGE)
    event = veto_events_for(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404("事件不存在或不在您的管辖范围内")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        raise BadInput("请填写撤销原因")
    with refused_as_400():
        veto_withdraw(actor=request.user, event=event, reason=form.cleaned_data["reason"])
    messages.success(request, "已撤销该事件（记录保留）")
    return redirect("assess:veto")


# --- bulletin ----------------------------------------------------------------------------------


def _region_digits(request: SignedInRequest) -> int:
    raw = request.GET.get("level", "9").strip() or "9"
    if not raw.isdigit() or int(raw) not in REGION_DIGITS:
        raise BadInput("地区层级应为 6（区县）、9（乡镇街道）或 12（村社区）")
    return int(raw)


def _ranking_param(request: SignedInRequest, campaign: Campaign) -> bool:
    wanted = request.GET.get("ranking") == "1"
    if wanted and not can_rank(request.user, campaign):
        raise PermissionDenied("排名只提供给组织考核的上级组织")
    return wanted


def _bulletin(request: SignedInRequest, campaign: Campaign, digits: int) -> Bulletin:
    """The bulletin with the open findings of each group when the findings store answers for
    the viewer's subtree (one grouped query); a check over the records is not run for a page."""
    return bulletin_build(
        request.user,
        campaign,
        region_digits=digits,
        with_findings=True,
        findings_from_records=False,
    )


@page("GET")
def bulletin(request: SignedInRequest, pk: int) -> HttpResponse:
    """晾晒通报: per region and sector, the spread inside each region, rectification progress."""
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    digits = _region_digits(request)
    show_ranking = _ranking_param(request, campaign)
    b = _bulletin(request, campaign, digits)
    # the ranking of a city runs to thousands of rows: paged here (the Excel export has all)
    ranking = paginate(request, campaign_ranking(request.user, campaign)) if show_ranking else None
    return render(
        request,
        "assess/bulletin.html",
        {
            "campaign": campaign,
            "b": b,
            "level": digits,
            "levels": [(6, "区县"), (9, "乡镇街道"), (12, "村社区")],
            "headers": GROUP_HEADERS,
            "findings_note": FINDINGS_NOTE,
            "rank_extra": [h for h, _ in ORG_COLUMNS],
            "regions": [(g, group_row(g)) for g in b.regions],
            "sectors": [(g, group_row(g)) for g in b.sectors],
            "overall": group_row(b.overall),
            "showcase_stars": SHOWCASE_STARS,
            "can_rank": can_rank(request.user, campaign),
            "ranking": ranking,
            "query": query_without(request, "page"),
        },
    )


EXPORT_FORMATS = ("xlsx", "pdf")


@page("GET")
def bulletin_file(request: SignedInRequest, pk: int, fmt: str) -> HttpResponse:
    """The bulletin as .xlsx or PDF; the ranking sheet only for the upper level and on request."""
    if fmt not in EXPORT_FORMATS:
        raise BadInput("通报只能导出为 .xlsx 或 .pdf")
    require(request.user, Perm.ASSESS_VIEW)
    campaign = campaign_get(request.user, pk)
    b = _bulletin(request, campaign, _region_digits(request))
    ranking = (
        campaign_ranking(request.user, campaign) if _ranking_param(request, campaign) else None
    )
    data = export_xlsx(b, ranking) if fmt == "xlsx" else export_pdf(b, ranking)
    return file_response(
        data,
        filename=f"{campaign.name}-晾晒通报.{fmt}",
        ascii_name=f"bulletin-{campaign.pk}.{fmt}",
        content_type=MEDIA_TYPES[fmt],
    )
