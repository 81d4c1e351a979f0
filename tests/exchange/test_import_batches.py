"""The member import reads, checks and writes in batches: the batch edges change nothing.

The batch is made 3 rows long here, so that files of 2, 3 and 4 rows (a batch minus one, a batch,
a batch plus one) and problems in a later batch are cheap to build. Run on SQLite and (with
``DATABASE_URL``) on PostgreSQL, where the rows are written with ``COPY``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from dangjian.accounts.scope import SYSTEM
from dangjian.core import idnumber
from dangjian.core.audit import audit_verify
from dangjian.core.models import AuditEntry
from dangjian.exchange import members_import
from dangjian.exchange.importers import import_members
from dangjian.members.committee import committee_differences
from dangjian.members.models import Member, MemberCount
from dangjian.members.rollups import counts_differences
from tests.factories import make_id_number

from .helpers import counts, errors_of, member_row, members_file

BATCH = 3


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(members_import, "BATCH_ROWS", BATCH)


def _rows(n: int, org: str = "BA001", **extra) -> list[dict]:
    return [
        member_row(org, name=f"批量{i}", born=dt.date(1970, 1, 1) + dt.timedelta(days=37 * i),
                   **extra)
        for i in range(n)
    ]  # fmt: skip


def _sub_full(code: str) -> int:
    row = MemberCount.objects.filter(org__code=code).first()
    return row.sub_full if row else 0


@pytest.mark.parametrize("n", [BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + 1])
def test_files_around_the_batch_size(tree, tmp_path, n):
    rows = _rows(n)
    before_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    root_before = _sub_full("D0001")
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert (report.rows, report.created, report.updated, report.unchanged) == (n, n, 0, 0)
    created = list(Member.objects.filter(name__startswith="批量").order_by("pk"))
    assert [m.name for m in created] == [f"批量{i}" for i in range(n)]  # ids in file order
    assert all(m.org.code == "BA001" and m.id_number() == r["公民身份号码"]
               for m, r in zip(created, rows, strict=True))  # fmt: skip
    entries = list(AuditEntry.objects.filter(seq__gt=before_seq).order_by("seq"))
    assert [e.action for e in entries] == ["member.create"] * n
    assert [e.object_id for e in entries] == [str(m.pk) for m in created]
    assert [e.object_repr for e in entries] == [str(m) for m in created]
    assert all(e.after["id_number_digest"] == m.id_number_digest[:16]
               for e, m in zip(entries, created, strict=True))  # fmt: skip
    assert all(rows[0]["公民身份号码"] not in str(e.after) for e in entries)
    assert audit_verify().ok
    assert counts_differences() == []
    assert committee_differences() == []
    assert _sub_full("D0001") == root_before + n
    again = import_members(members_file(tmp_path / "again.xlsx", rows), actor=SYSTEM)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, n)


def test_updates_and_moves_across_batches_keep_the_counts(tree, tmp_path):
    rows = _rows(5)
    assert import_members(members_file(tmp_path / "a.csv", rows), actor=SYSTEM).created == 5
    rows[1]["所在党组织编码"] = "BB001"  # first batch
    rows[4]["所在党组织编码"] = "BB001"  # second batch
    rows[3]["联系电话"] = "13900001111"
    rows[2].update(党员类型="预备党员", 转正日期=None, 入党日期="2026-01-05")
    before = AuditEntry.objects.order_by("-seq").first().seq
    report = import_members(members_file(tmp_path / "b.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert (report.created, report.updated, report.unchanged) == (0, 4, 1)
    assert set(Member.objects.filter(org__code="BB001", name__startswith="批量")
               .values_list("name", flat=True)) == {"批量1", "批量4"}  # fmt: skip
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == ["member.update"] * 4
    moved = {e.object_repr.split("（")[0]: e for e in entries}
    assert moved["批量1"].before["org"] == "BA001" and moved["批量1"].after["org"] == "BB001"
    assert moved["批量2"].after["member_type"] == "预备党员"
    assert moved["批量3"].after["phone"] == "139****1111"
    assert moved["批量1"].scope_path == tree["branch_a"].path  # where it was
    assert audit_verify().ok
    assert counts_differences() == []
    assert committee_differences() == []


def test_a_problem_in_a_later_batch_writes_nothing(tree, tmp_path):
    rows = _rows(2 * BATCH + 2)
    rows[-1]["入党日期"] = "2010-02-30"
    state = counts()
    counts_before = list(MemberCount.objects.order_by("org_id").values_list())
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=SYSTEM)
    assert errors_of(report) == [(2 * BATCH + 3, "入党日期", "日期“2010-02-30”不存在")]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert counts() == state
    assert list(MemberCount.objects.order_by("org_id").values_list()) == counts_before
    assert audit_verify().ok


def test_duplicates_and_secretaries_are_found_across_batches(tree, tmp_path):
    rows = _rows(2 * BATCH + 1)
    rows[2 * BATCH]["公民身份号码"] = rows[1]["公民身份号码"]  # row 8 repeats row 3
    rows[0]["党内职务"] = "书记"  # row 2, first batch
    rows[BATCH + 1]["党内职务"] = "书记"  # row 6, second batch
    state = counts()
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=SYSTEM)
    assert errors_of(report) == [
        (6, "党内职务", "甲村党支部 在文件中有多名书记（第2行、第6行），一个支部只能有一名书记"),
        (8, "公民身份号码", "公民身份号码与第3行重复"),
    ]
    assert counts() == state


def test_dry_run_counts_every_batch_and_writes_nothing(tree, tmp_path):
    rows = _rows(2 * BATCH + 1)
    rows[0]["公民身份号码"] = tree["members_a"][0].id_number()
    rows[0]["姓名"] = "改了名"
    state = counts()
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=SYSTEM, dry_run=True)
    assert report.ok and report.dry_run, report.error_lines()
    assert (report.rows, report.created, report.updated) == (2 * BATCH + 1, 2 * BATCH, 1)
    assert counts() == state


def test_unreadable_text_after_some_batches_is_the_only_problem(tree, tmp_path, monkeypatch):
    checked = []
    check = members_import._check_batch

    def counted(ctx, batch, *args):
        checked.append(len(batch))
        return check(ctx, batch, *args)

    monkeypatch.setattr(members_import, "_check_batch", counted)
    rows = _rows(150)  # more than the reader decodes at once (8 KB)
    rows[0]["入党日期"] = "2010-02-30"  # a problem in the first batch, not reported
    path = members_file(tmp_path / "m.csv", rows)
    assert path.stat().st_size > 10_000
    path.write_bytes(path.read_bytes() + "李四,".encode("gbk") + b"\n")
    state = counts()
    report = import_members(path, actor=SYSTEM)
    assert errors_of(report) == [
        (None, "", "CSV 文件不是 UTF-8 编码，请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”后再导入")
    ]
    assert len(checked) > 1  # batches were checked before the reader met the bad bytes
    assert report.rows == 0 and report.warnings == []
    assert counts() == state


def test_header_only_file(tree, tmp_path):
    path = members_file(tmp_path / "m.csv", [])
    report = import_members(path, actor=SYSTEM)
    assert errors_of(report) == [(None, "", "文件中只有表头，没有数据行")]


@pytest.mark.parametrize(
    "text",
    ["110105197001010018", " 1101051970 0101001x ", "11010519700101001`", "１１０１０５", "a-b–c"],
)
def test_plain_shortcut_agrees_with_stdnum(text):
    """The import's and ``idnumber.birth_date``'s shortcut past python-stdnum's clean-up gives
    what the clean-up gives."""
    normal = idnumber.normalize_id(text)
    shortcut = normal.upper().strip() if idnumber.plain(normal) else ric.compact(normal)
    assert shortcut == ric.compact(normal)
    if len(normal) == 18:
        assert idnumber.birth_date(normal) == ric.get_birth_date(normal)


def test_plain_birth_date_refuses_what_stdnum_refuses():
    number = make_id_number(dt.date(1980, 2, 28))
    bad = number[:10] + "0230" + number[14:]
    with pytest.raises(Exception) as ours:
        idnumber.birth_date(bad)
    with pytest.raises(Exception) as theirs:
        ric.get_birth_date(bad)
    assert type(ours.value) is type(theirs.value)


def test_posts_taken_moved_and_left_by_an_import_keep_the_committee_rows(tree, tmp_path):
    rows = _rows(5)
    rows[0]["党内职务"] = "书记"
    rows[4]["党内职务"] = "组织委员"
    assert import_members(members_file(tmp_path / "a.csv", rows), actor=SYSTEM).ok
    assert committee_differences() == []
    rows[4]["所在党组织编码"] = "BB001"  # the 组织委员 moves, in the second batch
    rows[0]["党内职务"] = ""  # the 书记 leaves the post
    rows[2]["党内职务"] = "书记"
    report = import_members(members_file(tmp_path / "b.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert committee_differences() == []


@pytest.mark.parametrize("phone", ["13912345678", ""])
@pytest.mark.parametrize("community", [True, False])
def test_new_members_are_made_as_member_apply_makes_them(tree, phone, community):
    from dangjian.core import crypto
    from dangjian.members.services import MemberInput, member_apply, member_snapshot

    number = make_id_number(dt.date(1985, 6, 7), female=True)
    data = MemberInput(
        name=" 批量甲 ",
        id_number=number,
        member_type="正式党员",
        joined_on=dt.date(2010, 1, 2),
        org=tree["branch_a"],
        confirmed_on=dt.date(2011, 1, 2),
        gender="女",
        birth_date=dt.date(1985, 6, 7),
        ethnicity="汉族",
        education="大学本科",
        post="组织委员",
        phone=phone,
        residence_community=tree["branch_b"] if community else None,
    )
    values, text, snapshot = members_import._new_member(data, crypto.digest(number))
    member = member_apply(Member(), data)
    made = Member(*values)
    ciphers = ("id_number_cipher", "phone_cipher")
    for name in members_import._CONCRETE:
        if name not in ciphers:
            assert getattr(made, name) == getattr(member, name), name
    assert made.id_number() == number and made.phone() == phone
    assert (made.phone_cipher is None) == (member.phone_cipher is None)
    assert text == str(member) and snapshot == member_snapshot(member)
