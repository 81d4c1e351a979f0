"""红色志愿服务队 and 双报到: the write path (validate → write → audit, one transaction).

Teams (:class:`VolunteerTeam`) belong to a village, community or town organization; the
dispatchers of that organization (``Perm.SERVICE_DISPATCH`` over it) create, change and
deactivate them and add or remove members. A team member is a member of the roll of the team's
organization (its subtree), or one registered there through 双报到; the kind (在职、无职、退休、
流动) comes from the roll when the roll knows it (人员类别 在岗职工 → 在职, 离退休人员 → 退休) and
is chosen otherwise. A member may serve in several teams.

双报到 (:class:`DoubleReport`): the member's own branch (their employer's organization;
``Perm.MEMBER_CHANGE`` over it) registers them with the village or community where they live.
The branch stays theirs; the registration counts for both. Either side may end it; the
community (``Perm.SERVICE_DISPATCH`` over it) rates the service once a year (优秀/合格/基本合格/
不合格), which the branch sees as organization-level counts only.

Every refusal is a ``ValidationError`` in Chinese (or ``PermissionDenied`` for a missing
permission) raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.members.choices import Category
from dangjian.members.models import Member
from dangjian.members.selectors import standing_on
from dangjian.orgs.models import Organization

from .categories import categories
from .choices import OPEN_STATES, MemberKind, ReportRating
from .models import DoubleReport, DoubleReportRating, Order, TeamMembership, VolunteerTeam

#: the sectors of a village (农村) or community (社区) organization
COMMUNITY_SECTORS = ("社区", "农村")
#: organizations above villages and communities that may have a team of their own (乡镇/街道)
TOWN_TYPES = ("党委", "党工委")
#: types that are never a place where someone lives or serves
_NOT_A_PLACE = ("党小组", "临时党支部")
NAME_MAX = 50
AREA_MAX = 100
OFFERS_MAX = 200
NOTE_MAX = 500


def _today() -> dt.date:
    return timezone.localdate()


def _services(errors: FieldErrors, codes: Any) -> list[str]:
    """Category codes of ``categories.yaml``, each once, in the file's order."""
    known = categories()
    codes = list(codes or [])
    unknown = [str(c) for c in codes if c not in known]
    if unknown:
        errors.add("services", f"没有这些服务类别：{'、'.join(unknown)}")
    return [c for c in known if c in codes]


def _handler_account(errors: FieldErrors, name: str, user: User | None) -> None:
    """An account that will take orders: active and allowed to handle them."""
    if user is None:
        return
    if not user.is_active:
        errors.add(name, f"账号 {user.username} 已停用")
    elif not user.can(Perm.SERVICE_HANDLE):
        errors.add(name, f"账号 {user.username} 没有“办理服务工单”的权限（需网格员等角色）")


def is_community(org: Organization) -> bool:
    """A village or community organization (a place where members live and orders come from)."""
    return org.sector in COMMUNITY_SECTORS and org.org_type not in _NOT_A_PLACE


def _team_subject(team: VolunteerTeam) -> AuditSubject:
    return AuditSubject("volunteer_team", team, team.org.path, f"{team.org.name}{team.name}")


def _team_snapshot(team: VolunteerTeam) -> dict[str, Any]:
    return {
        "org": team.org.code,
        "name": team.name,
        "services": list(team.services),
        "area": team.area,
        "leader": team.leader_id,
        "active": team.active,
    }


# --- teams ----------------------------------------------------------------------------------


def _check_team(
    errors: FieldErrors,
    org: Organization,
    name: str,
    leader: User | None,
    current: VolunteerTeam | None = None,
) -> None:
    if not (is_community(org) or org.org_type in TOWN_TYPES):
        errors.add("org", f"{org.name}不是村（社区）或乡镇（街道）党组织，不能设志愿服务队")
    if not name:
        errors.add("name", "请填写服务队名称")
    else:
        same = VolunteerTeam.objects.filter(org=org, name=name)
        if current is not None:
            same = same.exclude(pk=current.pk)
        if same.exists():
            errors.add("name", f"{org.name}已有名为“{name}”的服务队")
    if leader is not None:
        if not (leader.org and leader.org.path.startswith(org.path)):
            errors.add("leader", f"队长账号 {leader.username} 不属于{org.name}及其下级组织")
        _handler_account(errors, "leader", leader)


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    org: Organization,
    name: str,
    services: list[str] | None = None,
    area: str = "",
    leader: User | None = None,
) -> VolunteerTeam:
    """A 红色志愿服务队 of ``org`` (a village, community or town) offering ``services``."""
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    errors = FieldErrors()
    name = errors.text("name", "服务队名称", name, NAME_MAX)
    area = errors.text("area", "服务范围", area, AREA_MAX)
    codes = _services(errors, services)
    _check_team(errors, org, name, leader)
    errors.raise_if_any()
    team = VolunteerTeam.objects.create(
        org=org, name=name, services=codes, area=area, leader=leader
    )
    audit_about(
        actor, AuditAction.SERVICE_TEAM_CREATE, _team_subject(team), after=_team_snapshot(team)
    )
    return team


def _locked_team(team: VolunteerTeam) -> VolunteerTeam:
    return VolunteerTeam.objects.select_for_update().select_related("org").get(pk=team.pk)


@transaction.atomic
def team_change(
    *,
    actor: Actor,
    team: VolunteerTeam,
    name: str,
    services: list[str] | None = None,
    area: str = "",
    leader: User | None = None,
) -> VolunteerTeam:
    """Change a team's name, services, area or leader."""
    team = _locked_team(team)
    require(actor, Perm.SERVICE_DISPATCH, team.org.path)
    errors = FieldErrors()
    name = errors.text("name", "服务队名称", name, NAME_MAX)
    area = errors.text("area", "服务范围", area, AREA_MAX)
    codes = _services(errors, services)
    _check_team(errors, team.org, name, leader, current=team)
    errors.raise_if_any()
    before = _team_snapshot(team)
    team.name, team.services, team.area, team.leader = name, codes, area, leader
    team.save(update_fields=["name", "services", "area", "leader"])
    audit_about(
        actor,
        AuditAction.SERVICE_TEAM_CHANGE,
        _team_subject(team),
        before=before,
        after=_team_snapshot(team),
    )
    return team


def _open_orders(**where: Any) -> int:
    return Order.objects.filter(state__in=OPEN_STATES, **where).count()


@transaction.atomic
def team_deactivate(*, actor: Actor, team: VolunteerTeam) -> VolunteerTeam:
    """Stop a team (its history stays); refused while orders dispatched to it are open."""
    team = _locked_team(team)
    require(actor, Perm.SERVICE_DISPATCH, team.org.path)
    if not team.active:
        raise ValidationError(f"服务队“{team.name}”已经停用")
    pending = _open_orders(dispatched_team=team)
    if pending:
        raise ValidationError(
            f"服务队“{team.name}”还有 {pending} 件工单在办，请先改派或办结后再停用"
        )
    before = _team_snapshot(team)
    team.active = False
    team.save(update_fields=["active"])
    audit_about(
        actor,
        AuditAction.SERVICE_TEAM_DEACTIVATE,
        _team_subject(team),
        before=before,
        after=_team_snapshot(team),
    )
    return team


def kind_from_roll(member: Member) -> str | None:
    """The team kind the roll states (人员类别), or ``None`` when it does not say."""
    by_category: dict[str, str] = {
        Category.EMPLOYED.value: MemberKind.EMPLOYED.value,
        Category.RETIRED.value: MemberKind.RETIRED.value,
    }
    return by_category.get(member.category)


def _active_report(member: Member) -> DoubleReport | None:
    return (
        DoubleReport.objects.select_related("community")
        .filter(member=member, ended_on__isnull=True)
        .first()
    )


@transaction.atomic
def team_member_add(
    *,
    actor: Actor,
    team: VolunteerTeam,
    member: Member,
    kind: str = "",
    user: User | None = None,
    joined_on: dt.date | None = None,
) -> TeamMembership:
    """Put ``member`` in ``team``: a member of the roll of the team's organization, or one
    registered there through 双报到. ``user``: the member's own account (it may take the team's
    orders); by default the account of their 双报到 registration."""
    team = _locked_team(team)
    require(actor, Perm.SERVICE_DISPATCH, team.org.path)
    member = Member.objects.select_related("org").get(pk=member.pk)
    errors = FieldErrors()
    today = _today()
    joined_on = joined_on or today
    if not team.active:
        errors.add("team", f"服务队“{team.name}”已停用")
    report = _active_report(member)
    registered_here = report is not None and report.community.path.startswith(team.org.path)
    if not (member.org.path.startswith(team.org.path) or registered_here):
        errors.add(
            "member",
            f"党员{member.name}不在{team.org.name}的党员名册中，也未到本村（社区）双报到",
        )
    elif TeamMembership.objects.filter(team=team, member=member).exists():
        errors.add("member", f"党员{member.name}已是服务队“{team.name}”的队员")
    elif not standing_on(member, today).on_roll:
        errors.add("member", f"{member.name}已不在党员名册中")
    derived = kind_from_roll(member)
    if kind and kind not in MemberKind.values:
        errors.add("kind", "请选择在职、无职、退休或流动党员")
    elif derived and kind and kind != derived:
        errors.add(
            "kind",
            f"花名册登记{member.name}的人员类别为“{member.category}”，"
            f"应为{MemberKind(derived).label}",
        )
    elif not (derived or kind):
        errors.add("kind", "花名册没有登记人员类别，请选择在职、无职、退休或流动党员")
    if joined_on > today:
        errors.add("joined_on", "加入日期不能晚于今天")
    if user is None and report is not None and registered_here:
        user = report.user
    elif user is not None and not (
        user.org
        and (user.org.path.startswith(member.org.path) or user.org.path.startswith(team.org.path))
    ):
        errors.add("user", f"账号 {user.username} 不属于{member.org.name}或{team.org.name}")
    _handler_account(errors, "user", user)
    errors.raise_if_any()
    item = TeamMembership.objects.create(
        team=team, member=member, kind=derived or kind, user=user, joined_on=joined_on
    )
    audit_about(
        actor,
        AuditAction.SERVICE_TEAM_MEMBER_ADD,
        _team_subject(team),
        after={"member": member.pk, "member_kind": item.kind, "member_user": item.user_id},
    )
    return item


@transaction.atomic
def team_member_remove(*, actor: Actor, membership: TeamMembership) -> None:
    """Take a member out of a team; refused while they hold one of the team's orders."""
    item = TeamMembership.objects.select_related("team__org", "member").get(pk=membership.pk)
    team = item.team
    require(actor, Perm.SERVICE_DISPATCH, team.org.path)
    if item.user_id is not None and _open_orders(dispatched_team=team, assignee=item.user_id):
        raise ValidationError(f"{item.member.name}还有本队的工单在办，请先办结或改派")
    audit_about(
        actor,
        AuditAction.SERVICE_TEAM_MEMBER_REMOVE,
        _team_subject(team),
        before={"member": item.member_id, "member_kind": item.kind, "member_user": item.user_id},
    )
    item.delete()


# --- 双报到 ------------------------------------------------------------------------------------


def _report_subject(report: DoubleReport) -> AuditSubject:
    """Audited in the scope of the member's branch (the side that registers)."""
    return AuditSubject(
        "double_report",
        report,
        report.member.org.path,
        f"{report.member.name} 到{report.community.name}双报到",
    )


def _report_snapshot(report: DoubleReport) -> dict[str, Any]:
    return {
        "member": report.member_id,
        "community": report.community.code,
        "registered_on": report.registered_on.isoformat(),
        "ended_on": report.ended_on.isoformat() if report.ended_on else None,
        "offers": report.offers,
        "services": list(report.services),
        "user": report.user_id,
    }


@transaction.atomic
def double_report_register(
    *,
    actor: Actor,
    member: Member,
    community: Organization,
    registered_on: dt.date,
    offers: str = "",
    services: list[str] | None = None,
    user: User | None = None,
) -> DoubleReport:
    """双报到: the member's branch registers an in-service member with the village or community
    where they live. ``user`` is the member's own account (an order can be dispatched to them
    only with one)."""
    require(actor, Perm.MEMBER_CHANGE)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    errors = FieldErrors()
    today = _today()
    if not covers(actor, Perm.MEMBER_CHANGE, member.org.path):
        raise ValidationError({"member": ["党员不存在或不在您的管辖范围内"]})
    current = _active_report(member)
    if current is not None:
        errors.add(
            "member",
            f"党员{member.name}已于 {current.registered_on} 到{current.community.name}报到，"
            "请先结束原登记",
        )
    elif not standing_on(member, today).on_roll:
        errors.add("member", f"{member.name}已不在党员名册中")
    elif member.category == Category.RETIRED:
        errors.add(
            "member",
            f"花名册登记{member.name}为离退休人员；双报到面向在职党员，可编入志愿服务队",
        )
    if not is_community(community):
        errors.add("community", f"{community.name}不是村（社区）党组织，不能作为报到单位")
    elif member.org.path.startswith(community.path):
        errors.add("community", f"{member.name}的组织关系就在{community.name}，无需双报到")
    if registered_on > today:
        errors.add("registered_on", "报到日期不能晚于今天")
    elif registered_on < member.joined_on:
        errors.add("registered_on", "报到日期不能早于入党日期")
    offers = errors.text("offers", "服务承诺", offers, OFFERS_MAX)
    codes = _services(errors, services)
    if user is not None and not (user.org and user.org.path.startswith(member.org.path)):
        errors.add("user", f"账号 {user.username} 不属于{member.org.name}，不能作为本人账号")
    _handler_account(errors, "user", user)
    errors.raise_if_any()
    report = DoubleReport.objects.create(
        member=member,
        community=community,
        registered_on=registered_on,
        offers=offers,
        services=codes,
        user=user,
    )
    audit_about(
        actor,
        AuditAction.SERVICE_DOUBLE_REPORT_REGISTER,
        _report_subject(report),
        after=_report_snapshot(report),
    )
    return report


def _locked_report(report: DoubleReport) -> DoubleReport:
    return (
        DoubleReport.objects.select_for_update()
        .select_related("member__org", "community")
        .get(pk=report.pk)
    )


def may_end(actor: Actor, report: DoubleReport) -> bool:
    """The member's branch or the community may end a registration."""
    return covers(actor, Perm.MEMBER_CHANGE, report.member.org.path) or covers(
        actor, Perm.SERVICE_DISPATCH, report.community.path
    )


@transaction.atomic
def double_report_end(
    *, actor: Actor, report: DoubleReport, ended_on: dt.date | None = None
) -> DoubleReport:
    """End a registration (the member moved, changed jobs …); refused while an order
    dispatched to them is open."""
    report = _locked_report(report)
    if not may_end(actor, report):
        raise PermissionDenied("只有党员所在党组织或报到的村（社区）可以结束双报到")
    ended_on = ended_on or _today()
    errors = FieldErrors()
    if report.ended_on is not None:
        errors.add("ended_on", f"该双报到登记已于 {report.ended_on} 结束")
    elif ended_on > _today():
        errors.add("ended_on", "结束日期不能晚于今天")
    elif ended_on < report.registered_on:
        errors.add("ended_on", f"结束日期不能早于报到日期 {report.registered_on}")
    pending = _open_orders(dispatched_member=report)
    if pending:
        errors.add("ended_on", f"还有 {pending} 件派给{report.member.name}的工单在办，请先改派")
    errors.raise_if_any()
    before = _report_snapshot(report)
    report.ended_on = ended_on
    report.save(update_fields=["ended_on"])
    audit_about(
        actor,
        AuditAction.SERVICE_DOUBLE_REPORT_END,
        _report_subject(report),
        before=before,
        after=_report_snapshot(report),
    )
    return report


@transaction.atomic
def double_report_rate(
    *, actor: Actor, report: DoubleReport, year: int, rating: str, note: str = ""
) -> DoubleReportRating:
    """The community's rating of a registered member's service in ``year`` (one per year; a
    second rating of the same year replaces the first, audited with both)."""
    report = _locked_report(report)
    require(actor, Perm.SERVICE_DISPATCH, report.community.path)
    errors = FieldErrors()
    today = _today()
    last = report.ended_on.year if report.ended_on else today.year
    if not (report.registered_on.year <= year <= last):
        errors.add("year", f"只能评价报到期间的年度（{report.registered_on.year}—{last} 年）")
    if rating not in ReportRating.values:
        errors.add("rating", "请选择优秀、合格、基本合格或不合格")
    note = errors.text("note", "评语", note, NOTE_MAX)
    errors.raise_if_any()
    old = DoubleReportRating.objects.filter(report=report, year=year).first()
    before = {"year": year, "rating": old.rating, "note": old.note} if old else None
    item, _ = DoubleReportRating.objects.update_or_create(
        report=report,
        year=year,
        defaults={
            "rating": rating,
            "note": note,
            "rated_by": user_of(actor),
            "rated_at": timezone.now(),
        },
    )
    audit_about(
        actor,
        AuditAction.SERVICE_DOUBLE_REPORT_RATE,
        AuditSubject(
            "double_report_rating",
            item,
            report.community.path,
            f"{report.member.name} {year} 年度双报到评价",
        ),
        before=before,
        after={"year": year, "rating": rating, "note": note},
    )
    return item
