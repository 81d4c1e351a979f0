"""The write path of the library of typical examples (典型): propose, change, name (命名),
review (复核), revoke (撤销), and link or unlink evidence — each validated (every problem at once,
in Chinese), written with its audit entry in one transaction; a refusal writes nothing.

Who:

- proposing and changing an example, linking its evidence: ``Perm.EXEMPLAR_PROPOSE`` over the
  example's organization (the organization itself or any level above it);
- naming, reviewing and revoking: ``Perm.EXEMPLAR_NAME`` over the organization, acting for an
  organization **above** it — an organization does not name itself (the command-line operator
  names in the name of the organization's parent).

Status: 培育 → 命名 → 撤销; a revoked example is kept on record and changes no more. A named
example has its naming date and the date of its next review (after the naming).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require, user_of
from dangjian.assess.models import Campaign, CampaignOrg
from dangjian.core import clock
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.life.models import Meeting
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization

from .choices import EvidenceKind, Kind, Level, Status
from .models import Evidence, Exemplar
from .selectors import own_org

TITLE_MAX = 100
SUMMARY_MAX = 2000
THEME_MAX = 20
THEMES_MAX = 8
REASON_MAX = 200
NOTE_MAX = 200
#: the first review is due this many years after naming unless the form says otherwise
REVIEW_YEARS = 3


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate(clock.now())


def _subject(item: Exemplar) -> AuditSubject:
    return AuditSubject("exemplar", item, item.org.path, f"典型“{item.title}”")


def _snapshot(item: Exemplar) -> dict[str, Any]:
    return {
        "org": item.org.code,
        "kind": item.kind,
        "title": item.title,
        "sector": item.sector,
        "themes": item.theme_list,
        "level": item.level,
        "status": item.status,
        "named_on": item.named_on.isoformat() if item.named_on else None,
        "review_on": item.review_on.isoformat() if item.review_on else None,
        "revoked_on": item.revoked_on.isoformat() if item.revoked_on else None,
    }


def _choice(errors: FieldErrors, name: str, label: str, value: str, choices: Any) -> str:
    value = (value or "").strip()
    if value not in choices.values:
        errors.add(name, f"请选择{label}（{'、'.join(str(v) for v in choices.values)}）")
    return value


def parse_themes(value: str | Iterable[str]) -> list[str]:
    """Themes from a list or a text separated by commas, 、, spaces or new lines (deduplicated,
    in order)."""
    if isinstance(value, str):
        for sep in ("，", "、", ",", "；", ";", "\n", " ", "\u3000"):
            value = value.replace(sep, "|")
        parts: Iterable[str] = value.split("|")
    else:
        parts = value
    return list(dict.fromkeys(str(p).strip().replace("|", "") for p in parts if str(p).strip()))


def _themes(errors: FieldErrors, value: str | Iterable[str]) -> str:
    themes = parse_themes(value)
    if len(themes) > THEMES_MAX:
        errors.add("themes", f"主题最多 {THEMES_MAX} 个")
    long = [t for t in themes if len(t) > THEME_MAX]
    if long:
        errors.add("themes", f"每个主题最多 {THEME_MAX} 字：{'、'.join(long)}")
    return f"|{'|'.join(themes)}|" if themes else ""


def _fields(
    errors: FieldErrors,
    *,
    kind: str,
    title: str,
    summary: str,
    sector: str,
    themes: str | Iterable[str],
    level: str,
) -> dict[str, Any]:
    kind = _choice(errors, "kind", "类别", kind, Kind)
    title = errors.text("title", "名称", title, TITLE_MAX)
    if not title:
        errors.add("title", "请填写名称")
    summary = errors.text("summary", "简介", summary, SUMMARY_MAX)
    if not summary:
        errors.add("summary", "请填写简介（做法、成效、可推广可复制之处）")
    sector = _choice(errors, "sector", "领域", sector, Sector)
    level = _choice(errors, "level", "层级", level, Level)
    return {
        "kind": kind,
        "title": title,
        "summary": summary,
        "sector": sector,
        "themes": _themes(errors, themes),
        "level": level,
    }


@transaction.atomic
def exemplar_propose(
    *,
    actor: Actor,
    org: Organization,
    kind: str,
    title: str,
    summary: str,
    sector: str = "",
    themes: str | Iterable[str] = (),
    level: str = Level.COUNTY,
    today: dt.date | None = None,
) -> Exemplar:
    """Propose an example of ``org`` (status 培育). The sector defaults to the organization's."""
    require(actor, Perm.EXEMPLAR_PROPOSE, org.path)
    errors = FieldErrors()
    data = _fields(
        errors,
        kind=kind,
        title=title,
        summary=summary,
        sector=sector or org.sector,
        themes=themes,
        level=level,
    )
    if data["title"] and Exemplar.objects.filter(org=org, title=data["title"]).exists():
        errors.add("title", "本组织已有同名典型")
    errors.raise_if_any()
    item = Exemplar.objects.create(
        org=org, proposed_on=_today(today), proposed_by=user_of(actor), **data
    )
    audit_about(actor, AuditAction.EXEMPLAR_PROPOSE, _subject(item), after=_snapshot(item))
    return item


def _lock(item: Exemplar) -> Exemplar:
    return Exemplar.objects.select_for_update().select_related("org").get(pk=item.pk)


@transaction.atomic
def exemplar_change(
    *,
    actor: Actor,
    item: Exemplar,
    kind: str,
    title: str,
    summary: str,
    sector: str,
    themes: str | Iterable[str],
    level: str,
) -> Exemplar:
    """Change what an example says (not its status). A revoked example changes no more."""
    require(actor, Perm.EXEMPLAR_PROPOSE, item.org.path)
    item = _lock(item)
    before = _snapshot(item)
    errors = FieldErrors()
    data = _fields(
        errors, kind=kind, title=title, summary=summary, sector=sector, themes=themes, level=level
    )
    if item.status == Status.REVOKED:
        errors.add("status", "该典型已撤销，不能再修改")
    same = Exemplar.objects.filter(org_id=item.org_id, title=data["title"]).exclude(pk=item.pk)
    if data["title"] and same.exists():
        errors.add("title", "本组织已有同名典型")
    errors.raise_if_any()
    for name, value in data.items():
        setattr(item, name, value)
    item.save()
    audit_about(
        actor, AuditAction.EXEMPLAR_CHANGE, _subject(item), before=before, after=_snapshot(item)
    )
    return item


def _namer(actor: Actor, item: Exemplar) -> Organization:
    """The organization naming (reviewing, revoking) ``item``: the actor's, strictly above the
    example's organization; the parent for the command-line operator."""
    require(actor, Perm.EXEMPLAR_NAME, item.org.path)
    mine = own_org(actor)
    if mine is None:
        parent = Organization.objects.get_parent(item.org)
        return parent if parent is not None else item.org
    if mine.pk == item.org_id:
        raise PermissionDenied("典型由上级组织命名、复核和撤销，本组织不能为自己命名")
    return mine


def _review_date(errors: FieldErrors, review_on: dt.date | None, after: dt.date) -> None:
    if review_on is None:
        errors.add("review_on", "请填写下次复核日期")
    elif review_on <= after:
        errors.add("review_on", f"下次复核日期应晚于 {after:%Y-%m-%d}")
    elif review_on > after + dt.timedelta(days=366 * 5):
        errors.add("review_on", "下次复核日期不能晚于五年以后")


@transaction.atomic
def exemplar_name(
    *,
    actor: Actor,
    item: Exemplar,
    named_on: dt.date,
    review_on: dt.date | None = None,
    level: str | None = None,
    today: dt.date | None = None,
) -> Exemplar:
    """命名: the upper level names an example being cultivated (培育 → 命名), on ``named_on``
    (not in the future), with the date of its next review (default: three years on)."""
    namer = _namer(actor, item)
    item = _lock(item)
    before = _snapshot(item)
    day = _today(today)
    errors = FieldErrors()
    if item.status != Status.CULTIVATING:
        errors.add("status", f"只有培育中的典型可以命名（当前：{item.status}）")
    if named_on > day:
        errors.add("named_on", f"命名日期不能晚于今天（{day:%Y-%m-%d}）")
    if named_on < item.proposed_on:
        errors.add("named_on", f"命名日期不能早于推荐日期（{item.proposed_on:%Y-%m-%d}）")
    if review_on is None:
        review_on = named_on.replace(year=named_on.year + REVIEW_YEARS, day=min(named_on.day, 28))
    _review_date(errors, review_on, named_on)
    if level is not None:
        level = _choice(errors, "level", "层级", level, Level)
    errors.raise_if_any()
    item.status = Status.NAMED
    item.named_on, item.review_on, item.named_by = named_on, review_on, namer
    if level:
        item.level = level
    item.save()
    audit_about(
        actor, AuditAction.EXEMPLAR_NAME, _subject(item), before=before, after=_snapshot(item)
    )
    return item


@transaction.atomic
def exemplar_review(
    *, actor: Actor, item: Exemplar, review_on: dt.date, today: dt.date | None = None
) -> Exemplar:
    """复核 passed: a named example keeps its name until the next review on ``review_on``."""
    _namer(actor, item)
    item = _lock(item)
    before = _snapshot(item)
    day = _today(today)
    errors = FieldErrors()
    if item.status != Status.NAMED:
        errors.add("status", "只有已命名的典型需要复核")
    _review_date(errors, review_on, day)
    errors.raise_if_any()
    item.review_on = review_on
    item.save(update_fields=["review_on", "updated_at"])
    audit_about(
        actor, AuditAction.EXEMPLAR_REVIEW, _subject(item), before=before, after=_snapshot(item)
    )
    return item


@transaction.atomic
def exemplar_revoke(
    *,
    actor: Actor,
    item: Exemplar,
    reason: str,
    revoked_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Exemplar:
    """撤销: the upper level withdraws an example (being cultivated or named) with a reason; it
    stays on record, no longer published."""
    _namer(actor, item)
    item = _lock(item)
    before = _snapshot(item)
    day = _today(today)
    revoked_on = revoked_on or day
    errors = FieldErrors()
    reason = errors.text("reason", "撤销原因", reason, REASON_MAX)
    if not reason:
        errors.add("reason", "请填写撤销原因")
    if item.status == Status.REVOKED:
        errors.add("status", "该典型已撤销")
    if revoked_on > day:
        errors.add("revoked_on", f"撤销日期不能晚于今天（{day:%Y-%m-%d}）")
    start = item.named_on or item.proposed_on
    if revoked_on < start:
        errors.add("revoked_on", f"撤销日期不能早于 {start:%Y-%m-%d}")
    errors.raise_if_any()
    item.status = Status.REVOKED
    item.revoked_on, item.revoke_reason, item.review_on = revoked_on, reason, None
    item.save()
    audit_about(
        actor,
        AuditAction.EXEMPLAR_REVOKE,
        _subject(item),
        before=before,
        after={**_snapshot(item), "reason": reason},
    )
    return item


def _evidence_subject(ev: Evidence) -> AuditSubject:
    item = ev.exemplar
    return AuditSubject("exemplar", item, item.org.path, f"典型“{item.title}”")


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    item: Exemplar,
    kind: str,
    campaign: Campaign | None = None,
    meeting: Meeting | None = None,
    year: int | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Evidence:
    """Link a record of the platform to the example: an assessment campaign the example's
    organization takes part in (its result shows once scored), a year of service orders (not
    in the future), or a meeting of its subtree. Only the reference is stored."""
    require(actor, Perm.EXEMPLAR_PROPOSE, item.org.path)
    errors = FieldErrors()
    kind = _choice(errors, "kind", "佐证类别", kind, EvidenceKind)
    note = errors.text("note", "说明", note, NOTE_MAX)
    if item.status == Status.REVOKED:
        errors.add("status", "该典型已撤销，不能再关联佐证")
    ref: dict[str, Any] = {}
    if kind == EvidenceKind.ASSESSMENT:
        if campaign is None:
            errors.add("campaign", "请选择考核")
        elif not CampaignOrg.objects.filter(campaign=campaign, org_id=item.org_id).exists():
            errors.add("campaign", "本组织没有参加该考核")
        else:
            ref["campaign"] = campaign
    elif kind == EvidenceKind.SERVICE:
        this_year = _today(today).year
        if year is None or not 2000 <= year <= this_year:
            errors.add("year", f"请填写 2000 至 {this_year} 之间的年度")
        else:
            ref["year"] = year
    elif kind == EvidenceKind.MEETING:
        if meeting is None or not meeting.org.path.startswith(item.org.path):
            errors.add("meeting", "请选择本组织（或所属党支部）的组织生活记录")
        else:
            ref["meeting"] = meeting
    if ref and Evidence.objects.filter(exemplar=item, kind=kind, **ref).exists():
        errors.add("kind", "该佐证已经关联过了")
    errors.raise_if_any()
    ev = Evidence.objects.create(exemplar=item, kind=kind, note=note, **ref)
    audit_about(
        actor,
        AuditAction.EXEMPLAR_EVIDENCE_ADD,
        _evidence_subject(ev),
        after={"evidence": ev.pk, "kind": kind, **{k: getattr(v, "pk", v) for k, v in ref.items()}},
    )
    return ev


@transaction.atomic
def evidence_remove(*, actor: Actor, evidence: Evidence) -> None:
    item = evidence.exemplar
    require(actor, Perm.EXEMPLAR_PROPOSE, item.org.path)
    if item.status == Status.REVOKED:
        raise ValidationError({"status": ["该典型已撤销，佐证不再变动"]})
    subject = _evidence_subject(evidence)
    before = {"evidence": evidence.pk, "kind": evidence.kind}
    evidence.delete()
    audit_about(actor, AuditAction.EXEMPLAR_EVIDENCE_REMOVE, subject, before=before)
