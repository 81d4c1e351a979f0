"""Member import: happy path, idempotence, updates, every kind of bad row, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.accounts.scope import SYSTEM
from dangjian.core import crypto
from dangjian.core.idnumber import compose_id
from dangjian.core.models import AuditEntry
from dangjian.exchange.importers import import_members
from dangjian.members.models import Member
from dangjian.members.services import ID_NUMBER_REFUSED
from tests.factories import make_id_number, make_member, make_org

from .helpers import counts, errors_of, member_row, members_file, write_csv


def test_creates_members_with_encrypted_numbers_and_audit(tree, tmp_path):
    number = make_id_number(dt.date(1990, 2, 3), female=True)
    rows = [
        member_row(
            "BA001",
            name="李梅",
            id_number=number,
            性别="女",
            出生日期="1990/02/03",
            联系电话="139 1234 5678",
            党内职务="组织委员",
            人员类别="农牧渔民",
            民族="汉族",
        ),
        member_row(
            "BA001",
            member_type="预备党员",
            name="王强",
            入党日期="2025.03.01",
            现居住社区编码="BB001",
        ),
    ]
    audit_before = AuditEntry.objects.count()
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    member = Member.objects.get(id_number_digest=crypto.digest(number))
    assert member.id_number() == number and member.phone() == "13912345678"
    assert member.id_number_masked == number[:6] + "********" + number[-4:]
    assert member.gender == "女" and member.birth_date == dt.date(1990, 2, 3)
    assert member.post == "组织委员" and member.org.code == "BA001"
    other = Member.objects.get(name="王强")
    assert other.residence_community.code == "BB001" and other.confirmed_on is None
    entries = AuditEntry.objects.filter(seq__gt=audit_before).order_by("seq")
    assert [e.action for e in entries] == ["member.create", "member.create"]
    assert number not in str(entries[0].after)  # masked in the trail
    assert entries[0].scope_path == tree["branch_a"].path


def test_second_import_changes_nothing_then_an_update(tree, tmp_path):
    rows = [member_row("BA001", name=f"党员{i}", born=dt.date(1980, 1, 1 + i)) for i in range(5)]
    path = members_file(tmp_path / "m.xlsx", rows)
    assert import_members(path, actor=SYSTEM).created == 5
    state = counts()
    again = import_members(path, actor=SYSTEM)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert counts() == state
    rows[0]["联系电话"] = "13800001111"
    rows[1]["所在党组织编码"] = "BB001"
    report = import_members(members_file(tmp_path / "m2.csv", rows), actor=SYSTEM)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 3)
    moved = Member.objects.get(name="党员1")
    assert moved.org.code == "BB001"
    last = AuditEntry.objects.order_by("-seq")[:2]
    assert {e.action for e in last} == {"member.update"}
    assert any(e.before["org"] == "BA001" and e.after["org"] == "BB001" for e in last)


def _reject(tmp_path, rows, actor=SYSTEM, name="m.csv"):
    state = counts()
    path = members_file(tmp_path / name, rows)
    report = import_members(path, actor=actor)
    assert not report.ok
    assert counts() == state, "a rejected import must write nothing"
    return errors_of(report)


def test_id_number_problems(tree, tmp_path):
    good = make_id_number(dt.date(1988, 8, 8), female=False)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        member_row("BA001", id_number=bad_check),
        member_row("BA001", id_number="11010519880808"),
        member_row("BA001", id_number=good, 性别="女", 出生日期="1988-08-09"),
        member_row("BA001", id_number=good),
        member_row("BA001", id_number=tree["members_b"][0].id_number()),
    ]
    errors = _reject(tmp_path, rows)
    assert (2, "公民身份号码", "公民身份号码校验码错误") in errors
    assert (3, "公民身份号码", "公民身份号码应为 18 位，实际 14 位") in errors
    assert (4, "性别", "性别“女”与公民身份号码（男）不一致") in errors
    assert (4, "出生日期", "出生日期 1988-08-09 与公民身份号码（1988-08-08）不一致") in errors
    assert (5, "公民身份号码", "公民身份号码与第4行重复") in errors
    assert len(errors) == 5  # row 6 (already on the roll in BB001) is fine for the operator


def test_org_and_type_rules(tree, tmp_path):
    rows = [
        member_row("TA001"),
        member_row("NOPE"),
        member_row("BA001", member_type="正式党员", 转正日期=None),
        member_row("BA001", member_type="预备党员", 转正日期="2024-01-01"),
        member_row("BA001", member_type="党员"),
        member_row("BA001", 入党日期="2010-02-30"),
        member_row("BA001", 联系电话="12345"),
        member_row("BA001", 现居住社区编码="BA001"),
        member_row("BA001", 党内职务="主任"),
        member_row("BA001", 入党日期=None, 姓名=None),
        member_row("BA001", 民族="很" * 21),
    ]
    errors = _reject(tmp_path, rows)
    assert (
        2,
        "所在党组织编码",
        "甲镇党委（TA001）是党委，党员只能编入党支部或联合党支部",
    ) in errors
    assert (3, "所在党组织编码", "所在党组织编码“NOPE”不存在") in errors
    assert (4, "转正日期", "正式党员必须填写转正日期") in errors
    assert (5, "转正日期", "预备党员不应有转正日期") in errors
    assert (6, "党员类型", "党员类型应为“正式党员”或“预备党员”") in errors
    assert (7, "入党日期", "日期“2010-02-30”不存在") in errors
    assert (8, "联系电话", "联系电话格式错误（手机号 11 位，或带区号的固定电话）") in errors
    assert (9, "现居住社区编码", "BA001 不是社区党组织") in errors
    assert any(r == 10 and c == "党内职务" and "“主任”无效" in m for r, c, m in errors)
    assert (11, "入党日期", "入党日期不能为空") in errors
    assert (11, "姓名", "姓名不能为空") in errors
    assert (12, "民族", "民族过长（最多 20 字）") in errors
    assert not any(r == 7 and c == "转正日期" for r, c, _ in errors)  # no follow-up noise


def test_one_secretary_per_branch(tree, tmp_path):
    make_member(tree["branch_b"], post="书记", name="老书记")
    rows = [
        member_row("BA001", 党内职务="书记", name="甲"),
        member_row("BA001", 党内职务="书记", name="乙"),
        member_row("BB001", 党内职务="书记", name="丙"),
    ]
    errors = _reject(tmp_path, rows)
    assert errors == [
        (3, "党内职务", "甲村党支部 在文件中有多名书记（第2行、第3行），一个支部只能有一名书记"),
        (4, "党内职务", "乙社区党支部 已有书记（老书记），请先调整原书记的职务"),
    ]


def test_numeric_id_in_excel_is_refused(tree, tmp_path):
    row = member_row("BA001", id_number="110105198505200011")
    row["公民身份号码"] = 110105198505200011
    errors = _reject(tmp_path, [row], name="m.xlsx")
    assert errors[0][:2] == (2, "公民身份号码")
    assert "存成了数字" in errors[0][2]


def test_scope_committee_admin(tree, tmp_path):
    admin_a = tree["admin_a"]
    rows = [
        member_row("BB001", name="外"),
        member_row("BA001", id_number=tree["members_b"][0].id_number(), name="调动"),
        member_row("BA001", name="内"),
    ]
    orgs, members, entries = counts()
    report = import_members(members_file(tmp_path / "m.csv", rows), actor=admin_a)
    assert errors_of(report) == [
        (2, "所在党组织编码", "所在党组织编码“BB001”不存在或不在您的管辖范围内"),
        (3, "公民身份号码", ID_NUMBER_REFUSED),  # neither "a member" nor where (issue 11)
    ]
    # nothing written but the record of the refused ID number (issue 11: audited)
    assert counts() == (orgs, members, entries + 1)
    assert AuditEntry.objects.order_by("-seq").first().action == "member.id_refused"
    report = import_members(members_file(tmp_path / "ok.csv", [rows[2]]), actor=admin_a)
    assert report.ok and report.created == 1


@pytest.mark.parametrize("who", ["inspector_a", "sysadmin", "auditor"])
def test_without_member_change_permission(tree, tmp_path, who):
    path = members_file(tmp_path / "m.csv", [member_row("BA001")])
    state = counts()
    with pytest.raises(PermissionDenied):
        import_members(path, actor=tree[who])
    assert counts() == state


def test_branch_secretary_imports_into_own_branch(tree, tmp_path):
    other = make_org(tree["town_a"], org_type="党支部", sector="农村", code="BA002")
    secretary = tree["secretary_a"]
    ok = import_members(members_file(tmp_path / "a.csv", [member_row("BA001")]), actor=secretary)
    assert ok.ok and ok.created == 1
    errors = _reject(tmp_path, [member_row(other.code)], actor=secretary, name="b.csv")
    assert errors == [(2, "所在党组织编码", "所在党组织编码“BA002”不存在或不在您的管辖范围内")]


def test_clash_while_writing_rolls_back_everything(tree, tmp_path, monkeypatch):
    from django.db import IntegrityError

    from dangjian.exchange import members_import

    def clash(creates):  # the values of ``Member(*values)`` of one batch
        Member.objects.bulk_create([Member(*values) for values in creates])  # half-written …
        raise IntegrityError("duplicate key")  # … then a concurrent insert wins

    monkeypatch.setattr(members_import, "_insert_members", clash)
    rows = [member_row("BA001", name="甲"), member_row("BA001", name="乙")]
    errors = _reject(tmp_path, rows)
    assert errors == [
        (None, "", "写入时与同时进行的其他修改发生冲突，已全部撤销、未写入任何数据，请重新导入")
    ]


def test_absent_columns_keep_values_but_empty_cells_clear_them(tree, tmp_path):
    member = tree["members_b"][0]  # has a phone
    Member.objects.filter(pk=member.pk).update(post="组织委员", ethnicity="满族")
    required = ["姓名", "公民身份号码", "党员类型", "入党日期", "转正日期", "所在党组织编码"]
    values = [
        member.name,
        member.id_number(),
        member.member_type,
        member.joined_on.isoformat(),
        member.confirmed_on.isoformat(),
        "BB001",
    ]
    report = import_members(write_csv(tmp_path / "short.csv", required, [values]), actor=SYSTEM)
    assert report.ok and (report.updated, report.unchanged) == (0, 1), report.error_lines()
    member.refresh_from_db()
    assert (
        member.phone() == "13812345678" and member.post == "组织委员" and member.ethnicity == "满族"
    )
    path = write_csv(tmp_path / "clear.csv", [*required, "联系电话"], [[*values, ""]])
    assert import_members(path, actor=SYSTEM).updated == 1
    member.refresh_from_db()
    assert member.phone() == "" and member.phone_masked == "" and member.post == "组织委员"


def test_real_numbers_of_older_members_are_accepted(tree, tmp_path):
    """Born before the region code existed (南京玄武区 320102 since 1983; 白下区 320103 abolished
    2013): the numbers on their cards are valid and the roll loads."""
    rows = [
        member_row("BA001", name="周卫东", id_number="320102197102020032",
                   出生日期="1971-02-02", 入党日期="1995-07-01", 转正日期="1996-07-01"),
        member_row("BA001", name="吴秀英", id_number=compose_id("320103", dt.date(1952, 8, 9), 42),
                   入党日期="1976-06-20", 转正日期="1977-06-20"),
    ]  # fmt: skip
    report = import_members(members_file(tmp_path / "old.csv", rows), actor=SYSTEM)
    assert report.ok, report.error_lines()
    assert report.created == 2
    member = Member.objects.get(name="周卫东")
    assert member.birth_date == dt.date(1971, 2, 2) and member.gender == "男"


def test_never_existing_code_under_age_and_temporary_branch_are_refused(tree, tmp_path):
    make_org(tree["town_a"], org_type="临时党支部", sector="农村", code="LS001",
             name="甲镇防汛临时党支部")  # fmt: skip
    bad_region = compose_id("999901", dt.date(1980, 5, 5), 11)
    young = compose_id("110105", dt.date(1992, 7, 2), 13)
    rows = [
        member_row("BA001", name="甲", id_number=bad_region),
        member_row("BA001", name="乙", id_number=young, 入党日期="2010-07-01"),
        member_row("LS001", name="丙"),
    ]
    report = import_members(members_file(tmp_path / "bad.csv", rows), actor=SYSTEM)
    errors = errors_of(report)
    assert (2, "公民身份号码", "公民身份号码中的地区码 999901 无效：它不是任何时期在用过的"
            "行政区划代码") in errors  # fmt: skip
    [(_, column, message)] = [e for e in errors if e[0] == 3]
    assert column == "入党日期" and "入党日期 2010-07-01 时未满十八岁" in message
    assert "1992-07-02 出生，2010-07-02 年满十八岁" in message
    [(_, column, message)] = [e for e in errors if e[0] == 4]
    assert column == "所在党组织编码" and message.startswith("甲镇防汛临时党支部是临时党支部")
    assert not Member.objects.filter(name__in=["甲", "乙", "丙"]).exists()
