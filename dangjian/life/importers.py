"""All-or-nothing import of meetings (formats.md, "Meetings and activities") from .xlsx / .csv.

Every row is checked with the same rules as the form (:func:`meeting_validate`) plus the checks
that need the whole file (duplicate rows, the actor's scope). If anything is wrong nothing is
written and the report lists every problem (file, Excel row, column, value, Chinese message);
otherwise all rows are written in one transaction with one audit entry per created or changed
record. A row is matched on 组织编码 + 会议类型 + 日期 + 主题, so importing the same file twice
changes nothing. 录入日期 (default: the import date) decides LIFE-LATE-ENTRY.

Two optional columns beyond formats.md say who gave a 党课: 讲课人 (本组织书记, 上级党委书记
or 其他) and 讲课党委编码 (for 上级党委书记: the code of that upper 党委). Only a 党课 marked
so counts for LIFE-SECRETARY-LECTURE-YEARLY; a file without these columns records the lectures
as before, and they count for LIFE-LECTURE-QUARTERLY only.

Two more optional columns: 同时计为 (other types the meeting was also held as, separated by
``、``: a 支部党员大会 row with 主题党日; a 组织生活会 row with 民主评议党员) and 所属年度 (the
year a yearly meeting counts for, e.g. 2026 for the 组织生活会 held in January 2027; empty: the
year of 日期). A row that shares a type with another row or record of the same organization,
date and topic is the same meeting and refused (it would count twice). When a file has one of
these columns, a matched record takes its value (an empty cell clears 同时计为); a file
without the column leaves the record as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.core.audit import AuditAction, AuditEvent, audit_record_many
from dangjian.exchange.readers import Source, cell_date, cell_int, cell_text, source_name
from dangjian.exchange.report import (
    BATCH,
    ImportReport,
    Problems,
    out_of_scope_text,
    read_checked,
    write_guard,
)
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import orgs_for

from .choices import SECRETARY_LECTURE_ORG_TYPES, join_types, split_types
from .models import Meeting
from .rollups import Count1, counts_of, months_shift
from .rules import late_days
from .services import MeetingInput, meeting_facts, meeting_new, meeting_validate
from .signatures import sign

#: MeetingInput field → column, in the file's order
FIELD_COLUMN = {
    "org": "组织编码",
    "meeting_type": "会议类型",
    "held_on": "日期",
    "topic": "主题",
    "expected": "应到人数",
    "present": "实到人数",
    "minutes": "记录",
    "entered_on": "录入日期",
    "lecturer_role": "讲课人",
    "lecturer_org": "讲课党委编码",
    "also_counts_as": "同时计为",
    "year": "所属年度",
}
COLUMNS = list(FIELD_COLUMN.values())
#: the first four, which identify a record (the import page says so)
REQUIRED = COLUMNS[:4]


class MeetingImportReport(ImportReport):
    @property
    def kind_label(self) -> str:
        return "会议记录"


@dataclass
class _Row:
    number: int
    data: MeetingInput
    #: the file has the 同时计为 / 所属年度 columns (they then set a matched record's values)
    has_also: bool = False
    has_year: bool = False

    @property
    def key(self) -> tuple[int, str, dt.date, str]:
        return (self.data.org.pk, self.data.meeting_type, self.data.held_on, self.data.topic)

    @property
    def place(self) -> tuple[int, dt.date, str]:
        return (self.data.org.pk, self.data.held_on, self.data.topic)


def _parse(
    number: int,
    cells: dict[str, Any],
    orgs: dict[str, Organization],
    prefix: str,
    problems: Problems,
    today: dt.date,
    committees: dict[str, Organization],
) -> _Row | None:
    bad = False

    def value(column: str, parse: Any) -> Any:
        nonlocal bad
        try:
            return parse(cells.get(column))
        except ValueError as exc:
            problems.add(number, column, cells.get(column), str(exc))
            bad = True
            return None

    code = cell_text(cells.get("组织编码"))
    org = orgs.get(code)
    if not code:
        problems.add(number, "组织编码", None, "组织编码不能为空")
        bad = True
    elif org is None:
        problems.add(number, "组织编码", code, f"组织编码“{code}”{out_of_scope_text(prefix)}")
        bad = True
    held_on = value("日期", cell_date)
    if held_on is None and not problems.has(number, "日期"):
        problems.add(number, "日期", None, "日期不能为空")
        bad = True
    expected = value("应到人数", cell_int)
    present = value("实到人数", cell_int)
    entered_on = value("录入日期", cell_date)
    year = value("所属年度", cell_int)
    upper_code = cell_text(cells.get("讲课党委编码"))
    upper = committees.get(upper_code) if upper_code else None
    if upper_code and upper is None:
        problems.add(number, "讲课党委编码", upper_code, f"“{upper_code}”不是党委或党工委的编码")
        bad = True
    if bad or org is None or held_on is None:
        return None
    data = MeetingInput(
        org=org,
        meeting_type=cell_text(cells.get("会议类型")),
        held_on=held_on,
        topic=cell_text(cells.get("主题")),
        minutes=cell_text(cells.get("记录")),
        expected=expected,
        present=present,
        entered_on=entered_on or today,
        lecturer_role=cell_text(cells.get("讲课人")),
        lecturer_org=upper,
        also_counts_as=split_types(cell_text(cells.get("同时计为"))),
        year=year,
    )
    errors = meeting_validate(data, today=today)
    for name, messages in errors.items():
        column = FIELD_COLUMN.get(name, "")
        for message in messages:
            problems.add(number, column, cells.get(column) if column else None, message)
    if errors:
        return None
    return _Row(number, data, has_also="同时计为" in cells, has_year="所属年度" in cells)


def import_meetings(
    path: Source, *, actor: Actor, dry_run: bool = False, file_label: str | None = None
) -> MeetingImportReport:
    """Import the meetings of ``path`` as ``actor`` (needs Perm.LIFE_RECORD on every row's org)."""
    report = MeetingImportReport(kind="meetings", file=file_label or source_name(path))
    problems = Problems(report)
    prefix = scope_prefix(actor, Perm.LIFE_RECORD)
    if prefix is None:
        problems.add(None, "", None, "没有导入组织生活记录的权限")
        return report
    table = read_checked(report, path, COLUMNS, REQUIRED)
    if table is None:
        return report
    today = timezone.localdate()
    codes = {cell_text(cells.get("组织编码")) for _n, cells in table.rows}
    orgs = {o.code: o for o in orgs_for(actor, Perm.LIFE_RECORD).filter(code__in=codes - {""})}
    # upper committees may lie above the actor's scope: meeting_validate accepts only the
    # committees above the row's own organization
    upper_codes = {cell_text(cells.get("讲课党委编码")) for _n, cells in table.rows} - {""}
    committees = {
        o.code: o
        for o in Organization.objects.filter(
            code__in=upper_codes, org_type__in=SECRETARY_LECTURE_ORG_TYPES
        )
    }
    rows: list[_Row] = []
    seen: dict[tuple[int, dt.date, str], list[_Row]] = {}
    for number, cells in table.rows:
        row = _parse(number, cells, orgs, prefix, problems, today, committees)
        if row is None:
            continue
        same = [r for r in seen.get(row.place, []) if set(r.data.types) & set(row.data.types)]
        if same:
            problems.add(
                number,
                "主题",
                row.data.topic,
                f"与第{same[0].number}行是同一次会议（组织、日期、主题相同，会议类型"
                f"{'、'.join(t for t in row.data.types if t in same[0].data.types)}重复）",
            )
            continue
        seen.setdefault(row.place, []).append(row)
        rows.append(row)

    existing, by_place = _existing(rows)
    for row in rows:
        if row.key in existing:
            continue
        for other in by_place.get(row.place, []):
            shared = [t for t in row.data.types if t in other.types]
            if shared:
                problems.add(
                    row.number,
                    "主题",
                    row.data.topic,
                    f"已有同一次会议的记录：{other.held_on} 的{other.type_label}“{other.topic}”"
                    f"（{'、'.join(shared)}重复计算），请在该记录上修改",
                )
                break
    if report.errors:
        return report
    days = late_days()
    creates: list[Meeting] = []
    updates: list[tuple[Meeting, dict[str, Any]]] = []
    was: list[Count1] = []  # the counts of the changed records before the file
    for row in rows:
        data = row.data
        found = existing.get(row.key)
        if found is None:
            creates.append(meeting_new(data, actor, days))
            continue
        before = meeting_facts(found)
        changed: dict[str, Any]
        if found.attendance_taken:
            # the counts come from the attendance list; only the minutes can change
            changed = {"minutes": data.minutes}
        else:
            changed = {"minutes": data.minutes, "expected": data.expected, "present": data.present}
        if data.lecturer_role:
            # a file that marks who gave the 党课 corrects the record; one without leaves it
            changed.update(lecturer_role=data.lecturer_role, lecturer_org=data.lecturer_org)
        if row.has_also:
            changed["also_counts_as"] = join_types(data.also_counts_as)
        if row.has_year:
            changed["year"] = data.year or data.held_on.year
        if all(getattr(found, k) == v for k, v in changed.items()):
            report.unchanged += 1
            continue
        was += counts_of(found)
        for name, new in changed.items():
            setattr(found, name, new)
        found.updated_at = timezone.now()  # bulk_update skips auto_now
        updates.append((found, before))
    report.created, report.updated = len(creates), len(updates)
    if dry_run:
        return report
    with write_guard(report), transaction.atomic():
        Meeting.objects.bulk_create(creates, batch_size=BATCH)
        if updates:
            Meeting.objects.bulk_update(
                [m for m, _b in updates],
                [
                    "minutes",
                    "expected",
                    "present",
                    "lecturer_role",
                    "lecturer_org",
                    "also_counts_as",
                    "year",
                    "updated_at",
                ],
                batch_size=BATCH,
            )
        months_shift(was, [c for m in creates + [m for m, _b in updates] for c in counts_of(m)])
        sign(creates, new=True)
        sign([m for m, _b in updates])
        events = [
            _event(
                AuditAction.LIFE_MEETING_IMPORT,
                m,
                after={**meeting_facts(m), **({"late_days_limit": days} if m.late else {})},
            )
            for m in creates
        ] + [
            _event(AuditAction.LIFE_MEETING_UPDATE, m, before=before, after=meeting_facts(m))
            for m, before in updates
        ]
        if events:
            audit_record_many(actor=actor, events=events)
    return report


def _event(action: AuditAction, meeting: Meeting, **kw: Any) -> AuditEvent:
    """The audit entry of one imported record (``before``/``after`` in ``kw``)."""
    return AuditEvent(action, "meeting", str(meeting.pk), str(meeting), meeting.org.path, **kw)


def _existing(
    rows: list[_Row],
) -> tuple[
    dict[tuple[int, str, dt.date, str], Meeting], dict[tuple[int, dt.date, str], list[Meeting]]
]:
    """The records the file's rows match by key, and every record by (organization, date,
    topic) to find the same meeting recorded under another of its types (one query per batch
    of organizations)."""
    found: dict[tuple[int, str, dt.date, str], Meeting] = {}
    by_place: dict[tuple[int, dt.date, str], list[Meeting]] = {}
    if not rows:
        return found, by_place
    org_ids = sorted({r.data.org.pk for r in rows})
    low = min(r.data.held_on for r in rows)
    high = max(r.data.held_on for r in rows)
    for start in range(0, len(org_ids), BATCH):
        qs = Meeting.objects.select_related("org", "lecturer_org").filter(
            org_id__in=org_ids[start : start + BATCH], held_on__gte=low, held_on__lte=high
        )
        for m in qs:
            found[(m.org_id, m.meeting_type, m.held_on, m.topic)] = m
            by_place.setdefault((m.org_id, m.held_on, m.topic), []).append(m)
    return found, by_place
