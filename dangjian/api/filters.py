"""Query-parameter parsing for list endpoints. Every unknown or malformed value is a 400 with a
Chinese message naming the parameter; nothing here ever lets a bad value reach the database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from rest_framework import exceptions
from rest_framework.request import Request

_REGION = re.compile(r"^\d{2,12}$")
_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")
SEVERITIES = ("error", "warning", "due")
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("", "0", "false", "no", "off")


def bad(param: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({param: [message]})


def text_value(name: str, raw: str | None, *, max_length: int = 100) -> str:
    """``raw`` stripped, refused when too long or with a NUL (``name`` is the parameter)."""
    value = (raw or "").strip()
    if len(value) > max_length:
        raise bad(name, f"参数过长（最多 {max_length} 个字符）")
    if "\x00" in value:
        raise bad(name, "参数含有无效字符")
    return value


def choice_value(name: str, raw: str | None, choices: Iterable[str], label: str) -> str:
    value = text_value(name, raw)
    allowed = list(choices)
    if value and value not in allowed:
        raise bad(name, f"{label}“{value}”无效，应为：{'、'.join(allowed)}")
    return value


def bool_value(name: str, raw: str | None) -> bool:
    value = text_value(name, raw).lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise bad(name, "应为 1 或 0")


def code_value(name: str, raw: str | None) -> str:
    value = text_value(name, raw)
    if value and not _CODE.match(value):
        raise bad(name, "组织编码只能由字母和数字组成，最长 32 位")
    return value


def region_value(name: str, raw: str | None) -> str:
    value = text_value(name, raw)
    if value and not _REGION.match(value):
        raise bad(name, "行政区划代码应为 2 到 12 位数字（按前缀匹配）")
    return value


def year_value(name: str, raw: str | None) -> int | None:
    value = text_value(name, raw)
    if not value:
        return None
    if not value.isdigit() or not 1900 <= int(value) <= 2100:
        raise bad(name, f"年份“{value[:20]}”无效，应为 1900–2100 的四位数字")
    return int(value)


def text_param(request: Request, name: str, *, max_length: int = 100) -> str:
    return text_value(name, request.query_params.get(name, ""), max_length=max_length)


def choice_param(request: Request, name: str, choices: Iterable[str], label: str) -> str:
    return choice_value(name, request.query_params.get(name, ""), choices, label)


def bool_param(request: Request, name: str) -> bool:
    return bool_value(name, request.query_params.get(name, ""))


def code_param(request: Request, name: str) -> str:
    return code_value(name, request.query_params.get(name, ""))


def region_param(request: Request, name: str = "region") -> str:
    return region_value(name, request.query_params.get(name, ""))


def year_param(request: Request, name: str = "year") -> int | None:
    return year_value(name, request.query_params.get(name, ""))


def date_value(name: str, raw: str | None) -> dt.date | None:
    value = text_value(name, raw)
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        raise bad(name, f"日期“{value}”格式错误，应为 YYYY-MM-DD")
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise bad(name, f"日期“{value}”不存在") from None


def list_param(request: Request, name: str) -> list[str]:
    """A repeated and/or comma-separated parameter (``?rule=A&rule=B`` or ``?rule=A,B``)."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


__all__ = ["SEVERITIES"]
