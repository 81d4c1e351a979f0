"""The outcome of an import and the helpers both importers share.

A problem is a :class:`RowError` (file, Excel row, column, value, Chinese message); the report
lists every problem of a rejected file, or the counts of an accepted one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, Unpack

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from treebeard.exceptions import PathOverflow

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix

from .readers import (
    ReadError,
    Source,
    Table,
    TableStream,
    cell_text,
    open_table,
    read_table,
    source_name,
)

T = TypeVar("T")

#: rows per INSERT / UPDATE / IN (...) query
BATCH = 2000


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

    def rejected(self) -> bool:
        """Whether the file is refused; its problems are then put in row order (stable: by row,
        then as found)."""
        self.errors.sort(key=lambda e: e.row or 0)
        return not self.ok

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


class Problems:
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

    def add_unless_marked(self, row: int, column: str, value: Any, messages: list[str]) -> None:
        """Add ``messages`` for a cell unless an earlier check has already marked it."""
        if not self.has(row, column):
            for message in messages:
                self.add(row, column, value, message)

    def require(self, row: int, cells: dict[str, Any], columns: Iterable[str]) -> None:
        """Mark each of ``columns`` left empty on the row."""
        for column in columns:
            if cells.get(column) is None:
                self.add(row, column, None, f"{column}不能为空")

    def parse(
        self, row: int, cells: dict[str, Any], column: str, parse: Callable[[Any], T]
    ) -> T | None:
        """The cell read by ``parse``, or ``None`` with the reason marked on the cell."""
        try:
            return parse(cells.get(column))
        except ValueError as exc:
            self.add(row, column, cells.get(column), str(exc))
            return None


@contextlib.contextmanager
def write_guard(report: ImportReport) -> Iterator[None]:
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


def read_checked(
    report: ImportReport,
    path: Source,
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


@dataclass(frozen=True)
class ImportKind:
    """What one importer reads: its report kind, the right it needs (and the refusal without
    it), the columns of its files and those that must be filled."""

    kind: str
    perm: Perm
    denied: str
    columns: list[str]
    required: list[str]


class ImportOptions(TypedDict, total=False):
    """The optional arguments of every importer: ``dry_run`` checks without writing;
    ``file_label`` names the file in the report (an upload's original name)."""

    dry_run: bool
    file_label: str | None


def start_import(
    what: ImportKind, path: Source, *, actor: Actor, **options: Unpack[ImportOptions]
) -> tuple[str, Problems, Table | None]:
    """The actor's scope for ``what.perm`` (``PermissionDenied`` without it), the problems of a
    new report, and the table read from ``path`` whole (``None`` when unreadable)."""
    prefix, problems, stream = start_stream_import(what, path, actor=actor, **options)
    if stream is None:
        return prefix, problems, None
    try:
        rows = list(stream)
    except ReadError as exc:
        read_failed(problems.report, exc)
        return prefix, problems, None
    finally:
        stream.close()
    problems.report.rows = len(rows)
    return prefix, problems, Table(stream.file, stream.columns, rows, stream.warnings)


def start_stream_import(
    what: ImportKind, path: Source, *, actor: Actor, **options: Unpack[ImportOptions]
) -> tuple[str, Problems, TableStream | None]:
    """:func:`start_import` for an importer that reads the rows as a stream (its header read
    and checked; ``None`` when unreadable). The importer sets ``report.rows`` at the end and
    calls :func:`read_failed` on a :class:`ReadError` met further on."""
    prefix = scope_prefix(actor, what.perm)
    if prefix is None:
        raise PermissionDenied(what.denied)
    file_label = options.get("file_label")
    report = ImportReport(what.kind, file_label or source_name(path), options.get("dry_run", False))
    try:
        stream = open_table(
            path, columns=what.columns, required=what.required, file_label=report.file
        )
    except ReadError as exc:
        report.errors.append(RowError(report.file, None, "", "", str(exc)))
        return prefix, Problems(report), None
    report.warnings = stream.warnings
    return prefix, Problems(report), stream


def read_failed(report: ImportReport, exc: ReadError) -> ImportReport:
    """The report of a file found unreadable after some of its rows were checked: that one
    problem, as when it is found before any row (the rows' problems are dropped)."""
    report.errors[:] = [RowError(report.file, None, "", "", str(exc))]
    report.warnings = []
    report.rows = report.created = report.updated = report.unchanged = 0
    return report


def out_of_scope_text(prefix: str) -> str:
    return "不存在" if prefix == "" else "不存在或不在您的管辖范围内"


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
