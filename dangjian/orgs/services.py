"""The write path for organizations: validate, write, audit — in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require
from dangjian.core.audit import AuditAction, AuditSubject, audit_about
from dangjian.core.dates import add_years
from dangjian.core.errors import FieldErrors

from .choices import BRANCH_TYPES, ROLL_TYPES, TEMP_BRANCH_NO_ROLL, OrgType, Sector
from .models import ElectionDelay, Organization, code_validator, region_validator, rule_params
from .rollups import orgs_added

#: called in the transaction of every move of an organization with its id, old and new path:
#: the rollups above the tree (member counts) move its subtree totals (see :func:`org_moved`)
MoveHook = Callable[[int, str, str], None]
_move_hooks: list[MoveHook] = []


def on_org_move(hook: MoveHook) -> None:
    """Call ``hook`` on every move (registered by an app's ``ready()``; once per hook)."""
    if hook not in _move_hooks:
        _move_hooks.append(hook)


def org_moved(org_id: int, old_path: str, new_path: str) -> None:
    """Tell the registered hooks that an organization moved (every writer that moves an
    organization calls it in the move's transaction: :func:`org_move`, the import)."""
    if old_path != new_path:
        for hook in _move_hooks:
            hook(org_id, old_path, new_path)


@dataclass
class OrgInput:
    """The editable fields of an organization, as typed by a user or read from a file."""

    code: str
    name: str
    org_type: str
    sector: str
    region_code: str = ""
    founded_on: dt.date | None = None
    term_started_on: dt.date | None = None
    term_years: int | None = None
    units_covered: int | None = None
    secretary_vacant_since: dt.date | None = None


EDITABLE = [f.name for f in fields(OrgInput)]


def org_snapshot(org: Organization) -> dict[str, Any]:
    """The audited state of an organization."""
    data = {name: getattr(org, name) for name in EDITABLE}
    data["parent"] = org_parent_code(org)
    return data


def audit_org(
    actor: Actor,
    action: AuditAction,
    org: Organization,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a change of (or on) ``org``, in its own scope."""
    subject = AuditSubject("organization", org, org.path, org.name, org.code)
    audit_about(actor, action, subject, before=before, after=after)


def org_parent_code(org: Organization) -> str | None:
    parent = Organization.objects.get_parent(org)
    return parent.code if parent else None


def check_child_type(parent_type: str | None, child_type: str) -> str | None:
    """Why ``child_type`` cannot sit under ``parent_type`` (``None`` for a root), or ``None``."""
    if child_type == OrgType.GROUP:
        if parent_type not in BRANCH_TYPES:
            return "党小组只能设在党支部（联合党支部、临时党支部）之下"
        return None
    if parent_type is None:
        return None
    if parent_type in BRANCH_TYPES:
        return f"{parent_type}之下只能设党小组"
    if parent_type == OrgType.GROUP:
        return "党小组之下不能再设组织"
    if parent_type == OrgType.GENERAL_BRANCH and child_type not in BRANCH_TYPES:
        return "党总支之下只能设党支部"
    return None


def retype_problem(
    org: Organization, new_type: str, *, members: int | None = None, participants: int | None = None
) -> str | None:
    """Why the existing ``org`` cannot become ``new_type`` because of the people recorded on it
    (members on its roll, current participants of a 临时党支部), or ``None``. ``members`` and
    ``participants`` may be given when the caller has counted them already."""
    if new_type not in ROLL_TYPES:
        if members is None:
            members = org.members.count()
        if members:
            if new_type == OrgType.TEMP_BRANCH:
                return f"该组织有党员 {members} 名，不能改为临时党支部：{TEMP_BRANCH_NO_ROLL}"
            return f"该组织有党员 {members} 名，党员只能编入党支部或联合党支部，不能改为{new_type}"
    if org.org_type == OrgType.TEMP_BRANCH and new_type != OrgType.TEMP_BRANCH:
        if participants is None:
            participants = org.participations.filter(ended_on__isnull=True).count()
        if participants:
            return (
                f"该临时党支部还有 {participants} 名参加人员未结束参加，"
                "请先在组织页面结束其参加记录，再改变组织类别"
            )
    return None


def org_validate(data: OrgInput) -> FieldErrors:
    """Field checks that need no database; returns ``{field: [Chinese messages]}``."""
    errors = FieldErrors()
    try:
        code_validator(data.code)
    except ValidationError as exc:
        errors.add("code", exc.messages[0])
    if not data.name.strip():
        errors.add("name", "组织名称不能为空")
    elif len(data.name) > 200:
        errors.add("name", "组织名称过长（最多 200 字）")
    if data.org_type not in OrgType.values:
        errors.add("org_type", f"组织类别“{data.org_type}”无效，应为：{'、'.join(OrgType.values)}")
    if data.sector not in Sector.values:
        errors.add("sector", f"所属领域“{data.sector}”无效，应为：{'、'.join(Sector.values)}")
    if data.region_code:
        try:
            region_validator(data.region_code)
        except ValidationError as exc:
            errors.add("region_code", exc.messages[0])
    if data.term_years is not None and not 1 <= data.term_years <= 10:
        errors.add("term_years", "任期年限应在 1 到 10 年之间")
    if data.units_covered is not None and data.units_covered < 1:
        errors.add("units_covered", "覆盖单位数应为正整数")
    if data.founded_on and data.term_started_on and data.term_started_on < data.founded_on:
        errors.add("term_started_on", "本届任期开始日期不能早于成立日期")
    today = timezone.localdate()
    for name in ("founded_on", "term_started_on", "secretary_vacant_since"):
        value = getattr(data, name)
        if value and value > today:
            errors.add(name, "日期不能晚于今天")
    return errors


@transaction.atomic
def org_create(*, actor: Actor, data: OrgInput, parent: Organization | None) -> Organization:
    """Create an organization under ``parent`` (a root only for the command-line operator)."""
    if parent is None:
        require(actor, Perm.ORG_CHANGE, "")
    else:
        require(actor, Perm.ORG_CHANGE, parent.path)
    errors = org_validate(data)
    if Organization.objects.filter(code=data.code).exists():
        errors.add("code", f"组织编码“{data.code}”已存在")
    problem = check_child_type(parent.org_type if parent else None, data.org_type)
    if problem:
        errors.add("parent", problem)
    errors.raise_if_any()
    values = asdict(data)
    if parent is None:
        org = Organization.objects.add_root(values)
    else:
        org = Organization.objects.add_child(parent, values)
    orgs_added([org.path])  # the subtree sizes above it (before the audit entry: lock order)
    audit_org(actor, AuditAction.ORG_CREATE, org, after=org_snapshot(org))
    return org


@transaction.atomic
def org_update(*, actor: Actor, org: Organization, data: OrgInput) -> Organization:
    """Change the fields of an organization (not its place in the tree: see :func:`org_move`)."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require(actor, Perm.ORG_CHANGE, org.path)
    errors = org_validate(data)
    if data.code != org.code and Organization.objects.filter(code=data.code).exists():
        errors.add("code", f"组织编码“{data.code}”已存在")
    if data.org_type != org.org_type:
        parent = Organization.objects.get_parent(org)
        problem = check_child_type(parent.org_type if parent else None, data.org_type)
        if problem:
            errors.add("org_type", problem)
        problem = retype_problem(org, data.org_type)
        if problem:
            errors.add("org_type", problem)
        for child in Organization.objects.get_children(org):
            problem = check_child_type(data.org_type, child.org_type)
            if problem:
                errors.add("org_type", f"下级组织 {child.code}：{problem}")
                break
    errors.raise_if_any()
    before = org_snapshot(org)
    for name, value in asdict(data).items():
        setattr(org, name, value)
    org.save()
    after = org_snapshot(org)
    if after != before:
        audit_org(actor, AuditAction.ORG_UPDATE, org, before=before, after=after)
    return org


@transaction.atomic
def org_move(*, actor: Actor, org: Organization, new_parent: Organization) -> Organization:
    """Move ``org`` with its subtree under ``new_parent``; refuses cycles and invalid nesting."""
    org = Organization.objects.get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    require(actor, Perm.ORG_CHANGE, org.path)
    require(actor, Perm.ORG_CHANGE, new_parent.path)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": ["不能把组织移到它自身或它的下级组织之下（会形成循环）"]})
    problem = check_child_type(new_parent.org_type, org.org_type)
    if problem:
        raise ValidationError({"parent": [problem]})
    before = org_snapshot(org)
    old_path = org.path
    Organization.objects.move(org, new_parent, pos="last-child")
    org = Organization.objects.get(pk=org.pk)
    org_moved(org.pk, old_path, org.path)
    audit_org(actor, AuditAction.ORG_MOVE, org, before=before, after=org_snapshot(org))
    return org


@dataclass
class ElectionDelayInput:
    """An approved delay of the current term's election (延期换届)."""

    approved_by: str
    approved_on: dt.date
    new_deadline: dt.date
    decision_no: str = ""
    reason: str = ""


def max_delay_years(on: dt.date | None = None) -> int:
    """选举条例 art. 3: a delay of the election is at most one year — the ``max_delay_years`` of
    SETUP-TERM-EXPIRED in force on ``on``, so the form and the rule cannot disagree."""
    return int(rule_params("SETUP-TERM-EXPIRED", on)["max_delay_years"])


@transaction.atomic
def org_election_delay_record(
    *, actor: Actor, org: Organization, data: ElectionDelayInput, today: dt.date | None = None
) -> ElectionDelay:
    """Record that the superior organization approved holding the election of ``org``'s current
    term by ``new_deadline`` (选举条例 art. 3: at most one year after the term's end). The delay
    belongs to the current term; a new election leaves it behind."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require(actor, Perm.ORG_CHANGE, org.path)
    today = today or timezone.localdate()
    errors = FieldErrors()
    ends = org.term_ends_on
    if not org.has_term:
        errors.add("new_deadline", f"{org.name}是{org.org_type}，不实行任期换届，无需延期")
    elif ends is None or org.term_started_on is None:
        errors.add("new_deadline", "请先登记本届任期开始日期，再登记延期换届")
    if not data.approved_by.strip():
        errors.add("approved_by", "请填写批准延期的上级党组织")
    elif len(data.approved_by) > 200:
        errors.add("approved_by", "批准机关名称过长（最多 200 字）")
    if data.approved_on > today:
        errors.add("approved_on", "批准日期不能晚于今天")
    if ends is not None and org.has_term:
        years = max_delay_years()
        latest = add_years(ends, years)
        if data.new_deadline <= ends:
            errors.add("new_deadline", f"延期后的截止日期应晚于原届满日期 {ends.isoformat()}")
        elif data.new_deadline > latest:
            errors.add(
                "new_deadline",
                f"延期换届一般不超过 {years} 年（选举条例第三条）："
                f"原届满日期 {ends.isoformat()}，截止日期最晚为 {latest.isoformat()}",
            )
        if org.term_started_on and data.approved_on < org.term_started_on:
            errors.add(
                "approved_on", f"批准日期早于本届任期开始日期 {org.term_started_on.isoformat()}"
            )
    if len(data.decision_no) > 100:
        errors.add("decision_no", "批准文号过长（最多 100 字）")
    if len(data.reason) > 500:
        errors.add("reason", "延期原因过长（最多 500 字）")
    errors.raise_if_any()
    assert ends is not None and org.term_started_on is not None
    delay = ElectionDelay.objects.create(
        org=org,
        term_started_on=org.term_started_on,
        term_ends_on=ends,
        new_deadline=data.new_deadline,
        approved_by=data.approved_by.strip(),
        approved_on=data.approved_on,
        decision_no=data.decision_no.strip(),
        reason=data.reason.strip(),
    )
    audit_org(
        actor,
        AuditAction.ORG_ELECTION_DELAY,
        org,
        after={
            "term_started_on": delay.term_started_on,
            "term_ends_on": delay.term_ends_on,
            "new_deadline": delay.new_deadline,
            "approved_by": delay.approved_by,
            "approved_on": delay.approved_on,
            "decision_no": delay.decision_no,
        },
    )
    return delay
