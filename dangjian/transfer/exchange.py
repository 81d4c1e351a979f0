"""Import and export of relation transfers (组织关系转接) in the style of formats.md.

``.xlsx`` or UTF-8 ``.csv`` (with or without BOM), header row first, columns in any order,
unknown columns ignored with a warning; dates as formats.md accepts them. Columns:

| column | required | values |
|---|---|---|
| 公民身份号码 | yes | the member, on a roll the importer keeps (18 characters, check digit valid) |
| 接收党组织编码 | one of the two | a 党支部 / 联合党支部 on the platform (not a 党委) |
| 系统外接收党组织 | one of the two | the name of a receiving organization outside the platform |
| 转接原因 | yes | 工作变动, 居住地变动, 外出六个月以上, 升学毕业, 其他 |
| 申请日期 | yes | date |
| 介绍信开具日期 | no | date; when given the letter is issued (the member is in transit) |
| 备注 | no | |

All-or-nothing: every row is checked by the same service rules as the page (a 党委 as the
receiver, a member with an open transfer, a date before the request …); if any row is invalid
nothing is written and the report lists (file, row, column, value, Chinese message). A row whose
member already has a transfer requested that day is left unchanged, so a second import of the
same file changes nothing. The export writes the transfers the actor sees, with masked ID
numbers (it is a list, not a file to import again).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, require
from dangjian.core import crypto, idnumber
from dangjian.core.audit import AuditAction, audit_record
from dangjian.exchange.exporters import write_table
from dangjian.exchange.readers import ReadError, Source, cell_date, cell_text, read_table
from dangjian.exchange.report import ImportReport, Problems, RowError
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .choices import TransferReason
from .models import Transfer
from .services import TransferInput, transfer_request, transfer_validate

COLUMNS = [
    "公民身份号码",
    "接收党组织编码",
    "系统外接收党组织",
    "转接原因",
    "申请日期",
    "介绍信开具日期",
    "备注",
]
REQUIRED = ["公民身份号码", "转接原因", "申请日期"]
#: service field → the column its message belongs to
FIELD_COLUMNS = {
    "member": "公民身份号码",
    "to_org": "接收党组织编码",
    "to_name": "系统外接收党组织",
    "reason": "转接原因",
    "requested_on": "申请日期",
    "issued_on": "介绍信开具日期",
    "note": "备注",
    "state": "介绍信开具日期",
}
NOT_YOURS = "该公民身份号码不在您管辖范围的党员名册中，请核对号码"


class TransferReport(ImportReport):
    @property
    def kind_label(self) -> str:
        return "组织关系转接"


def _parse(
    actor: Actor, problems: Problems, line: int, cells: dict[str, Any], today: dt.date
) -> Any:
    """The row as (TransferInput, issued_on) or ``None`` with its problems marked."""
    problems.require(line, cells, REQUIRED)
    member: Member | None = None
    raw_id = cell_text(cells.get("公民身份号码"))
    if raw_id:
        try:
            number = idnumber.validate_id(raw_id, today=today)
        except idnumber.InvalidNumber as exc:
            problems.add(line, "公民身份号码", idnumber.mask_id(raw_id), str(exc))
        else:
            member = (
                Member.objects.select_related("org")
                .filter(id_number_digest=crypto.digest(number))
                .first()
            )
            if member is None or not covers(actor, Perm.MEMBER_CHANGE, member.org.path):
                problems.add(line, "公民身份号码", idnumber.mask_id(number), NOT_YOURS)
                member = None
    to_org = None
    code = cell_text(cells.get("接收党组织编码"))
    if code:
        to_org = Organization.objects.filter(code=code).first()
        if to_org is None:
            problems.add(line, "接收党组织编码", code, f"党组织编码“{code}”不存在")
    requested = problems.parse(line, cells, "申请日期", cell_date)
    issued = problems.parse(line, cells, "介绍信开具日期", cell_date)
    reason = cell_text(cells.get("转接原因"))
    if member is None or requested is None or (code and to_org is None):
        return None
    if reason and reason not in TransferReason.values:
        problems.add(
            line, "转接原因", reason, f"转接原因无效，应为：{'、'.join(TransferReason.values)}"
        )
        return None
    data = TransferInput(
        member=member,
        requested_on=requested,
        reason=reason,
        to_org=to_org,
        to_name=cell_text(cells.get("系统外接收党组织")),
        note=cell_text(cells.get("备注")),
    )
    return data, issued


def import_transfers(
    source: Source,
    *,
    actor: Actor,
    dry_run: bool = False,
    file_label: str | None = None,
    today: dt.date | None = None,
) -> TransferReport:
    """Check every row, then write them all in one transaction (or nothing)."""
    require(actor, Perm.MEMBER_CHANGE)
    today = today or timezone.localdate()
    label = file_label or (Path(source).name if isinstance(source, str | Path) else "上传文件")
    report = TransferReport(kind="transfers", file=label, dry_run=dry_run)
    problems = Problems(report)
    try:
        table = read_table(source, columns=COLUMNS, required=REQUIRED, file_label=label)
    except ReadError as exc:
        report.errors.append(RowError(label, None, "", "", str(exc)))
        return report
    report.warnings = table.warnings
    report.rows = len(table.rows)
    todo: list[tuple[int, TransferInput, dt.date | None]] = []
    seen: dict[int, int] = {}
    for line, cells in table.rows:
        parsed = _parse(actor, problems, line, cells, today)
        if parsed is None:
            continue
        data, issued = parsed
        if Transfer.objects.filter(member=data.member, requested_on=data.requested_on).exists():
            report.unchanged += 1
            continue
        if data.member.pk in seen:
            problems.add(
                line,
                "公民身份号码",
                data.member.id_number_masked,
                f"同一党员在第{seen[data.member.pk]}行已有转接，一名党员只能有一件未办结的转接",
            )
            continue
        seen[data.member.pk] = line
        errors = transfer_validate(data, today=today)
        if issued is not None and issued < data.requested_on:
            errors.add("issued_on", "介绍信开具日期早于申请日期")
        if issued is not None and issued > today:
            errors.add("issued_on", "介绍信开具日期不能晚于今天")
        for name, messages in errors.items():
            column = FIELD_COLUMNS.get(name, "")
            for message in messages:
                problems.add(line, column, cell_text(table_cell(cells, column)), message)
        if not errors:
            todo.append((line, data, issued))
    if report.rejected() or dry_run:
        report.created = 0 if report.errors else len(todo)
        return report
    from .services import transfer_issue

    try:
        with transaction.atomic():
            for line, data, issued in todo:
                try:
                    t = transfer_request(actor=actor, data=data, today=today)
                    if issued is not None:
                        transfer_issue(actor=actor, transfer=t, issued_on=issued, today=today)
                except ValidationError as exc:
                    for message in exc.messages:
                        problems.add(line, "", "", message)
            if report.errors:
                raise _Rollback
            audit_record(
                actor=actor,
                action=AuditAction.TRANSFER_IMPORT,
                object_type="transfer",
                object_id="import",
                object_repr=f"导入组织关系转接：{label}（{len(todo)} 件）",
                scope_path=getattr(getattr(actor, "org", None), "path", "") or "",
                after={"file": label},
            )
    except _Rollback:
        report.created = 0
        report.rejected()
        return report
    report.created = len(todo)
    return report


class _Rollback(Exception):
    pass


def table_cell(cells: dict[str, Any], column: str) -> Any:
    if column == "公民身份号码":
        return None  # never echo a full ID number into a report
    return cells.get(column)


EXPORT_COLUMNS = [
    "介绍信编号",
    "党员姓名",
    "公民身份号码",
    "转出党组织编码",
    "转出党组织",
    "接收党组织编码",
    "接收党组织",
    "转接原因",
    "状态",
    "申请日期",
    "介绍信开具日期",
    "有效期至",
    "办结日期",
    "退回或撤销原因",
    "回执编号",
]


def export_rows(transfers: Any) -> list[list[Any]]:
    return [
        [
            t.letter_no,
            t.member_name,
            t.member.id_number_masked,
            t.from_org.code,
            t.from_org.name,
            t.to_org.code if t.to_org is not None else "",
            t.receiver_name,
            t.reason,
            t.get_state_display(),
            t.requested_on,
            t.issued_on,
            t.due_on,
            t.answered_on,
            t.refuse_reason,
            t.receipt_no,
        ]
        for t in transfers
    ]


def export_transfers(path: Path | str, transfers: Any, *, into: IO[bytes] | None = None) -> int:
    """Write ``transfers`` (already restricted to the actor) to ``path`` (.csv or .xlsx)."""
    return write_table(path, EXPORT_COLUMNS, export_rows(transfers), into=into)
