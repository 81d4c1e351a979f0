"""The write path of service orders: validate, write, record the transition and audit it — one
transaction. The order's life (SERVICE-SOLVED-VS-CLOSED, SERVICE-ESCALATION):

submitted → accepted | refused (with a reason) | merged (into an earlier order) → dispatched (to a
grid or a person) → taken → resolved → closed (rated 满意/基本满意) or rated (不满意) → reopened
(accepted again, within ``reopen_days`` of the resolution) or closed by the dispatcher. An open
order can be escalated (村 → 片区 → 乡镇 → 跨级联合) by its dispatcher, with a reason.

The ladder (SERVICE-ESCALATION, SERVICE-AREA, SERVICE-LINKED-DEPARTMENT): from the village it goes
to the 片区 when its grid names one (``Grid.area``), else straight to the town. At the 片区 the
order stays with the village; when the 片区 is registered (:class:`~.models.ServiceArea`) with
leaders (片区长), it is dispatched to them and any of them takes it (the first wins, like a grid);
without leaders it waits for the village dispatcher as before. From the 片区 it goes to the town
(乡镇/街道 党委), and from the town to 跨级联合: still handled by the town, whose dispatcher
refers it to one or more linked departments (:func:`dangjian.service.linked.order_refer`; a
referral from the town level counts as 跨级联合 too); their contact users take and resolve it.
Nothing is above 跨级联合.

Who: the resident (no account) submits, rates and reopens by the tracking code; a dispatcher
(``Perm.SERVICE_DISPATCH`` covering the organization handling the order now) accepts, refuses,
merges, dispatches, escalates and closes; a grid worker of the grid it was dispatched to, the
person it was assigned to, a 片区长 of the 片区 it was escalated to, a contact user of a linked
department it was referred to, or the leader or a member's own account of the volunteer team it
was dispatched to (``Perm.SERVICE_HANDLE``; teams and 双报到 in :mod:`dangjian.service.teams`),
takes and resolves it. An impossible
transition is refused with a Chinese message before anything is written; two people acting on
the same order at once: the state is updated only if it is still the one read, so one wins and
the other is told. Late actions are allowed and marked late (SERVICE-DEADLINE), never refused.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, can, covers, require, user_of
from dangjian.core import attachments, clock, crypto, idnumber, uploads
from dangjian.core.attachments import AttachmentPolicy
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.core.keys import public_token
from dangjian.orgs.models import Organization
from dangjian.rules.params import params_on

from . import deadlines
from .boundary import BoundaryError, check_boundary
from .categories import category as category_of
from .choices import FINAL_STATES, EventKind, Level, OrderState, Rating, RefuseReason
from .models import (
    DoubleReport,
    Grid,
    Order,
    OrderAttachment,
    OrderEvent,
    Referral,
    ServiceArea,
    VolunteerTeam,
)
from .signals import order_moved

DESCRIPTION_MAX = 2000
NOTE_MAX = 1000
ADDRESS_MAX = 200
#: tracking codes: no 0/O/1/I, read out over the phone without confusion
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Resident:
    """The resident acting on their own order (no account); named in the audit trail by it."""

    code: str
    pk: Any = None

    @property
    def audit_name(self) -> str:
        return f"群众（工单 {self.code}）"


def _label(state: str) -> str:
    return str(OrderState(state).label)


def _subject(order: Order) -> AuditSubject:
    return AuditSubject("service_order", order, order.org.path, f"服务工单 {order.tracking_code}")


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "state": order.state,
        "level": order.level,
        "handler_org": order.handler_org.code,
        "grid": order.dispatched_grid_id,
        "assignee": order.assignee_id,
        "dispatched_team": order.dispatched_team_id,
        "dispatched_member": order.dispatched_member_id,
        "department": order.department_id,
    }


def _now() -> dt.datetime:
    return clock.now()


# --- grids ------------------------------------------------------------------------------------


@transaction.atomic
def grid_create(
    *,
    actor: Actor,
    org: Organization,
    name: str,
    area: str = "",
    households: int = 0,
    workers: list[User] | None = None,
    boundary: dict[str, Any] | None = None,
) -> Grid:
    """A grid of a village or community (``org``); its workers must be users of that org's
    subtree who may handle orders."""
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    name, area, boundary = _grid_fields(org, None, name, area, households, workers, boundary)
    grid = Grid.objects.create(
        org=org,
        name=name,
        area=area,
        households=households,
        boundary=boundary,
        token=public_token(12),
    )
    grid.workers.set(workers or [])
    audit_about(
        actor,
        AuditAction.SERVICE_GRID_CREATE,
        AuditSubject("grid", grid, org.path, f"{org.name}{name}"),
        after={
            "org": org.code,
            "name": name,
            "area": area,
            "workers": [w.pk for w in workers or []],
        },
    )
    return grid


def _grid_fields(
    org: Organization,
    grid: Grid | None,
    name: str,
    area: str,
    households: int,
    workers: list[User] | None,
    boundary: dict[str, Any] | None,
) -> tuple[str, str, dict[str, Any] | None]:
    """The checks of :func:`grid_create` and :func:`grid_update` (``grid``: the one changed):
    the name, 片区 and boundary as stored, or every problem refused at once."""
    errors = FieldErrors()
    name = errors.text("name", "网格名称", name, 50)
    area = errors.text("area", "片区名称", area, 50)
    same_name = Grid.objects.filter(org=org, name=name)
    if grid is not None:
        same_name = same_name.exclude(pk=grid.pk)
    if not name:
        errors.add("name", "请填写网格名称")
    elif same_name.exists():
        errors.add("name", f"{org.name}已有名为“{name}”的网格")
    if households < 0:
        errors.add("households", "户数不能为负数")
    boundary = _boundary(errors, boundary)
    _check_workers(errors, org, workers or [])
    errors.raise_if_any()
    return name, area, boundary


def _boundary(errors: FieldErrors, boundary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The checked GeoJSON polygon (:mod:`dangjian.service.boundary`), or ``None``."""
    if boundary is None:
        return None
    try:
        return check_boundary(boundary)
    except BoundaryError as exc:
        for problem in exc.problems:
            errors.add("boundary", problem)
        return None


def _check_workers(errors: FieldErrors, org: Organization, workers: list[User]) -> None:
    for w in workers:
        if not (
            w.is_active and w.org and w.org.path.startswith(org.path) and w.can(Perm.SERVICE_HANDLE)
        ):
            errors.add("workers", f"{w.username} 不是本村（社区）可以办理工单的账号")


def _grid_snapshot(grid: Grid) -> dict[str, Any]:
    return {
        "name": grid.name,
        "area": grid.area,
        "households": grid.households,
        "workers": sorted(grid.workers.values_list("pk", flat=True)),
        "boundary": grid.boundary is not None,
        "active": grid.active,
    }


def _grid_subject(grid: Grid) -> AuditSubject:
    return AuditSubject("grid", grid, grid.org.path, f"{grid.org.name}{grid.name}")


@transaction.atomic
def grid_update(
    *,
    actor: Actor,
    grid: Grid,
    name: str,
    area: str = "",
    households: int = 0,
    workers: list[User] | None = None,
    boundary: dict[str, Any] | None = None,
) -> Grid:
    """Change a grid: every field as given (the caller passes the current value of what it does
    not change); the same checks as :func:`grid_create`. Orders already dispatched to the grid
    stay with it; a worker taken off keeps what he has taken."""
    grid = Grid.objects.select_for_update().select_related("org").get(pk=grid.pk)
    org = grid.org
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    name, area, boundary = _grid_fields(org, grid, name, area, households, workers, boundary)
    before = _grid_snapshot(grid)
    grid.name, grid.area, grid.households, grid.boundary = name, area, households, boundary
    grid.save(update_fields=["name", "area", "households", "boundary"])
    grid.workers.set(workers or [])
    audit_about(
        actor,
        AuditAction.SERVICE_GRID_UPDATE,
        _grid_subject(grid),
        before=before,
        after=_grid_snapshot(grid),
    )
    return grid


@transaction.atomic
def grid_deactivate(*, actor: Actor, grid: Grid, note: str = "") -> Grid:
    """停用 a grid: its public page stops taking orders and no order can be dispatched to it.
    Refused while orders dispatched to it wait for one of its workers (send them elsewhere
    first); orders already taken by a worker go on."""
    grid = Grid.objects.select_for_update().select_related("org").get(pk=grid.pk)
    require(actor, Perm.SERVICE_DISPATCH, grid.org.path)
    if not grid.active:
        raise ValidationError(f"网格“{grid.name}”已停用")
    waiting = Order.objects.filter(
        dispatched_grid=grid, state=OrderState.DISPATCHED, assignee__isnull=True
    ).count()
    if waiting:
        raise ValidationError(
            f"网格“{grid.name}”还有 {waiting} 张已派单、待接单的工单，请先改派后再停用"
        )
    note = _note(note)
    before = _grid_snapshot(grid)
    grid.active = False
    grid.save(update_fields=["active"])
    audit_about(
        actor,
        AuditAction.SERVICE_GRID_DEACTIVATE,
        _grid_subject(grid),
        before=before,
        after={**_grid_snapshot(grid), "note": note},
    )
    return grid


def _town_of(org: Organization) -> Organization | None:
    """The organization above a village or community (its 乡镇/街道 党委), or ``None``."""
    return (
        Organization.objects.filter(path=org.path[: -Organization.steplen]).first()
        if org.depth > 1
        else None
    )


# --- the resident -----------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        if not Order.objects.filter(tracking_code=code).exists():
            return code


@transaction.atomic
def order_submit(
    *,
    grid: Grid,
    category: str,
    description: str,
    phone: str,
    address: str = "",
    contact_name: str = "",
) -> Order:
    """群众点单: a resident's order on a grid's public page (no account). Every problem is
    reported at once, in Chinese; nothing is written unless all is well."""
    errors = FieldErrors()
    cat = category_of(category or "")
    if cat is None:
        errors.add("category", "请选择服务类别")
    description = errors.text("description", "诉求内容", description, DESCRIPTION_MAX)
    if len(description) < 5:
        errors.add("description", "请写明您的诉求（至少 5 个字）")
    address = errors.text("address", "地点", address, ADDRESS_MAX)
    contact_name = errors.text("contact_name", "称呼", contact_name, 20)
    try:
        phone = idnumber.normalize_phone(phone)
    except idnumber.InvalidNumber as exc:
        errors.add("phone", str(exc) if (phone or "").strip() else "请填写联系电话，便于回访")
    if not grid.active:
        errors.add("__all__", "该网格已停用，请联系村（社区）")
    errors.raise_if_any()
    assert cat is not None
    now = _now()
    org = grid.org
    handler = org
    level = Level.VILLAGE
    town = _town_of(org)
    if cat.level == "town" and town is not None:
        handler, level = town, Level.TOWN
    order = Order.objects.create(
        tracking_code=_new_code(),
        grid=grid,
        org=org,
        handler_org=handler,
        level=level,
        category=cat.code,
        description=description,
        address=address,
        contact_name=contact_name,
        phone_cipher=crypto.encrypt(phone),
        phone_digest=crypto.digest(phone),
        phone_masked=idnumber.mask_phone(phone),
        response_hours=cat.response_hours,
        resolution_days=cat.resolution_days,
        workdays=cat.workdays,
        submitted_at=now,
        response_due=deadlines.response_due(now, cat.response_hours),
        resolution_due=deadlines.resolution_due(now, cat.resolution_days, workdays=cat.workdays),
    )
    resident = Resident(order.tracking_code)
    OrderEvent.objects.create(
        order=order, kind=EventKind.SUBMIT, at=now, by_resident=True, to_state=order.state
    )
    audit_about(
        resident,
        AuditAction.SERVICE_ORDER_SUBMIT,
        _subject(order),
        after={**_snapshot(order), "category": cat.code, "description_chars": len(description)},
    )
    return order


# --- transitions --------------------------------------------------------------------------------

#: event → (the states it may start from, the Chinese verb for a refusal)
ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.ACCEPT: ((OrderState.SUBMITTED,), "受理"),
    EventKind.REFUSE: ((OrderState.SUBMITTED,), "不予受理"),
    EventKind.MERGE: ((OrderState.SUBMITTED, OrderState.ACCEPTED), "合并"),
    EventKind.DISPATCH: ((OrderState.ACCEPTED, OrderState.DISPATCHED), "派单"),
    EventKind.ESCALATE: (
        (OrderState.SUBMITTED, OrderState.ACCEPTED, OrderState.DISPATCHED, OrderState.TAKEN),
        "上报",
    ),
    EventKind.TAKE: ((OrderState.DISPATCHED,), "接单"),
    EventKind.RESOLVE: ((OrderState.TAKEN,), "反馈办理结果"),
    EventKind.RATE: ((OrderState.RESOLVED,), "评价"),
    EventKind.REOPEN: ((OrderState.RESOLVED, OrderState.RATED), "重新办理"),
    EventKind.CLOSE: ((OrderState.RESOLVED, OrderState.RATED), "办结归档"),
    EventKind.REFER: ((OrderState.ACCEPTED, OrderState.DISPATCHED), "转联动部门"),
}

_AUDIT: dict[str, AuditAction] = {
    EventKind.ACCEPT: AuditAction.SERVICE_ORDER_ACCEPT,
    EventKind.REFUSE: AuditAction.SERVICE_ORDER_REFUSE,
    EventKind.MERGE: AuditAction.SERVICE_ORDER_MERGE,
    EventKind.DISPATCH: AuditAction.SERVICE_ORDER_DISPATCH,
    EventKind.ESCALATE: AuditAction.SERVICE_ORDER_ESCALATE,
    EventKind.TAKE: AuditAction.SERVICE_ORDER_TAKE,
    EventKind.RESOLVE: AuditAction.SERVICE_ORDER_RESOLVE,
    EventKind.RATE: AuditAction.SERVICE_ORDER_RATE,
    EventKind.REOPEN: AuditAction.SERVICE_ORDER_REOPEN,
    EventKind.CLOSE: AuditAction.SERVICE_ORDER_CLOSE,
    EventKind.REFER: AuditAction.SERVICE_ORDER_REFER,
}


def _check_from(order: Order, kind: str) -> None:
    states, verb = ALLOWED[kind]
    if order.state not in states:
        raise ValidationError(
            f"工单 {order.tracking_code} 当前为“{_label(order.state)}”，不能{verb}"
        )


def _late(order: Order, kind: str, now: dt.datetime) -> bool:
    if kind in (EventKind.ACCEPT, EventKind.REFUSE, EventKind.MERGE):
        return now > order.response_due
    if kind in (
        EventKind.DISPATCH,
        EventKind.TAKE,
        EventKind.RESOLVE,
        EventKind.ESCALATE,
        EventKind.REFER,
    ):
        return now > order.resolution_due
    return False


def _move(
    *,
    actor: Actor | Resident,
    order: Order,
    kind: str,
    to_state: str,
    note: str = "",
    fields: dict[str, Any] | None = None,
) -> Order:
    """Apply one transition if the order is still in the state read; record and audit it."""
    _check_from(order, kind)
    now = _now()
    before = _snapshot(order)
    from_state = order.state
    changes = {"state": to_state, "updated_at": now, **(fields or {})}
    won = Order.objects.filter(pk=order.pk, state=from_state).update(**changes)
    if not won:
        fresh = Order.objects.get(pk=order.pk)
        raise ValidationError(
            f"工单 {order.tracking_code} 刚刚已被他人处理（现为“{_label(fresh.state)}”），"
            "请刷新后再看"
        )
    for name, value in changes.items():
        setattr(order, name, value)
    resident = isinstance(actor, Resident)
    OrderEvent.objects.create(
        order=order,
        kind=kind,
        at=now,
        by=None if isinstance(actor, Resident) else user_of(actor),
        by_resident=resident,
        from_state=from_state,
        to_state=to_state,
        note=note[:NOTE_MAX],
        late=_late(order, kind, now),
    )
    audit_about(
        actor,
        _AUDIT[kind],
        _subject(order),
        before=before,
        after={**_snapshot(order), "note": note},
    )
    order_moved.send(Order, order=order, kind=kind, from_state=from_state, actor=actor, at=now)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("org", "handler_org").get(pk=order.pk)


def require_dispatcher(actor: Actor, order: Order) -> None:
    """村居派单: ``SERVICE_DISPATCH`` over the organization handling the order now."""
    require(actor, Perm.SERVICE_DISPATCH, order.handler_org.path)


def _note(note: str, *, required: str = "") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({"note": [required]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"说明过长（最多 {NOTE_MAX} 字）"]})
    return note


@transaction.atomic
def order_accept(*, actor: Actor, order: Order, note: str = "") -> Order:
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.ACCEPT)
    fields = {"responded_at": order.responded_at or _now()}
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.ACCEPT,
        to_state=OrderState.ACCEPTED,
        note=_note(note),
        fields=fields,
    )


@transaction.atomic
def order_refuse(*, actor: Actor, order: Order, reason: str, note: str = "") -> Order:
    """不予受理, with a reason from :class:`RefuseReason` and an explanation for the resident."""
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.REFUSE)
    if reason not in RefuseReason.values:
        raise ValidationError({"reason": ["请选择不予受理的原因"]})
    note = _note(note, required="请向群众说明不予受理的理由")
    label = RefuseReason(reason).label
    fields = {
        "refuse_reason": reason,
        "responded_at": order.responded_at or _now(),
        "closed_at": _now(),
    }
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.REFUSE,
        to_state=OrderState.REFUSED,
        note=f"{label}：{note}",
        fields=fields,
    )


@transaction.atomic
def order_merge(*, actor: Actor, order: Order, into: Order, note: str = "") -> Order:
    """A duplicate of ``into`` (an order of the same village, not merged or refused itself)."""
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.MERGE)
    if into.pk == order.pk:
        raise ValidationError({"into": ["不能把工单合并到它自己"]})
    if into.org_id != order.org_id or into.state in (OrderState.MERGED, OrderState.REFUSED):
        raise ValidationError(
            {
                "into": [
                    f"工单 {into.tracking_code} 不能作为合并目标（须为本村（社区）仍有效的工单）"
                ]
            }
        )
    fields = {
        "merged_into_id": into.pk,
        "responded_at": order.responded_at or _now(),
        "closed_at": _now(),
    }
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.MERGE,
        to_state=OrderState.MERGED,
        note=_note(note) or f"与工单 {into.tracking_code} 重复",
        fields=fields,
    )


def _dispatch_target(
    order: Order,
    grid: Grid | None,
    assignee: User | None,
    team: VolunteerTeam | None,
    member: DoubleReport | None,
) -> tuple[str, dict[str, Any]]:
    """The target of a dispatch as the note names it and the order's fields; a refusal in
    Chinese when it cannot take the order."""
    if sum(x is not None for x in (grid, assignee, team, member)) != 1:
        raise ValidationError(
            {"grid": ["请选择派往的网格、承办人、志愿服务队或双报到党员（选一个）"]}
        )
    path = order.handler_org.path
    fields: dict[str, Any] = {
        "dispatched_grid": grid,
        "assignee": assignee,
        "dispatched_team": team,
        "dispatched_member": member,
        "taken_at": None,
    }
    if grid is not None:
        if not (grid.active and grid.org.path.startswith(path)):
            raise ValidationError({"grid": [f"网格“{grid.name}”不在承办组织的范围内或已停用"]})
        return f"网格“{grid.name}”", fields
    if assignee is not None:
        if not covers(assignee, Perm.SERVICE_HANDLE, order.org.path):
            raise ValidationError({"assignee": [f"{assignee.username} 不能办理该村（社区）的工单"]})
        return f"承办人 {assignee}", fields
    if team is not None:
        team = VolunteerTeam.objects.select_related("org", "leader").get(pk=team.pk)
        near = team.org.path.startswith(path) or order.org.path.startswith(team.org.path)
        if not (team.active and near):
            raise ValidationError({"team": [f"服务队“{team.name}”不在承办组织的范围内或已停用"]})
        if not team_takers(team):
            raise ValidationError(
                {"team": [f"服务队“{team.name}”没有可以接单的账号（队长或队员本人账号），不能派单"]}
            )
        return f"志愿服务队“{team.name}”", fields
    assert member is not None
    report = DoubleReport.objects.select_related("member", "community", "user").get(pk=member.pk)
    community = report.community.path
    if report.ended_on is not None or not (
        community.startswith(path) or order.org.path.startswith(community)
    ):
        raise ValidationError(
            {"member": [f"{report.member.name}没有在承办组织范围内的村（社区）双报到"]}
        )
    user = report.user
    if user is None:
        raise ValidationError(
            {"member": [f"{report.member.name}没有登记本人账号，不能派单；请先登记账号或改派"]}
        )
    if not (user.is_active and user.can(Perm.SERVICE_HANDLE)):
        raise ValidationError(
            {"member": [f"{report.member.name}的账号已停用或没有“办理服务工单”的权限，不能派单"]}
        )
    fields["assignee"] = user
    return f"双报到党员{report.member.name}", fields


def team_takers(team: VolunteerTeam) -> set[int]:
    """The accounts that may take an order dispatched to ``team``: its leader and its members'
    own accounts (active, allowed to handle orders)."""
    pks = set(team.memberships.exclude(user=None).values_list("user_id", flat=True))
    if team.leader_id is not None:
        pks.add(team.leader_id)
    users = User.objects.filter(pk__in=pks, is_active=True)
    return {u.pk for u in users if u.can(Perm.SERVICE_HANDLE)}


@transaction.atomic
def order_dispatch(
    *,
    actor: Actor,
    order: Order,
    grid: Grid | None = None,
    assignee: User | None = None,
    team: VolunteerTeam | None = None,
    member: DoubleReport | None = None,
    note: str = "",
) -> Order:
    """派单 to a grid (its workers take it), one person who may handle orders there, a
    volunteer team (its leader or a member with an account takes it) or a 双报到 member with
    an account (who holds it at once, like a person)."""
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.DISPATCH)
    target, fields = _dispatch_target(order, grid, assignee, team, member)
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.DISPATCH,
        to_state=OrderState.DISPATCHED,
        note=_note(note) or f"派往{target}",
        fields=fields,
    )


@transaction.atomic
def order_escalate(*, actor: Actor, order: Order, reason: str) -> Order:
    """SERVICE-ESCALATION: 村 → 片区 (when the grid is in one) → 乡镇 → 跨级联合, with a reason
    (see the module docstring). The order goes back to 已受理 at the new level, whose dispatcher
    sends it on — except at a 片区 with leaders, where it is dispatched to them."""
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.ESCALATE)
    if order.level == Level.CROSS:
        raise ValidationError("工单已在跨级联合层级办理，不能再向上报")
    reason = _note(reason, required="请填写上报理由")
    handler: Organization = order.handler_org
    to_state = OrderState.ACCEPTED
    if order.level == Level.VILLAGE and order.grid.area:
        level = Level.AREA
        if area_leaders(order).exists():
            to_state = OrderState.DISPATCHED
    elif order.level == Level.TOWN:
        level = Level.CROSS
    else:
        town = _town_of(order.org)
        if town is None:
            raise ValidationError("该村（社区）没有上级乡镇（街道）组织，不能再向上报")
        level, handler = Level.TOWN, town
    fields = {
        "level": level,
        "handler_org": handler,
        # whoever it was sent to at the level below no longer holds it (as order_reopen)
        "dispatched_grid": None,
        "assignee": None,
        "dispatched_team": None,
        "dispatched_member": None,
        "taken_at": None,
        "responded_at": order.responded_at or _now(),
        "escalation_count": order.escalation_count + 1,
    }
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.ESCALATE,
        to_state=to_state,
        note=f"上报至{Level(level).label}：{reason}",
        fields=fields,
    )


def area_leaders(order: Order) -> Any:
    """The 片区长 of the 片区 the order's grid belongs to (none when it is in no registered one)."""
    from dangjian.accounts.models import User as UserModel

    if not order.grid.area:
        return UserModel.objects.none()
    return UserModel.objects.filter(
        is_active=True,
        service_areas__in=ServiceArea.objects.filter(org_id=order.org_id, name=order.grid.area),
    )


def may_handle(actor: Actor, order: Order) -> bool:
    """A worker of the grid the order was dispatched to, the person it was assigned to, a
    contact user of a department it was referred to, or — escalated to a 片区 and not sent on
    to a grid — a 片区长 of that 片区; for an order dispatched to a volunteer team, the team's
    leader or a member's own account (a team or 双报到 member may be bound to their employer's
    organization, outside the village's subtree: the dispatch is what lets them act)."""
    pk = getattr(actor, "pk", None)
    if pk is None:
        return False
    if order.dispatched_team_id is not None or order.dispatched_member_id is not None:
        if not can(actor, Perm.SERVICE_HANDLE):
            return False
        if order.assignee_id is not None:
            return bool(order.assignee_id == pk)
        return order.dispatched_team is not None and pk in team_takers(order.dispatched_team)
    if not covers(actor, Perm.SERVICE_HANDLE, order.org.path):
        return False
    if order.assignee_id is not None:
        return bool(order.assignee_id == pk)
    grid = order.dispatched_grid
    if grid is not None and grid.workers.filter(pk=pk).exists():
        return True
    if (
        order.department_id is not None
        and Referral.objects.filter(
            order=order, department__active=True, department__contacts=pk
        ).exists()
    ):
        return True
    return order.level == Level.AREA and grid is None and area_leaders(order).filter(pk=pk).exists()


@transaction.atomic
def order_take(*, actor: Actor, order: Order) -> Order:
    """网格接单: the first of the grid's workers to take it holds it; the others are told."""
    order = _locked(order)
    if order.state == OrderState.TAKEN and order.assignee_id != getattr(actor, "pk", None):
        raise ValidationError(f"工单 {order.tracking_code} 已被 {order.assignee} 接单")
    _check_from(order, EventKind.TAKE)
    if not may_handle(actor, order):
        raise PermissionDenied("该工单没有派给您或您所在的网格")
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.TAKE,
        to_state=OrderState.TAKEN,
        fields={"assignee": user_of(actor), "taken_at": _now()},
    )


@transaction.atomic
def order_resolve(
    *, actor: Actor, order: Order, result: str, photos: Iterable[tuple[str, bytes]] = ()
) -> Order:
    """The holder records what was done (with ``photos``: (name, bytes) pairs, stored with the
    result or not at all); the order waits for the resident's rating."""
    order = _locked(order)
    _check_from(order, EventKind.RESOLVE)
    if order.assignee_id != getattr(actor, "pk", None) or not may_handle(actor, order):
        raise PermissionDenied("只有接单人可以反馈办理结果")
    errors = FieldErrors()
    result = errors.text("result", "办理结果", result, DESCRIPTION_MAX)
    if not result:
        errors.add("result", "请写明办理结果（做了什么）")
    errors.raise_if_any()
    for name, data in photos:
        _photo_add(actor, order, name, data)
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.RESOLVE,
        to_state=OrderState.RESOLVED,
        fields={"result": result, "resolved_at": _now()},
    )


# --- photos of what was done (the shared attachment mechanism) ---------------------------------

#: photos per order (SERVICE: the result is text; photos only show it)
PHOTOS_PER_ORDER = 9
#: the upload checks' image types (a PDF passes those checks but is not a photo); phones send
#: WebP too
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def _photo_add(actor: Actor, order: Order, name: str, data: bytes) -> OrderAttachment:
    kind = uploads.sniff(data)
    if kind is not None and kind not in PHOTO_TYPES:
        shown = (name or "照片").replace("\\", "/").rsplit("/", 1)[-1][:60]
        raise ValidationError({"file": [f"文件“{shown}”不是照片：只能上传 JPEG、PNG 或 WebP 图片"]})
    item: OrderAttachment = attachments.attachment_add(
        OrderAttachment,
        actor=actor,
        action=AuditAction.SERVICE_ORDER_PHOTO_ADD,
        subject=_subject(order),
        # decoded and stored without metadata: a phone's photo carries where it was taken
        policy=AttachmentPolicy("照片", PHOTOS_PER_ORDER, "每张工单", clean_images=True),
        name=name,
        data=data,
    )
    return item


@transaction.atomic
def order_photo_add(*, actor: Actor, order: Order, name: str, data: bytes) -> OrderAttachment:
    """A photo of the work, by whoever holds the order while it is taken (audited)."""
    order = _locked(order)
    if order.state != OrderState.TAKEN:
        raise ValidationError(
            f"工单 {order.tracking_code} 现为“{_label(order.state)}”，不能再上传照片"
        )
    if not holds(actor, order) or not may_handle(actor, order):
        raise PermissionDenied("只有接单人可以上传办理照片")
    return _photo_add(actor, order, name, data)


def may_remove_photo(actor: Actor, order: Order) -> bool:
    """Whether ``actor`` may remove a photo of ``order`` now: until the order is closed (a
    closed, rated order keeps the record the resident rated), its holder while it is taken, or
    a dispatcher over the organization handling it (a photo that shows a person or a wrong
    place)."""
    if order.state in FINAL_STATES:
        return False
    if order.state == OrderState.TAKEN and holds(actor, order) and may_handle(actor, order):
        return True
    return covers(actor, Perm.SERVICE_DISPATCH, order.handler_org.path)


@transaction.atomic
def order_photo_remove(*, actor: Actor, photo: OrderAttachment) -> None:
    """Remove a photo of an order's work (see :func:`may_remove_photo`), audited with its name
    and digest; the order's history keeps its transitions."""
    order = _locked(photo.order)
    if order.state in FINAL_STATES:
        raise ValidationError(
            f"工单 {order.tracking_code} 现为“{_label(order.state)}”，办理照片作为办理记录保留，"
            "不能删除"
        )
    if not may_remove_photo(actor, order):
        raise PermissionDenied("只有接单人或承办组织的派单人可以删除办理照片")
    attachments.attachment_remove(
        actor=actor,
        action=AuditAction.SERVICE_ORDER_PHOTO_REMOVE,
        subject=_subject(order),
        attachment=photo,
    )


@transaction.atomic  # the audit entry needs a transaction (a page view has none of its own)
def order_photo_read(*, actor: Actor, photo: OrderAttachment) -> bytes:
    """The bytes of a photo of an order (the caller checked the order is in the actor's
    scope); each view is audited — photos may show people."""
    return attachments.attachment_read_audited(
        actor=actor,
        action=AuditAction.SERVICE_ORDER_PHOTO_READ,
        subject=_subject(photo.order),
        attachment=photo,
    )


def reopen_until(order: Order) -> dt.datetime | None:
    """The end of the reopening window (SERVICE-SOLVED-VS-CLOSED ``reopen_days``)."""
    if order.resolved_at is None:
        return None
    days = int(
        params_on("SERVICE-SOLVED-VS-CLOSED", timezone.localdate(order.resolved_at))["reopen_days"]
    )
    return order.resolved_at + dt.timedelta(days=days)


@transaction.atomic
def order_rate(*, order: Order, rating: str, comment: str = "") -> Order:
    """群众评单: 满意/基本满意 close the order; 不满意 leaves it open to reopening."""
    order = _locked(order)
    _check_from(order, EventKind.RATE)
    if rating not in Rating.values:
        raise ValidationError({"rating": ["请选择满意、基本满意或不满意"]})
    errors = FieldErrors()
    comment = errors.text("comment", "评价意见", comment, 500)
    errors.raise_if_any()
    now = _now()
    done = rating != Rating.UNSATISFIED
    fields = {"rating": rating, "rating_comment": comment, "rated_at": now}
    if done:
        fields["closed_at"] = now
    label = Rating(rating).label
    return _move(
        actor=Resident(order.tracking_code),
        order=order,
        kind=EventKind.RATE,
        to_state=OrderState.CLOSED if done else OrderState.RATED,
        note=f"{label}{('：' + comment) if comment else ''}",
        fields=fields,
    )


@transaction.atomic
def order_reopen(*, order: Order, note: str) -> Order:
    """The resident, not satisfied, reopens within the window; a new resolution limit runs."""
    order = _locked(order)
    _check_from(order, EventKind.REOPEN)
    if order.rating and order.rating != Rating.UNSATISFIED:
        raise ValidationError("工单已评价为满意，不能重新办理")
    until = reopen_until(order)
    now = _now()
    if until is not None and now > until:
        raise ValidationError(
            f"已超过重新办理期限（{timezone.localtime(until):%Y-%m-%d %H:%M} 前），"
            "如有新的诉求请重新点单"
        )
    note = _note(note, required="请说明哪里还没有解决")
    fields = {
        "reopen_count": order.reopen_count + 1,
        "resolved_at": None,
        "rating": "",
        "rated_at": None,
        "dispatched_grid": None,
        "assignee": None,
        "dispatched_team": None,
        "dispatched_member": None,
        "taken_at": None,
        "resolution_due": deadlines.resolution_due(
            now, order.resolution_days, workdays=order.workdays
        ),
    }
    return _move(
        actor=Resident(order.tracking_code),
        order=order,
        kind=EventKind.REOPEN,
        to_state=OrderState.ACCEPTED,
        note=note,
        fields=fields,
    )


@transaction.atomic
def order_close(*, actor: Actor, order: Order, note: str = "") -> Order:
    """办结归档 by the dispatcher: a 不满意 order after explanation, or a resolved order the
    resident did not rate once the reopening window has passed."""
    order = _locked(order)
    require_dispatcher(actor, order)
    _check_from(order, EventKind.CLOSE)
    until = reopen_until(order)
    if order.state == OrderState.RESOLVED and until is not None and _now() <= until:
        raise ValidationError(
            f"群众可在 {timezone.localtime(until):%Y-%m-%d %H:%M} 前评价，期满后方可归档"
        )
    note = (
        _note(note, required="请填写办结说明") if order.state == OrderState.RATED else _note(note)
    )
    return _move(
        actor=actor,
        order=order,
        kind=EventKind.CLOSE,
        to_state=OrderState.CLOSED,
        note=note,
        fields={"closed_at": _now()},
    )


# --- the resident's phone -----------------------------------------------------------------------


def holds(actor: Actor, order: Order) -> bool:
    """Whether ``actor`` is the order's current handler: the person who took it (or it was
    assigned to), or — while no one holds it — a dispatcher of the organization handling it."""
    if order.state in FINAL_STATES:
        return False
    if order.assignee_id is not None:
        return bool(order.assignee_id == getattr(actor, "pk", None))
    if order.state == OrderState.DISPATCHED:
        return may_handle(actor, order)
    return covers(actor, Perm.SERVICE_DISPATCH, order.handler_org.path)


@transaction.atomic  # the audit entry needs a transaction (a page view has none of its own)
def order_phone(*, actor: Actor, order: Order) -> str:
    """The resident's full phone number, for its current handler only; each view is audited
    (like a member's personal data)."""
    if not holds(actor, order):
        raise PermissionDenied("只有当前承办人可以查看群众的完整电话")
    audit_about(
        actor,
        AuditAction.SERVICE_ORDER_VIEW_PHONE,
        _subject(order),
        after={"fields": ["phone"], "state": order.state},
    )
    return order.phone
