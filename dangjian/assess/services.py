"""The write path of assessment: validate → write → audit, in one transaction each.

Who may do what (scope = the subtree of the user's organization, :mod:`dangjian.accounts.scope`):

- :func:`campaign_open`, :func:`campaign_sample`, :func:`campaign_pick`, :func:`campaign_score`,
  :func:`campaign_finalize` — ``Perm.ASSESS_MANAGE`` on the campaign's root;
- :func:`self_check_record` — ``Perm.ASSESS_SELF`` for the organization itself: the user must be
  bound to that very organization (the command-line operator excepted); an upper-level user or
  an inspector cannot fill or change a self-check;
- :func:`spot_check_record` — ``Perm.ASSESS_INSPECT`` on the organization, only for an
  organization drawn or hand-picked for the spot-check, never one's own organization;
- :func:`veto_record`, :func:`veto_withdraw` — ``Perm.ASSESS_MANAGE`` on the organization, by the
  upper level (a user bound to the organization itself cannot enter its veto events).

Scores can be recorded while the campaign is open (进行中), within its phase
(:func:`phase_window`): a self-check (spot-check) before its phase opens is refused with the
opening date; one saved after its phase ended is accepted and marked late (``late``, shown in
the results, audited with ``"late": true``) — remind before the deadline, never refuse honest
late entry. A phase without dates sets no limit. A scored campaign can be re-scored until it
is final (已定档). Invalid input raises ``ValidationError`` with Chinese messages per
field; a denied action raises ``PermissionDenied`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, SystemActor, require, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.models import Organization

from .models import (
    Campaign,
    CampaignOrg,
    CampaignStatus,
    SelfCheckScore,
    SpotCheckScore,
    VetoEvent,
)
from .sampling import stratified_sample
from .scoring import ScoreRun, campaign_compute, campaign_save
from .standard import Criterion, Standard, StandardError, available_standards, get_standard

NOTE_MAX = 2000
NAME_MAX = 200
PHASE_FIELDS = [f for _c, _l, s, e in Campaign.PHASES for f in (s, e)]


def campaign_subject(campaign: Campaign) -> AuditSubject:
    """A campaign as the audit trail names it (by its name, at its root organization)."""
    return AuditSubject("campaign", campaign, campaign.root.path, campaign.name)


def _actor_name(actor: Actor) -> str:
    return str(getattr(actor, "audit_name", "") or getattr(actor, "username", ""))[:150]


def _user(actor: Actor) -> Any:
    return user_of(actor)


@dataclass
class CampaignInput:
    """What opening a campaign needs. ``phases``: field name (``self_check_start`` …
    ``final_on``) → date."""

    name: str
    standard_key: str
    root: Organization
    period_start: dt.date
    period_end: dt.date
    standard_version: str | None = None
    phases: dict[str, dt.date | None] = field(default_factory=dict)
    spot_share: float | Decimal = 0
    sampling_seed: int | None = None
    inspection_evidence: bool = False
    previous: Campaign | None = None
    hand_picked: list[Organization] = field(default_factory=list)


def _validate_campaign(data: CampaignInput) -> tuple[Standard | None, FieldErrors]:
    errors = FieldErrors()
    data.name = (data.name or "").strip()
    if not data.name:
        errors.add("name", "名称不能为空")
    elif len(data.name) > NAME_MAX:
        errors.add("name", f"名称不能超过 {NAME_MAX} 字")
    std = None
    try:
        std = get_standard(data.standard_key, data.standard_version)
    except (KeyError, StandardError) as exc:
        errors.add("standard_key", str(exc).strip("'\""))
    if data.period_end < data.period_start:
        errors.add("period_end", f"考核期结束 {data.period_end} 早于开始 {data.period_start}")
    outside = std is not None and (
        data.period_start < std.valid_from
        or (std.valid_to is not None and data.period_end > std.valid_to)
    )
    if std is not None and outside:
        until = std.valid_to.isoformat() if std.valid_to else "长期"
        errors.add(
            "period_start",
            f"考核期不在标准“{std.name}”的有效期（{std.valid_from} 至 {until}）之内",
        )
    unknown = sorted(set(data.phases) - set(PHASE_FIELDS))
    if unknown:
        errors.add("phases", f"未知阶段字段：{'、'.join(unknown)}")
    for _code, label, start, end in Campaign.PHASES:
        s, e = data.phases.get(start), data.phases.get(end)
        if s and e and e < s:
            errors.add(end, f"{label}截止日期 {e} 早于开始日期 {s}")
    try:
        share = Decimal(str(data.spot_share))
    except InvalidOperation:
        share = Decimal(-1)
    if not Decimal(0) <= share <= Decimal(1):
        errors.add("spot_share", f"抽查比例应在 0 到 1 之间，实为“{data.spot_share}”")
    if data.previous is not None and data.previous.period_end >= data.period_start:
        errors.add("previous", "上一次考核的考核期应早于本次考核期")
    for org in data.hand_picked:
        if not org.path.startswith(data.root.path):
            errors.add("hand_picked", f"{org.code} 不在本次考核范围内")
    return std, errors


def _eligible(std: Standard, root: Organization, period_end: dt.date) -> list[tuple[int, str, str]]:
    """(pk, code, sector) of the subtree's organizations the standard applies to."""
    rows = (
        Organization.objects.filter(
            path__startswith=root.path,
            sector__in=list(std.sectors),
            org_type__in=list(std.org_types),
        )
        .exclude(founded_on__gt=period_end)
        .order_by("path")
        .values_list("pk", "code", "sector")
    )
    return list(rows)


@transaction.atomic
def campaign_open(*, actor: Actor, data: CampaignInput) -> Campaign:
    """Open a campaign over ``data.root``'s subtree: every organization of the standard's sectors
    and types takes part; the spot-check sample is drawn at once (reproducible from the seed)."""
    require(actor, Perm.ASSESS_MANAGE, data.root.path)
    std, errors = _validate_campaign(data)
    errors.raise_if_any()
    assert std is not None
    seed = data.sampling_seed if data.sampling_seed is not None else secrets.randbelow(2**31)
    campaign = Campaign(
        name=data.name,
        standard_key=std.key,
        standard_version=std.version,
        standard_text=std.text,
        root=data.root,
        period_start=data.period_start,
        period_end=data.period_end,
        spot_share=Decimal(str(data.spot_share)).quantize(Decimal("0.001")),
        sampling_seed=seed,
        inspection_evidence=data.inspection_evidence,
        previous=data.previous,
        created_by=user_of(actor),
        **{k: v for k, v in data.phases.items() if k in PHASE_FIELDS},
    )
    campaign.full_clean(exclude=["standard_text"])
    campaign.save()
    eligible = _eligible(std, data.root, data.period_end)
    drawn = stratified_sample(eligible, float(campaign.spot_share), seed)
    picked = {o.pk for o in data.hand_picked}
    CampaignOrg.objects.bulk_create(
        [
            CampaignOrg(campaign=campaign, org_id=pk, sampled=pk in drawn, hand_picked=pk in picked)
            for pk, _code, _sector in eligible
        ],
        batch_size=2000,
    )
    audit_about(
        actor,
        AuditAction.ASSESS_CAMPAIGN_OPEN,
        campaign_subject(campaign),
        after={
            **campaign_snapshot(campaign),
            "participants": len(eligible),
            "sampled": len(drawn),
            "hand_picked": sorted(o.code for o in data.hand_picked),
        },
    )
    return campaign


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "standard": f"{campaign.standard_key}@{campaign.standard_version}",
        "root": campaign.root.code,
        "period": [campaign.period_start.isoformat(), campaign.period_end.isoformat()],
        "phases": {
            f: getattr(campaign, f).isoformat() for f in PHASE_FIELDS if getattr(campaign, f)
        },
        "spot_share": str(campaign.spot_share),
        "sampling_seed": campaign.sampling_seed,
        "inspection_evidence": campaign.inspection_evidence,
        "status": campaign.status,
        "previous": campaign.previous_id,
    }


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("root").get(pk=campaign.pk)


def _require_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(
            {"campaign": [f"考核“{campaign.name}”{campaign.get_status_display()}，不能再修改评分"]}
        )


@transaction.atomic
def campaign_sample(*, actor: Actor, campaign: Campaign, seed: int | None = None) -> int:
    """Draw the spot-check sample again (a new ``seed``, or the stored one); hand picks stay.
    Refused once a spot-check score exists. Returns the number drawn."""
    campaign = _lock(campaign)
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    _require_open(campaign)
    if SpotCheckScore.objects.filter(campaign=campaign).exists():
        raise ValidationError({"campaign": ["已有抽查评分，不能重新抽样"]})
    before = {"sampling_seed": campaign.sampling_seed}
    if seed is not None:
        campaign.sampling_seed = seed
        campaign.save(update_fields=["sampling_seed", "updated_at"])
    rows = CampaignOrg.objects.filter(campaign=campaign).values_list(
        "org_id", "org__code", "org__sector"
    )
    drawn = stratified_sample(list(rows), float(campaign.spot_share), campaign.sampling_seed)
    CampaignOrg.objects.filter(campaign=campaign).update(sampled=False)
    CampaignOrg.objects.filter(campaign=campaign, org_id__in=list(drawn)).update(sampled=True)
    audit_about(
        actor,
        AuditAction.ASSESS_CAMPAIGN_SAMPLE,
        campaign_subject(campaign),
        before=before,
        after={"sampling_seed": campaign.sampling_seed, "sampled": len(drawn)},
    )
    return len(drawn)


@transaction.atomic
def campaign_pick(
    *, actor: Actor, campaign: Campaign, org: Organization, picked: bool
) -> CampaignOrg:
    """Choose (or un-choose) a participant for the spot-check by hand."""
    campaign = _lock(campaign)
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    _require_open(campaign)
    part = CampaignOrg.objects.filter(campaign=campaign, org=org).first()
    if part is None:
        raise ValidationError({"org": [f"{org.code} 未参加本次考核"]})
    before = {"hand_picked": part.hand_picked}
    part.hand_picked = picked
    part.save(update_fields=["hand_picked"])
    audit_about(
        actor,
        AuditAction.ASSESS_CAMPAIGN_PICK,
        AuditSubject("campaign_org", part, org.path, f"{campaign.name} {org.code}"),
        before=before,
        after={"hand_picked": picked},
    )
    return part


def _criterion(campaign: Campaign, org: Organization, criterion_id: str) -> Criterion:
    std = campaign_standard(campaign)
    crit = std.criterion(criterion_id)
    item = std.item_of(criterion_id)
    if crit is None or item is None:
        raise ValidationError({"criterion": [f"本标准没有编号为“{criterion_id}”的评分标准"]})
    if not item.applies_to(org.sector):
        raise ValidationError(
            {"criterion": [f"评分标准 {criterion_id} 属于其他领域的项目，不适用于{org.sector}领域"]}
        )
    if not crit.checked_by_person:
        raise ValidationError(
            {
                "criterion": [
                    f"评分标准 {criterion_id}（{crit.text}）由系统根据记录自动计分，无须人工评分"
                ]
            }
        )
    return crit


def campaign_standard(campaign: Campaign) -> Standard:
    """The campaign's standard, read from its own snapshot."""
    from .standard import parse_standard

    cached = getattr(campaign, "_standard", None)
    if cached is None:
        cached = parse_standard(campaign.standard_text, path=campaign.standard_key)
        campaign._standard = cached  # type: ignore[attr-defined]
    return cached


def _points(value: Any, crit: Criterion) -> Decimal:
    try:
        pts = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"points": [f"得分应为数字，实为“{value}”"]}) from None
    if not pts.is_finite() or pts < 0 or pts > Decimal(str(crit.points)):
        raise ValidationError({"points": [f"得分应在 0 到 {crit.points:g} 分之间，实为 {value}"]})
    if pts != pts.quantize(Decimal("0.01")):
        raise ValidationError({"points": ["得分最多保留两位小数"]})
    return pts


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"说明不能超过 {NOTE_MAX} 字"]})
    return note


def _participant(campaign: Campaign, org: Organization) -> CampaignOrg:
    part = CampaignOrg.objects.filter(campaign=campaign, org=org).first()
    if part is None:
        raise ValidationError({"org": [f"{org.code} 未参加考核“{campaign.name}”"]})
    return part


#: score model → (phase label, start field, end field)
_PHASE_OF = {
    "selfcheckscore": ("自查", "self_check_start", "self_check_end"),
    "spotcheckscore": ("抽查", "spot_check_start", "spot_check_end"),
}


def phase_window(campaign: Campaign, phase: str) -> tuple[dt.date | None, dt.date | None]:
    """Start and end of a phase (``"self_check"``, ``"spot_check"``, …); ``None`` when unset."""
    for code, _label, start, end in Campaign.PHASES:
        if code == phase:
            return getattr(campaign, start), getattr(campaign, end)
    raise KeyError(phase)


def _late(model: Any, campaign: Campaign, today: dt.date) -> bool:
    """Refuse before the phase opens; whether an entry on ``today`` is after the phase ended."""
    label, start_f, end_f = _PHASE_OF[model._meta.model_name]
    start, end = getattr(campaign, start_f), getattr(campaign, end_f)
    if start is not None and today < start:
        raise ValidationError(
            {"campaign": [f"{label}阶段 {start} 开始，现在（{today}）还不能录入{label}评分"]}
        )
    return end is not None and today > end


def _record_score(
    model: Any,
    action: AuditAction,
    *,
    actor: Actor,
    campaign: Campaign,
    org: Organization,
    criterion: str,
    points: Any,
    note: str = "",
    today: dt.date | None = None,
) -> Any:
    """Record (or change) one score of a participant of an open campaign, audited; a spot-check
    score only for an organization drawn or picked for the spot-check."""
    campaign = _lock(campaign)
    _require_open(campaign)
    part = _participant(campaign, org)
    if model is SpotCheckScore and not part.spot_checked:
        raise ValidationError({"org": [f"{org.code} 未被抽中或指定抽查，不能录入抽查评分"]})
    crit = _criterion(campaign, org, criterion)
    points = _points(points, crit)
    note = _note(note)
    late = _late(model, campaign, today or timezone.localdate())
    score = (
        model.objects.select_for_update()
        .filter(campaign=campaign, org=org, criterion=crit.id)
        .first()
    )
    before = None
    if score is None:
        score = model(campaign=campaign, org=org, criterion=crit.id)
    else:
        before = {
            "points": str(score.points),
            "note": score.note,
            "by": score.by_name,
            "late": score.late,
        }
    score.points = points
    score.late = late
    score.note = note
    score.by = user_of(actor)
    score.by_name = _actor_name(actor)
    score.at = timezone.now()
    score.save()
    audit_about(
        actor,
        action,
        AuditSubject(
            model._meta.model_name, score, org.path, f"{campaign.name} {org.code} {crit.id}"
        ),
        before=before,
        after={"criterion": crit.id, "points": str(points), "note": note, "late": late},
    )
    return score


def is_own_org(actor: Actor, org: Organization) -> bool:
    """Whether the actor is bound to ``org`` itself (the command-line operator counts as such)."""
    if isinstance(actor, SystemActor):
        return True
    return getattr(actor, "org_id", None) == org.pk


def _from_inside(actor: Actor, org_id: int) -> bool:
    """Whether a person bound to the organization ``org_id`` acts (not the command line): what
    the upper level does about an organization it may not do about its own."""
    return not isinstance(actor, SystemActor) and getattr(actor, "org_id", None) == org_id


class ScoreEntry(TypedDict):
    """One score typed by a person: of ``criterion`` for ``org`` in ``campaign``, with a note;
    ``today`` (default: the current date) decides whether it is late."""

    actor: Actor
    campaign: Campaign
    org: Organization
    criterion: str
    points: Any
    note: NotRequired[str]
    today: NotRequired[dt.date | None]


@transaction.atomic
def self_check_record(**entry: Unpack[ScoreEntry]) -> SelfCheckScore:
    """Record (or change) the organization's own score of one criterion (自查)."""
    actor, org = entry["actor"], entry["org"]
    require(actor, Perm.ASSESS_SELF, org.path)
    if not is_own_org(actor, org):
        raise PermissionDenied("自查评分只能由本组织填写")
    return _record_score(SelfCheckScore, AuditAction.ASSESS_SELF_CHECK_RECORD, **entry)


@transaction.atomic
def spot_check_record(**entry: Unpack[ScoreEntry]) -> SpotCheckScore:
    """Record (or change) an inspector's score of one criterion of a spot-checked organization."""
    actor, org = entry["actor"], entry["org"]
    require(actor, Perm.ASSESS_INSPECT, org.path)
    if _from_inside(actor, org.pk):
        raise PermissionDenied("不能抽查本组织")
    return _record_score(SpotCheckScore, AuditAction.ASSESS_SPOT_CHECK_RECORD, **entry)


def known_veto_lines() -> dict[str, str]:
    """Veto line id → text, over every available standard (ids are shared between standards)."""
    lines: dict[str, str] = {}
    for std in available_standards().values():
        for v in std.veto:
            lines.setdefault(v.id, v.text)
    return lines


@transaction.atomic
def veto_record(
    *,
    actor: Actor,
    org: Organization,
    occurred_on: dt.date,
    line: str,
    note: str,
    campaign: Campaign | None = None,
) -> VetoEvent:
    """Record an event crossing a veto line (高压线) of ``org``; entered by the upper level."""
    require(actor, Perm.ASSESS_MANAGE, org.path)
    if _from_inside(actor, org.pk):
        raise PermissionDenied("高压线事件应由上级组织录入")
    errors = FieldErrors()
    lines = (
        {v.id: v.text for v in campaign_standard(campaign).veto}
        if campaign is not None
        else known_veto_lines()
    )
    if line not in lines:
        known = "；".join(lines.values())
        errors.add("line", f"未知的高压线“{line}”，可选：{known}")
    if occurred_on > timezone.localdate():
        errors.add("occurred_on", f"发生日期 {occurred_on} 晚于今天")
    note = (note or "").strip()
    if not note:
        errors.add("note", "请填写情况说明")
    elif len(note) > NOTE_MAX:
        errors.add("note", f"情况说明不能超过 {NOTE_MAX} 字")
    errors.raise_if_any()
    event = VetoEvent.objects.create(
        org=org,
        occurred_on=occurred_on,
        line=line,
        note=note,
        entered_by=user_of(actor),
        entered_by_name=_actor_name(actor),
    )
    audit_about(
        actor,
        AuditAction.ASSESS_VETO_RECORD,
        AuditSubject("veto_event", event, org.path, f"{org.name}：{lines[line]}（{occurred_on}）"),
        after={"line": line, "occurred_on": occurred_on.isoformat(), "note": note},
    )
    return event


@transaction.atomic
def veto_withdraw(*, actor: Actor, event: VetoEvent, reason: str) -> VetoEvent:
    """Withdraw a veto event entered by mistake; it stays on record with the reason."""
    event = VetoEvent.objects.select_for_update().select_related("org").get(pk=event.pk)
    require(actor, Perm.ASSESS_MANAGE, event.org.path)
    if _from_inside(actor, event.org_id):
        raise PermissionDenied("高压线事件应由上级组织处理")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤销原因"]})
    if event.withdrawn:
        raise ValidationError({"reason": ["该事件已撤销"]})
    event.withdrawn = True
    event.withdrawn_reason = reason[:NOTE_MAX]
    event.save(update_fields=["withdrawn", "withdrawn_reason"])
    audit_about(
        actor,
        AuditAction.ASSESS_VETO_WITHDRAW,
        AuditSubject(
            "veto_event",
            event,
            event.org.path,
            f"{event.org.code} {event.line} {event.occurred_on}",
        ),
        before={"withdrawn": False},
        after={"withdrawn": True, "reason": event.withdrawn_reason},
    )
    return event


@transaction.atomic
def campaign_score(*, actor: Actor, campaign: Campaign, at: dt.date | None = None) -> ScoreRun:
    """Score the whole campaign and store the results (replacing earlier ones); audited with
    the summary. Refused once the campaign is final."""
    campaign = _lock(campaign)
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    if campaign.status == CampaignStatus.FINAL:
        raise ValidationError({"campaign": [f"考核“{campaign.name}”已定档，不能重新评分"]})
    run = campaign_compute(campaign, at=at)
    campaign_save(campaign, run)
    before = {"status": campaign.status, "scored_as_of": str(campaign.scored_as_of or "")}
    campaign.status = CampaignStatus.SCORED
    campaign.scored_at = timezone.now()
    campaign.scored_as_of = run.at
    campaign.save(update_fields=["status", "scored_at", "scored_as_of", "updated_at"])
    audit_about(
        actor,
        AuditAction.ASSESS_CAMPAIGN_SCORE,
        campaign_subject(campaign),
        before=before,
        after={"status": campaign.status, **run.summary()},
    )
    return run


@transaction.atomic
def campaign_set_status(*, actor: Actor, campaign: Campaign, status: str) -> Campaign:
    """Move a campaign between 进行中 (open again for scores), 已评分 and 已定档 (final).
    Making it final needs stored results."""
    campaign = _lock(campaign)
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    if status not in CampaignStatus.values:
        raise ValidationError({"status": [f"未知状态“{status}”"]})
    if status == CampaignStatus.FINAL and campaign.scored_at is None:
        raise ValidationError({"status": ["尚未评分，不能定档"]})
    from .jobs import job_busy

    if status == CampaignStatus.FINAL and job_busy(campaign):
        raise ValidationError({"status": ["后台评分正在进行，完成后才能定档"]})
    if campaign.status == CampaignStatus.FINAL and status != CampaignStatus.FINAL:
        raise ValidationError({"status": ["已定档的考核不能改回"]})
    before = {"status": campaign.status}
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    audit_about(
        actor,
        AuditAction.ASSESS_CAMPAIGN_STATUS,
        campaign_subject(campaign),
        before=before,
        after={"status": status},
    )
    return campaign


def campaign_finalize(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Make a scored campaign final (定档): results no longer change."""
    return campaign_set_status(actor=actor, campaign=campaign, status=CampaignStatus.FINAL)


def campaign_surveys_open(
    *,
    actor: Actor,
    campaign: Campaign,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
) -> int:
    """Open one public survey (群众测评) per participant with the key ``"campaign:<id>"``, from
    the campaign's survey phase unless dates are given; the survey app audits it and keeps it
    idempotent (an organization's existing survey is reused). Returns the number of surveys."""
    require(actor, Perm.ASSESS_MANAGE, campaign.root.path)
    opens_on = opens_on or campaign.survey_start
    closes_on = closes_on or campaign.survey_end
    if opens_on is None or closes_on is None:
        raise ValidationError({"survey_start": ["请先设置群众测评的开始和截止日期"]})
    from dangjian.survey.services import open_surveys

    orgs = [
        p.org
        for p in CampaignOrg.objects.filter(campaign=campaign)
        .select_related("org")
        .order_by("org__path")
    ]
    surveys = open_surveys(
        actor,
        orgs=orgs,
        key=f"campaign:{campaign.pk}",
        title=f"{campaign.name}群众测评",
        opens_on=opens_on,
        closes_on=closes_on,
    )
    return len(surveys)
