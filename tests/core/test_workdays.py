"""The working-day calendar as data (issue 9): year files over the library, the validator, the
``calendar`` command, and days of years no calendar knows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from dangjian.core import workdays
from dangjian.core.workdays import CalendarRangeError, is_workday, workdays_between
from dangjian.recruit import calendar as recruit_calendar

D = dt.date

#: test data only — NOT the official 2027 arrangement (none had been published when written)
TEST_2027 = """\
year: 2027
source:
  title: 测试用2027年放假安排（非官方，仅供测试）
  number: 测试〔2026〕1号
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-06, to: 2027-02-13}
workdays:
  - {date: 2027-02-20, name: 春节}
"""

#: the official 2026 arrangement (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04)
NOTICE_2026 = """\
year: 2026
source:
  title: 国务院办公厅关于2026年部分节假日安排的通知
  number: 国办发明电〔2025〕7号
  published: 2025-11-04
holidays:
  - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
  - {name: 春节, from: 2026-02-15, to: 2026-02-23}
  - {name: 清明节, from: 2026-04-04, to: 2026-04-06}
  - {name: 劳动节, from: 2026-05-01, to: 2026-05-05}
  - {name: 端午节, from: 2026-06-19, to: 2026-06-21}
  - {name: 中秋节, from: 2026-09-25, to: 2026-09-27}
  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}
workdays:
  - {date: 2026-01-04, name: 元旦}
  - {date: 2026-02-14, name: 春节}
  - {date: 2026-02-28, name: 春节}
  - {date: 2026-05-09, name: 劳动节}
  - {date: 2026-09-20, name: 国庆节}
  - {date: 2026-10-10, name: 国庆节}
"""


def folder(tmp_path: Path, name: str = "cal", **files: str) -> Path:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    for filename, text in files.items():
        (path / filename.replace("_", ".")).write_text(text, encoding="utf-8")
    return path


def test_recruitment_reexports_the_core_calendar() -> None:
    assert recruit_calendar.is_workday is is_workday
    assert recruit_calendar.workdays_between is workdays_between
    assert recruit_calendar.CalendarRangeError is CalendarRangeError


def test_library_years_are_the_default() -> None:
    # 2026 元旦: Thu 01-01 to Sat 01-03 off, Sunday 01-04 worked (调休)
    assert not is_workday(D(2026, 1, 1)) and not is_workday(D(2026, 1, 2))
    assert is_workday(D(2026, 1, 4)) and D(2026, 1, 4).weekday() == 6
    assert workdays_between(D(2025, 12, 29), D(2026, 1, 5)) == 5
    assert 2004 in workdays.current().known_years() and 2026 in workdays.current().known_years()


def test_a_2027_file_extends_the_calendar(tmp_path: Path) -> None:
    with pytest.raises(CalendarRangeError):
        is_workday(D(2027, 1, 4))
    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(folder(tmp_path, y2027_yaml=TEST_2027))]):
        assert not is_workday(D(2027, 1, 1))  # Friday, 元旦
        assert is_workday(D(2027, 1, 4))  # Monday
        assert not is_workday(D(2027, 2, 8))  # Monday inside 春节
        assert is_workday(D(2027, 2, 20))  # Saturday worked (调休)
        assert not is_workday(D(2027, 2, 21))  # an ordinary Sunday
        # 2026-12-28 … 2027-01-08 across the year end: 4 days in 2026, 01-04 … 01-08 in 2027
        assert workdays_between(D(2026, 12, 28), D(2027, 1, 8)) == 9
        assert workdays.current().known_years()[-1] == 2027
    # the setting back as it was: 2027 unknown again
    with pytest.raises(CalendarRangeError):
        is_workday(D(2027, 1, 4))


def test_a_day_in_2031_is_a_clear_error_naming_the_known_years(tmp_path: Path) -> None:
    where = [str(folder(tmp_path, y2027_yaml=TEST_2027))]
    with (
        override_settings(DANGJIAN_CALENDAR_DIRS=where),
        pytest.raises(CalendarRangeError) as caught,
    ):
        workdays_between(D(2031, 3, 3), D(2031, 3, 7))
    message = str(caught.value)
    assert "2031-03-03" in message and "2004–2027" in message
    assert "超出法定节假日日历已知的年份" in message and "放假通知" in message


def test_the_2026_notice_as_a_file_agrees_with_the_library(tmp_path: Path) -> None:
    path = folder(tmp_path, y2026_yaml=NOTICE_2026) / "y2026.yaml"
    checked = workdays.check_file(path)
    assert checked.errors == []
    arr = checked.arrangement
    assert arr is not None and arr.year == 2026 and arr.net_days_off() == 13
    assert str(arr.source) == "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
    assert arr.source.published == D(2025, 11, 4)
    [warning] = checked.warnings  # it replaces a built-in year; nothing else to say
    assert "内置日历已有 2026 年" in warning and "每一天是否上班都一致" in warning


def test_a_file_overrides_its_year_and_the_validator_lists_the_differences(tmp_path: Path) -> None:
    # a (made-up) correction: 2026-01-04 no longer worked, 2026-12-31 a day off
    changed = NOTICE_2026.replace("  - {date: 2026-01-04, name: 元旦}\n", "").replace(
        "  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}\n",
        "  - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}\n"
        "  - {name: 测试假日, dates: [2026-12-31]}\n",
    )
    where = folder(tmp_path, y2026_yaml=changed)
    checked = workdays.check_file(where / "y2026.yaml")
    assert checked.errors == []
    differ = next(w for w in checked.warnings if "不同的日子" in w)
    assert "共 2 天" in differ
    assert "2026-01-04 内置为调休上班，本文件为周末休息" in differ
    assert "2026-12-31 内置为工作日，本文件为放假（测试假日）" in differ
    assert any("净放假 15 天" in w for w in checked.warnings)  # 13 + 2: please check
    assert is_workday(D(2026, 1, 4)) and is_workday(D(2026, 12, 31))
    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(where)]):
        assert not is_workday(D(2026, 1, 4)) and not is_workday(D(2026, 12, 31))
        assert not is_workday(D(2026, 10, 5))  # the rest of the year as the file says
        assert is_workday(D(2025, 12, 31))  # other years untouched


def test_a_notice_may_reach_into_the_december_before_its_year(tmp_path: Path) -> None:
    # like the 2023 notice (元旦 from 2022-12-31) and 2012's (2011-12-31 worked)
    text = TEST_2027.replace("from: 2027-01-01, to: 2027-01-03", "from: 2026-12-31, to: 2027-01-02")
    where = folder(tmp_path, y2027_yaml=text)
    assert workdays.check_file(where / "y2027.yaml").errors == []
    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(where)]):
        assert not is_workday(D(2026, 12, 31))  # the 2027 notice decides that Thursday
        assert is_workday(D(2026, 12, 30))
    late = TEST_2027.replace("from: 2027-01-01, to: 2027-01-03", "from: 2026-11-30, to: 2027-01-02")
    errors = workdays.parse_calendar(late).errors
    assert errors == [
        "第 1 个假日（元旦） from：2026-11-30 不在 2027 年内（放假通知只可能延伸到上一年 12 月）"
    ]


def test_the_validator_reports_every_problem_at_once_in_chinese() -> None:
    text = """\
year: 2027
source: {title: 国务院办公厅关于2027年部分节假日安排的通知}
holidays:
  - {name: 元旦, from: 2027-01-03, to: 2027-01-01}
  - {name: 春节, dates: [2027-02-30, 2027-02-10, 2027-02-10, 2028-01-01]}
  - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
  - {name: 中秋节, dates: [2027-10-03]}
  - {name: 劳动节, from: 2027-05-01}
workdays:
  - 2027-02-17
  - {date: 2027-10-02, name: 国庆节}
  - {date: 2027-10-09}
  - 2027-10-09
  - 10月9日
colour: red
"""
    checked = workdays.parse_calendar(text, path="2027.yaml")
    assert checked.arrangement is None
    assert checked.errors == [
        "未知的键 colour（可用：holidays、source、workdays、year）",
        "source.number：不能为空",
        "第 1 个假日（元旦）：结束日期 2027-01-01 早于开始日期 2027-01-03",
        "第 2 个假日（春节） dates 第 1 个：日期 2027-02-30 不存在",
        "第 2 个假日（春节） dates 第 4 个：2028-01-01 不在 2027 年内"
        "（放假通知只可能延伸到上一年 12 月）",
        "第 2 个假日（春节）：2027-02-10 重复列出",
        "第 4 个假日（中秋节）：2027-10-03 已列在“国庆节”中；两节合并放假时写成一个假日，"
        "名称如“中秋节、国庆节”",
        "第 5 个假日（劳动节）：起止日期应同时填写 from 和 to",
        "第 1 个调休上班日：2027-02-17 是星期三，本来就是工作日；调休上班日应为周六或周日",
        "第 4 个调休上班日：2027-10-09 重复列出",
        "第 5 个调休上班日：“10月9日”不是日期，应写成 YYYY-MM-DD",
        "2027-10-02 既列为放假（国庆节）又列为调休上班，只能是其中之一",
    ]


def test_missing_keys_syntax_errors_and_json(tmp_path: Path) -> None:
    assert workdays.parse_calendar("").errors == ["文件为空"]
    assert workdays.parse_calendar("- 1\n- 2\n").errors == ["应为键值对（如 title: …）"]
    assert workdays.parse_calendar("year: 二〇二七\n").errors == [
        "缺少 holidays",
        "缺少 source",
        "year：“二〇二七”不是年份，应写成如 2027",
    ]
    [syntax] = workdays.parse_calendar("year: 2027\nholidays: [\n").errors
    assert syntax.startswith("YAML 语法错误第 3 行")
    data = {
        "year": 2027,
        "source": {"title": "测试用2027年放假安排", "number": "测试〔2026〕2号"},
        "holidays": [{"name": "元旦", "dates": ["2027-01-01"]}],
    }
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    arr = workdays.load_file(path)
    assert arr.holidays == {D(2027, 1, 1): "元旦"} and arr.workdays == {}
    path.write_text('{"year": 2027,', encoding="utf-8")
    with pytest.raises(workdays.CalendarFileError, match="JSON 语法错误：第 1 行"):
        workdays.load_file(path)
    assert workdays.check_file(tmp_path / "none.yaml").errors == ["文件不存在"]


def test_bad_or_ambiguous_files_are_not_used_and_said_so(tmp_path: Path) -> None:
    twice = folder(tmp_path, "twice", a_yaml=TEST_2027, b_yaml=TEST_2027)
    broken = folder(tmp_path, "broken", c_yaml="year: 2028\n")
    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(twice), str(broken)]):
        cal = workdays.current()
        assert 2027 not in cal.files and 2028 not in cal.files
        assert "2 个 2027 年的日历文件（a.yaml、b.yaml）" in cal.conflicts[0]
        with pytest.raises(CalendarRangeError, match="另有 2 处日历文件有误，未被采用"):
            is_workday(D(2027, 3, 1))
        with pytest.raises(CommandError, match="2 处日历文件有误，未被采用"):
            call_command("calendar", "list")


def test_a_later_folder_wins_for_the_same_year(tmp_path: Path) -> None:
    first = folder(tmp_path, "first", y2027_yaml=TEST_2027)
    later_text = TEST_2027.replace("number: 测试〔2026〕1号", "number: 测试〔2026〕9号")
    later_text = later_text.replace("  - {date: 2027-02-20, name: 春节}\n", "")
    later = folder(tmp_path, "later", y2027_yaml=later_text)
    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(first), str(later)]):
        assert workdays.current().files[2027].source.number == "测试〔2026〕9号"
        assert not is_workday(D(2027, 2, 20))


def test_calendar_command_validate_and_list(tmp_path: Path, capsys) -> None:
    where = folder(tmp_path, y2027_yaml=TEST_2027, bad_yaml="year: 2027\nholidays: []\n")
    call_command("calendar", "validate", str(where / "y2027.yaml"))
    out = capsys.readouterr().out
    assert "日历文件有效" in out and "2027 年" in out and "测试〔2026〕1号" in out
    assert "放假 2 段共 11 天，调休上班 1 天" in out
    assert "提示：2027 年周一至周五放假的日子减去调休上班日，净放假 5 天" in out
    with pytest.raises(CommandError) as caught:
        call_command("calendar", "validate", str(where / "y2027.yaml"), str(where / "bad.yaml"))
    assert caught.value.returncode == 1
    assert "bad.yaml 有 2 处错误" in str(caught.value)
    assert "缺少 source" in str(caught.value) and "holidays：应为假日列表，至少一项" in str(
        caught.value
    )
    (where / "bad.yaml").unlink()

    with override_settings(DANGJIAN_CALENDAR_DIRS=[str(where)]):
        call_command("calendar", "list")
        out = capsys.readouterr().out
        assert "内置日历（chinese-calendar" in out and "2004–2026 年" in out
        assert f"2027 年：日历文件 {where / 'y2027.yaml'}" in out
        assert "已知年份：2004–2027 年" in out
        call_command("calendar", "list", "--year", "2027")
        out = capsys.readouterr().out
        assert "放假  元旦：2027-01-01（星期五） 至 2027-01-03（星期日），共 3 天" in out
        assert "调休上班  2027-02-20（星期六）（春节）" in out
        with pytest.raises(CommandError, match="2031 年的放假调休安排未知（已知 2004–2027 年）"):
            call_command("calendar", "list", "--year", "2031")
    call_command("calendar", "list", "--year", "2026")
    out = capsys.readouterr().out
    assert "内置日历" in out and "调休上班  2026-01-04（星期日）（元旦）" in out


def test_the_shipped_folder_holds_only_valid_files() -> None:
    cal = workdays.Calendar([workdays.DEFAULT_DIR])
    assert cal.broken == [] and cal.conflicts == []
    for arr in cal.files.values():  # each copies a published notice, with its number
        assert arr.source is not None and arr.source.number and "国务院办公厅" in arr.source.title
