"""Citizen ID numbers (公民身份号码, GB 11643-1999) and phone numbers: validation and masking.

Length, format, check digit and the embedded birth date are checked as GB 11643 says. The region
code (地址码, the first six digits) is checked against every code that has ever existed in
GB/T 2260, with the years each was in use, as python-stdnum ships them (``stdnum/cn/loc.dat``,
read through :func:`stdnum.numdb.get`). It is **not** checked against the birth date: the code
on a card is the one in force where and when the number was first issued (the first cards were
issued in 1984–85, so most people born before 1983 carry a code newer than their birth), and a
county abolished later stays on its people's cards for life. python-stdnum's own ``cn.ric``
check ties the code to the birth year (its issue #442) and would refuse such real numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils import timezone
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric


class InvalidNumber(ValueError):
    """The number is not valid; the message is in Chinese, for the user."""


@dataclass(frozen=True)
class RegionName:
    """One name a GB/T 2260 code has had, with the years it was in use (``None``: open)."""

    name: str
    since: int | None
    until: int | None

    def label(self) -> str:
        if self.since is None and self.until is None:
            return self.name
        return f"{self.name}（{self.since or ''}—{self.until or ''}年）"


def normalize_id(value: str) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


@functools.lru_cache(maxsize=8192)
def region_history(code: str) -> tuple[RegionName, ...]:
    """Every name the 6-digit region ``code`` has had in GB/T 2260, oldest first; empty when the
    code never existed. Read from python-stdnum's data (``numdb.get("cn/loc")``)."""
    if not re.fullmatch(r"\d{6}", code):
        return ()
    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2 or "province" not in parts[0][1]:
        return ()
    value = parts[1][1].get("county", "")
    names = []
    for entry in filter(None, value.split(",")):
        since = until = None
        if entry.startswith("["):
            span, _, entry = entry[1:].partition("]")
            start, _, end = span.partition("-")
            since, until = (int(start) if start else None), (int(end) if end else None)
        names.append(RegionName(entry, since, until))
    return tuple(names)


def validate_id(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character ID number or raise :class:`InvalidNumber`.

    Checks the length, the digits, the check digit (ISO 7064 MOD 11-2), the birth date (a real
    day, not after ``today``) and that the region code has existed at some time in GB/T 2260.
    """
    number = normalize_id(value)
    if len(number) != 18:
        raise InvalidNumber(f"公民身份号码应为 18 位，实际 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidNumber("公民身份号码格式错误：前 17 位应为数字，末位为数字或 X")
    if number[17] != ric.calc_check_digit(number):
        raise InvalidNumber("公民身份号码校验码错误")
    try:
        born = birth_date(number)
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidNumber(f"公民身份号码中的出生日期 {number[6:14]} 不是有效日期") from exc
    today = today or timezone.localdate()
    if born > today:
        raise InvalidNumber(f"公民身份号码中的出生日期 {born.isoformat()} 晚于今天")
    if born.year < 1870:
        raise InvalidNumber(f"公民身份号码中的出生日期 {born.isoformat()} 早于 1870 年，请核对")
    if not region_history(number[:6]):
        raise InvalidNumber(
            f"公民身份号码中的地区码 {number[:6]} 无效：它不是任何时期在用过的行政区划代码"
        )
    return number


def plain(text: str) -> bool:
    """Whether python-stdnum's clean-up of ``text`` (``stdnum.util.clean``: Unicode dashes,
    spaces and quotes made ASCII) leaves it as it is: ASCII without a backtick, the one ASCII
    character it replaces."""
    return text.isascii() and "`" not in text


def birth_date(number: str) -> dt.date:
    """The birth date in ``number`` (``stdnum.cn.ric.get_birth_date``, without its per-character
    clean-up when there is nothing to clean)."""
    if not plain(number):
        return ric.get_birth_date(number)  # type: ignore[no-any-return]
    number = number.upper().strip()
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise stdnum_exceptions.InvalidComponent() from None


def gender(number: str) -> str:
    """男 or 女, from the 17th digit (odd: male)."""
    return "男" if int(number[16]) % 2 else "女"


def mask_id(number: str) -> str:
    """``110105194912310021`` → ``110105********0021`` (region code and last four kept)."""
    return number[:6] + "*" * 8 + number[-4:]


_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$|^(0\d{2,3}-?\d{7,8})$")


def normalize_phone(value: str) -> str:
    """Return a normalised mobile or landline number or raise :class:`InvalidNumber`."""
    raw = re.sub(r"[\s()（）]", "", str(value or ""))
    match = _PHONE.match(raw)
    if not match:
        raise InvalidNumber("联系电话格式错误（手机号 11 位，或带区号的固定电话）")
    return match.group(1) or match.group(2)


def mask_phone(number: str) -> str:
    """``13812345678`` → ``138****5678``; landlines keep the area code and last four."""
    if len(number) == 11 and number.startswith("1"):
        return number[:3] + "****" + number[-4:]
    head = number.split("-")[0] if "-" in number else number[:4]
    return head + "-****" + number[-4:]


def compose_id(region: str, born: dt.date, serial: int) -> str:
    """Build a valid ID number from a 6-digit region code, a birth date and a 3-digit serial
    (odd serial: male). For synthetic data and tests."""
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return body + str(ric.calc_check_digit(body + "0"))
