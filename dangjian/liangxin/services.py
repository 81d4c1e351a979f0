"""The write path of the 两新 register: units, advisors (党建指导员、联系人), their assignments
and visits — each validated (every problem at once, in Chinese), written with its audit entry in
one transaction; a refusal writes nothing.

Who: ``Perm.LIANGXIN_RECORD`` over the managing organization's subtree (the unit's ``org``, the
advisor's ``org``); a unit's party organization must lie in the writer's scope too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require, user_of
from dangjian.core import clock
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.errors import FieldErrors
from dangjian.orgs.models import Organization

from .choices import AdvisorRole, Industry, OrgMode, Size, UnitKind
from .models import Advisor, Assignment, Unit, Visit

NAME_MAX = 200
ADDRESS_MAX = 200
PERSON_MAX = 50
NOTE_MAX = 200
#: more persons than that in one unit is surely a typing error
EMPLOYEES_MAX = 10_000_000


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate(clock.now())


def uscc_error(code: str) -> str | None:
    """The Chinese problem with a normalised 统一社会信用代码, or ``None`` when it is valid."""
    if not code:
        return "请填写统一社会信用代码"
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        return "统一社会信用代码应为 18 位"
    except InvalidChecksum:
        return "统一社会信用代码校验位不正确"
    except InvalidComponent:
        return "统一社会信用代码的登记管理部门、机构类别或行政区划部分不正确"
    except Exception:
        return "统一社会信用代码格式不正确（18 位数字和大写字母，不含 I、O、S、V、Z）"
    return None


def normalise_uscc(value: Any) -> str:
    """``value`` without spaces and dashes, in upper case (the register's form)."""
    return stdnum_uscc.compact(str(value or "")) if value is not None else ""


def check_uscc(errors: FieldErrors, value: Any, *, exclude: int | None = None) -> str:
    code = normalise_uscc(value)
    problem = uscc_error(code)
    if problem:
        errors.add("uscc", problem)
        return code
    others = Unit.objects.filter(uscc=code)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.first()
    if other is not None:
        errors.add("uscc", f"统一社会信用代码 {code} 已登记（{other.name}）")
    return code


def _choice(errors: FieldErrors, name: str, label: str, value: Any, choices: Any) -> str:
    value = str(value or "").strip()
    if value not in choices.values:
        errors.add(name, f"请选择{label}（{'、'.join(str(v) for v in choices.values)}）")
    return value


def _count(errors: FieldErrors, name: str, label: str, value: Any) -> int:
    try:
        number = int(str(value if value not in (None, "") else 0).strip())
    except (TypeError, ValueError):
        errors.add(name, f"{label}应为整数")
        return 0
    if number < 0 or number > EMPLOYEES_MAX:
        errors.add(name, f"{label}应在 0 到 {EMPLOYEES_MAX} 之间")
        return 0
    return number


def _subject(unit: Unit) -> AuditSubject:
    return AuditSubject("liangxin_unit", unit, unit.org.path, f"两新组织 {unit.uscc}")


def _snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "unit_name": unit.name,
        "uscc": unit.uscc,
        "unit_kind": unit.kind,
        "industry": unit.industry,
        "unit_size": unit.size,
        "region_code": unit.region_code,
        "managing_org": unit.org.code,
        "org_mode": unit.org_mode,
        "party_org": unit.party_org.code if unit.party_org else None,
        "employees": unit.employees,
        "members": unit.members,
    }


def unit_values(
    errors: FieldErrors,
    actor: Actor,
    data: dict[str, Any],
    *,
    exclude: int | None = None,
    check_duplicate: bool = True,
) -> dict[str, Any]:
    """The checked field values of a unit from ``data`` (problems into ``errors``); ``org`` and
    ``party_org`` are :class:`Organization` objects (or ``None``) given by the caller."""
    from django.core.exceptions import ValidationError

    from dangjian.orgs.models import region_validator

    values: dict[str, Any] = {}
    values["name"] = errors.text("name", "单位名称", data.get("name"), NAME_MAX)
    if not values["name"]:
        errors.add("name", "请填写单位名称")
    if check_duplicate:
        values["uscc"] = check_uscc(errors, data.get("uscc"), exclude=exclude)
    else:
        values["uscc"] = normalise_uscc(data.get("uscc"))
        problem = uscc_error(values["uscc"])
        if problem:
            errors.add("uscc", problem)
    values["kind"] = _choice(errors, "kind", "单位类型", data.get("kind"), UnitKind)
    values["industry"] = _choice(errors, "industry", "所属行业", data.get("industry"), Industry)
    values["size"] = _choice(errors, "size", "规模", data.get("size"), Size)
    values["address"] = errors.text("address", "地址", data.get("address"), ADDRESS_MAX)
    region = str(data.get("region_code") or "").strip()
    try:
        region_validator(region)
    except ValidationError:
        errors.add("region_code", "行政区划代码应为 6 位或 12 位数字")
    values["region_code"] = region
    org = data.get("org")
    if not isinstance(org, Organization):
        errors.add("org", "请选择管理党组织")
    elif not covers(actor, Perm.LIANGXIN_RECORD, org.path):
        errors.add("org", "管理党组织不在您的管辖范围内")
    values["org"] = org
    mode_value = data.get("org_mode") or OrgMode.NONE
    mode = _choice(errors, "org_mode", "党组织建立方式", mode_value, OrgMode)
    party_org = data.get("party_org")
    if mode == OrgMode.NONE:
        if party_org is not None:
            errors.add("party_org", "未建立党组织的单位不能填写所在党组织")
        party_org = None
    elif mode:
        if not isinstance(party_org, Organization):
            errors.add("party_org", "单独或联合建立党组织的单位请填写所在党组织")
        elif not covers(actor, Perm.LIANGXIN_RECORD, party_org.path):
            errors.add("party_org", "所在党组织不在您的管辖范围内")
    values["org_mode"], values["party_org"] = mode, party_org
    values["employees"] = _count(errors, "employees", "从业人员数", data.get("employees"))
    values["members"] = _count(errors, "members", "党员数", data.get("members"))
    if values["members"] > values["employees"]:
        errors.add("members", "党员数不能多于从业人员数")
    return values


@transaction.atomic
def unit_create(*, actor: Actor, data: dict[str, Any]) -> Unit:
    """Register a unit (``data``: the fields of :class:`Unit`, ``org``/``party_org`` objects)."""
    require(actor, Perm.LIANGXIN_RECORD)
    errors = FieldErrors()
    values = unit_values(errors, actor, data)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            unit = Unit.objects.create(**values)
    except IntegrityError:  # registered meanwhile
        errors.add("uscc", f"统一社会信用代码 {values['uscc']} 已登记")
        errors.raise_if_any()
    audit_about(actor, AuditAction.LIANGXIN_UNIT_CREATE, _subject(unit), after=_snapshot(unit))
    return unit


@transaction.atomic
def unit_change(*, actor: Actor, unit: Unit, data: dict[str, Any]) -> Unit:
    """Change a unit's fields (same checks as :func:`unit_create`)."""
    require(actor, Perm.LIANGXIN_RECORD, unit.org.path)
    before = _snapshot(unit)
    errors = FieldErrors()
    values = unit_values(errors, actor, data, exclude=unit.pk)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(unit, name, value)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        errors.add("uscc", f"统一社会信用代码 {values['uscc']} 已登记")
        errors.raise_if_any()
    audit_about(
        actor,
        AuditAction.LIANGXIN_UNIT_CHANGE,
        _subject(unit),
        before=before,
        after=_snapshot(unit),
    )
    return unit


@transaction.atomic
def advisor_create(
    *, actor: Actor, name: str, org: Organization, user: User | None = None
) -> Advisor:
    """Register a 党建指导员 or 联系人 sent by ``org`` (a name; the account when they have one)."""
    require(actor, Perm.LIANGXIN_RECORD, org.path)
    errors = FieldErrors()
    name = errors.text("name", "姓名", name, PERSON_MAX)
    if not name:
        errors.add("name", "请填写姓名")
    errors.raise_if_any()
    advisor = Advisor.objects.create(name=name, org=org, user=user)
    audit_about(
        actor,
        AuditAction.LIANGXIN_ADVISOR_CREATE,
        AuditSubject("liangxin_advisor", advisor, org.path, f"党建指导员 #{advisor.pk}"),
        after={"managing_org": org.code, "has_account": user is not None},
    )
    return advisor


def _require_unit(actor: Actor, unit: Unit) -> None:
    require(actor, Perm.LIANGXIN_RECORD, unit.org.path)


@transaction.atomic
def assign(
    *,
    actor: Actor,
    advisor: Advisor,
    unit: Unit,
    role: str,
    since: dt.date,
    today: dt.date | None = None,
) -> Assignment:
    """Assign ``advisor`` to ``unit`` as its 党建指导员 or 联系人 from ``since``."""
    _require_unit(actor, unit)
    if not covers(actor, Perm.LIANGXIN_RECORD, advisor.org.path):
        raise PermissionDenied("该党建指导员不在您的管辖范围内")
    errors = FieldErrors()
    role = _choice(errors, "role", "身份", role, AdvisorRole)
    day = _today(today)
    if since > day:
        errors.add("since", f"开始日期不能晚于今天（{day:%Y-%m-%d}）")
    if Assignment.objects.filter(advisor=advisor, unit=unit, until__isnull=True).exists():
        errors.add("advisor", f"{advisor.name}已是该单位的党建指导员或联系人")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                advisor=advisor, unit=unit, role=role, since=since
            )
    except IntegrityError:
        errors.add("advisor", f"{advisor.name}已是该单位的党建指导员或联系人")
        errors.raise_if_any()
    audit_about(
        actor,
        AuditAction.LIANGXIN_ASSIGN,
        _subject(unit),
        after={"advisor": advisor.pk, "advisor_role": role, "since": since.isoformat()},
    )
    return assignment


@transaction.atomic
def assignment_end(
    *, actor: Actor, assignment: Assignment, until: dt.date, today: dt.date | None = None
) -> Assignment:
    """End an assignment on ``until``."""
    unit = assignment.unit
    _require_unit(actor, unit)
    errors = FieldErrors()
    day = _today(today)
    if assignment.until is not None:
        errors.add("until", "该选派已结束")
    if until < assignment.since:
        errors.add("until", f"结束日期不能早于开始日期（{assignment.since:%Y-%m-%d}）")
    if until > day:
        errors.add("until", f"结束日期不能晚于今天（{day:%Y-%m-%d}）")
    errors.raise_if_any()
    assignment.until = until
    assignment.save(update_fields=["until"])
    audit_about(
        actor,
        AuditAction.LIANGXIN_ASSIGN_END,
        _subject(unit),
        after={"advisor": assignment.advisor_id, "assigned_until": until.isoformat()},
    )
    return assignment


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    unit: Unit,
    advisor: Advisor,
    visited_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> Visit:
    """Record a visit of ``advisor`` (assigned to ``unit`` on that day) to ``unit``."""
    _require_unit(actor, unit)
    errors = FieldErrors()
    note = errors.text("note", "内容", note, NOTE_MAX)
    day = _today(today)
    if visited_on > day:
        errors.add("visited_on", f"日期不能晚于今天（{day:%Y-%m-%d}）")
    assigned = (
        Assignment.objects.filter(advisor=advisor, unit=unit, since__lte=visited_on)
        .exclude(until__lt=visited_on)
        .exists()
    )
    if not assigned:
        errors.add(
            "advisor", f"{visited_on:%Y-%m-%d} 时{advisor.name}不是该单位的党建指导员或联系人"
        )
    errors.raise_if_any()
    visit = Visit.objects.create(
        unit=unit, advisor=advisor, visited_on=visited_on, note=note, recorded_by=user_of(actor)
    )
    audit_about(
        actor,
        AuditAction.LIANGXIN_VISIT,
        _subject(unit),
        after={"advisor": advisor.pk, "visited_on": visited_on.isoformat()},
    )
    return visit


CLOSED_REASON_MAX = 200


@transaction.atomic
def unit_close(
    *,
    actor: Actor,
    unit: Unit,
    closed_on: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Unit:
    """Record that the unit was deregistered (注销、吊销) or left the area on ``closed_on``: from
    that day on it is not counted in the coverage, its open assignments end that day, and its
    record stays with its history (a mistake is undone by :func:`unit_reopen`)."""
    require(actor, Perm.LIANGXIN_RECORD, unit.org.path)
    unit = Unit.objects.select_for_update().select_related("org").get(pk=unit.pk)
    errors = FieldErrors()
    day = _today(today)
    text = errors.text("closed_reason", "注销原因", reason, CLOSED_REASON_MAX)
    if not text:
        errors.add("closed_reason", "请填写注销原因（如：企业注销、迁出本区）")
    if unit.closed_on is not None:
        errors.add("closed_on", f"该单位已于 {unit.closed_on:%Y-%m-%d} 注销")
    if closed_on > day:
        errors.add("closed_on", f"注销日期不能晚于今天（{day:%Y-%m-%d}）")
    started = unit.assignments.filter(since__gt=closed_on).order_by("-since").first()
    if started is not None:
        errors.add(
            "closed_on", f"注销日期不能早于党建指导员选派开始日期（{started.since:%Y-%m-%d}）"
        )
    errors.raise_if_any()
    ended = unit.assignments.filter(until__isnull=True).update(until=closed_on)
    unit.closed_on, unit.closed_reason = closed_on, text
    unit.save(update_fields=["closed_on", "closed_reason", "updated_at"])
    audit_about(
        actor,
        AuditAction.LIANGXIN_UNIT_CLOSE,
        _subject(unit),
        after={
            "closed_on": closed_on.isoformat(),
            "closed_reason": text,
            "assignments_ended": ended,
        },
    )
    return unit


@transaction.atomic
def unit_reopen(*, actor: Actor, unit: Unit, note: str = "") -> Unit:
    """Undo a deregistration recorded by mistake (the assignments it ended stay ended); ``note``
    says why, in the audit entry."""
    require(actor, Perm.LIANGXIN_RECORD, unit.org.path)
    unit = Unit.objects.select_for_update().select_related("org").get(pk=unit.pk)
    errors = FieldErrors()
    text = errors.text("note", "说明", note, CLOSED_REASON_MAX)
    if unit.closed_on is None:
        errors.add("closed_on", "该单位未注销")
    errors.raise_if_any()
    assert unit.closed_on is not None
    before = {"closed_on": unit.closed_on.isoformat(), "closed_reason": unit.closed_reason}
    unit.closed_on, unit.closed_reason = None, ""
    unit.save(update_fields=["closed_on", "closed_reason", "updated_at"])
    audit_about(
        actor,
        AuditAction.LIANGXIN_UNIT_REOPEN,
        _subject(unit),
        before=before,
        after={"reopen_note": text},
    )
    return unit
