"""All-or-nothing import of members (see :mod:`dangjian.exchange.importers`).

Each row goes through ``member_validate`` (ID check digit, gender and birth date against the ID
number, types and dates); across rows: duplicate ID numbers, the branch must exist within the
actor's scope, a member already on a roll outside the scope cannot be moved in, and a branch keeps
at most one 书记. Existing members are matched by the keyed digest of the ID number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.core import crypto
from dangjian.core.audit import AuditAction, AuditEvent, audit_record_many
from dangjian.core.idnumber import normalize_id
from dangjian.members.choices import Post
from dangjian.members.models import Member
from dangjian.members.rollups import Place, column_of, counts_shift, left_ids, place_of
from dangjian.members.services import (
    ID_NUMBER_REFUSED,
    MemberInput,
    audit_id_number_refused,
    community_problem,
    community_unknown,
    id_number_taken,
    member_apply,
    member_snapshot,
    member_validate,
)
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization

from .bulk import copy_insert, copy_update
from .columns import MEMBER_COLUMNS, MEMBER_FIELD_COLUMN, MEMBER_REQUIRED
from .readers import Source, cell_date, cell_text
from .report import (
    BATCH,
    ImportKind,
    ImportReport,
    Problems,
    chunks,
    out_of_scope_text,
    start_import,
    write_guard,
)

#: what the member import reads, and the right it needs
MEMBERS = ImportKind(
    "members", Perm.MEMBER_CHANGE, "没有导入党员的权限", MEMBER_COLUMNS, MEMBER_REQUIRED
)


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
    problems: Problems,
    today: dt.date,
    present: set[str],
    prior: Member | None,
    actor: Actor,
) -> _MemberRow:
    def text(column: str) -> str:
        return cell_text(cells.get(column))

    def date(column: str) -> dt.date | None:
        return problems.parse(number, cells, column, cell_date)

    problems.require(number, cells, MEMBER_REQUIRED)
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
            f"所在党组织编码“{org_code}”{out_of_scope_text(prefix)}",
        )
        org = None
    community_code = text("现居住社区编码")
    community = orgs.get(community_code) if community_code else None
    current = orgs.by_id(prior.residence_community_id) if prior is not None else None
    if community_code and community is None:
        problem: str | None = community_unknown(community_code)
    else:  # the same answer for a code outside the actor's scope as for an unknown one
        problem = community_problem(actor, community, current=current)
    if problem:
        problems.add(number, "现居住社区编码", community_code, problem)
        community = None
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
    if prior is not None:
        _keep_absent_columns(data, prior, present, orgs)
    for name in ("ethnicity", "education"):
        limit = getattr(Member._meta.get_field(name), "max_length", 0) or 0
        if len(getattr(data, name)) > limit:
            column = MEMBER_FIELD_COLUMN[name]
            problems.add(number, column, cells.get(column), f"{column}过长（最多 {limit} 字）")
    for name, messages in member_validate(data, today=today).items():
        if name == "confirmed_on" and joined_on is None and "入党日期" in messages[0]:
            continue
        column = MEMBER_FIELD_COLUMN[name]
        problems.add_unless_marked(number, column, cells.get(column), messages)
    return _MemberRow(number, raw_id, data)


#: optional columns whose absence from a file leaves an existing member's value as it is
_KEPT_WHEN_ABSENT = {
    "民族": "ethnicity",
    "学历": "education",
    "人员类别": "category",
    "转正日期": "confirmed_on",
    "党内职务": "post",
}


def _keep_absent_columns(
    data: MemberInput, prior: Member, present: set[str], orgs: _OrgIndex
) -> None:
    """A column the file does not have is not an empty cell: keep what the record says."""
    for column, name in _KEPT_WHEN_ABSENT.items():
        if column not in present:
            setattr(data, name, getattr(prior, name))
    if "联系电话" not in present and prior.phone_cipher:
        data.phone = prior.phone()
    if "现居住社区编码" not in present:
        data.residence_community = orgs.by_id(prior.residence_community_id)


def _load_members(
    table_rows: list[tuple[int, dict[str, Any]]],
) -> tuple[dict[str, Member], dict[int, str]]:
    """Members already on a roll whose ID number appears in the file (chunked queries), and the
    keyed digest of each row's ID number as ``member_validate`` will normalise it."""
    digests: dict[int, str] = {}
    for number, cells in table_rows:
        raw = cells.get("公民身份号码")
        if isinstance(raw, str):
            digests[number] = crypto.digest(ric.compact(normalize_id(raw)))
    found: dict[str, Member] = {}
    for chunk in chunks(sorted(set(digests.values())), BATCH):
        for member in Member.objects.filter(id_number_digest__in=chunk):
            found[member.id_number_digest] = member
    return found, digests


def import_members(
    path: Source,
    *,
    actor: Actor,
    dry_run: bool = False,
    file_label: str | None = None,
) -> ImportReport:
    """Import members from ``path`` (all-or-nothing), as ``actor`` (needs MEMBER_CHANGE)."""
    prefix, problems, table = start_import(
        MEMBERS, path, actor=actor, dry_run=dry_run, file_label=file_label
    )
    report = problems.report
    if table is None:
        return report
    orgs = _OrgIndex()
    today = timezone.localdate()

    present = set(table.columns)
    loaded, digests = _load_members(table.rows)
    rows: dict[str, _MemberRow] = {}
    table.rows.reverse()
    while table.rows:  # consume the cells as we go: a 100,000-row file need not be held twice
        number, cells = table.rows.pop()
        prior = loaded.get(digests.get(number, ""))
        row = _parse_member_row(number, cells, orgs, prefix, problems, today, present, prior, actor)
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

    existing = {digest: member for digest, member in loaded.items() if digest in rows}
    refused: list[tuple[Member, Organization | None]] = []
    for digest, member in existing.items():
        org = orgs.by_id(member.org_id)
        if org is None or not org.path.startswith(prefix):
            row = rows[digest]
            message = ID_NUMBER_REFUSED
            if org is not None:
                member.org = org
                message = id_number_taken(actor, member)
            if message == ID_NUMBER_REFUSED:
                refused.append((member, None if row.data.org is _NO_ORG else row.data.org))
            else:  # a member the actor sees, but may not change
                message += "，不在您可以导入或调动的范围内"
            problems.add(row.number, "公民身份号码", row.raw_id, message)
    if refused:
        audit_id_number_refused(actor, refused, via=f"导入党员（{report.file}）")
    _check_secretaries(rows, existing, orgs, problems)
    if report.rejected():
        return report

    creates: list[_MemberRow] = []
    updates: list[tuple[_MemberRow, Member, dict[str, Any], str]] = []
    was: dict[int, tuple[int, str]] = {}  # member → (organization, type) before the file
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
        was[member.pk] = (member.org_id, member.member_type)
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
    with write_guard(report), transaction.atomic():
        _insert_members(new_members)
        if updates:
            for _, member, _, _ in updates:
                member.updated_at = now
            copy_update(Member, [member for _, member, _, _ in updates], _MEMBER_FIELDS)
        _count(new_members, [member for _, member, _, _ in updates], was)
        events = [
            AuditEvent(
                AuditAction.MEMBER_CREATE,
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
                AuditAction.MEMBER_UPDATE,
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


def _count(created: list[Member], updated: list[Member], was: dict[int, tuple[int, str]]) -> None:
    """Keep the member counts: the new members counted in, the moved or retyped ones moved."""
    changed = [m for m in updated if was[m.pk] != (m.org_id, m.member_type)]
    gone = left_ids(m.pk for m in changed)
    removed = [Place(was[m.pk][0], column_of(was[m.pk][1], m.pk in gone)) for m in changed]
    added = [place_of(m, m.pk in gone) for m in changed]
    counts_shift(removed, added + [place_of(m, left=False) for m in created])


def _insert_members(members: list[Member]) -> None:
    """Insert new members (``COPY`` on PostgreSQL) and set their ids."""
    copy_insert(Member, members)
    if any(m.pk is None for m in members):
        ids = _member_ids([m.id_number_digest for m in members])
        for m in members:
            m.pk = ids[m.id_number_digest]


def _member_ids(digests: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in chunks(digests, BATCH):
        ids.update(
            Member.objects.filter(id_number_digest__in=chunk).values_list("id_number_digest", "id")
        )
    return ids


def _check_secretaries(
    rows: dict[str, _MemberRow],
    existing: dict[str, Member],
    orgs: _OrgIndex,
    problems: Problems,
) -> None:
    """A branch has at most one 书记 after the import (file rows plus members not in the file)."""
    claims: dict[int, list[_MemberRow]] = defaultdict(list)
    for row in rows.values():
        if row.data.post == Post.SECRETARY and row.data.org.pk:
            claims[row.data.org.pk].append(row)
    if not claims:
        return
    holders: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(list(claims), BATCH):
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
