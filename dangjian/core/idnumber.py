"""Citizen ID numbers (公民身份号码, GB 11643-1999) and phone numbers: validation and masking.

The check digit and the embedded birth date are validated by python-stdnum's ``cn.ric``.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric


class InvalidNumber(ValueError):
    """The number is not valid; the message is in Chinese, for the user."""


def normalize_id(value: str) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


def validate_id(value: str) -> str:
    """Return the normalised 18-character ID number or raise :class:`InvalidNumber`."""
    number = normalize_id(value)
    if len(number) != 18:
        raise InvalidNumber(f"公民身份号码应为 18 位，实际 {len(number)} 位")
    try:
        return str(ric.validate(number))
    except stdnum_exceptions.InvalidChecksum as exc:
        raise InvalidNumber("公民身份号码校验码错误") from exc
    except stdnum_exceptions.InvalidComponent as exc:
        # stdnum raises the same error for an impossible birth date and for a region code
        # unknown (or not yet/no longer in use) at the birth date: tell the user which one.
        try:
            ric.get_birth_date(number)
        except stdnum_exceptions.ValidationError:
            raise InvalidNumber("公民身份号码中的出生日期无效") from exc
        raise InvalidNumber(
            f"公民身份号码中的地区码 {number[:6]} 无效（不是出生时在用的行政区划代码）"
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidNumber("公民身份号码格式错误") from exc


def birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)  # type: ignore[no-any-return]


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
