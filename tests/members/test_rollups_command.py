"""``dangjian rollups rebuild|check [--org CODE]``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.cli import COMMANDS, main
from dangjian.life.models import MeetingMonths
from dangjian.members.models import MemberCount
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rollups", *args, stdout=out)
    return out.getvalue()


def test_check_passes_when_the_tables_follow_the_writes(tree):
    assert run("check") == "全部组织的汇总表与记录一致。\n"
    assert "甲镇党委（TA001）及其下级组织的汇总表与记录一致" in run("check", "--org", "TA001")


def test_check_lists_the_differences_in_chinese_and_fails(tree):
    MemberCount.objects.filter(org=tree["branch_b"]).update(probationary=3)
    meet(tree["branch_a"], "支委会", dt.date(2026, 2, 2), rollup=False)
    with pytest.raises(CommandError) as exc:
        run("check")
    assert exc.value.returncode == 1
    assert "3 处与记录不一致" in str(exc.value) and "dangjian rollups rebuild" in str(exc.value)
    out = run_failing("check")
    assert "乙社区党支部（BB001）：预备党员 汇总为 3，按记录应为 0" in out
    assert "甲村党支部（BA001） 2026年 支委会（2月）：汇总为 0，按记录应为 1" in out
    # a check of one subtree lists only its own
    out = run_failing("check", "--org", "TA001")
    assert "支委会（2月）" in out and "BB001" not in out


def run_failing(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rollups", *args, stdout=out)
    return out.getvalue()


def test_rebuild_of_a_subtree_then_of_everything(tree):
    MemberCount.objects.filter(org=tree["branch_b"]).update(probationary=3)
    meet(tree["branch_a"], "支委会", dt.date(2026, 2, 2), rollup=False)
    out = run("rebuild", "--org", "TB001")
    assert out == (
        "已按记录重建乙街道党工委（TB001）及其下级组织的汇总表："
        "党员人数 2 行，组织生活按月汇总 0 行。\n"
    )
    # the member count is repaired, the meeting of the other subtree is still missing
    assert run_failing("check").splitlines() == [
        "甲村党支部（BA001） 2026年 支委会（2月）：汇总为 0，按记录应为 1",
        "甲村党支部（BA001） 2026年 支委会（计入本年度）：汇总为 0，按记录应为 1",
    ]
    assert "党员人数 5 行，组织生活按月汇总 1 行" in run("rebuild")
    assert MeetingMonths.objects.get().m02 == 1
    assert run("check") == "全部组织的汇总表与记录一致。\n"


def test_unknown_org(tree):
    with pytest.raises(CommandError) as exc:
        run("check", "--org", "NOPE")
    assert exc.value.returncode == 2 and "组织编码“NOPE”不存在" in str(exc.value)


def test_console_command(tree, capsys):
    assert COMMANDS["rollups"] == "rollups"
    assert main(["--help"]) == 0
    assert "  rollups" in capsys.readouterr().out
    assert main(["rollups", "check"]) == 0
    assert "一致" in capsys.readouterr().out


def test_the_latest_month_paid_of_each_member_is_checked_and_rebuilt(tree):
    """A payment loaded around the services (a bulk load) is found by check and counted by
    rebuild: the dues overview reads the latest month each member paid."""
    from decimal import Decimal

    from dangjian.dues.models import DuesLastPaid, DuesPayment

    member = tree["members_a"][0]
    DuesPayment.objects.create(
        member=member,
        org=member.org,
        month=dt.date(2026, 3, 1),
        amount=Decimal("12.50"),
        paid_on=dt.date(2026, 3, 20),
        source="银行流水导入",
    )
    out = run_failing("check")
    assert f"{member.name}：最近交纳党费月份 汇总为 无，按交纳记录应为 2026-03" in out
    run("rebuild")
    assert DuesLastPaid.objects.get(member=member).month == dt.date(2026, 3, 1)
    assert run("check") == "全部组织的汇总表与记录一致。\n"
