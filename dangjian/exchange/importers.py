"""All-or-nothing imports of organizations and members from exchange files.

Every row is validated first, with the same rules as the forms (``org_validate``,
``check_child_type``, ``member_validate``) plus the checks that need the whole file: duplicate
codes and ID numbers, parents that must exist, cycles in the tree, one secretary per branch, and the
actor's scope. If anything is wrong, nothing is written and the report lists every problem as
(file, Excel row, column, value, Chinese message). Otherwise everything is written in one
transaction together with one audit entry per created or changed row. Rows are matched by
组织编码 / the keyed digest of the ID number, so a second import of the same file changes nothing.

Existing data is loaded in bulk (one query for the organizations, chunked ``IN`` queries for the
members of the file) and written with ``bulk_create`` / ``bulk_update`` (``COPY`` for new members
on PostgreSQL), so a 100,000-row file takes a minute or two, not hours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from treebeard.exceptions import PathOverflow

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import scope_prefix
from dangjian.core import crypto
from dangjian.core.audit import AuditEvent, audit_record_many
from dangjian.core.tree import TreeBuilder
from dangjian.members.choices import Post
from dangjian.members.models import Member
from dangjian.members.services import MemberInput, member_apply, member_snapshot, member_validate
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.services import EDITABLE, OrgInput, check_child_type, org_validate

from .columns import (
    MEMBER_COLUMNS,
    MEMBER_FIELD_COLUMN,
    MEMBER_REQUIRED,
    ORG_COLUMNS,
    ORG_FIELD_COLUMN,
    ORG_REQUIRED,
)
from .readers import ReadError, Table, cell_date, cell_int, cell_text, read_table

#: up to this many new organizations are inserted one by one through treebeard's node API; above
#: it paths are allocated in memory (``core.tree.TreeBuilder``) and written with ``bulk_create``
TREEBEARD_MAX = 50
BATCH = 2000
_MAX_UNITS = 100_000
_STEPLEN = Organization.steplen


@dataclass(frozen=True)
class RowError:
    """One problem: where (file, Excel row, column), what was there, and what is wrong."""

    file: str
    row: int | None
    column: str
    value: str
    message: str

    def line(self) -> str:
        """``文件 第N行 列 值 问题`` — one line of the report."""
        where = f"第{self.row}行" if self.row else "整个文件"
        value = f"“{self.value}”" if self.value else "（空）"
        column = self.column or "—"
        return f"{self.file} {where} {column} {value} {self.message}"


@dataclass
class ImportReport:
    """The outcome of an import: problems (then nothing was written) or counts."""

    kind: str
    file: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def kind_label(self) -> str:
        return "组织" if self.kind == "orgs" else "党员"

    def error_lines(self) -> list[str]:
        return [e.line() for e in self.errors]

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.kind_label}导入被拒绝：{self.file} 有 {len(self.errors)} 个问题，"
                "未写入任何数据"
            )
        prefix = "试运行（未写入）" if self.dry_run else "导入完成"
        return (
            f"{self.kind_label}{prefix}：{self.file} 共 {self.rows} 行，新增 {self.created}，"
            f"更新 {self.updated}，未变 {self.unchanged}"
        )


class _Problems:
    """Collects row errors; remembers which (row, column) already has one."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.marked: set[tuple[int, str]] = set()

    def add(self, row: int | None, column: str, value: Any, message: str) -> None:
        self.report.errors.append(
            RowError(self.report.file, row, column, cell_text(value), message)
        )
        if row is not None:
            self.marked.add((row, column))

    def has(self, row: int, column: str) -> bool:
        return (row, column) in self.marked


@contextlib.contextmanager
def _write_guard(report: ImportReport) -> Iterator[None]:
    """Turn a clash with a concurrent change (the transaction is rolled back) into a report."""
    try:
        yield
    except (IntegrityError, PathOverflow):
        report.created = report.updated = report.unchanged = 0
        report.errors.append(
            RowError(
                report.file,
                None,
                "",
                "",
                "写入时与同时进行的其他修改发生冲突，已全部撤销、未写入任何数据，请重新导入",
            )
        )


def _read(
    report: ImportReport,
    path: Path | str,
    columns: list[str],
    required: list[str],
) -> Table | None:
    try:
        table = read_table(path, columns=columns, required=required, file_label=report.file)
    except ReadError as exc:
        report.errors.append(RowError(report.file, None, "", "", str(exc)))
        return None
    report.warnings = table.warnings
    report.rows = len(table.rows)
    return table


def _out_of_scope_text(prefix: str) -> str:
    return "不存在" if prefix == "" else "不存在或不在您的管辖范围内"


# --------------------------------------------------------------------------------------------
# Organizations
# --------------------------------------------------------------------------------------------


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
    number: int, cells: dict[str, Any], has_parent_column: bool, problems: _Problems
) -> _OrgRow:
    def text(column: str) -> str:
        return cell_text(cells.get(column))

    def parsed(column: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(cells.get(column))
        except ValueError as exc:
            problems.add(number, column, cells.get(column), str(exc))
            return None

    for column in ORG_REQUIRED:
        if cells.get(column) is None:
            problems.add(number, column, None, f"{column}不能为空")
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
    if data.units_covered is not None and data.units_covered > _MAX_UNITS:
        problems.add(
            number, "覆盖单位数", data.units_covered, f"覆盖单位数过大（最多 {_MAX_UNITS}）"
        )
    for name, messages in org_validate(data).items():
        column = ORG_FIELD_COLUMN[name]
        if not problems.has(number, column):
            for message in messages:
                problems.add(number, column, cells.get(column), message)
    parent = (text("上级组织编码") or None) if has_parent_column else None
    return _OrgRow(number, cells, data, parent)


def import_orgs(
    path: Path | str,
    *,
    actor: Any,
    dry_run: bool = False,
    file_label: str | None = None,
) -> ImportReport:
    """Import organizations from ``path`` (all-or-nothing), as ``actor`` (needs ORG_CHANGE)."""
    prefix = scope_prefix(actor, Perm.ORG_CHANGE)
    if prefix is None:
        raise PermissionDenied("没有导入组织的权限")
    report = ImportReport("orgs", file_label or Path(path).name, dry_run)
    table = _read(report, path, ORG_COLUMNS, ORG_REQUIRED)
    if table is None:
        return report
    problems = _Problems(report)
    existing = _load_orgs()
    has_parent_column = "上级组织编码" in table.columns

    rows: dict[str, _OrgRow] = {}
    for number, cells in table.rows:
        row = _parse_org_row(number, cells, has_parent_column, problems)
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
    if not report.ok:
        report.errors.sort(key=lambda e: e.row or 0)  # stable: by row, then as found
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
    with _write_guard(report), transaction.atomic():
        if changes:
            objs = []
            for code in changes:
                obj = Organization(pk=existing[code].id, **_values(rows[code].data))
                obj.updated_at = now
                objs.append(obj)
            fields = [n for n in EDITABLE if n != "code"] + ["updated_at"]
            Organization.objects.bulk_update(objs, fields, batch_size=BATCH)
        if creates:
            if len(creates) <= TREEBEARD_MAX:
                _create_with_treebeard(creates, rows, existing)
            else:
                _create_in_bulk(creates, rows, existing)
        for code in moves:
            _move(code, rows[code].parent)
        paths = _paths_of([*creates, *touched])
        events = []
        for code in creates:
            row = rows[code]
            events.append(
                AuditEvent(
                    "org.create",
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
            action = "org.update" if code in changes else "org.move"
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
    problems: _Problems,
    final_parent: Callable[[str], str | None],
    final_type: Callable[[str], str],
    known: Callable[[str], bool],
) -> None:
    """Checks across rows: scope, parents, nesting of types, cycles, members of changed types."""
    unknown = _out_of_scope_text(prefix)
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
    leaving_branch = [
        existing[c].id
        for c in retyped
        if existing[c].values["org_type"] in BRANCH_TYPES
        and rows[c].data.org_type not in BRANCH_TYPES
    ]
    if leaving_branch:
        with_members = set(
            Member.objects.filter(org_id__in=leaving_branch).values_list("org_id", flat=True)
        )
        for code in retyped:
            if existing[code].id in with_members and not problems.has(
                rows[code].number, "组织类别"
            ):
                problems.add(
                    rows[code].number,
                    "组织类别",
                    rows[code].data.org_type,
                    "该组织有党员，党员只能编入党支部（联合党支部、临时党支部），不能改为此类别",
                )


def _check_cycles(
    rows: dict[str, _OrgRow],
    existing: dict[str, _OrgState],
    problems: _Problems,
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
    cycle: list[str], rows: dict[str, _OrgRow], existing: dict[str, _OrgState], problems: _Problems
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
    if parent_code is None:
        root = Organization.objects.get_last_root_node()
        Organization.objects.move(node, root, "last-sibling")
    else:
        target = Organization.objects.get(code=parent_code)
        Organization.objects.move(node, target, "last-child")


def _paths_of(codes: Iterable[str]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for chunk in _chunks(list(codes), BATCH):
        paths.update(
            Organization.objects.order_by().filter(code__in=chunk).values_list("code", "path")
        )
    return paths


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------------------------


@dataclass
class _MemberRow:
    number: int
    raw_id: Any  # the ID number cell as read, for the report
    data: MemberInput
    digest: str = ""


class _OrgIndex:
    """Organizations by code and id from one query; model instances built on first use."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[int, str, str, str, str]] = {}
        self._codes: dict[int, str] = {}
        self._made: dict[str, Organization] = {}
        rows = Organization.objects.order_by().values_list(
            "id", "code", "path", "org_type", "sector", "name"
        )
        for org_id, code, path, org_type, sector, name in rows:
            self._rows[code] = (org_id, path, org_type, sector, name)
            self._codes[org_id] = code

    def get(self, code: str) -> Organization | None:
        org = self._made.get(code)
        if org is None and code in self._rows:
            org_id, path, org_type, sector, name = self._rows[code]
            org = Organization(
                id=org_id, code=code, path=path, org_type=org_type, sector=sector, name=name
            )
            self._made[code] = org
        return org

    def by_id(self, org_id: int | None) -> Organization | None:
        if org_id is None:
            return None
        return self.get(self._codes[org_id])


#: stands in for an unknown organization so that the other checks of a row still run
_NO_ORG = Organization(id=0, code="", path="", org_type=OrgType.BRANCH, sector="", name="")


def _parse_member_row(
    number: int,
    cells: dict[str, Any],
    orgs: _OrgIndex,
    prefix: str,
    problems: _Problems,
    today: dt.date,
) -> _MemberRow:
    def text(column: str) -> str:
        return cell_text(cells.get(column))

    def date(column: str) -> dt.date | None:
        try:
            return cell_date(cells.get(column))
        except ValueError as exc:
            problems.add(number, column, cells.get(column), str(exc))
            return None

    for column in MEMBER_REQUIRED:
        if cells.get(column) is None:
            problems.add(number, column, None, f"{column}不能为空")
    raw_id = cells.get("公民身份号码")
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        problems.add(
            number,
            "公民身份号码",
            raw_id,
            "公民身份号码被 Excel 存成了数字（末几位可能已丢失），请把该列设为文本格式后重新填写",
        )
    org_code = text("所在党组织编码")
    org = orgs.get(org_code) if org_code else None
    if org_code and (org is None or not org.path.startswith(prefix)):
        problems.add(
            number,
            "所在党组织编码",
            org_code,
            f"所在党组织编码“{org_code}”{_out_of_scope_text(prefix)}",
        )
        org = None
    community_code = text("现居住社区编码")
    community = orgs.get(community_code) if community_code else None
    if community_code and community is None:
        problems.add(number, "现居住社区编码", community_code, f"组织编码“{community_code}”不存在")
    elif community is not None and community.sector != "社区":
        problems.add(number, "现居住社区编码", community_code, f"{community_code} 不是社区党组织")
    joined_on = date("入党日期")
    data = MemberInput(
        name=text("姓名"),
        id_number=text("公民身份号码"),
        member_type=text("党员类型"),
        joined_on=joined_on or dt.date.min,
        org=org or _NO_ORG,
        confirmed_on=date("转正日期"),
        gender=text("性别"),
        birth_date=date("出生日期"),
        ethnicity=text("民族"),
        education=text("学历"),
        category=text("人员类别"),
        post=text("党内职务"),
        phone=text("联系电话"),
        residence_community=community,
    )
    for name in ("ethnicity", "education"):
        limit = getattr(Member._meta.get_field(name), "max_length", 0) or 0
        if len(getattr(data, name)) > limit:
            column = MEMBER_FIELD_COLUMN[name]
            problems.add(number, column, cells.get(column), f"{column}过长（最多 {limit} 字）")
    for name, messages in member_validate(data, today=today).items():
        column = MEMBER_FIELD_COLUMN[name]
        if problems.has(number, column):
            continue
        if name == "confirmed_on" and joined_on is None and "入党日期" in messages[0]:
            continue
        for message in messages:
            problems.add(number, column, cells.get(column), message)
    return _MemberRow(number, raw_id, data)


def import_members(
    path: Path | str,
    *,
    actor: Any,
    dry_run: bool = False,
    file_label: str | None = None,
) -> ImportReport:
    """Import members from ``path`` (all-or-nothing), as ``actor`` (needs MEMBER_CHANGE)."""
    prefix = scope_prefix(actor, Perm.MEMBER_CHANGE)
    if prefix is None:
        raise PermissionDenied("没有导入党员的权限")
    report = ImportReport("members", file_label or Path(path).name, dry_run)
    table = _read(report, path, MEMBER_COLUMNS, MEMBER_REQUIRED)
    if table is None:
        return report
    problems = _Problems(report)
    orgs = _OrgIndex()
    today = dt.date.today()

    rows: dict[str, _MemberRow] = {}
    table.rows.reverse()
    while table.rows:  # consume the cells as we go: a 100,000-row file need not be held twice
        number, cells = table.rows.pop()
        row = _parse_member_row(number, cells, orgs, prefix, problems, today)
        if problems.has(number, "公民身份号码"):
            continue
        row.digest = crypto.digest(row.data.id_number)
        first = rows.get(row.digest)
        if first is not None:
            problems.add(
                number,
                "公民身份号码",
                cells.get("公民身份号码"),
                f"公民身份号码与第{first.number}行重复",
            )
            continue
        rows[row.digest] = row

    existing: dict[str, Member] = {}
    for chunk in _chunks(list(rows), BATCH):
        for member in Member.objects.filter(id_number_digest__in=chunk):
            existing[member.id_number_digest] = member
    for digest, member in existing.items():
        org = orgs.by_id(member.org_id)
        if org is None or not org.path.startswith(prefix):
            row = rows[digest]
            problems.add(
                row.number,
                "公民身份号码",
                row.raw_id,
                "该党员已在您管辖范围以外的党组织登记，不能导入或调动",
            )
    _check_secretaries(rows, existing, orgs, problems)
    if not report.ok:
        report.errors.sort(key=lambda e: e.row or 0)  # stable: by row, then as found
        return report

    creates: list[_MemberRow] = []
    updates: list[tuple[_MemberRow, Member, dict[str, Any], str]] = []
    for digest, row in rows.items():
        found = existing.get(digest)
        if found is None:
            creates.append(row)
            continue
        member = found
        member.org = orgs.by_id(member.org_id)  # type: ignore[assignment]
        member.residence_community = orgs.by_id(member.residence_community_id)
        before = member_snapshot(member)
        old_path, old_phone = member.org.path, member.phone_digest
        member_apply(member, row.data)
        if member_snapshot(member) != before or member.phone_digest != old_phone:
            updates.append((row, member, before, old_path))
        else:
            report.unchanged += 1
    report.created, report.updated = len(creates), len(updates)
    if dry_run or not (creates or updates):
        return report

    now = timezone.now()
    new_members = [member_apply(Member(), row.data) for row in creates]
    with _write_guard(report), transaction.atomic():
        _insert_members(new_members)
        if updates:
            for _, member, _, _ in updates:
                member.updated_at = now
            Member.objects.bulk_update(
                [member for _, member, _, _ in updates], _MEMBER_FIELDS, batch_size=BATCH
            )
        events = [
            AuditEvent(
                "member.create",
                "member",
                str(member.pk),
                str(member),
                row.data.org.path,
                None,
                member_snapshot(member),
            )
            for row, member in zip(creates, new_members, strict=True)
        ]
        events += [
            AuditEvent(
                "member.update",
                "member",
                str(member.pk),
                str(member),
                old_path,
                before,
                member_snapshot(member),
            )
            for _, member, before, old_path in updates
        ]
        audit_record_many(actor=actor, events=events)
    return report


_MEMBER_FIELDS = [
    "name",
    "id_number_cipher",
    "id_number_digest",
    "id_number_masked",
    "phone_cipher",
    "phone_digest",
    "phone_masked",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "member_type",
    "joined_on",
    "confirmed_on",
    "org",
    "post",
    "residence_community",
    "updated_at",
]


def _insert_members(members: list[Member]) -> None:
    """Insert new members and set their ids: ``COPY`` on PostgreSQL (a 100,000-row file would
    spend most of its time building and parsing ``INSERT`` statements), else ``bulk_create``."""
    if not members:
        return
    if connection.vendor != "postgresql":
        Member.objects.bulk_create(members, batch_size=BATCH)
    else:
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        now = timezone.now()
        getters = [_column_getter(f.attname, now) for f in fields]
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor  # psycopg's own cursor under Django's wrapper
            with raw.copy(f"COPY {quote(Member._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for member in members:
                    copy.write_row([get(member) for get in getters])
    if any(m.pk is None for m in members):
        ids = _member_ids([m.id_number_digest for m in members])
        for m in members:
            m.pk = ids[m.id_number_digest]


def _column_getter(attname: str, now: dt.datetime) -> Callable[[Member], Any]:
    if attname in ("created_at", "updated_at"):
        return lambda _member: now  # what auto_now(_add) would have filled in
    return operator.attrgetter(attname)


def _member_ids(digests: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(digests, BATCH):
        ids.update(
            Member.objects.filter(id_number_digest__in=chunk).values_list("id_number_digest", "id")
        )
    return ids


def _check_secretaries(
    rows: dict[str, _MemberRow],
    existing: dict[str, Member],
    orgs: _OrgIndex,
    problems: _Problems,
) -> None:
    """A branch has at most one 书记 after the import (file rows plus members not in the file)."""
    claims: dict[int, list[_MemberRow]] = defaultdict(list)
    for row in rows.values():
        if row.data.post == Post.SECRETARY and row.data.org.pk:
            claims[row.data.org.pk].append(row)
    if not claims:
        return
    holders: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(list(claims), BATCH):
        found = Member.objects.filter(post=Post.SECRETARY, org_id__in=chunk).values_list(
            "org_id", "id_number_digest", "name"
        )
        for org_id, digest, name in found:
            if digest not in rows:  # a secretary in the file decides their own post
                holders[org_id].append(name)
    for org_id, claimants in claims.items():
        org = orgs.by_id(org_id)
        org_name = org.name if org else ""
        if holders.get(org_id):
            for row in claimants:
                problems.add(
                    row.number,
                    "党内职务",
                    row.data.post,
                    f"{org_name} 已有书记（{'、'.join(holders[org_id])}），请先调整原书记的职务",
                )
        elif len(claimants) > 1:
            lines = "、".join(f"第{r.number}行" for r in claimants)
            for row in claimants[1:]:
                problems.add(
                    row.number,
                    "党内职务",
                    row.data.post,
                    f"{org_name} 在文件中有多名书记（{lines}），一个支部只能有一名书记",
                )
