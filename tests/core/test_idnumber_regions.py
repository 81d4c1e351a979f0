"""ID numbers of real older members: the region code is checked against every code GB/T 2260
has ever had (python-stdnum's data), not against the birth year (python-stdnum issue #442)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from dangjian.core.idnumber import InvalidNumber, compose_id, region_history, validate_id


def _number(region: str, born: dt.date, serial: int) -> str:
    return compose_id(region, born, serial)


def test_nanjing_xuanwu_born_1971_is_valid():
    # 南京市玄武区: code 320102 in use from 1983; the card of someone born 1971 carries it
    assert not ric.is_valid("320102197102020032")  # what python-stdnum alone says
    assert validate_id("320102197102020032") == "320102197102020032"
    assert [n.name for n in region_history("320102")] == ["玄武区"]
    assert region_history("320102")[0].since == 1983


@pytest.mark.parametrize(
    "region,born,name,until",
    [
        # 南京市白下区 (1983–2013, merged into 秦淮区): a 1965 birth, card issued in 1985
        ("320103", dt.date(1965, 4, 18), "白下区", 2013),
        # 北京市崇文区 (abolished 2010): someone born in 1958
        ("110103", dt.date(1958, 11, 30), "崇文区", 2010),
        # 北京市大兴县 (1982–2001, became 大兴区): born 1949, before the county had this code
        ("110224", dt.date(1949, 10, 1), "大兴县", 2001),
    ],
)
def test_abolished_county_codes_stay_valid_for_life(region, born, name, until):
    number = _number(region, born, 123)
    assert validate_id(number) == number
    history = region_history(region)
    assert history[-1].name == name and history[-1].until == until


def test_renamed_code_lists_every_name():
    # 天津市 120110: 东郊区 until 1991, 东丽区 since 1992
    names = [(n.name, n.since, n.until) for n in region_history("120110")]
    assert names == [("东郊区", None, 1991), ("东丽区", 1992, None)]
    number = _number("120110", dt.date(1975, 2, 28), 57)
    assert validate_id(number) == number


@pytest.mark.parametrize("region", ["999999", "329999", "990102", "110199"])
def test_a_code_that_never_existed_is_refused_by_name(region):
    number = _number(region, dt.date(1980, 5, 5), 321)
    with pytest.raises(InvalidNumber, match=f"地区码 {region} 无效.*不是任何时期"):
        validate_id(number)


def test_check_digit_date_and_length_are_still_checked():
    good = _number("320102", dt.date(1971, 2, 2), 3)
    wrong_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidNumber, match="校验码"):
        validate_id(wrong_digit)
    with pytest.raises(InvalidNumber, match="18 位"):
        validate_id(good[:-1])
    body = "32010219710231003"  # 31 February
    with pytest.raises(InvalidNumber, match="出生日期 19710231 不是有效日期"):
        validate_id(body + ric.calc_check_digit(body + "0"))
    with pytest.raises(InvalidNumber, match="格式错误"):
        validate_id("32010219710202003A")


def test_birth_date_after_today_is_refused(today):
    tomorrow = _number("320102", today + dt.timedelta(days=1), 11)
    with pytest.raises(InvalidNumber, match="晚于今天"):
        validate_id(tomorrow)
    assert validate_id(_number("320102", today, 11), today=today)
