"""The write path of 流动党员 and 失联党员: validate (every error at once, in Chinese), write and
audit in one transaction; a refusal writes nothing.

Who: the member's home branch (``Perm.MEMBER_CHANGE`` over the member's organization) records an
outflow, its return, its 流动党员活动证, a lost-contact record, its search steps, the finding
again and the decisions. The host organization (``MEMBER_CHANGE`` over ``host_org``) records the
activities of its host the member took part in (and so does the home branch).

Decisions (REL-LOST-CONTACT) are people's: :func:`lost_contact_decide` records the standing the
branch decided (停止党籍 once the member has been out of contact 6 months, 除名 two years after
the 停止党籍) through :func:`dangjian.members.services.member_status_record`; no rule calls it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.core import crypto, idnumber
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.choices import StatusKind
from dangjian.members.models import Member, MemberStatus
from dangjian.members.rollups import left_as
from dangjian.members.services import StatusInput, member_status_record
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on

from .models import HostActivity, LostContact, Outflow, SearchStep
from .rules import LOST_CONTACT, remove_due_on, suspend_due_on

PLACE_MAX = 100
NOTE_MAX = 200
#: types of organization a mobile member may join where he is (a 党小组 is part of a branch)
HOST_TYPES = frozenset(
    {
        OrgType.BRANCH,
        OrgType.JOINT_BRANCH,
        OrgType.TEMP_BRANCH,
        OrgType.GENERAL_BRANCH,
        OrgType.COMMITTEE,
        OrgType.WORKING_COMMITTEE,
    }
)
#: the standings a branch decides on a lost member (REL-LOST-CONTACT)
DECISIONS = (StatusKind.SUSPENDED, StatusKind.REMOVED)


def region_problem(code: str) -> str:
    """Why ``code`` is no 行政区划代码 (GB/T 2260, 6 or 12 digits; its first six digits a county
    that has existed), or ``""``."""
    code = (code or "").strip()
    if not code:
        return "请填写流入地行政区划代码"
    if not code.isdigit() or len(code) not in (6, 12):
        return "行政区划代码应为 6 位或 12 位数字"
    if not idnumber.region_history(code[:6]):
        return f"行政区划代码“{code}”不存在（前 6 位应为县级行政区划代码）"
    return ""


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _audit(actor: Actor, action: AuditAction, obj: Any, member: Member, **kw: Any) -> None:
    kind = "outflow" if isinstance(obj, Outflow) else "lost_contact"
    audit_about(actor, action, AuditSubject(kind, obj, member.org.path), **kw)


# --- 流动党员 --------------------------------------------------------------------------------


@dataclass
class OutflowInput:
    """An outflow as the home branch records it (see :class:`~.models.Outflow`)."""

    region_code: str
    place: str
    started_on: dt.date
    fixed_place: bool = False
    employer: str = ""
    phone: str = ""
    host_org: Organization | None = None
    host_name: str = ""
    card_no: str = ""
    card_issued_on: dt.date | None = None
    card_valid_to: dt.date | None = None


def _card_errors(
    errors: FieldErrors,
    card_no: str,
    issued: dt.date | None,
    valid_to: dt.date | None,
    started_on: dt.date,
    today: dt.date,
) -> None:
    if not card_no and (issued or valid_to):
        errors.add("card_no", "请填写流动党员活动证编号")
    if len(card_no) > 32:
        errors.add("card_no", "活动证编号最长 32 个字符")
    if card_no and issued is None:
        errors.add("card_issued_on", "请填写活动证发放日期")
    if issued is not None and issued > today:
        errors.add("card_issued_on", "发放日期不能晚于今天")
    if issued is not None and valid_to is not None and valid_to <= issued:
        errors.add("card_valid_to", "有效期应晚于发放日期")
    if issued is not None and issued < started_on - dt.timedelta(days=31):
        errors.add("card_issued_on", "活动证应在外出前后发放（不早于外出日期前一个月）")


def _outflow_errors(member: Member, data: OutflowInput, today: dt.date) -> FieldErrors:
    errors = FieldErrors()
    problem = region_problem(data.region_code)
    if problem:
        errors.add("region_code", problem)
    data.place = (data.place or "").strip()
    data.employer = (data.employer or "").strip()
    data.host_name = (data.host_name or "").strip()
    data.card_no = (data.card_no or "").strip()
    if not data.place:
        errors.add("place", "请填写流入地点（如 某市某区某街道）")
    elif len(data.place) > PLACE_MAX:
        errors.add("place", f"流入地点最长 {PLACE_MAX} 个字")
    if len(data.employer) > PLACE_MAX:
        errors.add("employer", f"工作单位最长 {PLACE_MAX} 个字")
    if data.started_on > today:
        errors.add("started_on", "外出日期不能晚于今天（外出后再登记）")
    if data.started_on < member.joined_on:
        errors.add("started_on", f"外出日期早于{member.name}的入党日期 {member.joined_on}")
    if data.phone:
        try:
            data.phone = idnumber.normalize_phone(data.phone)
        except idnumber.InvalidNumber as exc:
            errors.add("phone", str(exc))
    if data.host_org is not None and data.host_name:
        errors.add("host_name", "流入地党组织在平台内时不填写名称（二者选一）")
    if len(data.host_name) > PLACE_MAX:
        errors.add("host_name", f"流入地党组织名称最长 {PLACE_MAX} 个字")
    if data.host_org is not None:
        if data.host_org.pk == member.org_id:
            errors.add("host_org", "流入地党组织不能是党员所在的党支部")
        elif data.host_org.org_type not in HOST_TYPES:
            errors.add(
                "host_org", f"{data.host_org.name}是{data.host_org.org_type}，不能接收流动党员"
            )
    _card_errors(
        errors, data.card_no, data.card_issued_on, data.card_valid_to, data.started_on, today
    )
    return errors


def _overlap(member: Member, started_on: dt.date, exclude: int | None = None) -> Outflow | None:
    """An outflow of ``member`` that is still open or ends after ``started_on``."""
    qs = Outflow.objects.filter(member=member)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    for item in qs.order_by("started_on"):
        if item.returned_on is None or item.returned_on > started_on:
            return item
    return None


def _locked(member: Member) -> Member:
    """The member row, locked: two outflows (or two lost-contact records) of one member written
    at once are decided one after the other."""
    return Member.objects.select_for_update().select_related("org").get(pk=member.pk)


@transaction.atomic
def outflow_start(
    *, actor: Actor, member: Member, data: OutflowInput, today: dt.date | None = None
) -> Outflow:
    """Record that ``member`` works away (外出流动); he stays on his branch's roll."""
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    member = _locked(member)
    errors = _outflow_errors(member, data, _today(today))
    left = left_as(member)
    if left:
        errors.add("member", f"{member.name}已不在党员名册上（{left}），不能登记外出")
    if not errors:
        other = _overlap(member, data.started_on)
        if other is not None:
            if other.returned_on is None:
                errors.add(
                    "started_on",
                    f"{member.name}已有未返回的外出登记（{other.started_on} 起，{other.place}），"
                    "请先登记返回",
                )
            else:
                errors.add(
                    "started_on",
                    f"与{member.name}的另一次外出（{other.started_on} 至 {other.returned_on}）"
                    "时间重叠",
                )
    errors.raise_if_any()
    outflow = Outflow.objects.create(
        member=member,
        region_code=data.region_code.strip(),
        place=data.place,
        employer=data.employer,
        started_on=data.started_on,
        fixed_place=data.fixed_place,
        phone_cipher=crypto.encrypt(data.phone) if data.phone else None,
        phone_masked=idnumber.mask_phone(data.phone) if data.phone else "",
        host_org=data.host_org,
        host_name=data.host_name,
        card_no=data.card_no,
        card_issued_on=data.card_issued_on if data.card_no else None,
        card_valid_to=data.card_valid_to if data.card_no else None,
        recorded_by=user_of(actor),
    )
    _audit(
        actor,
        AuditAction.MOBILE_OUTFLOW_START,
        outflow,
        member,
        after={
            "started_on": outflow.started_on,
            "region_code": outflow.region_code,
            "place": outflow.place,
            "fixed_place": outflow.fixed_place,
            "host": outflow.host_label,
            "phone": outflow.phone_masked,
        },
    )
    return outflow


@transaction.atomic
def outflow_card_issue(
    *,
    actor: Actor,
    outflow: Outflow,
    card_no: str,
    issued_on: dt.date | None,
    valid_to: dt.date | None,
    today: dt.date | None = None,
) -> Outflow:
    """Record (or replace) the 流动党员活动证 of an open outflow."""
    member = outflow.member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    errors = FieldErrors()
    card_no = (card_no or "").strip()
    if not card_no:
        errors.add("card_no", "请填写流动党员活动证编号")
    if outflow.returned_on is not None:
        errors.add("card_no", f"该次外出已于 {outflow.returned_on} 返回，不能再发放活动证")
    _card_errors(errors, card_no, issued_on, valid_to, outflow.started_on, _today(today))
    errors.raise_if_any()
    before = {"card_no": outflow.card_no, "card_valid_to": outflow.card_valid_to}
    outflow.card_no, outflow.card_issued_on, outflow.card_valid_to = card_no, issued_on, valid_to
    outflow.save(update_fields=["card_no", "card_issued_on", "card_valid_to"])
    _audit(
        actor,
        AuditAction.MOBILE_OUTFLOW_CARD,
        outflow,
        member,
        before=before,
        after={"card_no": card_no, "card_issued_on": issued_on, "card_valid_to": valid_to},
    )
    return outflow


@transaction.atomic
def outflow_return(
    *, actor: Actor, outflow: Outflow, returned_on: dt.date, today: dt.date | None = None
) -> Outflow:
    """Record the member's return: the outflow is closed on ``returned_on``."""
    member = outflow.member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    errors = FieldErrors()
    if outflow.returned_on is not None:
        errors.add("returned_on", f"该次外出已登记于 {outflow.returned_on} 返回")
    elif returned_on < outflow.started_on:
        errors.add("returned_on", f"返回日期早于外出日期 {outflow.started_on}")
    if returned_on > _today(today):
        errors.add("returned_on", "返回日期不能晚于今天")
    last = outflow.activities.order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None and returned_on < last:
        errors.add("returned_on", f"返回日期早于在流入地参加活动的日期 {last}")
    errors.raise_if_any()
    outflow.returned_on = returned_on
    outflow.save(update_fields=["returned_on"])
    _audit(
        actor,
        AuditAction.MOBILE_OUTFLOW_RETURN,
        outflow,
        member,
        after={"returned_on": returned_on},
    )
    return outflow


def may_record_activity(actor: Actor, outflow: Outflow) -> bool:
    """The host organization or the home branch (``MEMBER_CHANGE``)."""
    if covers(actor, Perm.MEMBER_CHANGE, outflow.member.org.path):
        return True
    return outflow.host_org is not None and covers(actor, Perm.MEMBER_CHANGE, outflow.host_org.path)


@transaction.atomic
def host_activity_record(
    *,
    actor: Actor,
    outflow: Outflow,
    held_on: dt.date,
    subject: str,
    today: dt.date | None = None,
) -> HostActivity:
    """Record that the mobile member took part in an activity where he is."""
    if not may_record_activity(actor, outflow):
        raise PermissionDenied("您的角色没有“维护党员信息”的权限，或该党员不在您的管辖范围内")
    errors = FieldErrors()
    subject = (subject or "").strip()
    if not subject:
        errors.add("subject", "请填写活动内容")
    elif len(subject) > PLACE_MAX:
        errors.add("subject", f"活动内容最长 {PLACE_MAX} 个字")
    if held_on < outflow.started_on:
        errors.add("held_on", f"活动日期早于外出日期 {outflow.started_on}")
    if outflow.returned_on is not None and held_on > outflow.returned_on:
        errors.add("held_on", f"活动日期晚于返回日期 {outflow.returned_on}")
    if held_on > _today(today):
        errors.add("held_on", "活动日期不能晚于今天")
    errors.raise_if_any()
    item = HostActivity.objects.create(
        outflow=outflow, held_on=held_on, subject=subject, recorded_by=user_of(actor)
    )
    _audit(
        actor,
        AuditAction.MOBILE_ACTIVITY_RECORD,
        outflow,
        outflow.member,
        after={"held_on": held_on, "activity": subject},
    )
    return item


# --- 失联党员 --------------------------------------------------------------------------------


@transaction.atomic
def lost_contact_record(
    *,
    actor: Actor,
    member: Member,
    since: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> LostContact:
    """Record that the branch cannot reach ``member`` since ``since``."""
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    member = _locked(member)
    errors = FieldErrors()
    note = (note or "").strip()
    if since > _today(today):
        errors.add("since", "失去联系日期不能晚于今天")
    if since < member.joined_on:
        errors.add("since", f"失去联系日期早于{member.name}的入党日期 {member.joined_on}")
    if len(note) > NOTE_MAX:
        errors.add("note", f"情况说明最长 {NOTE_MAX} 个字")
    left = left_as(member)
    if left:
        errors.add("member", f"{member.name}已不在党员名册上（{left}）")
    open_ = LostContact.objects.filter(member=member, found_on__isnull=True).first()
    if open_ is not None:
        errors.add("member", f"{member.name}已登记为失联党员（自 {open_.since} 起），不能重复登记")
    else:
        later = (
            LostContact.objects.filter(member=member, found_on__gt=since).order_by("since").first()
        )
        if later is not None:
            errors.add(
                "since",
                f"与{member.name}此前的失联登记（{later.since} 至 {later.found_on}）时间重叠",
            )
    errors.raise_if_any()
    lost = LostContact.objects.create(
        member=member, since=since, note=note, recorded_by=user_of(actor)
    )
    _audit(actor, AuditAction.MOBILE_LOST_RECORD, lost, member, after={"since": since})
    return lost


@transaction.atomic
def search_step_add(
    *,
    actor: Actor,
    lost: LostContact,
    done_on: dt.date,
    how: str,
    done_by: str,
    today: dt.date | None = None,
) -> SearchStep:
    """Record one attempt to find the member (date, how and with what result, who)."""
    member = lost.member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = FieldErrors()
    how, done_by = (how or "").strip(), (done_by or "").strip()
    if not how:
        errors.add("how", "请填写查找方式及结果")
    elif len(how) > NOTE_MAX:
        errors.add("how", f"查找方式及结果最长 {NOTE_MAX} 个字")
    if not done_by:
        errors.add("done_by", "请填写查找人")
    elif len(done_by) > 50:
        errors.add("done_by", "查找人最长 50 个字")
    if done_on < lost.since:
        errors.add("done_on", f"查找日期早于失去联系日期 {lost.since}")
    if lost.found_on is not None and done_on > lost.found_on:
        errors.add("done_on", f"查找日期晚于恢复联系日期 {lost.found_on}")
    if done_on > _today(today):
        errors.add("done_on", "查找日期不能晚于今天")
    errors.raise_if_any()
    step = SearchStep.objects.create(lost=lost, done_on=done_on, how=how, done_by=done_by)
    _audit(
        actor,
        AuditAction.MOBILE_LOST_STEP,
        lost,
        member,
        after={"done_on": done_on, "how": how, "done_by": done_by},
    )
    return step


@transaction.atomic
def lost_contact_found(
    *,
    actor: Actor,
    lost: LostContact,
    found_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> LostContact:
    """Record that the branch has reached the member again on ``found_on``. A 停止党籍 decided
    meanwhile stays until the branch decides to restore it (a decision of its own)."""
    member = lost.member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    lost = LostContact.objects.select_for_update().get(pk=lost.pk)
    errors = FieldErrors()
    note = (note or "").strip()
    if lost.found_on is not None:
        errors.add("found_on", f"已于 {lost.found_on} 登记恢复联系")
    elif found_on < lost.since:
        errors.add("found_on", f"恢复联系日期早于失去联系日期 {lost.since}")
    if found_on > _today(today):
        errors.add("found_on", "恢复联系日期不能晚于今天")
    if len(note) > NOTE_MAX:
        errors.add("found_note", f"恢复联系情况最长 {NOTE_MAX} 个字")
    errors.raise_if_any()
    lost.found_on, lost.found_note = found_on, note
    lost.save(update_fields=["found_on", "found_note"])
    _audit(actor, AuditAction.MOBILE_LOST_FOUND, lost, member, after={"found_on": found_on})
    return lost


def suspension_of(lost: LostContact) -> MemberStatus | None:
    """The 停止党籍 of the member decided on or after the day he was lost, if any."""
    return (
        MemberStatus.objects.filter(
            member_id=lost.member_id, kind=StatusKind.SUSPENDED, started_on__gte=lost.since
        )
        .order_by("started_on")
        .first()
    )


@dataclass
class DecisionInput:
    """What the branch decided on a lost member (REL-LOST-CONTACT)."""

    kind: str  # 停止党籍 | 除名
    started_on: dt.date
    decided_by: str
    decision_no: str = ""


def lost_decision_due(lost: LostContact, kind: str, on: dt.date | None = None) -> dt.date | None:
    """From which day the branch is prompted to decide ``kind`` (None: not yet possible, a
    除名 before a 停止党籍)."""
    params = params_on(LOST_CONTACT.id, on)
    if kind == StatusKind.SUSPENDED:
        return suspend_due_on(lost.since, params)
    suspended = suspension_of(lost)
    return remove_due_on(suspended.started_on, params) if suspended else None


@transaction.atomic
def lost_contact_decide(
    *, actor: Actor, lost: LostContact, data: DecisionInput, today: dt.date | None = None
) -> MemberStatus:
    """Record the standing the branch decided on a lost member, through ``member_status_record``
    (the one write path of standings). Refused when the member was found again, or before the
    day REL-LOST-CONTACT prompts for it."""
    member = lost.member
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = FieldErrors()
    if data.kind not in DECISIONS:
        errors.add("kind", "应为“停止党籍”或“除名”")
        errors.raise_if_any()
    if lost.found_on is not None and lost.found_on <= data.started_on:
        errors.add("kind", f"{member.name}已于 {lost.found_on} 恢复联系，不能据失联作出处理")
    if data.kind == StatusKind.SUSPENDED and suspension_of(lost) is not None:
        errors.add("kind", f"{member.name}已停止党籍")
    params = params_on(LOST_CONTACT.id, data.started_on)
    months, years = params["suspend_after_months"], params["remove_after_years"]
    due = lost_decision_due(lost, data.kind, data.started_on)
    if due is None:
        errors.add("kind", f"失联党员须先停止党籍，停止党籍满 {years} 年后方可除名")
    elif data.started_on < due:
        what = (
            f"失去联系满 {months} 个月"
            if data.kind == StatusKind.SUSPENDED
            else f"停止党籍满 {years} 年"
        )
        errors.add("started_on", f"{what}之日为 {due}，决定日期不能早于该日")
    errors.raise_if_any()
    reason = f"与党组织失去联系（自 {lost.since} 起）"
    if data.kind == StatusKind.REMOVED:
        reason = (
            f"停止党籍 {years} 年后仍无法取得联系，按自行脱党予以除名（自 {lost.since} 起失联）"
        )
    return member_status_record(
        actor=actor,
        member=member,
        data=StatusInput(
            kind=data.kind,
            started_on=data.started_on,
            decided_by=data.decided_by,
            decision_no=data.decision_no,
            reason=reason,
        ),
        today=today,
    )
