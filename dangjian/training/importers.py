"""Participants of a course from a file (.xlsx or UTF-8 .csv, formats.md style), all or nothing.

Columns: 公民身份号码 (required; the member is found by it among the members of the organizer's
subtree) and 姓名 (required; must agree with the roll, a check against a wrong number). Unknown
columns are ignored with a warning. Any bad row refuses the whole file with every problem listed
(row number as Excel shows it, column, message); a member already on the course is reported, so
importing the same file twice adds nothing the second time and says why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, require
from dangjian.core import crypto
from dangjian.exchange.readers import ReadError, Source, cell_text, read_table
from dangjian.members.models import Member

from .models import Course
from .services import BATCH_MAX, _add, _existing, _locked

COLUMNS = ["姓名", "公民身份号码"]
REQUIRED = ["姓名", "公民身份号码"]


@transaction.atomic
def participants_import(
    *, actor: Actor, course: Course, source: Source, file_label: str | None = None
) -> tuple[int, list[str]]:
    """Add the participants listed in ``source``; (number added, warnings). Any problem: a
    ``ValidationError`` on ``file`` listing them all, nothing written."""
    course = _locked(course)
    require(actor, Perm.TRAINING_MANAGE, course.organizer.path)
    try:
        table = read_table(source, columns=COLUMNS, required=REQUIRED, file_label=file_label)
    except ReadError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    problems: list[str] = []
    if len(table.rows) > BATCH_MAX:
        raise ValidationError({"file": [f"一次最多导入 {BATCH_MAX} 名学员"]})
    digests: dict[int, str] = {}
    for number, cells in table.rows:
        raw = cell_text(cells.get("公民身份号码")).upper()
        if not raw:
            problems.append(f"第 {number} 行“公民身份号码”：不能为空")
            continue
        digests[number] = crypto.digest(raw)
    members = {
        m.id_number_digest: m
        for m in Member.objects.select_related("org").filter(
            id_number_digest__in=set(digests.values()),
            org__path__startswith=course.organizer.path,
        )
    }
    existing = _existing(course)
    seen: dict[int, int] = {}
    chosen = []
    for number, cells in table.rows:
        if number not in digests:
            continue
        member = members.get(digests[number])
        name = cell_text(cells.get("姓名"))
        if member is None:
            problems.append(
                f"第 {number} 行“公民身份号码”：{course.organizer.name}及其下级组织中没有该党员"
            )
        elif name != member.name:
            problems.append(f"第 {number} 行“姓名”：“{name[:20]}”与该身份号码的党员姓名不一致")
        elif member.pk in seen:
            problems.append(f"第 {number} 行：与第 {seen[member.pk]} 行是同一名党员（重复）")
        elif member.pk in existing:
            problems.append(f"第 {number} 行：{member.name}已是本培训班学员")
        else:
            seen[member.pk] = number
            chosen.append(member)
    if problems:
        raise ValidationError({"file": [f"{table.file}：{p}" for p in problems]})
    return _add(actor, course, chosen, "import"), table.warnings
