"""The terminal table and the date option shared by the management commands."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from dangjian.core.console import date_option, text_table


def test_table_lines_up_chinese_columns():
    lines = text_table(["组织", "名称"], [["BA001", "第一党支部"], ["B2", "机关"]])
    # a Chinese character takes two columns: "组织" is as wide as "BA001" plus one space
    assert lines == [
        "组织   名称",
        "-----  ----------",
        "BA001  第一党支部",
        "B2     机关",
    ]


def test_date_option():
    assert date_option({"at": None}, "at") is None
    assert date_option({"at": "2026-11-23"}, "at") == dt.date(2026, 11, 23)
    with pytest.raises(CommandError, match="--since") as caught:
        date_option({"since": "2026-13-01"}, "since", returncode=2)
    assert caught.value.returncode == 2
