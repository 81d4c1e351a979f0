"""All-or-nothing import of organizations (see :mod:`dangjian.exchange.importers`).

Checks across rows: duplicate codes, parents that must exist in the file or the database and lie
within the actor's scope, the nesting of types (``check_child_type``), cycles in the tree as it
would be after the import (including an existing organization put under its own descendant),
and existing organizations whose new type no longer fits their children or members. New
organizations are inserted parents first; existing ones are updated in bulk and moved with
treebeard.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Unpack

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.core.audit import AuditAction, AuditEvent, audit_record_many
from dangjian.core.tree import TreeBuilder
from dangjian.members.models import Member, Participation
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import orgs_added
from dangjian.orgs.services import (
    EDITABLE,
    OrgInput,
    check_child_type,
    org_moved,
    org_validate,
    retype_problem,
)

from .bulk import copy_update
from .columns import ORG_COLUMNS, ORG_FIELD_COLUMN, ORG_REQUIRED
from .readers import Source, cell_date, cell_int, cell_text
from .report import (
    BATCH,
    ImportKind,
    ImportOptions,
    ImportReport,
    Problems,
    chunks,
    out_of_scope_text,
    start_import,
    write_guard,
)

#: what the organization import reads, and the right it needs
ORGS = ImportKind("orgs", Perm.ORG_CHANGE, "没有导入组织的权限", ORG_COLUMNS, ORG_REQUIRED)

#: up to this many new organizations are inserted one by one through treebeard's node API; above
#: it paths are allocated in memory (``core.tree.TreeBuilder``) and written with ``bulk_create``
TREEBEARD_MAX = 50
_MAX_UNITS = 100_000
_STEPLEN = Organization.steplen


@dataclass
class _OrgState:
    """An organization as it is in the database."""

    id: int
    path: str
    numchild: int
    values: dict[str, Any]
    parent: str | None = None


@dataclass
class _OrgRow:
    number: int
    cells: dict[str, Any]
    data: OrgInput
    parent: str | None


def _load_orgs() -> dict[str, _OrgState]:
    """Every organization in one query: code → state (with its parent's code)."""
    states: dict[str, _OrgState] = {}
    by_path: dict[str, str] = {}
    rows = Organization.objects.order_by().values_list("id", "path", "numchild", *EDITABLE)
    for org_id, path, numchild, *values in rows:
        data = dict(zip(EDITABLE, values, strict=True))
        states[data["code"]] = _OrgState(org_id, path, numchild, data)
        by_path[path] = data["code"]
    for state in states.values():
        state.parent = by_path.get(state.path[:-_STEPLEN])
    return states


def _org_snapshot(values: dict[str, Any], parent: str | None) -> dict[str, Any]:
    """Same shape as :func:`dangjian.orgs.services.org_snapshot`, without a query."""
    return {**{name: values[name] for name in EDITABLE}, "parent": parent}


def _parse_org_row(
    number: int,
    cells: dict[str, Any],
    present: set[str],
    prior: _OrgState | None,
    problems: Problems,
) -> _OrgRow:
    def text(column: str) -> str:
        return cell_text(cells.get(column))

    def parsed(column: str, parse: Callable[[Any], Any]) -> Any:
        return problems.parse(number, cells, column, parse)

    problems.require(number, cells, ORG_REQUIRED)
    data = OrgInput(
        code=text("组织编码"),
        name=text("组织名称"),
        org_type=text("组织类别"),
        sector=text("所属领域"),
        region_code=text("行政区划代码"),
        founded_on=parsed("成立日期", cell_date),
        term_started_on=parsed("本届任期开始日期", cell_date),
        term_years=parsed("任期年限", cell_int),
        units_covered=parsed("覆盖单位数", cell_int),
        secretary_vacant_since=parsed("书记空缺起始日期", cell_date),
    )
    if prior is not None:
        # a column the file does not have is not an empty cell: keep what the record says
        for name in EDITABLE:
            if ORG_FIELD_COLUMN[name] not in present:
                setattr(data, name, prior.values[name])
    if data.units_covered is not None and data.units_covered > _MAX_UNITS:
        problems.add(
            number, "覆盖单位数", data.units_covered, f"覆盖单位数过大（最多 {_MAX_UNITS}）"
        )
    for name, messages in org_validate(data).items():
        column = ORG_FIELD_COLUMN[name]
        problems.add_unless_marked(number, column, cells.get(column), messages)
    parent = (text("上级组织编码") or None) if "上级组织编码" in present else None
    return _OrgRow(number, cells, data, parent)


def import_orgs(path: Source, *, actor: Actor, **options: Unpack[ImportOptions]) -> ImportReport:
    """Import organizations from ``path`` (all-or-nothing), as ``actor`` (needs ORG_CHANGE)."""
    prefix, problems, table = start_import(ORGS, path, actor=actor, **options)
    report = problems.report
    dry_run = report.dry_run
    if table is None:
        return report
    existing = _load_orgs()
    present = set(table.columns)
    has_parent_column = "上级组织编码" in present

    rows: dict[str, _OrgRow] = {}
    for number, cells in table.rows:
        prior = existing.get(cell_text(cells.get("组织编码")))
        row = _parse_org_row(number, cells, present, prior, problems)
        code = row.data.code
        if not code or problems.has(number, "组织编码"):
            continue
        if code in rows:
            problems.add(number, "组织编码", code, f"组织编码与第{rows[code].number}行重复")
            continue
        if not has_parent_column and code in existing:
            row.parent = existing[code].parent  # no parent column: leave the tree as it is
        rows[code] = row

    def final_parent(code: str) -> str | None:
        return rows[code].parent if code in rows else existing[code].parent

    def final_type(code: str) -> str:
        return rows[code].data.org_type if code in rows else existing[code].values["org_type"]

    def known(code: str) -> bool:
        return code in rows or code in existing

    _check_org_structure(rows, existing, prefix, problems, final_parent, final_type, known)
    if report.rejected():
        return report

    creates = [code for code in rows if code not in existing]
    changes: list[str] = []
    moves: list[str] = []
    for code, row in rows.items():
        state = existing.get(code)
        if state is None:
            continue
        values = {name: getattr(row.data, name) for name in EDITABLE}
        if values != state.values:
            changes.append(code)
        if row.parent != state.parent:
            moves.append(code)
    report.created = len(creates)
    touched = set(changes) | set(moves)
    report.updated = len(touched)
    report.unchanged = len(rows) - report.created - report.updated
    if dry_run or (not creates and not touched):
        return report

    depth_of: dict[str, int] = {}

    def final_depth(code: str) -> int:
        chain: list[str] = []
        node: str | None = code
        while node is not None and node not in depth_of:
            chain.append(node)
            node = final_parent(node) if known(node) else None
        depth = depth_of[node] if node is not None else 0
        for item in reversed(chain):
            depth += 1
            depth_of[item] = depth
        return depth_of[code]

    creates.sort(key=final_depth)
    moves.sort(key=final_depth)
    now = timezone.now()
    with write_guard(report), transaction.atomic():
        if changes:
            objs = []
            for code in changes:
                obj = Organization(pk=existing[code].id, **_values(rows[code].data))
                obj.updated_at = now
                objs.append(obj)
            fields = [n for n in EDITABLE if n != "code"] + ["updated_at"]
            copy_update(Organization, objs, fields)
        if creates:
            if len(creates) <= TREEBEARD_MAX:
                _create_with_treebeard(creates, rows, existing)
            else:
                _create_in_bulk(creates, rows, existing)
            orgs_added(_paths_of(creates).values())  # before the moves, which may go under them
        for code in moves:
            _move(code, rows[code].parent)
        paths = _paths_of([*creates, *touched])
        events = []
        for code in creates:
            row = rows[code]
            events.append(
                AuditEvent(
                    AuditAction.ORG_CREATE,
                    "organization",
                    code,
                    row.data.name,
                    paths[code],
                    None,
                    _org_snapshot(_values(row.data), row.parent),
                )
            )
        for code in [c for c in rows if c in touched]:
            row, state = rows[code], existing[code]
            action = AuditAction.ORG_UPDATE if code in changes else AuditAction.ORG_MOVE
            events.append(
                AuditEvent(
                    action,
                    "organization",
                    code,
                    row.data.name,
                    paths[code],
                    _org_snapshot(state.values, state.parent),
                    _org_snapshot(_values(row.data), row.parent),
                )
            )
        audit_record_many(actor=actor, events=events)
    return report


def _values(data: OrgInput) -> dict[str, Any]:
    return {name: getattr(data, name) for name in EDITABLE}


def _check_org_structure(
    rows: dict[str, _OrgRow],
    existing: dict[str, _OrgState],
    prefix: str,
    problems: Problems,
    final_parent: Callable[[str], str | None],
    final_type: Callable[[str], str],
    known: Callable[[str], bool],
) -> None:
    """Checks across rows: scope, parents, nesting of types, cycles, members of changed types."""
    unknown = out_of_scope_text(prefix)
    resolvable: dict[str, bool] = {}
    for code, row in rows.items():
        n, parent = row.number, row.parent
        state = existing.get(code)
        if state is not None and not state.path.startswith(prefix):
            problems.add(
                n, "组织编码", code, "该组织编码已被您管辖范围以外的组织使用，不能导入或修改"
            )
            continue
        moved = state is None or parent != state.parent
        if parent is None:
            resolvable[code] = True
            if moved and prefix != "":
                problems.add(
                    n,
                    "上级组织编码",
                    None,
                    "只有全部范围的管理员才能建立顶级组织，请填写上级组织编码",
                )
            continue
        if parent == code:
            problems.add(n, "上级组织编码", parent, "上级组织不能是组织自身（会形成循环）")
            resolvable[code] = False
            continue
        if not known(parent):
            problems.add(
                n, "上级组织编码", parent, f"上级组织编码“{parent}”在文件和数据库中{unknown}"
            )
            resolvable[code] = False
            continue
        if parent not in rows and moved and not existing[parent].path.startswith(prefix):
            problems.add(n, "上级组织编码", parent, f"上级组织编码“{parent}”{unknown}")
            resolvable[code] = False
            continue
        resolvable[code] = True
        if not problems.has(n, "组织类别"):
            parent_type = final_type(parent)
            problem = check_child_type(parent_type, row.data.org_type)
            if problem:
                problems.add(
                    n,
                    "组织类别",
                    row.data.org_type,
                    f"{problem}（上级组织 {parent} 是{parent_type}）",
                )

    _check_cycles(rows, existing, problems, final_parent, known, resolvable)

    # an existing organization whose type changes must still fit its children and members
    children: dict[str, list[str]] = defaultdict(list)
    for code, state in existing.items():
        if state.parent is not None:
            children[state.parent].append(code)
    retyped = [
        code
        for code, row in rows.items()
        if code in existing and row.data.org_type != existing[code].values["org_type"]
    ]
    for code in retyped:
        row = rows[code]
        for child in children.get(code, []):
            if child in rows:
                continue  # checked on the child's own row
            problem = check_child_type(row.data.org_type, existing[child].values["org_type"])
            if problem and not problems.has(row.number, "组织类别"):
                problems.add(
                    row.number, "组织类别", row.data.org_type, f"下级组织 {child}：{problem}"
                )
    _check_retyped_people(rows, existing, retyped, problems)


def _check_retyped_people(
    rows: dict[str, _OrgRow],
    existing: dict[str, _OrgState],
    retyped: list[str],
    problems: Problems,
) -> None:
    """A retyped organization must still fit the people recorded on it (``retype_problem``):
    members only on a 党支部 or 联合党支部 (not on a 临时党支部), and a 临时党支部 with current
    participants keeps its type. Counted in two grouped queries over the retyped ones."""
    if not retyped:
        return
    ids = [existing[c].id for c in retyped]
    members = dict(
        Member.objects.filter(org_id__in=ids)
        .order_by()
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    participants = dict(
        Participation.objects.filter(org_id__in=ids, ended_on__isnull=True)
        .order_by()
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    for code in retyped:
        row, state = rows[code], existing[code]
        if problems.has(row.number, "组织类别"):
            continue
        org = Organization(id=state.id, org_type=state.values["org_type"])
        problem = retype_problem(
            org,
            row.data.org_type,
            members=members.get(state.id, 0),
            participants=participants.get(state.id, 0),
        )
        if problem:
            problems.add(row.number, "组织类别", row.data.org_type, problem)


def _check_cycles(
    rows: dict[str, _OrgRow],
    existing: dict[str, _OrgState],
    problems: Problems,
    final_parent: Callable[[str], str | None],
    known: Callable[[str], bool],
    resolvable: dict[str, bool],
) -> None:
    """Report every file row on a cycle of the tree as it would be after the import."""
    settled: set[str] = set()
    for start in rows:
        if not resolvable.get(start):
            continue
        chain: list[str] = []
        on_chain: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in settled:
            if node in on_chain:
                cycle = chain[on_chain[node] :]
                _report_cycle(cycle, rows, existing, problems)
                break
            on_chain[node] = len(chain)
            chain.append(node)
            parent = final_parent(node) if known(node) else None
            node = parent if parent is not None and known(parent) else None
        settled.update(chain)


def _report_cycle(
    cycle: list[str], rows: dict[str, _OrgRow], existing: dict[str, _OrgState], problems: Problems
) -> None:
    for code in cycle:
        row = rows.get(code)
        if row is None or row.parent is None:
            continue
        shown = " → ".join([*cycle[cycle.index(code) :], *cycle[: cycle.index(code)], code])
        state, target = existing.get(code), existing.get(row.parent)
        if state is not None and target is not None and target.path.startswith(state.path):
            message = f"不能把组织移到它自身的下级组织 {row.parent} 之下（会形成循环：{shown}）"
        else:
            message = f"上级组织关系形成循环：{shown}"
        problems.add(row.number, "上级组织编码", row.parent, message)


def _create_with_treebeard(
    creates: list[str], rows: dict[str, _OrgRow], existing: dict[str, _OrgState]
) -> None:
    made: dict[str, Organization] = {}
    for code in creates:
        row = rows[code]
        values = _values(row.data)
        parent_code = row.parent
        if parent_code is None:
            made[code] = Organization.objects.add_root(values)
            continue
        parent = made.get(parent_code)
        if parent is None:
            parent = Organization.objects.get(pk=existing[parent_code].id)
            made[parent_code] = parent
        made[code] = Organization.objects.add_child(parent, values)


def _create_in_bulk(
    creates: list[str], rows: dict[str, _OrgRow], existing: dict[str, _OrgState]
) -> None:
    """Allocate materialized paths with :class:`dangjian.core.tree.TreeBuilder` and insert the
    new organizations with ``bulk_create`` (``creates`` lists parents before children)."""
    builder: TreeBuilder[Organization] = TreeBuilder(Organization)
    made: dict[str, Organization] = {}
    old_parents: dict[str, Organization] = {}
    for code in creates:
        parent_code = rows[code].parent
        parent: Organization | None = None
        if parent_code is not None:
            parent = made.get(parent_code) or old_parents.get(parent_code)
            if parent is None:
                state = existing[parent_code]
                parent = Organization(pk=state.id, path=state.path, numchild=state.numchild)
                old_parents[parent_code] = parent
        made[code] = builder.add(Organization(**_values(rows[code].data)), parent)
    builder.flush(batch_size=BATCH)


def _move(code: str, parent_code: str | None) -> None:
    node = Organization.objects.get(code=code)
    old_path = node.path
    if parent_code is None:
        root = Organization.objects.get_last_root_node()
        Organization.objects.move(node, root, "last-sibling")
    else:
        target = Organization.objects.get(code=parent_code)
        Organization.objects.move(node, target, "last-child")
    org_moved(node.pk, old_path, Organization.objects.get(pk=node.pk).path)


def _paths_of(codes: Iterable[str]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for chunk in chunks(list(codes), BATCH):
        paths.update(
            Organization.objects.order_by().filter(code__in=chunk).values_list("code", "path")
        )
    return paths
