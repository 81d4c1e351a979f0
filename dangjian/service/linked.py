"""The write path of linked departments (联动部门, 先锋共同体), 片区 and 敲门行动 visits — validate,
write, audit in one transaction, like :mod:`dangjian.service.services`.

- :func:`department_create`: a department registered with a town (or county) organization by
  one of its dispatchers; its contact users must be able to handle orders there.
- :func:`area_create`: a 片区 of a village (the grids whose ``area`` names it) with its 片区长.
- :func:`order_refer`: 跨级联合 — a town dispatcher refers an order handled by the town (at the
  乡镇 or 跨级联合 level) to one or more departments linked to that town or to its county; the
  first is the 牵头 department. The order is dispatched to them; any of their contact users
  takes it (the first wins) and resolves it. A department of another town is refused.
- :func:`visit_record`: 敲门行动 — a door-knock visit to a household (a 门牌号 or 户编号, never an
  identity number) of a grid, with the needs found and a follow-up date;
  :func:`need_to_order` turns one need into a service order in one tap (through
  :func:`~dangjian.service.services.order_submit`; its first event's note says it came from
  敲门行动); :func:`visit_done` marks the follow-up done.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.core import crypto, idnumber
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.models import Organization

from . import services
from .categories import category as category_of
from .choices import DepartmentKind, EventKind, Level, OrderState
from .models import Department, Grid, Order, OrderEvent, Referral, ServiceArea, Visit, VisitNeed

NEEDS_MAX = 20
NEED_MAX = 500
HOUSEHOLD_MAX = 30
#: 18 digits (or 17 and X) or 15 digits in a row: an identity number, not a household label
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")
SOURCE_NOTE = "来源：敲门行动"


# --- departments --------------------------------------------------------------------------------


@transaction.atomic
def department_create(
    *,
    actor: Actor,
    org: Organization,
    name: str,
    kind: str,
    contacts: Sequence[User] = (),
    phone: str = "",
) -> Department:
    """A linked department of ``org`` (a town or county organization, over which the actor
    dispatches); its contact users must hold ``SERVICE_HANDLE`` over ``org``."""
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    errors = FieldErrors()
    name = errors.text("name", "部门名称", name, 60)
    if not name:
        errors.add("name", "请填写部门名称（如“城关派出所”）")
    elif Department.objects.filter(org=org, name=name).exists():
        errors.add("name", f"{org.name}已登记名为“{name}”的联动部门")
    if kind not in DepartmentKind.values:
        errors.add("kind", "请选择部门类别")
    below = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    if not below.exists():
        errors.add("org", f"{org.name}没有下级组织，联动部门应登记在乡镇（街道）或县级组织")
    for u in contacts:
        if not (u.is_active and covers(u, Perm.SERVICE_HANDLE, org.path)):
            errors.add("contacts", f"{u} 不能办理{org.name}的工单，不能作为联络人")
    number = ""
    if (phone or "").strip():
        try:
            number = idnumber.normalize_phone(phone)
        except idnumber.InvalidNumber as exc:
            errors.add("phone", str(exc))
    errors.raise_if_any()
    dept = Department.objects.create(
        org=org,
        name=name,
        kind=kind,
        phone_cipher=crypto.encrypt(number) if number else None,
        phone_masked=idnumber.mask_phone(number) if number else "",
    )
    dept.contacts.set(list(contacts))
    audit_about(
        actor,
        AuditAction.SERVICE_DEPARTMENT_CREATE,
        AuditSubject("service_department", dept, org.path, f"联动部门 {name}"),
        after={"org": org.code, "name": name, "kind": kind, "contacts": [u.pk for u in contacts]},
    )
    return dept


def _department_subject(dept: Department) -> AuditSubject:
    return AuditSubject("service_department", dept, dept.org.path, f"联动部门 {dept.name}")


def _department_snapshot(dept: Department) -> dict[str, Any]:
    return {
        "name": dept.name,
        "kind": dept.kind,
        "contacts": sorted(dept.contacts.values_list("pk", flat=True)),
        "phone": dept.phone_masked,  # the masked copy only: the trail keeps no phone number
        "active": dept.active,
    }


@transaction.atomic
def department_update(
    *,
    actor: Actor,
    department: Department,
    name: str,
    kind: str,
    contacts: Sequence[User] = (),
    phone: str | None = None,
) -> Department:
    """Change a department: name, kind, contact users (as given: the caller passes the current
    ones it keeps) and the duty phone — ``None`` keeps it, ``""`` removes it. The same checks as
    :func:`department_create`; orders already referred to it stay with it."""
    dept = Department.objects.select_for_update().select_related("org").get(pk=department.pk)
    org = dept.org
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    errors = FieldErrors()
    name = errors.text("name", "部门名称", name, 60)
    if not name:
        errors.add("name", "请填写部门名称（如“城关派出所”）")
    elif Department.objects.filter(org=org, name=name).exclude(pk=dept.pk).exists():
        errors.add("name", f"{org.name}已登记名为“{name}”的联动部门")
    if kind not in DepartmentKind.values:
        errors.add("kind", "请选择部门类别")
    for u in contacts:
        if not (u.is_active and covers(u, Perm.SERVICE_HANDLE, org.path)):
            errors.add("contacts", f"{u} 不能办理{org.name}的工单，不能作为联络人")
    if dept.active and not contacts and _waiting(dept):
        errors.add("contacts", "该部门还有待接单的转办工单，至少保留一名联络人")
    number = ""
    if phone is not None and phone.strip():
        try:
            number = idnumber.normalize_phone(phone)
        except idnumber.InvalidNumber as exc:
            errors.add("phone", str(exc))
    errors.raise_if_any()
    before = _department_snapshot(dept)
    dept.name, dept.kind = name, kind
    fields = ["name", "kind"]
    if phone is not None:
        dept.phone_cipher = crypto.encrypt(number) if number else None
        dept.phone_masked = idnumber.mask_phone(number) if number else ""
        fields += ["phone_cipher", "phone_masked"]
    dept.save(update_fields=fields)
    dept.contacts.set(list(contacts))
    audit_about(
        actor,
        AuditAction.SERVICE_DEPARTMENT_UPDATE,
        _department_subject(dept),
        before=before,
        after=_department_snapshot(dept),
    )
    return dept


def _waiting(dept: Department) -> int:
    """Orders referred to the department that no one has taken yet."""
    return (
        Order.objects.filter(
            referrals__department=dept, state=OrderState.DISPATCHED, assignee__isnull=True
        )
        .distinct()
        .count()
    )


@transaction.atomic
def department_deactivate(*, actor: Actor, department: Department, note: str = "") -> Department:
    """停用 a department: no order can be referred to it any more and its contact users no
    longer take the orders referred to it. Refused while such orders wait for them (refer them
    elsewhere first); an order one of them already took goes on."""
    dept = Department.objects.select_for_update().select_related("org").get(pk=department.pk)
    require(actor, Perm.SERVICE_DISPATCH, dept.org.path)
    if not dept.active:
        raise ValidationError(f"联动部门“{dept.name}”已停用")
    waiting = _waiting(dept)
    if waiting:
        raise ValidationError(
            f"联动部门“{dept.name}”还有 {waiting} 张已转办、待接单的工单，请先改转其他部门后再停用"
        )
    note = services._note(note)
    before = _department_snapshot(dept)
    dept.active = False
    dept.save(update_fields=["active"])
    audit_about(
        actor,
        AuditAction.SERVICE_DEPARTMENT_DEACTIVATE,
        _department_subject(dept),
        before=before,
        after={**_department_snapshot(dept), "note": note},
    )
    return dept


def departments_for_order(order: Order) -> Any:
    """The active departments an order handled by ``order.handler_org`` may be referred to:
    those linked to that organization or to one above it (its county)."""
    path = order.handler_org.path
    above = [path[:i] for i in range(len(path), 0, -Organization.steplen)]
    return (
        Department.objects.filter(active=True, org__path__in=above)
        .select_related("org")
        .order_by("org__path", "name")
    )


@transaction.atomic
def order_refer(
    *, actor: Actor, order: Order, departments: Sequence[Department], note: str = ""
) -> Order:
    """跨级联合: refer an order handled by the town to linked departments (the first 牵头)."""
    order = services._locked(order)
    services.require_dispatcher(actor, order)
    services._check_from(order, EventKind.REFER)
    if order.level not in (Level.TOWN, Level.CROSS):
        raise ValidationError(
            f"工单 {order.tracking_code} 在{Level(order.level).label}层级办理，"
            "须先上报到乡镇（街道）才能转联动部门"
        )
    note = services._note(note)
    errors = FieldErrors()
    chosen: list[Department] = []
    for dept in departments:
        if dept in chosen:
            continue
        if not dept.active:
            errors.add("departments", f"联动部门“{dept.name}”已停用")
        elif not order.handler_org.path.startswith(dept.org.path):
            errors.add(
                "departments",
                f"联动部门“{dept.name}”属于{dept.org.name}，不能承办{order.handler_org.name}的工单",
            )
        elif not dept.contacts.filter(is_active=True).exists():
            errors.add("departments", f"联动部门“{dept.name}”没有登记联络人，无法接单")
        chosen.append(dept)
    if not departments:
        errors.add("departments", "请至少选择一个联动部门")
    errors.raise_if_any()
    now = services._now()
    Referral.objects.filter(order=order).delete()
    Referral.objects.bulk_create(
        Referral(order=order, department=d, lead=i == 0, at=now, by=user_of(actor))
        for i, d in enumerate(chosen)
    )
    others = "、".join(d.name for d in chosen[1:])
    text = f"转联动部门：{chosen[0].name}牵头" + (f"，{others}协办" if others else "")
    fields = {
        "level": Level.CROSS,
        "department": chosen[0],
        "dispatched_grid": None,
        "assignee": None,
        "taken_at": None,
        "responded_at": order.responded_at or now,
    }
    return services._move(
        actor=actor,
        order=order,
        kind=EventKind.REFER,
        to_state=OrderState.DISPATCHED,
        note=f"{text}{('：' + note) if note else ''}",
        fields=fields,
    )


# --- 片区 ----------------------------------------------------------------------------------------


@transaction.atomic
def area_create(
    *, actor: Actor, org: Organization, name: str, leaders: Sequence[User] = ()
) -> ServiceArea:
    """A 片区 of a village or community: the grids whose ``area`` is ``name``; its leaders take
    the orders escalated to it."""
    require(actor, Perm.SERVICE_DISPATCH, org.path)
    errors = FieldErrors()
    name = errors.text("name", "片区名称", name, 50)
    if not name:
        errors.add("name", "请填写片区名称")
    elif ServiceArea.objects.filter(org=org, name=name).exists():
        errors.add("name", f"{org.name}已登记名为“{name}”的片区")
    for u in leaders:
        if not (u.is_active and covers(u, Perm.SERVICE_HANDLE, org.path)):
            errors.add("leaders", f"{u} 不能办理{org.name}的工单，不能担任片区长")
    errors.raise_if_any()
    area = ServiceArea.objects.create(org=org, name=name)
    area.leaders.set(list(leaders))
    audit_about(
        actor,
        AuditAction.SERVICE_AREA_CREATE,
        AuditSubject("service_area", area, org.path, f"{org.name}{name}"),
        after={"org": org.code, "name": name, "leaders": [u.pk for u in leaders]},
    )
    return area


# --- 敲门行动 ------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    grid: Grid,
    household: str,
    visited_on: dt.date,
    needs: Sequence[tuple[str, str]] = (),
    visitors: Sequence[User] = (),
    follow_up_due: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Visit:
    """One door-knock visit; ``needs`` are ``(text, category code or "")``. The actor visited
    (added to ``visitors``) and holds ``SERVICE_HANDLE`` over the grid's village."""
    require(actor, Perm.SERVICE_HANDLE, grid.org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    household = errors.text("household", "走访户", household, HOUSEHOLD_MAX)
    if not household:
        errors.add("household", "请填写走访户的门牌号或户编号")
    elif _ID_LIKE.search(household.replace(" ", "")):
        errors.add("household", "走访户只填门牌号或户编号，不要填写身份证号码")
    if visited_on > today:
        errors.add("visited_on", f"走访日期不能晚于今天（{today:%Y-%m-%d}）")
    if follow_up_due is not None and follow_up_due < visited_on:
        errors.add("follow_up_due", "回访期限不能早于走访日期")
    note = errors.text("note", "走访情况", note, 500)
    if not grid.active:
        errors.add("grid", f"网格“{grid.name}”已停用")
    if len(needs) > NEEDS_MAX:
        errors.add("needs", f"一次走访最多登记 {NEEDS_MAX} 项需求")
    clean: list[tuple[str, str]] = []
    for i, (text, code) in enumerate(needs, start=1):
        text = (text or "").strip()
        if not text:
            errors.add("needs", f"第 {i} 项需求没有填写内容")
        elif len(text) > NEED_MAX:
            errors.add("needs", f"第 {i} 项需求过长（最多 {NEED_MAX} 字）")
        if code and category_of(code) is None:
            errors.add("needs", f"第 {i} 项需求的服务类别不存在")
        clean.append((text, code or ""))
    people = list(visitors)
    me = user_of(actor)
    if me is not None and me not in people:
        people.insert(0, me)
    for u in people:
        if not covers(u, Perm.SERVICE_HANDLE, grid.org.path):
            errors.add("visitors", f"{u} 不是本村（社区）可以办理工单的账号")
    if not people:
        errors.add("visitors", "请选择走访人")
    errors.raise_if_any()
    visit = Visit.objects.create(
        grid=grid,
        org=grid.org,
        household=household,
        visited_on=visited_on,
        note=note,
        follow_up_due=follow_up_due,
        recorded_by=me,
    )
    visit.visitors.set(people)
    VisitNeed.objects.bulk_create(VisitNeed(visit=visit, text=t, category=c) for t, c in clean)
    audit_about(
        actor,
        AuditAction.SERVICE_VISIT_RECORD,
        AuditSubject("service_visit", visit, grid.org.path, f"敲门行动 {grid.name} {household}"),
        after={
            "grid": grid.pk,
            "visited_on": visited_on.isoformat(),
            "needs": len(clean),
            "visitors": [u.pk for u in people],
            "follow_up_due": follow_up_due.isoformat() if follow_up_due else None,
        },
    )
    return visit


@transaction.atomic
def need_to_order(
    *, actor: Actor, need: VisitNeed, phone: str, category: str = "", address: str = ""
) -> Order:
    """Turn one need of a visit into a service order (群众点单 on the household's behalf, once).
    The resident's phone goes on the order only (encrypted), not on the visit."""
    need = VisitNeed.objects.select_for_update().select_related("visit__grid__org").get(pk=need.pk)
    visit = need.visit
    require(actor, Perm.SERVICE_HANDLE, visit.org.path)
    if need.order_id is not None:
        code = Order.objects.filter(pk=need.order_id).values_list("tracking_code", flat=True)
        raise ValidationError(f"这项需求已转为工单 {code.first()}，不能重复转")
    order = services.order_submit(
        grid=visit.grid,
        category=category or need.category,
        description=need.text,
        phone=phone,
        address=address or visit.household,
    )
    OrderEvent.objects.filter(order=order, kind=EventKind.SUBMIT).update(
        note=f"{SOURCE_NOTE}（{visit.visited_on:%Y-%m-%d} 走访 {visit.household}，"
        f"由 {actor} 代为点单）"
    )
    need.order = order
    need.save(update_fields=["order"])
    audit_about(
        actor,
        AuditAction.SERVICE_VISIT_NEED_ORDER,
        AuditSubject("service_visit", visit, visit.org.path, f"敲门行动 {visit.household}"),
        after={"note": f"需求“{need.text[:50]}”转为工单 {order.tracking_code}"},
    )
    return order


@transaction.atomic
def visit_done(*, actor: Actor, visit: Visit) -> Visit:
    """The follow-up of a visit is done."""
    visit = Visit.objects.select_for_update().select_related("org").get(pk=visit.pk)
    require(actor, Perm.SERVICE_HANDLE, visit.org.path)
    if visit.done:
        raise ValidationError("这次走访已经回访完成")
    visit.done = True
    visit.done_at = timezone.now()
    visit.save(update_fields=["done", "done_at"])
    audit_about(
        actor,
        AuditAction.SERVICE_VISIT_DONE,
        AuditSubject("service_visit", visit, visit.org.path, f"敲门行动 {visit.household}"),
        after={"done": True},
    )
    return visit
