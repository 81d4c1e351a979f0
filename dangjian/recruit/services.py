"""The write path for recruitment: validate → write → audit, in one transaction, scoped.

Stable interface (the web pages call these; changes are additive only). Every function takes the
acting user as ``actor`` (keyword) and raises ``PermissionDenied`` when the actor's scope does not
cover the case's branch, or ``ValidationError`` (a dict of field → Chinese messages) for input that
is not a true record (a date that is not a date or lies in the future, numbers that contradict
each other, a case already closed). Procedural mistakes — a step too early, a vote without a
majority, an approval after the deadline — are *not* refused: they are saved, audited and show
up as findings of the checker (:func:`dangjian.recruit.selectors.case_findings`).

- :func:`open_case` (``CaseInput``) → :class:`RecruitCase`, with step 1 (the application) recorded.
- :func:`update_case` (``CaseUpdate``): applicant data, political review (result, date, body
  only), training hours, expected leaving date, priority group.
- :func:`set_approver`: the approving 基层党委; refused when it has no authority
  (:func:`dangjian.recruit.authority.approver_problem`).
- :func:`record_step` (``StepInput``): record or correct one step (number 1–25). Steps 4, 8, 13,
  16, 17, 18 and 24 belong to the upper committee (``Perm.RECRUIT_APPROVE``), the others to the
  branch (``Perm.RECRUIT_RECORD``). Steps 13, 17 and 24 carry a decision (use :func:`decide`).
- :func:`decide`: the upper committee's pre-review (13), admission approval (17) or conversion
  (24) decision in one call, with the roll effects:
  17 approved → a probationary member on the branch roll, ``joined_on`` = the branch vote
  (step 15); 24 approved → full member, ``confirmed_on`` = end of probation (1 year after the
  vote, plus any extension); 24 extended → ``probation_extension_months`` set and steps 22–24 are
  recorded again in round 2; 24 cancelled → the probationary member is taken off the roll
  (取消预备党员资格: the person is no longer a party member); 13/17 rejected → not admitted.
- :func:`record_notice`, :func:`record_review`, :func:`withdraw_case`, :func:`set_plan`.
- :func:`approval_extend`: the upper committee's approved extension of the approval period of
  step 17 or 24 (special cases, at most ``max_months`` — 6 — in all from the vote), with the
  reason and the approving body (``Perm.RECRUIT_APPROVE``).
- :func:`case_purge_numbers` / :func:`purge_expired_numbers`: the ID and phone numbers of an
  applicant who was not admitted or withdrew are deleted once the retention period
  (:func:`dangjian.recruit.config.retention_years`, default 2 years from the end of the case)
  has passed; one audit entry per case, masked numbers only.
- :func:`attachment_add` / :func:`attachment_delete`: documents of the case (JPEG, PNG or PDF,
  checked by their first bytes, at most :data:`ATTACHMENT_MAX_BYTES` each and
  :data:`ATTACHMENTS_PER_CASE` per case), optionally of one step; ``Perm.RECRUIT_RECORD`` on the
  branch; audited with name, size and SHA-256. Downloads (:func:`attachment_read`) need
  ``Perm.MEMBER_VIEW_PII`` on the branch as well and are audited too. Documents may be added to
  a closed case (the archive is completed after the decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.core import attachments, crypto, idnumber, uploads
from dangjian.core.attachments import AttachmentPolicy
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.dates import add_years
from dangjian.members.choices import Category, MemberType
from dangjian.members.models import Member
from dangjian.members.selectors import standings_on, voters_on
from dangjian.members.services import (
    ID_NUMBER_REFUSED,
    MemberInput,
    audit_id_number_refused,
    id_number_holder,
    id_number_taken,
    member_admit,
    member_cancel_probation,
    member_convert,
    member_redate,
)
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

from . import config, rules
from .authority import approver_problem
from .case import APPROVAL_STEPS, STEPS
from .models import (
    ActivistReview,
    ApprovalExtension,
    CaseStatus,
    Decision,
    NoticeKind,
    PoliticalReview,
    PriorityGroup,
    RecruitAttachment,
    RecruitCase,
    RecruitNotice,
    RecruitPlan,
    RecruitPlanQuota,
    RecruitStep,
)
from .rollups import case_changed

#: steps recorded by the upper committee (filing, pre-review, talk, approval, conversion)
APPROVER_STEPS = frozenset({4, 8, 13, 16, 17, 18, 24})
#: steps that carry a decision, and the decisions each allows
DECISION_STEPS: dict[int, tuple[str, ...]] = {
    13: (Decision.APPROVED, Decision.REJECTED),
    17: (Decision.APPROVED, Decision.REJECTED),
    24: (Decision.APPROVED, Decision.EXTENDED, Decision.CANCELLED),
}
#: steps with a vote of the branch general meeting
VOTE_STEPS = frozenset({15, 23})
#: steps recorded again (round 2) after the probation was extended
CONVERSION_STEPS = frozenset({22, 23, 24})
#: statuses in which no more steps are recorded
CLOSED = frozenset({CaseStatus.NOT_ADMITTED, CaseStatus.WITHDRAWN, CaseStatus.PROBATION_CANCELLED})


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- cases -----------------------------------------------------------------------------------


@dataclass
class CaseInput:
    """A new case: the applicant and the application (step 1) date."""

    org: Organization
    name: str
    id_number: str
    applied_on: dt.date
    phone: str = ""
    category: str = ""
    priority_group: str = PriorityGroup.OTHER
    expected_leaving_on: dt.date | None = None
    note: str = ""


@dataclass
class CaseUpdate:
    """Editable fields of a case; ``None`` leaves a field unchanged."""

    name: str | None = None
    phone: str | None = None
    category: str | None = None
    priority_group: str | None = None
    expected_leaving_on: dt.date | None = None
    clear_expected_leaving: bool = False
    political_review: str | None = None
    political_review_on: dt.date | None = None
    political_review_body: str | None = None
    training_hours: Decimal | float | int | None = None


def case_snapshot(case: RecruitCase) -> dict[str, Any]:
    """The audited state of a case: masked numbers only."""
    return {
        "case_no": case.case_no,
        "org": case.org.code,
        "name": case.name,
        "gender": case.gender,
        "birth_date": case.birth_date,
        "id_number": case.id_number_masked,
        "phone": case.phone_masked,
        "category": case.category,
        "priority_group": case.priority_group,
        "approver": case.approver.code if case.approver else None,
        "expected_leaving_on": case.expected_leaving_on,
        "political_review": case.political_review,
        "political_review_on": case.political_review_on,
        "political_review_body": case.political_review_body,
        "training_hours": str(case.training_hours) if case.training_hours is not None else None,
        "probation_extension_months": case.probation_extension_months,
        "status": case.status,
        "ended_on": case.ended_on,
        "member": case.member_id,
    }


def _case_subject(case: RecruitCase) -> AuditSubject:
    return AuditSubject("recruit_case", case, case.org.path)


def _audit_case(actor: Actor, action: AuditAction, case: RecruitCase, **kw: Any) -> None:
    audit_about(actor, action, _case_subject(case), **kw)


def _set_phone(case: RecruitCase, phone: str) -> None:
    if phone:
        case.phone_cipher = crypto.encrypt(phone)
        case.phone_digest = crypto.digest(phone)
        case.phone_masked = idnumber.mask_phone(phone)
    else:
        case.phone_cipher, case.phone_digest, case.phone_masked = None, "", ""


def open_case(*, actor: Actor, data: CaseInput, today: dt.date | None = None) -> RecruitCase:
    """Open a case at a branch when an application arrives; records step 1 on ``applied_on``.
    An ID number held outside the actor's scope is refused without saying by whom, and the
    attempt is audited (``members.services.ID_NUMBER_REFUSED``)."""
    refused: list[Any] = []
    try:
        return _open_case(actor, data, today, refused)
    except ValidationError:
        if refused:
            audit_id_number_refused(
                actor,
                [(refused[0], data.org)],
                via="新建发展党员案例",
                holder_type="member" if isinstance(refused[0], Member) else "recruit_case",
            )
        raise


@transaction.atomic
def _open_case(
    actor: Actor, data: CaseInput, today: dt.date | None, refused: list[Any]
) -> RecruitCase:
    require(actor, Perm.RECRUIT_RECORD, data.org.path)
    today = _today(today)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = (data.name or "").strip()
    if not name:
        add("name", "姓名不能为空")
    elif len(name) > 50:
        add("name", "姓名过长（最多 50 字）")
    number = ""
    try:
        number = idnumber.validate_id(data.id_number)
    except idnumber.InvalidNumber as exc:
        add("id_number", str(exc))
    phone = ""
    if data.phone:
        try:
            phone = idnumber.normalize_phone(data.phone)
        except idnumber.InvalidNumber as exc:
            add("phone", str(exc))
    if data.org.org_type == OrgType.TEMP_BRANCH:
        add(
            "org",
            f"{data.org.name}是临时党支部，临时党支部不发展党员；"
            "请在申请人组织关系或工作、学习所在单位的党支部登记入党申请",
        )
    elif data.org.org_type not in BRANCH_TYPES:
        add("org", f"{data.org.name}是{data.org.org_type}，发展党员案例应建在党支部")
    if data.category and data.category not in Category.values:
        add("category", f"人员类别“{data.category}”无效，应为：{'、'.join(Category.values)}")
    if data.priority_group not in PriorityGroup.values:
        add("priority_group", f"重点群体应为：{'、'.join(PriorityGroup.values)}")
    if not isinstance(data.applied_on, dt.date):
        add("applied_on", "申请日期应为日期")
    elif data.applied_on > today:
        add("applied_on", "递交申请书日期不能晚于今天")
    if number and "id_number" not in errors:
        born = idnumber.birth_date(number)
        applied = data.applied_on if isinstance(data.applied_on, dt.date) else today
        if born > applied:
            add("applied_on", "申请日期早于出生日期")
        else:
            years = minimum_age(applied)
            turns = add_years(born, years)
            if applied < turns:
                add(
                    "id_number",
                    f"{name or '申请人'}出生于 {born.isoformat()}，递交入党申请书时"
                    f"（{applied.isoformat()}）未满 {years} 周岁（{turns.isoformat()} 年满），"
                    f"不能申请入党（党章第一条：年满十八岁）",
                )
        digest = crypto.digest(number)
        other = (
            RecruitCase.objects.select_related("org")
            .filter(id_number_digest=digest, status__in=[CaseStatus.OPEN, CaseStatus.ADMITTED])
            .first()
        )
        holder = id_number_holder(digest)
        if other is not None and covers(actor, Perm.RECRUIT_VIEW, other.org.path):
            add("id_number", f"该申请人已有进行中的发展党员案例（{other.case_no}）")
        elif holder is not None and id_number_taken(actor, holder) != ID_NUMBER_REFUSED:
            add("id_number", id_number_taken(actor, holder))
        elif other is not None or holder is not None:  # held elsewhere: not said by whom
            add("id_number", ID_NUMBER_REFUSED)
            refused.append(holder or other)
    _fail(errors)
    case = RecruitCase(
        case_no=f"TMP-{crypto.digest(number + str(dt.datetime.now()))[:20]}",
        org=data.org,
        name=name,
        gender=idnumber.gender(number),
        birth_date=idnumber.birth_date(number),
        id_number_cipher=crypto.encrypt(number),
        id_number_digest=crypto.digest(number),
        id_number_masked=idnumber.mask_id(number),
        category=data.category,
        priority_group=data.priority_group,
        expected_leaving_on=data.expected_leaving_on,
        created_by=user_of(actor),
    )
    _set_phone(case, phone)
    case.save()
    case.case_no = f"R{data.applied_on.year}-{case.pk:06d}"
    case.save(update_fields=["case_no"])
    _audit_case(actor, AuditAction.RECRUIT_CASE_OPEN, case, after=case_snapshot(case))
    _write_step(actor, case, StepInput(number=1, done_on=data.applied_on, note=data.note), today)
    case_changed(case.pk)
    return case


def _user(actor: Actor) -> Any:
    return user_of(actor)


def minimum_age(on: dt.date) -> int:
    """The age an applicant must have reached on the application date (RECRUIT-AGE-18 in force
    on that day; 18 even when a local configuration switches the rule off for files)."""
    return int(rules.params_in_force("RECRUIT-AGE-18", on)["years"])


@transaction.atomic
def update_case(
    *, actor: Actor, case: RecruitCase, data: CaseUpdate, today: dt.date | None = None
) -> RecruitCase:
    """Change the applicant data, political review, training hours or leaving date."""
    case = _locked(actor, case)
    today = _today(today)
    errors: dict[str, list[str]] = {}
    before = case_snapshot(case)
    if data.name is not None:
        if not data.name.strip():
            errors.setdefault("name", []).append("姓名不能为空")
        case.name = data.name.strip()[:50]
    if data.phone is not None and data.phone and case.numbers_purged_at is not None:
        errors.setdefault("phone", []).append(
            "该案例的个人号码已按保存期限删除，不能再登记联系电话"
        )
    elif data.phone is not None:
        try:
            _set_phone(case, idnumber.normalize_phone(data.phone) if data.phone else "")
        except idnumber.InvalidNumber as exc:
            errors.setdefault("phone", []).append(str(exc))
    if data.category is not None:
        if data.category and data.category not in Category.values:
            errors.setdefault("category", []).append(f"人员类别“{data.category}”无效")
        case.category = data.category
    if data.priority_group is not None:
        if data.priority_group not in PriorityGroup.values:
            errors.setdefault("priority_group", []).append(
                f"重点群体应为：{'、'.join(PriorityGroup.values)}"
            )
        case.priority_group = data.priority_group
    if data.clear_expected_leaving:
        case.expected_leaving_on = None
    elif data.expected_leaving_on is not None:
        case.expected_leaving_on = data.expected_leaving_on
    if data.political_review is not None:
        if data.political_review not in PoliticalReview.values:
            errors.setdefault("political_review", []).append("政治审查结论应为合格、不合格或未进行")
        case.political_review = data.political_review
    if data.political_review_on is not None:
        if data.political_review_on > today:
            errors.setdefault("political_review_on", []).append("政治审查日期不能晚于今天")
        case.political_review_on = data.political_review_on
    if data.political_review_body is not None:
        case.political_review_body = data.political_review_body.strip()[:100]
    if case.political_review != PoliticalReview.NONE and case.political_review_on is None:
        errors.setdefault("political_review_on", []).append("请填写政治审查日期")
    if data.training_hours is not None:
        try:
            hours = Decimal(str(data.training_hours))
        except InvalidOperation:
            hours = Decimal(-1)
        if hours < 0 or hours >= 10000:
            errors.setdefault("training_hours", []).append("集中培训学时应为 0–9999 的数")
        else:
            case.training_hours = hours.quantize(Decimal("0.1"))
    _fail(errors)
    case.save()
    after = case_snapshot(case)
    if after != before:
        _audit_case(actor, AuditAction.RECRUIT_CASE_UPDATE, case, before=before, after=after)
    case_changed(case.pk)
    return case


def _locked(actor: Actor, case: RecruitCase, perm: Perm = Perm.RECRUIT_RECORD) -> RecruitCase:
    """``case`` read again and locked for a change, which needs ``perm`` at its branch."""
    case = (
        RecruitCase.objects.select_for_update(of=("self",))
        .select_related("org", "approver", "member")
        .get(pk=case.pk)
    )
    require(actor, perm, case.org.path)
    return case


@transaction.atomic
def set_approver(*, actor: Actor, case: RecruitCase, approver: Organization) -> RecruitCase:
    """Name the approving 基层党委; refused (Chinese message) when it has no authority or is not
    above the case's branch."""
    case = _locked(actor, case)
    if not case.org.path.startswith(approver.path) or approver.pk == case.org.pk:
        _fail({"approver": [f"{approver.name}不是{case.org.name}的上级党组织"]})
    problem = approver_problem(approver)
    if problem:
        _fail({"approver": [problem]})
    before = case_snapshot(case)
    case.approver = approver
    case.save(update_fields=["approver", "updated_at"])
    _audit_case(
        actor, AuditAction.RECRUIT_CASE_APPROVER, case, before=before, after=case_snapshot(case)
    )
    case_changed(case.pk)
    return case


@transaction.atomic
def withdraw_case(
    *, actor: Actor, case: RecruitCase, on: dt.date, reason: str = "", today: dt.date | None = None
) -> RecruitCase:
    """End an open case (the applicant withdraws, moves away, or the branch stops it)."""
    case = _locked(actor, case)
    if case.status != CaseStatus.OPEN:
        _fail({"status": [f"案例状态为“{case.get_status_display()}”，不能终止"]})
    if on > _today(today):
        _fail({"on": ["终止日期不能晚于今天"]})
    applied = case.steps.filter(number=1).values_list("done_on", flat=True).first()
    if applied is not None and on < applied:
        _fail({"on": [f"终止日期早于递交入党申请书的日期（{applied.isoformat()}）"]})
    before = case_snapshot(case)
    case.status = CaseStatus.WITHDRAWN
    case.ended_on = on
    case.save(update_fields=["status", "ended_on", "updated_at"])
    after = case_snapshot(case) | {"withdrawn_on": on, "reason": reason[:200]}
    _audit_case(actor, AuditAction.RECRUIT_CASE_WITHDRAW, case, before=before, after=after)
    case_changed(case.pk)
    return case


# --- steps -----------------------------------------------------------------------------------


@dataclass
class VoteInput:
    """A vote of the branch general meeting (steps 15 and 23)."""

    entitled: int
    present: int
    yes: int
    written_opinions: int = 0


@dataclass
class StepInput:
    """One step. ``contacts`` (step 5) and ``introducers`` (step 9) are members on the roll;
    their status on the day is kept as a snapshot."""

    number: int
    done_on: dt.date
    note: str = ""
    talker: str = ""
    contacts: list[Member] = field(default_factory=list)
    introducers: list[Member] = field(default_factory=list)
    vote: VoteInput | None = None
    decision: str = ""
    extension_months: int | None = None


def step_round(case: RecruitCase, number: int) -> int:
    """The round a step is recorded in: 2 for steps 22–24 after an extended probation."""
    if number not in CONVERSION_STEPS or case.probation_extension_months == 0:
        return 1
    extended = case.steps.filter(number=24, round=1, details__decision=Decision.EXTENDED).exists()
    return 2 if extended else 1


def _member_refs(people: list[Member], day: dt.date) -> list[dict[str, Any]]:
    """Contacts or introducers with their standing on the day of the step (one query): ``full``,
    ``probationary``, ``probation_watch`` (留党察看 or 停止党籍 on that day), or ``not_member``
    (not yet, or no longer, a party member that day)."""
    standings = standings_on(people, day)
    refs = []
    for member in people:
        standing = standings[member.pk]
        status = standing.introducer_status if standing.on_roll else "not_member"
        refs.append({"member": member.pk, "name": member.name, "status": status})
    return refs


def roll_voters(case: RecruitCase, day: dt.date) -> int:
    """Members of the case's branch with voting rights on ``day`` (应到会有表决权的正式党员: full
    members, not under 留党察看 or 停止党籍), from the roll and the recorded standings."""
    return len(voters_on(case.org, day))


def vote_roll_warning(case: RecruitCase, day: dt.date, entitled: int) -> str | None:
    """A Chinese warning when the entered 应到 differs from the roll on the vote date."""
    on_roll = roll_voters(case, day)
    if entitled == on_roll:
        return None
    return (
        f"填写的应到会有表决权人数为 {entitled} 人，而{case.org.name}名册中 {day.isoformat()} "
        f"有表决权的正式党员为 {on_roll} 人（不含预备党员和留党察看、停止党籍期间的党员），"
        "请核对"
    )


def _validate_step(case: RecruitCase, data: StepInput, today: dt.date) -> dict[str, Any]:
    """Refuse what cannot be a true record; return the step's ``details``."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    details: dict[str, Any] = {}
    if not isinstance(data.number, int) or data.number not in STEPS:
        add("number", "步骤号应为 1–25")
        _fail(errors)
    if not isinstance(data.done_on, dt.date):
        add("done_on", "日期无效")
    elif data.done_on > today:
        add("done_on", f"日期 {data.done_on.isoformat()} 晚于今天，只能记录已完成的步骤")
    elif data.done_on < case.birth_date:
        add("done_on", "日期早于申请人出生日期")
    if case.status in CLOSED:
        add("number", f"案例状态为“{case.get_status_display()}”，不能再记录步骤")
    if data.talker:
        details["talker"] = data.talker.strip()[:50]
    day = data.done_on if isinstance(data.done_on, dt.date) else today
    if data.contacts:
        details["contacts"] = _member_refs(list(data.contacts), day)
    if data.introducers:
        details["introducers"] = _member_refs(list(data.introducers), day)
    if data.vote is not None:
        v = data.vote
        numbers = (v.entitled, v.present, v.yes, v.written_opinions)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in numbers):
            add("vote", "表决人数应为非负整数")
        elif v.entitled == 0:
            add("vote", "应到有表决权人数不能为 0")
        elif v.present > v.entitled:
            add("vote", "实到人数多于应到人数")
        elif v.yes > v.present + v.written_opinions:
            add("vote", "赞成票多于实到人数与书面意见之和")
        elif v.present + v.written_opinions > v.entitled:
            add("vote", "实到人数与书面意见之和多于应到人数")
        else:
            details["vote"] = {
                "entitled": v.entitled,
                "present": v.present,
                "yes": v.yes,
                "written_opinions": v.written_opinions,
                # what the roll said on the vote date, kept with the record
                "roll_entitled": roll_voters(case, day),
            }
    if data.number in DECISION_STEPS:
        allowed = DECISION_STEPS[data.number]
        if data.decision not in allowed:
            labels = "、".join(Decision(d).label for d in allowed)
            add("decision", f"第 {data.number} 步须选择审批结论：{labels}")
        else:
            details["decision"] = data.decision
        if data.decision == Decision.EXTENDED:
            months = data.extension_months
            if isinstance(months, bool) or not isinstance(months, int) or months < 1:
                add("extension_months", "请填写延长预备期的月数")
            elif case.probation_extension_months:
                add("decision", "预备期只能延长一次")
            else:
                details["extension_months"] = months
    elif data.decision:
        add("decision", f"第 {data.number} 步没有审批结论")
    needs_vote = data.decision in (Decision.APPROVED, Decision.EXTENDED)
    if data.number in (17, 24) and needs_vote and not case.steps.filter(number=15).exists():
        add("number", "请先记录第 15 步（支部大会讨论接收）的日期：入党日期以其为准")
    if data.number == 24 and case.status not in (CaseStatus.ADMITTED, CaseStatus.CONVERTED):
        add("number", "案例尚未接收为预备党员，不能审批转正")
    _fail(errors)
    return details


def _findings_now(case: RecruitCase, today: dt.date) -> list[str]:
    """The rule ids of the case's procedural findings (errors and warnings) right after a
    change: the checker runs on every recorded step and what it finds goes into the audit
    entry (a mistake is saved, shown and audited, never refused or hidden)."""
    from .adapter import prefetched, to_case

    fresh = prefetched(RecruitCase.objects.filter(pk=case.pk)).get()
    report = config.check([to_case(fresh)], today)
    return sorted({f.rule for f in report.findings if f.severity in ("error", "warning")})


def _step_snapshot(step: RecruitStep) -> dict[str, Any]:
    return {
        "number": step.number,
        "round": step.round,
        "done_on": step.done_on,
        "note": step.note[:500],
        "details": step.details,
        "late": step.late,
    }


def _write_step(actor: Actor, case: RecruitCase, data: StepInput, today: dt.date) -> RecruitStep:
    details = _validate_step(case, data, today)
    rnd = step_round(case, data.number)
    step = (
        RecruitStep.objects.select_for_update()
        .filter(case=case, number=data.number, round=rnd)
        .first()
    )
    before = _step_snapshot(step) if step else None
    if step is None:
        step = RecruitStep(case=case, number=data.number, round=rnd, recorded_by=user_of(actor))
    earlier = before["details"].get("decision") if before else None
    if data.number in (17, 24) and earlier and earlier != details.get("decision"):
        _fail({"decision": ["审批结论已记录，不能更改；如有错误请联系上级组织部门"]})
    step.done_on = data.done_on
    step.note = data.note.strip()
    step.details = details
    step.late = (today - data.done_on).days > config.late_days()
    step.save()
    audit_about(
        actor,
        AuditAction.RECRUIT_STEP_UPDATE if before else AuditAction.RECRUIT_STEP_RECORD,
        AuditSubject(
            "recruit_step",
            step,
            case.org.path,
            f"{case.case_no} 第{step.number}步 {STEPS[step.number]}",
        ),
        before=before,
        after={**_step_snapshot(step), "findings": _findings_now(case, today)},
    )
    if before is None or before["details"].get("decision") != details.get("decision"):
        _apply_decision(actor, case, step, today)
    elif step.number == 15 and before["done_on"] != step.done_on and case.member_id:
        _redate_member(actor, case)
    return step


def _redate_member(actor: Actor, case: RecruitCase) -> None:
    """The branch vote (step 15) was corrected after admission: the roll follows it."""
    if case.member is None:
        return
    joined_on = _vote_date(case)
    member_redate(
        actor=actor,
        member=case.member,
        joined_on=joined_on,
        confirmed_on=probation_end(joined_on, case.probation_extension_months or 0),
        audit_extra={"recruit_case": case.case_no},
    )


@transaction.atomic
def record_step(
    *, actor: Actor, case: RecruitCase, data: StepInput, today: dt.date | None = None
) -> RecruitStep:
    """Record (or correct) one step of a case. Never refuses a true record: late entries are
    marked ``late``, out-of-order or too-early steps become findings."""
    perm = Perm.RECRUIT_APPROVE if data.number in APPROVER_STEPS else Perm.RECRUIT_RECORD
    case = _locked(actor, case, perm)
    step = _write_step(actor, case, data, _today(today))
    case_changed(case.pk)
    return step


@transaction.atomic
def decide(
    *,
    actor: Actor,
    case: RecruitCase,
    step: int,
    decided_on: dt.date,
    decision: str,
    note: str = "",
    extension_months: int | None = None,
    today: dt.date | None = None,
) -> RecruitStep:
    """The upper committee's decision in one call: pre-review (13), admission (17), conversion
    (24: approved, extended or cancelled). Applies the roll effects (module docstring)."""
    if step not in DECISION_STEPS:
        _fail({"number": ["只有第 13、17、24 步有审批结论"]})
    return record_step(
        actor=actor,
        case=case,
        data=StepInput(
            number=step,
            done_on=decided_on,
            note=note,
            decision=decision,
            extension_months=extension_months,
        ),
        today=today,
    )


def probation_end(vote_on: dt.date, extension_months: int | None = 0) -> dt.date:
    """End of probation (RECRUIT-PROBATION-1-YEAR in force on the vote day): the period after
    the branch vote (step 15), plus any extension."""
    params = rules.params_in_force("RECRUIT-PROBATION-1-YEAR", vote_on)
    return rules.probation_end(vote_on, extension_months, params)


def _vote_date(case: RecruitCase) -> dt.date:
    return case.steps.get(number=15, round=1).done_on


def _apply_decision(actor: Actor, case: RecruitCase, step: RecruitStep, today: dt.date) -> None:
    decision = step.details.get("decision")
    if not decision:
        return
    before = case_snapshot(case)
    if step.number in (13, 17) and decision == Decision.REJECTED:
        case.status = CaseStatus.NOT_ADMITTED
        case.ended_on = step.done_on
    elif step.number == 17 and decision == Decision.APPROVED:
        case.member = _admit(actor, case, today)
        case.status = CaseStatus.ADMITTED
    elif step.number == 24 and decision == Decision.APPROVED:
        _convert(actor, case)
        case.status = CaseStatus.CONVERTED
    elif step.number == 24 and decision == Decision.EXTENDED:
        case.probation_extension_months = int(step.details["extension_months"])
    elif step.number == 24 and decision == Decision.CANCELLED:
        _remove_from_roll(actor, case)
        case.member = None
        case.status = CaseStatus.PROBATION_CANCELLED
        case.ended_on = step.done_on
    else:
        return
    case.save()
    after = case_snapshot(case)
    _audit_case(
        actor, AuditAction(f"recruit.decision_{decision}"), case, before=before, after=after
    )


def _admit(actor: Actor, case: RecruitCase, today: dt.date) -> Member:
    """Put the applicant on the branch roll as a probationary member (joined on the vote date)."""
    data = MemberInput(
        name=case.name,
        id_number=case.id_number(),
        member_type=MemberType.PROBATIONARY,
        joined_on=_vote_date(case),
        org=case.org,
        gender=case.gender,
        birth_date=case.birth_date,
        category=case.category,
        phone=case.phone(),
    )
    return member_admit(
        actor=actor, data=data, today=today, audit_extra={"recruit_case": case.case_no}
    )


def _convert(actor: Actor, case: RecruitCase) -> None:
    """Probationary → full member, confirmed at the end of probation."""
    member = case.member
    if member is None:
        _fail({"member": ["案例没有对应的党员档案（预备党员），不能转正"]})
        return
    member_convert(
        actor=actor,
        member=member,
        confirmed_on=probation_end(member.joined_on, case.probation_extension_months or 0),
        audit_extra={"recruit_case": case.case_no},
    )


def _remove_from_roll(actor: Actor, case: RecruitCase) -> None:
    """取消预备党员资格: the person is not a party member; the record leaves the roll."""
    if case.member is None:
        return
    member_cancel_probation(
        actor=actor, member=case.member, audit_extra={"recruit_case": case.case_no}
    )


# --- approval extensions -----------------------------------------------------------------------


def approval_period(step: int, on: dt.date) -> tuple[int, int]:
    """(months, max_months) of the approval period of step 17 or 24 in force on ``on``."""
    values = rules.params_in_force(APPROVAL_STEPS[step][1], on)
    return int(values["months"]), int(values["max_months"])


_EXTENSION_FIELDS = ("step", "round", "months", "approved_on", "approved_by", "reason")


def _extension_snapshot(item: ApprovalExtension) -> dict[str, Any]:
    return {name: getattr(item, name) for name in _EXTENSION_FIELDS}


@transaction.atomic
def approval_extend(
    *,
    actor: Actor,
    case: RecruitCase,
    step: int,
    months: int,
    approved_on: dt.date,
    approved_by: str,
    reason: str,
    today: dt.date | None = None,
) -> ApprovalExtension:
    """Record (or correct) the approved extension of the approval period of step 17 (admission)
    or 24 (conversion): in special cases the upper committee may take up to ``max_months`` (6) in
    all from the branch vote. Needs ``Perm.RECRUIT_APPROVE``; refused before the vote, after the
    decision, on a closed case, beyond the maximum or without a reason. An extension decided
    after the original deadline is saved and shown by the checker (it does not move the
    deadline)."""
    case = _locked(actor, case, Perm.RECRUIT_APPROVE)
    today = _today(today)
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if step not in APPROVAL_STEPS:
        _fail(
            {"step": ["只有第 17 步（审批接收预备党员）和第 24 步（审批转正）的审批期限可以延长"]}
        )
    vote_step = APPROVAL_STEPS[step][0]
    rnd = step_round(case, step)
    vote = case.steps.filter(number=vote_step, round=rnd).first()
    if case.status in CLOSED:
        add("step", f"案例状态为“{case.get_status_display()}”，不能再延长审批期限")
    elif vote is None:
        add("step", f"请先记录第 {vote_step} 步“{STEPS[vote_step]}”：审批期限自其日期起算")
    elif case.steps.filter(number=step, round=rnd).exists():
        add("step", f"第 {step} 步“{STEPS[step]}”已有审批结论，不能再延长审批期限")
    base, most = approval_period(step, vote.done_on if vote else today)
    if isinstance(months, bool) or not isinstance(months, int) or not base < months <= most:
        add(
            "months",
            f"延长后的审批期限应多于 {base} 个月、最长 {most} 个月（自支部大会讨论之日起算）",
        )
    if not isinstance(approved_on, dt.date):
        add("approved_on", "请填写批准延长的日期")
    elif approved_on > today:
        add("approved_on", "批准日期不能晚于今天")
    elif vote is not None and approved_on < vote.done_on:
        add("approved_on", f"批准日期早于支部大会讨论的日期（{vote.done_on.isoformat()}）")
    reason = (reason or "").strip()
    if not reason:
        add("reason", "请写明需要延长审批期限的特殊情况")
    elif len(reason) > 500:
        add("reason", "特殊情况说明过长（最多 500 字）")
    approved_by = (approved_by or "").strip()
    if not approved_by:
        add("approved_by", "请填写批准延长的党委")
    elif len(approved_by) > 100:
        add("approved_by", "批准机关名称过长（最多 100 字）")
    _fail(errors)
    item = ApprovalExtension.objects.filter(case=case, step=step, round=rnd).first()
    before = _extension_snapshot(item) if item else None
    if item is None:
        item = ApprovalExtension(case=case, step=step, round=rnd, recorded_by=user_of(actor))
    item.months, item.approved_on = months, approved_on
    item.approved_by, item.reason = approved_by, reason
    item.save()
    _audit_case(
        actor,
        AuditAction.RECRUIT_APPROVAL_EXTEND,
        case,
        before=before,
        after=_extension_snapshot(item) | {"findings": _findings_now(case, today)},
    )
    case_changed(case.pk)
    return item


# --- retention of personal numbers -------------------------------------------------------------

#: outcomes after which the applicant's numbers are kept only for the retention period
PURGED_STATUSES = (CaseStatus.NOT_ADMITTED, CaseStatus.WITHDRAWN)


def purge_due(at: dt.date) -> Any:
    """Cases whose applicant was not admitted or withdrew, ended at least the retention period
    before ``at``, whose numbers are still kept (oldest end first)."""
    cutoff = add_years(at, -config.retention_years())
    return (
        RecruitCase.objects.filter(
            status__in=PURGED_STATUSES,
            ended_on__isnull=False,
            ended_on__lte=cutoff,
            numbers_purged_at__isnull=True,
        )
        .select_related("org")
        .order_by("ended_on", "pk")
    )


@transaction.atomic
def case_purge_numbers(*, actor: Actor, case: RecruitCase, at: dt.date) -> bool:
    """Delete the ID and phone numbers (cipher, digest and masked form) of one case whose
    retention period has passed on ``at``; one audit entry (masked numbers only). ``False``
    when there is nothing to delete (already deleted, or not due)."""
    case = _locked(actor, case)
    years = config.retention_years()
    if (
        case.numbers_purged_at is not None
        or case.status not in PURGED_STATUSES
        or case.ended_on is None
        or add_years(case.ended_on, years) > at
    ):
        return False
    before = {"id_number": case.id_number_masked, "phone": case.phone_masked or None}
    case.id_number_cipher = b""
    case.id_number_digest = ""
    case.id_number_masked = ""
    _set_phone(case, "")
    case.numbers_purged_at = timezone.now()
    case.save(
        update_fields=[
            "id_number_cipher",
            "id_number_digest",
            "id_number_masked",
            "phone_cipher",
            "phone_digest",
            "phone_masked",
            "numbers_purged_at",
            "updated_at",
        ]
    )
    _audit_case(
        actor,
        AuditAction.RECRUIT_CASE_PURGE_NUMBERS,
        case,
        before=before,
        after={
            "id_number": None,
            "phone": None,
            "status": case.status,
            "ended_on": case.ended_on,
            "retention_years": years,
            "purged_at": case.numbers_purged_at,
        },
    )
    return True


def purge_expired_numbers(*, actor: Actor, at: dt.date, dry_run: bool = False) -> list[RecruitCase]:
    """Delete the numbers of every case due on ``at`` (:func:`purge_due`), each in its own
    transaction; with ``dry_run`` only list them. Returns the cases (purged or to purge)."""
    due = list(purge_due(at))
    if dry_run:
        return due
    return [case for case in due if case_purge_numbers(actor=actor, case=case, at=at)]


# --- notices, reviews, plans -----------------------------------------------------------------


@transaction.atomic
def record_notice(
    *,
    actor: Actor,
    case: RecruitCase,
    kind: str,
    first_day: dt.date,
    last_day: dt.date,
) -> RecruitNotice:
    """Record (or correct) the public-notice window of one kind. A window may still be running."""
    case = _locked(actor, case)
    errors: dict[str, list[str]] = {}
    if kind not in NoticeKind.values:
        errors.setdefault("kind", []).append(f"公示类别应为：{'、'.join(NoticeKind.labels)}")
    if last_day < first_day:
        errors.setdefault("last_day", []).append("公示末日早于首日")
    if case.status in CLOSED:
        errors.setdefault("kind", []).append(f"案例状态为“{case.get_status_display()}”，不能再记录")
    _fail(errors)
    notice = RecruitNotice.objects.filter(case=case, kind=kind).first()
    before = (
        {"kind": notice.kind, "first_day": notice.first_day, "last_day": notice.last_day}
        if notice
        else None
    )
    if notice is None:
        notice = RecruitNotice(case=case, kind=kind)
    notice.first_day, notice.last_day = first_day, last_day
    notice.save()
    audit_about(
        actor,
        AuditAction.RECRUIT_NOTICE_UPDATE if before else AuditAction.RECRUIT_NOTICE_RECORD,
        AuditSubject(
            "recruit_notice", notice, case.org.path, f"{case.case_no} {NoticeKind(kind).label}公示"
        ),
        before=before,
        after={"kind": kind, "first_day": first_day, "last_day": last_day},
    )
    case_changed(case.pk)
    return notice


@transaction.atomic
def record_review(
    *,
    actor: Actor,
    case: RecruitCase,
    reviewed_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> ActivistReview:
    """Record the branch's half-yearly assessment of an activist."""
    case = _locked(actor, case)
    if reviewed_on > _today(today):
        _fail({"reviewed_on": ["考察日期不能晚于今天"]})
    if case.status in CLOSED:
        _fail({"reviewed_on": [f"案例状态为“{case.get_status_display()}”，不能再记录"]})
    review = ActivistReview.objects.create(case=case, reviewed_on=reviewed_on, note=note.strip())
    audit_about(
        actor,
        AuditAction.RECRUIT_REVIEW_RECORD,
        AuditSubject(
            "recruit_review",
            review,
            case.org.path,
            f"{case.case_no} 考察 {reviewed_on.isoformat()}",
        ),
        after={"reviewed_on": reviewed_on, "note": review.note[:500]},
    )
    case_changed(case.pk)
    return review


@transaction.atomic
def set_plan(
    *,
    actor: Actor,
    org: Organization,
    year: int,
    quota: int,
    group_quotas: dict[str, int] | None = None,
) -> RecruitPlan:
    """Set an organization's annual plan and its priority-group quotas (replacing earlier ones)."""
    require(actor, Perm.RECRUIT_APPROVE, org.path)
    errors: dict[str, list[str]] = {}
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append("年度应为 2000–2100 之间的年份")
    if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
        errors.setdefault("quota", []).append("计划数应为非负整数")
    groups = dict(group_quotas or {})
    for group, value in groups.items():
        if group not in PriorityGroup.values:
            errors.setdefault("group_quotas", []).append(f"未知重点群体“{group}”")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.setdefault("group_quotas", []).append(f"{group}的单列计划数应为非负整数")
        elif isinstance(quota, int) and value > quota:
            errors.setdefault("group_quotas", []).append(
                f"{group}的单列计划数 {value} 超过计划总数"
            )
    _fail(errors)
    plan = RecruitPlan.objects.select_for_update().filter(org=org, year=year).first()
    before = None
    if plan is not None:
        before = {
            "quota": plan.quota,
            "groups": {q.priority_group: q.quota for q in plan.quotas.all()},
        }
        plan.quota = quota
        plan.save()
        plan.quotas.all().delete()
    else:
        plan = RecruitPlan.objects.create(org=org, year=year, quota=quota)
    RecruitPlanQuota.objects.bulk_create(
        RecruitPlanQuota(plan=plan, priority_group=g, quota=v) for g, v in sorted(groups.items())
    )
    audit_about(
        actor,
        AuditAction.RECRUIT_PLAN_UPDATE if before else AuditAction.RECRUIT_PLAN_SET,
        AuditSubject("recruit_plan", plan, org.path, f"{org.name} {year} 年发展党员计划"),
        before=before,
        after={"year": year, "quota": quota, "groups": groups},
    )
    return plan


# --- attachments (全程记实) ----------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = uploads.MAX_BYTES
ATTACHMENTS_PER_CASE = 40


@transaction.atomic
def attachment_add(
    *, actor: Actor, case: RecruitCase, name: str, data: bytes, step: int | None = None
) -> RecruitAttachment:
    """Attach a document to ``case`` (of step ``step`` when given); audited."""
    case = _locked(actor, case)
    errors: dict[str, list[str]] = {}
    if step is not None and step not in STEPS:
        errors["step"] = [f"步骤“{step}”无效，应为 1–25"]
    item: RecruitAttachment = attachments.attachment_add(
        RecruitAttachment,
        actor=actor,
        action=AuditAction.RECRUIT_ATTACHMENT_ADD,
        subject=_case_subject(case),
        policy=AttachmentPolicy("材料", ATTACHMENTS_PER_CASE, "每个案例"),
        name=name,
        data=data,
        fields={"step": step},
        errors=errors,
    )
    return item


@transaction.atomic
def attachment_delete(*, actor: Actor, attachment: RecruitAttachment) -> None:
    """Remove a document of a case (audited with its name and digest)."""
    case = _locked(actor, attachment.case)
    attachments.attachment_remove(
        actor=actor,
        action=AuditAction.RECRUIT_ATTACHMENT_DELETE,
        subject=_case_subject(case),
        attachment=attachment,
    )


@transaction.atomic
def attachment_read(*, actor: Actor, attachment: RecruitAttachment) -> bytes:
    """The content of a document, for those who may see personal data at the branch (a 志愿书
    carries the full ID number); each download is audited."""
    case = attachment.case
    require(actor, Perm.RECRUIT_VIEW, case.org.path)
    require(actor, Perm.MEMBER_VIEW_PII, case.org.path)
    return attachments.attachment_read_audited(
        actor=actor,
        action=AuditAction.RECRUIT_ATTACHMENT_DOWNLOAD,
        subject=_case_subject(case),
        attachment=attachment,
    )
