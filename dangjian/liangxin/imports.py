"""Import of the 两新 register from .xlsx or UTF-8 .csv, all-or-nothing.

The file is read as a stream (the rows checked in batches, the organizations and the registered
codes looked up a batch at a time); every problem is reported with its Excel row number, in
Chinese, and when there is any nothing is written. 统一社会信用代码 are normalised (spaces and
dashes dropped, upper case); a code met twice in the file is an error naming both rows. A code
already registered updates that unit (the yearly register sent again: new figures, a party
organization set up since) when the unit is managed within the importer's scope, and is an error
otherwise; a row equal to its unit changes nothing. The units are written in one transaction,
with one audit entry for the import naming the codes it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix
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
    changed: list[Unit]
    unchanged: int = 0


#: the fields a row of the register sets (all of :data:`COLUMNS`' but the code, which keys it)
UPDATED = [field for field in COLUMNS.values() if field != "uscc"]


def _apply(unit: Unit, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``unit``; whether anything changed (organizations by id)."""
    changed = False
    for field in UPDATED:
        value = values[field]
        current = getattr(unit, f"{field}_id" if field in ("org", "party_org") else field)
        wanted = value.pk if isinstance(value, Organization) else value
        if current != wanted:
            setattr(unit, field, value)
            changed = True
    return changed


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
    registered = {
        u.uscc: u
        for u in Unit.objects.filter(uscc__in=[v["uscc"] for _, _, v in checked]).select_related(
            "org"
        )
    }
    column = "统一社会信用代码"
    for number, cells, values in checked:
        code = values["uscc"]
        if code in scan.seen:
            problems.add(
                number, column, cells.get(column), f"与第{scan.seen[code]}行的统一社会信用代码重复"
            )
            continue
        scan.seen[code] = number
        unit = registered.get(code)
        if unit is not None and not covers(actor, Perm.LIANGXIN_RECORD, unit.org.path):
            problems.add(number, column, cells.get(column), "该代码已由您管辖范围以外的党组织登记")
            continue
        if problems.report.errors:
            continue
        if unit is None:
            scan.values.append(values)
        elif _apply(unit, values):
            scan.changed.append(unit)
        else:
            scan.unchanged += 1


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
    scan = _Scan({}, [], [])
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
    report.created, report.updated = len(scan.values), len(scan.changed)
    report.unchanged = scan.unchanged
    if dry_run:
        return report
    with write_guard(report), transaction.atomic():
        for start in range(0, len(scan.values), 1000):
            Unit.objects.bulk_create(Unit(**v) for v in scan.values[start : start + 1000])
        now = timezone.now()
        for unit in scan.changed:
            unit.updated_at = now
        Unit.objects.bulk_update(scan.changed, [*UPDATED, "updated_at"], batch_size=1000)
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
                "import_updated": report.updated,
                "import_updated_codes": sorted(u.uscc for u in scan.changed),
            },
        )
    return report
