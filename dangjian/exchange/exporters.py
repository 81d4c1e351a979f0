"""Exports of organizations and members in the exchange formats (.xlsx or .csv by extension).

The columns and their order are those of ``formats.md``; rows come in a deterministic order
(organizations by tree path, members by their branch's path and then the keyed digest of the ID
number), so export → import into an empty database → export gives the same file. A member export
is an unmasked view of personal data: it needs ``Perm.MEMBER_VIEW_PII`` and is audited.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.core import crypto
from dangjian.core.audit import AuditAction, audit_record
from dangjian.core.spreadsheet import append_row, csv_row, guard_cell, xlsx_value
from dangjian.members.selectors import members_for
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for
from dangjian.orgs.services import EDITABLE

from .columns import DATE_COLUMNS, MEMBER_COLUMNS, MEMBER_FIELD_COLUMN, ORG_COLUMNS, TEXT_COLUMNS
from .readers import file_kind

_STEPLEN = Organization.steplen
#: data rows one Excel worksheet can hold (1,048,576 rows minus the header)
XLSX_MAX_ROWS = 1_048_575


class ExportError(Exception):
    """The export cannot be written as asked; the message is for the user (Chinese)."""


def _check_size(path: Path | str, count: int) -> None:
    if file_kind(path) == "xlsx" and count > XLSX_MAX_ROWS:
        raise ExportError(
            f"共 {count:,} 行，超过 Excel 单个工作表的上限 {XLSX_MAX_ROWS:,} 行；"
            "请导出为 .csv，或由下级组织分别导出"
        )


def write_table(
    path: Path | str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    into: IO[bytes] | None = None,
) -> int:
    """Write a header and ``rows`` to ``path`` (.csv UTF-8 with BOM, or .xlsx); the row count.
    With ``into``, the file is written there and ``path`` only names it."""
    path = Path(path)
    kind = file_kind(path)
    count = 0
    if kind == "csv":
        with contextlib.ExitStack() as stack:
            if into is None:
                fh = stack.enter_context(path.open("w", encoding="utf-8-sig", newline=""))
            else:
                fh = io.TextIOWrapper(into, encoding="utf-8-sig", newline="")
                stack.callback(fh.detach)
                stack.callback(fh.flush)
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(csv_row(row))
                count += 1
        return count
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    dates = {i for i, c in enumerate(columns) if c in DATE_COLUMNS}
    texts = {i for i, c in enumerate(columns) if c in TEXT_COLUMNS}
    for index in range(len(columns)):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = 20 if index in texts else 14
    append_row(sheet, columns)
    for row in rows:
        cells: list[Any] = []
        for index, value in enumerate(row):
            if value is not None and index in dates:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif value is not None and index in texts:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.number_format = "@"
                cells.append(guard_cell(cell))
            else:
                cells.append(xlsx_value(sheet, value))
        sheet.append(cells)
        count += 1
    workbook.save(path if into is None else into)
    return count


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _parent_codes(paths: Iterable[str], known: dict[str, str]) -> dict[str, str]:
    """Codes of the parents of ``paths`` that are not in ``known`` (the top of a subtree)."""
    missing = {p[:-_STEPLEN] for p in paths if len(p) > _STEPLEN} - known.keys()
    if not missing:
        return {}
    rows = Organization.objects.order_by().filter(path__in=missing).values_list("path", "code")
    return dict(rows)


def export_orgs(path: Path | str, *, actor: Actor, into: IO[bytes] | None = None) -> int:
    """Write the organizations the actor may see to ``path`` (or ``into``, ``path`` naming
    the file); returns the number of rows."""
    if scope_prefix(actor, Perm.ORG_VIEW) is None:
        raise PermissionDenied("没有查看组织的权限")
    file_kind(path)
    rows = list(orgs_for(actor, Perm.ORG_VIEW).order_by("path").values_list("path", *EDITABLE))
    _check_size(path, len(rows))
    by_path = {r[0]: r[1] for r in rows}
    by_path.update(_parent_codes(by_path, by_path))

    def lines() -> Iterable[list[Any]]:
        for org_path, *values in rows:
            data = dict(zip(EDITABLE, values, strict=True))
            parent = by_path.get(org_path[:-_STEPLEN]) if len(org_path) > _STEPLEN else None
            yield [
                data["code"],
                data["name"],
                parent,
                data["org_type"],
                data["sector"],
                data["region_code"] or None,
                data["founded_on"],
                data["term_started_on"],
                data["term_years"],
                data["units_covered"],
                data["secretary_vacant_since"],
            ]

    return write_table(path, ORG_COLUMNS, lines(), into=into)


#: what the export reads for each member column (``MEMBER_FIELD_COLUMN``, in its order): the
#: field itself, the ciphertext of a number, or the code of an organization
_EXPORT_SOURCE = {
    "id_number": "id_number_cipher",
    "phone": "phone_cipher",
    "org": "org__code",
    "residence_community": "residence_community__code",
}
_EXPORTED = [_EXPORT_SOURCE.get(name, name) for name in MEMBER_FIELD_COLUMN]
_CIPHERS = [index for index, name in enumerate(_EXPORTED) if name.endswith("_cipher")]


def export_members(path: Path | str, *, actor: Actor, into: IO[bytes] | None = None) -> int:
    """Write the members the actor may see, with full ID and phone numbers, to ``path`` (or to
    ``into`` — the web page writes in memory, so no such file is ever on disk — ``path`` then
    only naming the file).

    Needs ``Perm.MEMBER_VIEW_PII``; one audit entry (action ``export``) records the count and the
    file name, in the same transaction as the export.
    """
    prefix = scope_prefix(actor, Perm.MEMBER_VIEW_PII)
    if prefix is None:
        raise PermissionDenied("导出党员名册需要查看完整身份信息的权限")
    file_kind(path)
    if file_kind(path) == "xlsx":
        _check_size(path, members_for(actor, Perm.MEMBER_VIEW_PII).count())
    queryset = (
        members_for(actor, Perm.MEMBER_VIEW_PII)
        .order_by("org__path", "id_number_digest")
        .values_list(*_EXPORTED)
    )

    def lines() -> Iterable[list[Any]]:
        for row in queryset.iterator(chunk_size=5000):
            values = list(row)
            for index in _CIPHERS:
                values[index] = crypto.decrypt(values[index]) if values[index] else None
            yield [v if v != "" else None for v in values]

    name = Path(path).name
    with transaction.atomic():
        count = write_table(path, MEMBER_COLUMNS, lines(), into=into)
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="member",
            object_id=name,
            object_repr=f"导出党员名册 {count} 人",
            scope_path=prefix,
            after={"count": count, "file": name, "fields": ["id_number", "phone"]},
        )
    return count
