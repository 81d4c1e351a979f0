"""Import of the 两新 register from .xlsx or UTF-8 .csv, all-or-nothing.

The file is read as a stream (the rows checked in batches, the organizations and the registered
codes looked up a batch at a time); every problem is reported with its Excel row number, in
Chinese, and when there is any nothing is written. 统一社会信用代码 are normalised (spaces and
dashes dropped, upper case) and must be new: a code met twice in the file is an error naming both
rows, one already registered an error naming the registered unit. The units are written in one
transaction, with one audit entry for the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.errors import FieldErrors
from dangjian.exchange.readers import ReadError, Source, cell_text, open_table, source_name
from dangjian.exchange.report import ImportReport, Problems, RowError, read_failed, write_guard
from dangjian.orgs.models import Organization

from .models import Unit
from .services import unit_values

#: column → field of :class:`Unit` (``org`` and ``party_org`` by organization code)
COLUMNS: dict[str, str] = {
    "单位名称": "name",
    "统一社会信用代码": "uscc",
    "单位类型": "kind",
    "所属行业": "industry",
    "规模": "size",
    "地址": "address",
    "行政区划代码": "region_code",
    "管理党组织编码": "org",
    "党组织建立方式": "org_mode",
    "所在党组织编码": "party_org",
    "从业人员数": "employees",
    "党员数": "members",
}
REQUIRED = [
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "所属行业",
    "规模",
    "行政区划代码",
    "管理党组织编码",
]
FIELD_COLUMNS = {field: column for column, field in COLUMNS.items()}
BATCH = 2000


class RegisterReport(ImportReport):
    @property
    def kind_label(self) -> str:
        return "两新组织"


@dataclass
class _Scan:
    seen: dict[str, int]
    values: list[dict[str, Any]]


def _orgs(codes: set[str], cache: dict[str, Organization | None]) -> None:
    wanted = [c for c in codes if c not in cache]
    found = {o.code: o for o in Organization.objects.filter(code__in=wanted)}
    for code in wanted:
        cache[code] = found.get(code)


def _check_batch(
    actor: Actor,
    batch: list[tuple[int, dict[str, Any]]],
    problems: Problems,
    scan: _Scan,
    cache: dict[str, Organization | None],
) -> None:
    codes = {cell_text(c.get(k)) for _, c in batch for k in ("管理党组织编码", "所在党组织编码")}
    _orgs({c for c in codes if c}, cache)
    checked: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for number, cells in batch:
        data: dict[str, Any] = {field: cells.get(column) for column, field in COLUMNS.items()}
        for field in ("org", "party_org"):
            code = cell_text(cells.get(FIELD_COLUMNS[field]))
            data[field] = cache.get(code) if code else None
            if code and data[field] is None:
                problems.add(number, FIELD_COLUMNS[field], code, "没有这个编码的党组织")
        errors = FieldErrors()
        values = unit_values(errors, actor, data, check_duplicate=False)
        for field, messages in errors.items():
            column = FIELD_COLUMNS.get(field, "")
            problems.add_unless_marked(number, column, cells.get(column), messages)
        if not errors and values["uscc"]:
            checked.append((number, cells, values))
    registered = dict(
        Unit.objects.filter(uscc__in=[v["uscc"] for _, _, v in checked]).values_list("uscc", "name")
    )
    column = "统一社会信用代码"
    for number, cells, values in checked:
        code = values["uscc"]
        if code in scan.seen:
            problems.add(
                number, column, cells.get(column), f"与第{scan.seen[code]}行的统一社会信用代码重复"
            )
            continue
        scan.seen[code] = number
        if code in registered:
            problems.add(number, column, cells.get(column), f"该代码已登记（{registered[code]}）")
            continue
        if not problems.report.errors:
            scan.values.append(values)


def import_units(
    source: Source, *, actor: Actor, dry_run: bool = False, file_label: str | None = None
) -> RegisterReport:
    """Check ``source`` and, when it has no problem and ``dry_run`` is false, register every
    unit of it; the report lists the problems (nothing written) or the count."""
    prefix = scope_prefix(actor, Perm.LIANGXIN_RECORD)
    if prefix is None:
        raise PermissionDenied("您的角色没有“登记两新组织和党建指导员”的权限")
    report = RegisterReport("liangxin", file_label or source_name(source), dry_run)
    problems = Problems(report)
    try:
        stream = open_table(
            source, columns=list(COLUMNS), required=REQUIRED, file_label=report.file
        )
    except ReadError as exc:
        report.errors.append(RowError(report.file, None, "", "", str(exc)))
        return report
    report.warnings = stream.warnings
    scan = _Scan({}, [])
    cache: dict[str, Organization | None] = {}
    try:
        for batch in stream.batches(BATCH):
            _check_batch(actor, batch, problems, scan, cache)
    except ReadError as exc:
        read_failed(report, exc)
        return report
    finally:
        stream.close()
    report.rows = stream.rows
    if report.rejected():
        return report
    if dry_run:
        report.created = len(scan.values)
        return report
    with write_guard(report), transaction.atomic():
        for start in range(0, len(scan.values), 1000):
            Unit.objects.bulk_create(Unit(**v) for v in scan.values[start : start + 1000])
        report.created = len(scan.values)
        audit_record(
            actor=actor,
            action=AuditAction.LIANGXIN_IMPORT,
            object_type="liangxin_register",
            object_id="",
            object_repr=f"两新组织名录 {report.file}",
            scope_path=prefix,
            after={
                "import_file": report.file,
                "import_rows": report.rows,
                "import_created": report.created,
            },
        )
    return report
