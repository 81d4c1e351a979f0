"""All-or-nothing import of members (see :mod:`dangjian.exchange.importers`).

Each row goes through ``member_validate`` (ID check digit, gender and birth date against the ID
number, types and dates); across rows: duplicate ID numbers, the branch must exist within the
actor's scope, a member already on a roll outside the scope cannot be moved in, and a branch keeps
at most one 书记. Existing members are matched by the keyed digest of the ID number.

The file is streamed in batches of :data:`BATCH_ROWS`: between batches only a few small values
per row are kept (the digest and row of each ID number, the rows naming a 书记, the count
changes); what a batch will write is spooled to an anonymous temporary file. Nothing is written
before the last row has been checked (:func:`import_members`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import IO, Any, Unpack

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from stdnum.cn import ric

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.core import crypto, idnumber
from dangjian.core.audit import AuditAction, AuditEvent, audit_record_bulk
from dangjian.core.idnumber import normalize_id
from dangjian.members.choices import Post
from dangjian.members.committee import committee_refresh
from dangjian.members.history import history_backfill, import_changes
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

from .bulk import copy_insert_values, copy_update
from .columns import MEMBER_COLUMNS, MEMBER_FIELD_COLUMN, MEMBER_REQUIRED
from .readers import ReadError, Source, cell_date, cell_text
from .report import (
    BATCH,
    ImportKind,
    ImportOptions,
    ImportReport,
    Problems,
    chunks,
    out_of_scope_text,
    read_failed,
    start_stream_import,
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
    ctx: _Context, number: int, cells: dict[str, Any], prior: Member | None
) -> _MemberRow:
    orgs, prefix, problems, actor = ctx.orgs, ctx.prefix, ctx.problems, ctx.actor

    def text(column: str) -> str:
        value = cells.get(column)
        return value if type(value) is str else cell_text(value)  # text cells come stripped

    def date(column: str) -> dt.date | None:
        return problems.parse(number, cells, column, ctx.dates)

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
        _keep_absent_columns(data, prior, ctx.present, orgs)
    for name in ("ethnicity", "education"):
        limit = getattr(Member._meta.get_field(name), "max_length", 0) or 0
        if len(getattr(data, name)) > limit:
            column = MEMBER_FIELD_COLUMN[name]
            problems.add(number, column, cells.get(column), f"{column}过长（最多 {limit} 字）")
    for name, messages in member_validate(data, today=ctx.today).items():
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
) -> tuple[dict[str, Member], dict[int, tuple[str, str]]]:
    """Members already on a roll whose ID number appears in ``table_rows`` (one batch of the
    file; chunked queries), and for each row its ID number as ``member_validate`` will normalise
    it with the keyed digest of that text."""
    digests: dict[int, tuple[str, str]] = {}
    for number, cells in table_rows:
        raw = cells.get("公民身份号码")
        if isinstance(raw, str):
            text = normalize_id(raw)
            text = text.upper().strip() if idnumber.plain(text) else ric.compact(text)
            digests[number] = (text, crypto.digest(text))
    wanted = sorted({digest for _, digest in digests.values()})
    found = {member.id_number_digest: member for member in _members_with_digests(wanted)}
    return found, digests


def _members_with_digests(digests: list[str]) -> Iterator[Member]:
    """The members whose ID number digest is one of ``digests``: on PostgreSQL one query with
    the list as one array parameter (``= ANY``), elsewhere ``IN`` queries of :data:`BATCH`."""
    if connection.vendor == "postgresql":
        if digests:
            hit = RawSQL("id_number_digest = ANY(%s)", (digests,), output_field=BooleanField())
            yield from Member.objects.alias(hit=hit).filter(hit=True)
        return
    for chunk in chunks(digests, BATCH):
        yield from Member.objects.filter(id_number_digest__in=chunk)


#: rows read, checked and written together: memory is bounded by a batch, not by the file
BATCH_ROWS = 5000

#: the concrete fields of a member, in the order ``Member(*values)`` takes them
_CONCRETE = [f.attname for f in Member._meta.concrete_fields]
_ID = _CONCRETE.index("id")
_DIGEST = _CONCRETE.index("id_number_digest")


def _values(member: Member) -> tuple[Any, ...]:
    return tuple(getattr(member, name) for name in _CONCRETE)


#: the fields a new member takes from its row as they are
_AS_GIVEN = ("gender", "birth_date", "ethnicity", "education", "category", "member_type",
             "joined_on", "confirmed_on", "post")  # fmt: skip


def _new_member(data: MemberInput, digest: str) -> tuple[tuple[Any, ...], str, dict[str, Any]]:
    """What ``member_apply(Member(), data)`` makes of a checked row, as the values of
    ``Member(*values)`` (no id, no timestamps), its text and its audit snapshot, without a model
    instance (building 100,000 of them was a good share of an import); ``digest`` is the keyed
    digest of ``data.id_number``, computed once by the check."""
    new = {name: getattr(data, name) for name in _AS_GIVEN}
    phone, community = data.phone, data.residence_community
    new.update(
        name=data.name.strip(),
        id_number_cipher=crypto.encrypt(data.id_number),
        id_number_digest=digest,
        id_number_masked=idnumber.mask_id(data.id_number),
        phone_cipher=crypto.encrypt(phone) if phone else None,
        phone_digest=crypto.digest(phone) if phone else "",
        phone_masked=idnumber.mask_phone(phone) if phone else "",
        org_id=data.org.pk,
        residence_community_id=community.pk if community is not None else None,
    )
    values = tuple(map(new.get, _CONCRETE))  # the id and the timestamps: None
    view: Any = SimpleNamespace(**new, org=data.org, residence_community=community)
    return values, Member.__str__(view), member_snapshot(view)


@dataclass
class _Scan:
    """What the check of a file keeps from batch to batch: a few small values per row.

    ``seen``: the keyed digest of each row's ID number → its row (duplicates across batches);
    ``claims``: organization → the rows naming a 书记 there; ``refused``: ID numbers held
    outside the actor's scope; ``removed``/``added``: the member counts the writes shift;
    ``spool``/``batches``: the batches of writes spooled and their number (see :func:`_write`)."""

    spool: _Spool

    seen: dict[str, int] = field(default_factory=dict)
    claims: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    refused: list[tuple[Member, Organization | None]] = field(default_factory=list)
    removed: Counter[Place] = field(default_factory=Counter)
    added: Counter[Place] = field(default_factory=Counter)
    batches: int = 0
    #: the rows that changed a member's branch, post or type: (id, old branch, old post, old
    #: type) for the roll history (dangjian.members.history.import_changes)
    changes: list[tuple[int, int, str, str]] = field(default_factory=list)


@dataclass
class _Context:
    """What every batch of one import is checked with."""

    actor: Actor
    prefix: str
    problems: Problems
    orgs: _OrgIndex
    today: dt.date
    present: set[str]
    dry_run: bool
    dates: _Dates = field(default_factory=lambda: _Dates())


class _Dates:
    """``cell_date`` with the dates of texts read before remembered (a file repeats its dates:
    birth, joining and confirmation days of 100,000 members fall on a few tens of thousands)."""

    def __init__(self) -> None:
        self._read: dict[str, dt.date] = {}

    def __call__(self, value: Any) -> dt.date | None:
        if type(value) is not str:
            return cell_date(value)
        day = self._read.get(value)
        if day is None:
            day = cell_date(value)  # a text that is no date raises: never remembered
            if day is not None:
                self._read[value] = day
        return day


def import_members(path: Source, *, actor: Actor, **options: Unpack[ImportOptions]) -> ImportReport:
    """Import members from ``path`` (all-or-nothing), as ``actor`` (needs MEMBER_CHANGE).

    The file is read in batches of :data:`BATCH_ROWS` rows. Each batch is checked (with the
    rows of earlier batches for duplicates) and, while the file has no problem, what it will
    write is prepared — encrypted, with its audit snapshots — and spooled to an anonymous
    temporary file (ciphertexts and masked numbers only). The checks that need the whole file
    (one 书记 per branch) run at the end; only then, and only without a problem, is anything
    written, batch by batch, in one transaction (:func:`_write`)."""
    prefix, problems, stream = start_stream_import(MEMBERS, path, actor=actor, **options)
    report = problems.report
    dry_run = report.dry_run
    if stream is None:
        return report
    ctx = _Context(
        actor, prefix, problems, _OrgIndex(), timezone.localdate(), set(stream.columns), dry_run
    )
    with _Spool() as spool:
        scan = _Scan(spool)
        try:
            for batch in stream.batches(BATCH_ROWS):
                _check_batch(ctx, batch, scan)
        except ReadError as exc:
            return read_failed(report, exc)
        finally:
            stream.close()
        report.rows = stream.rows
        if scan.refused:
            audit_id_number_refused(actor, scan.refused, via=f"导入党员（{report.file}）")
        _check_secretaries(scan, ctx.orgs, problems)
        if report.rejected():
            report.created = report.updated = report.unchanged = 0
            return report
        if dry_run or not (report.created or report.updated):
            return report
        with write_guard(report), transaction.atomic():
            _write(actor, ctx.orgs, scan)
    return report


def _check_batch(ctx: _Context, batch: list[tuple[int, dict[str, Any]]], scan: _Scan) -> None:
    """Check the rows of one batch; while the file has no problem, count them and spool what
    they will write."""
    problems = ctx.problems
    loaded, digests = _load_members(batch)
    kept: dict[str, _MemberRow] = {}
    for number, cells in batch:
        text, lookup = digests.get(number, ("", ""))
        prior = loaded.get(lookup)
        row = _parse_member_row(ctx, number, cells, prior)
        if problems.has(number, "公民身份号码"):
            continue
        if lookup and text == row.data.id_number:
            row.digest = lookup  # the digest of the same text
        else:
            row.digest = crypto.digest(row.data.id_number)
        first = scan.seen.get(row.digest)
        if first is not None:
            problems.add(
                number,
                "公民身份号码",
                cells.get("公民身份号码"),
                f"公民身份号码与第{first}行重复",
            )
            continue
        scan.seen[row.digest] = number
        kept[row.digest] = row
        if row.data.post == Post.SECRETARY and row.data.org.pk:
            scan.claims[row.data.org.pk].append((number, row.data.post))

    existing = {digest: member for digest, member in loaded.items() if digest in kept}
    for digest, member in existing.items():
        org = ctx.orgs.by_id(member.org_id)
        if org is None or not org.path.startswith(ctx.prefix):
            row = kept[digest]
            message = ID_NUMBER_REFUSED
            if org is not None:
                member.org = org
                message = id_number_taken(ctx.actor, member)
            if message == ID_NUMBER_REFUSED:
                scan.refused.append((member, None if row.data.org is _NO_ORG else row.data.org))
            else:  # a member the actor sees, but may not change
                message += "，不在您可以导入或调动的范围内"
            problems.add(row.number, "公民身份号码", row.raw_id, message)
    if problems.report.errors:
        return  # the file is refused: nothing more to prepare
    _prepare(ctx, kept, existing, scan)


def _prepare(
    ctx: _Context,
    kept: dict[str, _MemberRow],
    existing: dict[str, Member],
    scan: _Scan,
) -> None:
    """Count the rows of a checked batch as created, updated or unchanged and (unless a dry
    run) spool what they will write: the new members' values with their audit snapshots, the
    changed members' values with their snapshots before and after."""
    report, orgs = ctx.problems.report, ctx.orgs
    creates: list[tuple[Any, ...]] = []  # values of new members
    updates: list[tuple[Any, ...]] = []  # values of changed members
    audits: list[tuple[Any, ...]] = []  # (id or None, name, scope path, before, after)
    moved: list[tuple[Member, tuple[int, str]]] = []
    for digest, row in kept.items():
        found = existing.get(digest)
        if found is None:
            report.created += 1
            if not ctx.dry_run:
                values, name, snapshot = _new_member(row.data, digest)
                creates.append(values)
                audits.append((None, name, row.data.org.path, None, snapshot))
                scan.added[Place(row.data.org.pk, column_of(row.data.member_type, False))] += 1
            continue
        member = found
        member.org = orgs.by_id(member.org_id)  # type: ignore[assignment]
        member.residence_community = orgs.by_id(member.residence_community_id)
        before = member_snapshot(member)
        old_path, old_phone = member.org.path, member.phone_digest
        was = (member.org_id, member.member_type)
        old_post = member.post
        member_apply(member, row.data)
        if member_snapshot(member) == before and member.phone_digest == old_phone:
            report.unchanged += 1
            continue
        report.updated += 1
        if not ctx.dry_run:
            updates.append(_values(member))
            audits.append((member.pk, str(member), old_path, before, member_snapshot(member)))
            if was != (member.org_id, member.member_type):
                moved.append((member, was))
            if was != (member.org_id, member.member_type) or old_post != member.post:
                scan.changes.append((member.pk, was[0], old_post, was[1]))
    if moved:  # moved or retyped: counted out where they were, in where they are
        gone = left_ids(m.pk for m, _ in moved)
        for member, (org_id, member_type) in moved:
            scan.removed[Place(org_id, column_of(member_type, member.pk in gone))] += 1
            scan.added[place_of(member, member.pk in gone)] += 1
    if creates or updates:
        scan.spool.add((creates, updates), audits)
        scan.batches += 1


class _Spool:
    """Two anonymous temporary files holding, batch by batch, what the import will write: the
    members' values (ciphertexts, masked numbers) and their audit entries' content."""

    def __enter__(self) -> _Spool:
        self.rows = tempfile.TemporaryFile(prefix="dangjian-import-")
        self.audits = tempfile.TemporaryFile(prefix="dangjian-import-")
        return self

    def __exit__(self, *exc: object) -> None:
        self.rows.close()
        self.audits.close()

    def add(self, rows: Any, audits: Any) -> None:
        pickle.dump(rows, self.rows, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(audits, self.audits, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def read(file: IO[bytes], batches: int) -> Iterator[Any]:
        file.seek(0)
        for _ in range(batches):
            yield pickle.load(file)  # noqa: S301 - our own file, written by this import


def _write(actor: Actor, orgs: _OrgIndex, scan: _Scan) -> None:
    """Write the spooled batches in the caller's transaction, in the order every write of the
    roll takes its locks (``core.rollup``): the members (``COPY`` on PostgreSQL), then the
    member counts, then the audit trail — one append per batch, one entry per member."""
    now = timezone.now()
    ids: list[list[int]] = []
    spool = scan.spool
    for creates, updates in spool.read(spool.rows, scan.batches):
        ids.append(_insert_members(creates))
        changed = [Member(*values) for values in updates]
        for member in changed:
            member.updated_at = now
        copy_update(Member, changed, _MEMBER_FIELDS)
    # the roll history: the new members' (in bulk), then the changes of branch, post and type
    for created in ids:
        history_backfill(Member.objects.filter(pk__in=created))
    import_changes(scan.changes, timezone.localdate())
    counts_shift(_expand(scan.removed), _expand(scan.added))
    # the committee rows of every branch the file wrote to (a post taken, moved or left)
    committee_refresh({place.org_id for place in (*scan.removed, *scan.added)})
    for audits, created_ids in zip(spool.read(spool.audits, scan.batches), ids, strict=True):
        new_ids = iter(created_ids)
        events = [
            AuditEvent(
                AuditAction.MEMBER_UPDATE if pk else AuditAction.MEMBER_CREATE,
                "member",
                str(pk or next(new_ids)),
                name,
                path,
                before,
                after,
            )
            for pk, name, path, before, after in audits
        ]
        audit_record_bulk(actor=actor, events=events)


def _expand(counter: Counter[Place]) -> Iterator[Place]:
    for place, n in counter.items():
        yield from itertools.repeat(place, n)


#: the fields an update writes: all but the id and the creation time
_MEMBER_FIELDS = [
    f.name for f in Member._meta.concrete_fields if f.name not in {"id", "created_at"}
]


def _insert_members(creates: list[tuple[Any, ...]]) -> list[int]:
    """Insert new members given as the values of ``Member(*values)`` (``COPY`` on PostgreSQL,
    with ids taken from the sequence); their ids, in order."""
    ids = copy_insert_values(Member, creates)
    if creates and None in ids:
        digests = [values[_DIGEST] for values in creates]
        found = _member_ids(digests)
        ids = [found[digest] for digest in digests]
    return ids  # type: ignore[return-value]


def _member_ids(digests: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in chunks(digests, BATCH):
        ids.update(
            Member.objects.filter(id_number_digest__in=chunk).values_list("id_number_digest", "id")
        )
    return ids


def _check_secretaries(scan: _Scan, orgs: _OrgIndex, problems: Problems) -> None:
    """A branch has at most one 书记 after the import (file rows plus members not in the file)."""
    claims = scan.claims
    if not claims:
        return
    holders: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(list(claims), BATCH):
        found = Member.objects.filter(post=Post.SECRETARY, org_id__in=chunk).values_list(
            "org_id", "id_number_digest", "name"
        )
        for org_id, digest, name in found:
            if digest not in scan.seen:  # a secretary in the file decides their own post
                holders[org_id].append(name)
    for org_id, claimants in claims.items():
        org = orgs.by_id(org_id)
        org_name = org.name if org else ""
        if holders.get(org_id):
            for number, post in claimants:
                problems.add(
                    number,
                    "党内职务",
                    post,
                    f"{org_name} 已有书记（{'、'.join(holders[org_id])}），请先调整原书记的职务",
                )
        elif len(claimants) > 1:
            lines = "、".join(f"第{number}行" for number, _ in claimants)
            for number, post in claimants[1:]:
                problems.add(
                    number,
                    "党内职务",
                    post,
                    f"{org_name} 在文件中有多名书记（{lines}），一个支部只能有一名书记",
                )
