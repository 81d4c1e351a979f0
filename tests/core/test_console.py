"""The commands' shared options and text tables (dangjian.core.console)."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from dangjian.core.console import date_option, format_option, table_lines, text_width


def test_a_wide_character_takes_two_columns_and_the_columns_line_up():
    assert text_width("党支部A") == 7
    lines = table_lines([["党支部", "1"], ["AB", "22"]], ["组织", "数"])
    assert lines == ["组织    数", "------  --", "党支部  1", "AB      22"]


def test_the_date_and_format_options_say_in_chinese_what_is_wrong():
    assert date_option({"at": ""}, "at") is None
    assert date_option({"at": "2026-03-01"}, "at") == dt.date(2026, 3, 1)
    with pytest.raises(CommandError) as bad:
        date_option({"until": "2026-13-01"}, "until")
    assert bad.value.returncode == 2 and str(bad.value).startswith("--until：")
    assert format_option({"format": " JSON "}) == "json"
    with pytest.raises(CommandError, match="未知输出格式“csv”，应为 json 或 table"):
        format_option({"format": "csv"})
