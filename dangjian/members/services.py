"""The write path for member records: validate, encrypt, write, audit — in one transaction.

The importer reuses :func:`member_validate`, :func:`member_apply` and :func:`member_snapshot` so a
row from a file and a form on a page are held to exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require
from dangjian.core import crypto, idnumber
from dangjian.core.audit import (
    AuditAction,
    AuditEvent,
    AuditSubject,
    audit_about,
    audit_record_many,
)
from dangjian.core.dates import add_years, turns
from dangjian.core.errors import FieldErrors
from dangjian.orgs.choices import ROLL_TYPES, TEMP_BRANCH_NO_ROLL, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.services import audit_org

from .choices import (
    LEAVING,
    Category,
    MemberType,
    ParticipationPost,
    Post,
    RollKind,
    StatusKind,
    leaving_event,
)
from .committee import committee_refresh
from .history import (
    post_start,
    roll_enter,
    roll_leave,
    roll_note,
    roll_rejoined,
    roll_start,
    term_open,
    terms_close,
)
from .models import Member, MemberStatus, Participation, PostTerm
from .rollups import counts_shift, has_left, hold_branches, left_as, place_of

#: 党章 art. 1: 年满十八岁的……可以申请加入中国共产党 (细则 art. 5; RECRUIT-AGE-18)
MIN_AGE = 18


def joined_under_age(born: dt.date, joined_on: dt.date) -> str | None:
    """Why joining on ``joined_on`` is refused for someone born on ``born``, or ``None``."""
    adult = turns(born, MIN_AGE)
    if joined_on >= adult:
        return None
    return (
        f"入党日期 {joined_on.isoformat()} 时未满十八岁（{born.isoformat()} 出生，"
        f"{adult.isoformat()} 年满十八岁）；党章第一条规定年满十八岁方可申请入党"
    )


#: the values of the choices, read once (``Choices.values`` builds its list on every call, and an
#: import checks them for every row)
_MEMBER_TYPES = frozenset(MemberType.values)
_CATEGORIES = frozenset(Category.values)
_POSTS = frozenset(Post.values)


@dataclass
class MemberInput:
    """The editable fields of a member record, with the plain ID and phone numbers."""

    name: str
    id_number: str
    member_type: str
    joined_on: dt.date
    org: Organization
    confirmed_on: dt.date | None = None
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = ""
    education: str = ""
    category: str = ""
    post: str = ""
    phone: str = ""
    residence_community: Organization | None = None


def member_validate(data: MemberInput, *, today: dt.date | None = None) -> FieldErrors:
    """Checks that need no other rows. Normalises ``id_number`` and ``phone`` in place."""
    today = today or timezone.localdate()
    errors = FieldErrors()
    if not data.name.strip():
        errors.add("name", "姓名不能为空")
    elif len(data.name) > 50:
        errors.add("name", "姓名过长（最多 50 字）")
    try:
        data.id_number = idnumber.validate_id(data.id_number, today=today)
    except idnumber.InvalidNumber as exc:
        errors.add("id_number", str(exc))
    else:
        born, sex = idnumber.birth_date(data.id_number), idnumber.gender(data.id_number)
        if data.gender and data.gender != sex:
            errors.add("gender", f"性别“{data.gender}”与公民身份号码（{sex}）不一致")
        if data.birth_date and data.birth_date != born:
            errors.add("birth_date", f"出生日期 {data.birth_date} 与公民身份号码（{born}）不一致")
        data.gender, data.birth_date = sex, born
    if data.gender and data.gender not in ("男", "女"):
        errors.add("gender", "性别应为“男”或“女”")
    if data.member_type not in _MEMBER_TYPES:
        errors.add("member_type", "党员类型应为“正式党员”或“预备党员”")
    if data.category and data.category not in _CATEGORIES:
        errors.add("category", f"人员类别“{data.category}”无效，应为：{'、'.join(Category.values)}")
    if data.post and data.post not in _POSTS:
        errors.add("post", f"党内职务“{data.post}”无效，应为：{'、'.join(Post.values)}，或留空")
    if data.joined_on > today:
        errors.add("joined_on", "入党日期不能晚于今天")
    if data.birth_date and data.joined_on < data.birth_date:
        errors.add("joined_on", "入党日期早于出生日期")
    elif data.birth_date and (under_age := joined_under_age(data.birth_date, data.joined_on)):
        errors.add("joined_on", under_age)
    if data.member_type == MemberType.FULL and data.confirmed_on is None:
        errors.add("confirmed_on", "正式党员必须填写转正日期")
    if data.member_type == MemberType.PROBATIONARY and data.confirmed_on is not None:
        errors.add("confirmed_on", "预备党员不应有转正日期")
    if data.confirmed_on:
        if data.confirmed_on < data.joined_on:
            errors.add("confirmed_on", "转正日期不能早于入党日期")
        if data.confirmed_on > today:
            errors.add("confirmed_on", "转正日期不能晚于今天")
    if data.org.org_type == OrgType.TEMP_BRANCH:
        errors.add("org", f"{data.org.name}是临时党支部：{TEMP_BRANCH_NO_ROLL}")
    elif data.org.org_type not in ROLL_TYPES:
        errors.add(
            "org",
            f"{data.org.name}（{data.org.code}）是{data.org.org_type}，"
            "党员只能编入党支部或联合党支部",
        )
    if data.phone:
        try:
            data.phone = idnumber.normalize_phone(data.phone)
        except idnumber.InvalidNumber as exc:
            errors.add("phone", str(exc))
    return errors


def member_apply(member: Member, data: MemberInput) -> Member:
    """Copy validated ``data`` onto ``member`` (unsaved), encrypting only what changed."""
    digest = crypto.digest(data.id_number)
    if member.id_number_digest != digest:
        member.id_number_cipher = crypto.encrypt(data.id_number)
        member.id_number_digest = digest
        member.id_number_masked = idnumber.mask_id(data.id_number)
    phone_digest = crypto.digest(data.phone) if data.phone else ""
    if member.phone_digest != phone_digest or (not data.phone and member.phone_cipher):
        member.phone_cipher = crypto.encrypt(data.phone) if data.phone else None
        member.phone_digest = phone_digest
        member.phone_masked = idnumber.mask_phone(data.phone) if data.phone else ""
    member.name = data.name.strip()
    member.gender = data.gender
    member.birth_date = data.birth_date  # type: ignore[assignment]
    member.ethnicity = data.ethnicity
    member.education = data.education
    member.category = data.category
    member.member_type = data.member_type
    member.joined_on = data.joined_on
    member.confirmed_on = data.confirmed_on
    member.org = data.org
    member.post = data.post
    member.residence_community = data.residence_community
    return member


def member_snapshot(member: Member) -> dict[str, Any]:
    """The audited state of a member: masked numbers and a digest, never the plain values."""
    return {
        "name": member.name,
        "id_number": member.id_number_masked,
        "id_number_digest": member.id_number_digest[:16],
        "phone": member.phone_masked,
        "gender": member.gender,
        "birth_date": member.birth_date,
        "ethnicity": member.ethnicity,
        "education": member.education,
        "category": member.category,
        "member_type": member.member_type,
        "joined_on": member.joined_on,
        "confirmed_on": member.confirmed_on,
        "org": member.org.code,
        "post": member.post,
        "residence_community": member.residence_community.code
        if member.residence_community
        else None,
    }


#: the refusal of an ID number held by a record outside the actor's scope. It says neither that
#: the person is a party member nor where (any data-entry account could otherwise ask whether any
#: citizen is one) and points to the procedure that moves a member between organizations; the
#: attempt is audited (AuditAction.MEMBER_ID_REFUSED).
ID_NUMBER_REFUSED = (
    "不能以此公民身份号码登记。请核对号码；如该同志的组织关系在其他党组织，"
    "请办理组织关系转接，或请上级党组织核实"
)


def id_number_holder(digest: str, *, exclude: int | None = None) -> Member | None:
    """The member whose ID number has the keyed ``digest`` (other than ``exclude``), if any."""
    clash = Member.objects.select_related("org").filter(id_number_digest=digest)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    return clash.first()


def id_number_taken(actor: Actor, holder: Member) -> str:
    """Why an ID number held by ``holder`` cannot be entered again: naming the member when the
    actor may see them, :data:`ID_NUMBER_REFUSED` (which names nothing) when not."""
    if covers(actor, Perm.MEMBER_VIEW, holder.org.path):
        return f"该公民身份号码已登记在册，见党员名册：{holder.name}（{holder.org.name}）"
    return ID_NUMBER_REFUSED


def audit_id_number_refused(
    actor: Actor,
    held: list[tuple[Any, Organization | None]],
    *,
    via: str,
    holder_type: str = "member",
) -> None:
    """Record refused attempts to enter ID numbers held outside the actor's scope (``held``:
    the holder — a member, or another record with an ID number: ``id_number_masked``,
    ``id_number_digest``, ``org``, of the audit object type ``holder_type`` — and the
    organization the actor tried to enter them in), in a transaction of their own: the refused
    change rolls back, the record of the attempt stays."""
    events = [
        AuditEvent(
            AuditAction.MEMBER_ID_REFUSED,
            holder_type,
            str(holder.pk),
            f"拒绝以范围外已登记的公民身份号码（{holder.id_number_masked}）登记",
            scope_path=target.path if target is not None else holder.org.path,
            after={
                "id_number": holder.id_number_masked,
                "id_number_digest": holder.id_number_digest[:16],
                "tried_in": target.code if target is not None else None,
                "held_in": holder.org.code,
                "via": via,
            },
        )
        for holder, target in held
    ]
    with transaction.atomic():
        audit_record_many(actor=actor, events=events)


def _check_unique(
    actor: Actor,
    data: MemberInput,
    member: Member | None,
    errors: FieldErrors,
    refused: list[Member],
) -> None:
    if "id_number" not in errors:
        digest = crypto.digest(data.id_number)
        holder = id_number_holder(digest, exclude=member.pk if member else None)
        if holder is not None:
            message = id_number_taken(actor, holder)
            errors.add("id_number", message)
            if message == ID_NUMBER_REFUSED:
                refused.append(holder)
    if data.post == Post.SECRETARY:
        others = Member.objects.filter(org=data.org, post=Post.SECRETARY)
        if member is not None:
            others = others.exclude(pk=member.pk)
        if others.exists():
            errors.add("post", f"{data.org.name} 已有书记，请先调整原书记的职务")


def community_unknown(code: str) -> str:
    """The answer for a residence community code that does not exist or lies outside the
    actor's scope: the same for both, so the lookup does not tell which codes exist."""
    return f"社区党组织“{code}”不存在或不在您的管辖范围内"


def community_problem(
    actor: Actor, community: Organization | None, *, current: Organization | None = None
) -> str | None:
    """Why ``community`` cannot be a member's residence community, or ``None``. It must lie in
    the organizations the actor may see (the member's ``current`` one may stay as it is)."""
    if community is None or (current is not None and community.pk == current.pk):
        return None
    if not covers(actor, Perm.ORG_VIEW, community.path):
        return community_unknown(community.code)
    if community.sector != "社区":
        return f"{community.code} 不是社区党组织"
    return None


def residence_community(
    actor: Actor, code: str | None, *, current: Organization | None = None
) -> Organization | None:
    """The residence community with ``code`` as the actor may name it (``None`` for no code);
    ``ValidationError`` with the same message for unknown and out-of-scope codes."""
    if not code:
        return None
    community = Organization.objects.filter(code=code).first()
    problem = community_unknown(code) if community is None else None
    problem = problem or community_problem(actor, community, current=current)
    if problem:
        raise ValidationError(problem)
    return community


def _check_community(
    actor: Actor, data: MemberInput, errors: FieldErrors, current: Organization | None = None
) -> None:
    problem = community_problem(actor, data.residence_community, current=current)
    if problem:
        errors.add("residence_community", problem)


def _audit_member(
    actor: Actor,
    action: AuditAction,
    member: Member,
    *,
    scope_path: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a change of ``member``, in the scope of its branch unless ``scope_path`` is given."""
    scope = member.org.path if scope_path is None else scope_path
    audit_about(actor, action, AuditSubject("member", member, scope), before=before, after=after)


def member_create(*, actor: Actor, data: MemberInput) -> Member:
    """Put a new member on the roll of ``data.org``."""
    refused: list[Member] = []
    try:
        return _member_create(actor, data, refused)
    except ValidationError:
        if refused:
            audit_id_number_refused(actor, [(refused[0], data.org)], via="新增党员")
        raise


@transaction.atomic
def _member_create(actor: Actor, data: MemberInput, refused: list[Member]) -> Member:
    require(actor, Perm.MEMBER_CHANGE, data.org.path)
    errors = member_validate(data)
    _check_unique(actor, data, None, errors, refused)
    _check_community(actor, data, errors)
    errors.raise_if_any()
    member = member_apply(Member(), data)
    member.save()
    _history_new(member, reason="新增党员")
    counts_shift(added=[place_of(member, left=False)])
    committee_refresh([member.org_id])
    _audit_member(actor, AuditAction.MEMBER_CREATE, member, after=member_snapshot(member))
    return member


def _link(audit_extra: Mapping[str, Any] | None) -> str:
    """The record behind a roll change, from the audited extras (``recruit_case:12``)."""
    return ",".join(f"{k}:{v}" for k, v in sorted((audit_extra or {}).items()))[:100]


def _history_new(member: Member, *, reason: str, link: str = "") -> None:
    """The history of a new record: on the roll from the 入党日期, its post from then on (or
    from the organization's 本届任期开始日期, when later)."""
    roll_enter(member, member.org_id, RollKind.JOINED, member.joined_on, reason=reason, link=link)
    if member.confirmed_on is not None and member.confirmed_on > member.joined_on:
        roll_note(member, RollKind.CONFIRMED, member.confirmed_on, link=link)
    if member.post:
        term_open(member, member.org_id, member.post, post_start(member, member.org))


def _history_update(
    member: Member, old_org: Organization, old_post: str, old_joined: dt.date, old_type: str
) -> None:
    """The history of an edit (today's date: the form has no effective date; a transfer with
    its own date goes through :func:`member_move`)."""
    today = timezone.localdate()
    if member.joined_on != old_joined:
        problem = roll_rejoined(member, old_joined, member.joined_on)
        if problem:
            raise ValidationError({"joined_on": [problem]})
    if member.org_id != old_org.pk:
        start = roll_start(member)
        on = max(today, start) if start else today
        if roll_leave(member, RollKind.TRANSFER_OUT, on, reason=f"调整至{member.org.name}"):
            roll_enter(
                member, member.org_id, RollKind.TRANSFER_IN, on, reason=f"由{old_org.name}调整"
            )
    if member.org_id != old_org.pk or member.post != old_post:
        terms_close(member, today, org_id=old_org.pk)
        if member.post:
            term_open(member, member.org_id, member.post, today)
    if old_type != MemberType.FULL and member.member_type == MemberType.FULL:
        roll_note(member, RollKind.CONFIRMED, member.confirmed_on or today)


def member_update(*, actor: Actor, member: Member, data: MemberInput) -> Member:
    """Change a member record; moving to another branch needs the right on both branches."""
    refused: list[Member] = []
    try:
        return _member_update(actor, member, data, refused)
    except ValidationError:
        if refused:
            audit_id_number_refused(actor, [(refused[0], data.org)], via="修改党员信息")
        raise


@transaction.atomic
def _member_update(
    actor: Actor, member: Member, data: MemberInput, refused: list[Member]
) -> Member:
    member = _locked(member, data.org)
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    require(actor, Perm.MEMBER_CHANGE, data.org.path)
    errors = member_validate(data)
    _check_unique(actor, data, member, errors, refused)
    _check_community(actor, data, errors, member.residence_community)
    errors.raise_if_any()
    before = member_snapshot(member)
    old_path = member.org.path
    old = (member.org, member.post, member.joined_on, member.member_type)
    left = has_left(member)
    was = place_of(member, left)
    member_apply(member, data)
    member.save()
    _history_update(member, *old)
    counts_shift([was], [place_of(member, left)])
    committee_refresh([was.org_id, member.org_id])
    after = member_snapshot(member)
    if after != before:
        _audit_member(
            actor,
            AuditAction.MEMBER_UPDATE,
            member,
            scope_path=old_path,
            before=before,
            after=after,
        )
    return member


# --- the roll changes of the recruitment procedure ----------------------------------------------
# Called by dangjian.recruit.services once the procedure's own right has been checked (the
# upper committee's approval, the branch's record of its vote): no second permission here.
# ``audit_extra`` is added to the audited ``after`` (e.g. ``{"recruit_case": "…"}``).


def _locked(member: Member, *others: Organization) -> Member:
    """The member's row, locked after the rows of its branch and of ``others`` (the branch it
    moves to): branches first, in path order, as every write of the roll takes them
    (:func:`~dangjian.members.rollups.hold_branches`)."""
    hold_branches([member.org_id, *(org.pk for org in others)])
    locked = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    if locked.org_id != member.org_id:  # moved by a write that committed meanwhile
        hold_branches([locked.org_id])
    return locked


def _roll_update(
    actor: Actor,
    member: Member,
    fields: list[str],
    change: Callable[[Member], None],
    audit_extra: Mapping[str, Any] | None,
) -> Member:
    """Lock ``member``, ``change`` it, save ``fields`` and audit the update."""
    member = _locked(member)
    before = member_snapshot(member)
    left = has_left(member)
    was = place_of(member, left)
    change(member)
    member.save(update_fields=[*fields, "updated_at"])
    counts_shift([was], [place_of(member, left)])
    committee_refresh([member.org_id])
    after = member_snapshot(member) | dict(audit_extra or {})
    _audit_member(actor, AuditAction.MEMBER_UPDATE, member, before=before, after=after)
    return member


@transaction.atomic
def member_admit(
    *,
    actor: Actor,
    data: MemberInput,
    today: dt.date | None = None,
    audit_extra: Mapping[str, Any] | None = None,
) -> Member:
    """Put an admitted applicant on the roll of ``data.org`` as a probationary member (joined on
    the day of the branch vote). Refused when the ID number is already on the roll."""
    errors = member_validate(data, today=today)
    if data.member_type != MemberType.PROBATIONARY:
        errors.add("member_type", "接收入党的人员应为预备党员")
    if Member.objects.filter(id_number_digest=crypto.digest(data.id_number)).exists():
        errors.add("id_number", "该公民身份号码已在党员名册中，不能重复接收")
    errors.raise_if_any()
    member = member_apply(Member(), data)
    member.save()
    _history_new(member, reason="接收为预备党员", link=_link(audit_extra))
    counts_shift(added=[place_of(member, left=False)])
    committee_refresh([member.org_id])
    _audit_member(
        actor,
        AuditAction.MEMBER_CREATE,
        member,
        after=member_snapshot(member) | dict(audit_extra or {}),
    )
    return member


@transaction.atomic
def member_convert(
    *,
    actor: Actor,
    member: Member,
    confirmed_on: dt.date,
    audit_extra: Mapping[str, Any] | None = None,
) -> Member:
    """A probationary member becomes a full member, confirmed on ``confirmed_on`` (the end of
    the probation)."""

    def change(member: Member) -> None:
        member.member_type = MemberType.FULL
        member.confirmed_on = confirmed_on
        roll_note(member, RollKind.CONFIRMED, confirmed_on, link=_link(audit_extra))

    return _roll_update(actor, member, ["member_type", "confirmed_on"], change, audit_extra)


@transaction.atomic
def member_redate(
    *,
    actor: Actor,
    member: Member,
    joined_on: dt.date,
    confirmed_on: dt.date | None = None,
    audit_extra: Mapping[str, Any] | None = None,
) -> Member:
    """The day of joining was corrected (the branch vote's date): the roll follows it, and a
    full member's confirmation day moves to ``confirmed_on`` (a probationary member has none)."""

    def change(member: Member) -> None:
        old = member.joined_on
        member.joined_on = joined_on
        if member.confirmed_on is not None and confirmed_on is not None:
            member.confirmed_on = confirmed_on
        if old != joined_on:
            problem = roll_rejoined(member, old, joined_on)
            if problem:
                raise ValidationError({"joined_on": [problem]})
            roll_note(
                member,
                RollKind.CORRECTED,
                joined_on,
                reason=f"入党日期由 {old.isoformat()} 更正为 {joined_on.isoformat()}",
                link=_link(audit_extra),
            )

    return _roll_update(actor, member, ["joined_on", "confirmed_on"], change, audit_extra)


@transaction.atomic
def member_cancel_probation(
    *,
    actor: Actor,
    member: Member,
    audit_extra: Mapping[str, Any] | None = None,
) -> None:
    """取消预备党员资格: the person is not a party member, the record leaves the roll. Refused
    (field ``decision``) for a full member."""
    member = _locked(member)
    if member.member_type != MemberType.PROBATIONARY:
        raise ValidationError({"decision": ["该党员已是正式党员，不能取消预备党员资格"]})
    after = {"reason": "取消预备党员资格", **dict(audit_extra or {})}
    counts_shift(removed=[place_of(member)])  # before the audit (members.rollups)
    committee_refresh([member.org_id], without=member.pk)
    _audit_member(
        actor, AuditAction.MEMBER_DELETE, member, before=member_snapshot(member), after=after
    )
    member.delete()


@transaction.atomic
def member_reveal(*, actor: Actor, member: Member, reason: str = "") -> dict[str, str]:
    """Return the unmasked ID and phone numbers; the view is written to the audit trail."""
    require(actor, Perm.MEMBER_VIEW_PII, member.org.path)
    _audit_member(
        actor,
        AuditAction.MEMBER_VIEW_PII,
        member,
        after={"fields": ["id_number", "phone"], "reason": reason[:200]},
    )
    return {"id_number": member.id_number(), "phone": member.phone()}


@dataclass
class StatusInput:
    """A decided standing of a member (see :class:`~dangjian.members.models.MemberStatus`)."""

    kind: str
    started_on: dt.date
    decided_by: str
    ends_on: dt.date | None = None
    decision_no: str = ""
    reason: str = ""


def _status_errors(member: Member, data: StatusInput, today: dt.date) -> FieldErrors:
    errors = FieldErrors()
    if data.kind not in StatusKind.values:
        errors.add("kind", f"状态“{data.kind}”无效，应为：{'、'.join(StatusKind.values)}")
    if data.started_on > today:
        errors.add("started_on", "起始日期不能晚于今天（决定生效后再登记）")
    if data.started_on < member.joined_on:
        errors.add("started_on", f"起始日期早于{member.name}的入党日期 {member.joined_on}")
    if not data.decided_by.strip():
        errors.add("decided_by", "请填写作出决定的党组织")
    if data.ends_on is not None and data.ends_on <= data.started_on:
        errors.add("ends_on", "终止日期应晚于起始日期")
    if data.kind == StatusKind.PROBATION_WATCH:
        # 党章 art. 40: 留党察看 lasts at most two years
        if data.ends_on is None:
            errors.add("ends_on", "留党察看须填写期满日期（最长两年）")
        elif data.ends_on > add_years(data.started_on, 2):
            errors.add("ends_on", "留党察看最长不超过两年（党章第四十条）")
    return errors


@transaction.atomic
def member_status_record(
    *, actor: Actor, member: Member, data: StatusInput, today: dt.date | None = None
) -> MemberStatus:
    """Record a standing decided by a party body. Never called by a rule: rules only propose
    (LIFE-ABSENT-6-MONTHS, DUES-ARREARS-6-MONTHS); the branch decides and records."""
    member = _locked(member)
    require(actor, Perm.MEMBER_CHANGE, member.org.path)
    errors = _status_errors(member, data, today or timezone.localdate())
    already_left = has_left(member)
    start = roll_start(member)
    if data.kind in LEAVING and not already_left and start and data.started_on < start:
        errors.add(
            "started_on",
            f"起始日期早于{member.name}编入现所在党组织的日期 {start.isoformat()}",
        )
    errors.raise_if_any()
    leaves = data.kind in LEAVING and data.ends_on is None and not already_left
    status = MemberStatus.objects.create(
        member=member,
        kind=data.kind,
        started_on=data.started_on,
        ends_on=data.ends_on,
        decided_by=data.decided_by.strip(),
        decision_no=data.decision_no.strip(),
        reason=data.reason.strip(),
    )
    _history_status(member, status, already_left)
    if leaves:  # off the roll from now on: counted as 已出党
        counts_shift([place_of(member, left=False)], [place_of(member, left=True)])
    committee_refresh([member.org_id])
    _audit_member(
        actor,
        AuditAction.MEMBER_STATUS,
        member,
        after={
            "kind": status.kind,
            "started_on": status.started_on,
            "ends_on": status.ends_on,
            "decided_by": status.decided_by,
            "decision_no": status.decision_no,
        },
    )
    return status


def _history_status(member: Member, status: MemberStatus, already_left: bool) -> None:
    """出党 or death: off the roll from ``started_on`` (back on it from ``ends_on``, when the
    decision has an end); other standings are noted."""
    link, reason = f"status:{status.pk}", f"{status.kind}（{status.decided_by}）"
    if status.kind == StatusKind.TRANSFERRED_OUT and status.reason:
        reason = status.reason  # 组织关系转至…（回执 …）
    if status.kind not in LEAVING:
        roll_note(member, RollKind.STATUS, status.started_on, reason=reason, link=link)
        return
    kind = leaving_event(status.kind)
    if already_left:
        roll_note(member, kind, status.started_on, reason=reason, link=link)
        return
    left = roll_leave(member, kind, status.started_on, reason=reason, link=link)
    if left is not None and status.ends_on is not None:
        roll_enter(member, left.org_id, RollKind.RESTORED, status.ends_on, link=link)


# --- participants of a 临时党支部 -------------------------------------------------------


@dataclass
class ParticipationInput:
    """A member taking part in a 临时党支部 (:class:`~dangjian.members.models.Participation`)."""

    org: Organization
    member: Member
    started_on: dt.date
    post: str = ""
    note: str = ""


def _participation_snapshot(item: Participation) -> dict[str, Any]:
    return {
        "org": item.org.code,
        "member": item.member.name,
        "member_org": item.member.org.code,
        "post": item.post,
        "started_on": item.started_on,
        "ended_on": item.ended_on,
        "note": item.note,
    }


@transaction.atomic
def participation_add(
    *, actor: Actor, data: ParticipationInput, today: dt.date | None = None
) -> Participation:
    """Record that a member takes part in a 临时党支部 from ``started_on``. The member stays on
    the roll of his own branch. Needs the member right on the 临时党支部 and sight of the
    member (a participant from another subtree is added by a user whose scope covers both)."""
    from .selectors import standing_on

    org, member = data.org, data.member
    require(actor, Perm.MEMBER_CHANGE, org.path)
    require(actor, Perm.MEMBER_VIEW, member.org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    if org.org_type != OrgType.TEMP_BRANCH:
        errors.add("org", f"{org.name}是{org.org_type}，只有临时党支部登记参加人员")
    if data.post and data.post not in ParticipationPost.values:
        errors.add(
            "post", f"职务“{data.post}”无效，应为：{'、'.join(ParticipationPost.values)}，或留空"
        )
    if data.started_on > today:
        errors.add("started_on", "参加日期不能晚于今天")
    if org.founded_on and data.started_on < org.founded_on:
        errors.add(
            "started_on",
            f"参加日期早于{org.name}的成立日期 {org.founded_on.isoformat()}",
        )
    if data.started_on < member.joined_on:
        errors.add(
            "started_on", f"参加日期早于{member.name}的入党日期 {member.joined_on.isoformat()}"
        )
    elif not standing_on(member, data.started_on).on_roll:
        day = data.started_on.isoformat()
        errors.add("member", f"{member.name}在 {day} 已不在党员名册上（已出党、去世或转出）")
    current = Participation.objects.filter(org=org, ended_on__isnull=True)
    if current.filter(member=member).exists():
        errors.add("member", f"{member.name}已是{org.name}的参加人员（尚未结束）")
    if data.post == ParticipationPost.SECRETARY:
        holder = current.filter(post=ParticipationPost.SECRETARY).select_related("member").first()
        if holder is not None:
            errors.add("post", f"{org.name}已有书记（{holder.member.name}），请先结束其参加记录")
    if len(data.note) > 200:
        errors.add("note", "备注过长（最多 200 字）")
    errors.raise_if_any()
    item = Participation.objects.create(
        org=org,
        member=member,
        post=data.post,
        started_on=data.started_on,
        note=data.note.strip(),
    )
    audit_org(actor, AuditAction.PARTICIPATION_ADD, org, after=_participation_snapshot(item))
    return item


@transaction.atomic
def participation_end(
    *, actor: Actor, participation: Participation, ended_on: dt.date, today: dt.date | None = None
) -> Participation:
    """End a participation on ``ended_on`` (the last day taken part)."""
    item = (
        Participation.objects.select_for_update()
        .select_related("org", "member__org")
        .get(pk=participation.pk)
    )
    require(actor, Perm.MEMBER_CHANGE, item.org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    if item.ended_on is not None:
        errors["ended_on"] = [f"{item.member.name}的参加记录已于 {item.ended_on.isoformat()} 结束"]
    elif ended_on < item.started_on:
        errors["ended_on"] = [f"结束日期早于参加日期 {item.started_on.isoformat()}"]
    elif ended_on > today:
        errors["ended_on"] = ["结束日期不能晚于今天"]
    errors.raise_if_any()
    before = _participation_snapshot(item)
    item.ended_on = ended_on
    item.save(update_fields=["ended_on"])
    audit_org(
        actor,
        AuditAction.PARTICIPATION_END,
        item.org,
        before=before,
        after=_participation_snapshot(item),
    )
    return item


# --- posts (任职) at every level ------------------------------------------------------------------

#: organizations whose posts are recorded as terms: every level but the 临时党支部 (its posts are
#: designated with the participation) and the 党小组 (its 党小组长 is a post of the branch roll)
TERM_ORG_TYPES = frozenset(OrgType.values) - {OrgType.TEMP_BRANCH, OrgType.GROUP}


@dataclass
class PostTermInput:
    """A post held in an organization from ``started_on`` (:class:`PostTerm`)."""

    org: Organization
    member: Member
    post: str
    started_on: dt.date
    decided_by: str = ""


def _term_snapshot(term: PostTerm) -> dict[str, Any]:
    return {
        "org": term.org.code,
        "member": term.member.name,
        "member_org": term.member.org.code,
        "post": term.post,
        "started_on": term.started_on,
        "ended_on": term.ended_on,
        "decided_by": term.decided_by,
    }


@transaction.atomic
def post_term_start(*, actor: Actor, data: PostTermInput, today: dt.date | None = None) -> PostTerm:
    """Record that ``member`` holds ``post`` in ``org`` from ``started_on``: a branch, a 党总支, a
    党委 or 党工委 (whose secretary's roll may be in any branch the actor can see). In the
    member's own branch ``Member.post`` follows the term."""
    from .selectors import standing_on

    org = data.org
    member = _locked(data.member)
    require(actor, Perm.MEMBER_CHANGE, org.path)
    require(actor, Perm.MEMBER_VIEW, member.org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    if org.org_type not in TERM_ORG_TYPES:
        errors.add(
            "org", f"{org.name}是{org.org_type}，不在此登记任职（临时党支部在参加人员中指定）"
        )
    if data.post not in _POSTS:
        errors.add("post", f"职务“{data.post}”无效，应为：{'、'.join(Post.values)}")
    elif data.post == Post.GROUP_LEADER and org.pk != member.org_id:
        errors.add("post", "党小组长只能由本支部党员担任")
    if data.started_on > today:
        errors.add("started_on", "任职日期不能晚于今天")
    elif not standing_on(member, data.started_on).on_roll:
        errors.add("member", f"{member.name}在 {data.started_on.isoformat()} 不是党员，不能任职")
    if len(data.decided_by) > 100:
        errors.add("decided_by", "选举或决定过长（最多 100 字）")
    current = PostTerm.objects.filter(org=org, ended_on__isnull=True)
    held = current.filter(member=member).first()
    if held is not None:
        errors.add("member", f"{member.name}已任{org.name}{held.post}，请先登记离任")
    if data.post == Post.SECRETARY:
        holder = current.filter(post=Post.SECRETARY).select_related("member").first()
        if holder is not None and holder.member_id != member.pk:
            errors.add("post", f"{org.name}已有书记（{holder.member.name}），请先登记其离任")
    if org.pk == member.org_id and member.post and held is None:
        errors.add("post", f"{member.name}在本支部已任{member.post}，请先调整原职务")
    errors.raise_if_any()
    term = PostTerm.objects.create(
        member=member,
        org=org,
        post=data.post,
        started_on=data.started_on,
        decided_by=data.decided_by.strip(),
    )
    if org.pk == member.org_id:
        member.post = data.post
        member.save(update_fields=["post", "updated_at"])
        committee_refresh([org.pk])
    audit_org(actor, AuditAction.MEMBER_UPDATE, org, after=_term_snapshot(term))
    return term


@transaction.atomic
def post_term_end(
    *, actor: Actor, term: PostTerm, ended_on: dt.date, today: dt.date | None = None
) -> PostTerm:
    """End a term on ``ended_on`` (离任日期: not in office from that day)."""
    item = PostTerm.objects.select_for_update().select_related("org", "member__org").get(pk=term.pk)
    require(actor, Perm.MEMBER_CHANGE, item.org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    if item.ended_on is not None:
        errors.add("ended_on", f"{item.member.name}已于 {item.ended_on.isoformat()} 离任")
    elif ended_on < item.started_on:
        errors.add("ended_on", f"离任日期早于任职日期 {item.started_on.isoformat()}")
    elif ended_on > today:
        errors.add("ended_on", "离任日期不能晚于今天")
    errors.raise_if_any()
    before = _term_snapshot(item)
    item.ended_on = ended_on
    item.save(update_fields=["ended_on"])
    member = item.member
    if item.org_id == member.org_id and member.post == item.post:
        Member.objects.filter(pk=member.pk).update(post="", updated_at=timezone.now())
        committee_refresh([item.org_id])
    audit_org(actor, AuditAction.MEMBER_UPDATE, item.org, before=before, after=_term_snapshot(item))
    return item


# --- moves between rolls -------------------------------------------------------------------------


def member_move(
    *, actor: Actor, member: Member, org: Organization, on: dt.date, reason: str
) -> Member:
    """Put ``member`` on the roll of ``org`` effective ``on`` (transfers, 转接, 调整)."""
    with transaction.atomic():
        return _member_move(actor, member, org, on, reason)


def _member_move(
    actor: Actor, member: Member, org: Organization, on: dt.date, reason: str
) -> Member:
    from .selectors import standing_on

    member = _locked(member, org)
    old = member.org
    require(actor, Perm.MEMBER_CHANGE, old.path)
    require(actor, Perm.MEMBER_CHANGE, org.path)
    errors = FieldErrors()
    if org.org_type == OrgType.TEMP_BRANCH:
        errors.add("org", f"{org.name}是临时党支部：{TEMP_BRANCH_NO_ROLL}")
    elif org.org_type not in ROLL_TYPES:
        errors.add(
            "org", f"{org.name}（{org.code}）是{org.org_type}，党员只能编入党支部或联合党支部"
        )
    elif org.pk == old.pk:
        errors.add("org", f"{member.name}已在{org.name}的党员名册中")
    left = left_as(member)
    if left:
        errors.add("member", f"{member.name}已不在党员名册中（{left}），不能转接")
    elif on > timezone.localdate():
        errors.add("on", "转接日期不能晚于今天")
    elif on < member.joined_on:
        errors.add("on", f"转接日期早于{member.name}的入党日期 {member.joined_on.isoformat()}")
    elif not standing_on(member, on).on_roll:
        errors.add("member", f"{member.name}在 {on.isoformat()} 不在党员名册中，不能转接")
    else:
        start = roll_start(member)
        if start is not None and on < start:
            errors.add("on", f"转接日期早于{member.name}编入{old.name}的日期 {start.isoformat()}")
    if len(reason) > 150:
        errors.add("reason", "事由过长（最多 150 字）")
    errors.raise_if_any()
    before = member_snapshot(member)
    was = place_of(member, left=False)
    why = reason.strip()
    roll_leave(
        member, RollKind.TRANSFER_OUT, on, reason=f"转至{org.name}" + (f"：{why}" if why else "")
    )
    terms_close(member, on, org_id=old.pk)
    member.org = org
    member.post = ""
    member.save(update_fields=["org", "post", "updated_at"])
    roll_enter(
        member,
        org.pk,
        RollKind.TRANSFER_IN,
        on,
        reason=f"由{old.name}转入" + (f"：{why}" if why else ""),
    )
    counts_shift([was], [place_of(member, left=False)])
    committee_refresh([old.pk, org.pk])
    after = member_snapshot(member) | {"moved_on": on, "reason": why}
    _audit_member(
        actor, AuditAction.MEMBER_UPDATE, member, scope_path=old.path, before=before, after=after
    )
    return member
