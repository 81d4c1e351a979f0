"""Query-parameter parsing for list endpoints. Every unknown or malformed value is a 400 with a
Chinese message naming the parameter; nothing here ever lets a bad value reach the database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.request import Request

from dangjian.members.choices import MemberType
from dangjian.orgs.choices import OrgType, Sector
from dangjian.orgs.models import Organization

_REGION = re.compile(r"^\d{2,12}$")
_CODE = re.compile(r"^[A-Za-z0-9]{1,32}$")
SEVERITIES = ("error", "warning", "due")
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("", "0", "false", "no", "off")


def bad(param: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({param: [message]})


def text_param(request: Request, name: str, *, max_length: int = 100) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > max_length:
        raise bad(name, f"参数过长（最多 {max_length} 个字符）")
    if "\x00" in value:
        raise bad(name, "参数含有无效字符")
    return value


def choice_param(request: Request, name: str, choices: Iterable[str], label: str) -> str:
    value = text_param(request, name)
    allowed = list(choices)
    if value and value not in allowed:
        raise bad(name, f"{label}“{value}”无效，应为：{'、'.join(allowed)}")
    return value


def bool_param(request: Request, name: str) -> bool:
    value = text_param(request, name).lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise bad(name, "应为 1 或 0")


def code_param(request: Request, name: str) -> str:
    value = text_param(request, name)
    if value and not _CODE.match(value):
        raise bad(name, "组织编码只能由字母和数字组成，最长 32 位")
    return value


def region_param(request: Request, name: str = "region") -> str:
    value = text_param(request, name)
    if value and not _REGION.match(value):
        raise bad(name, "行政区划代码应为 2 到 12 位数字（按前缀匹配）")
    return value


def date_param(request: Request, name: str) -> dt.date | None:
    value = text_param(request, name)
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


def filter_orgs(request: Request, qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Apply ``q``, ``type``, ``sector``, ``region`` (``parent`` is resolved by the view)."""
    q = text_param(request, "q")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q))
    org_type = choice_param(request, "type", OrgType.values, "组织类别")
    if org_type:
        qs = qs.filter(org_type=org_type)
    sector = choice_param(request, "sector", Sector.values, "所属领域")
    if sector:
        qs = qs.filter(sector=sector)
    region = region_param(request)
    if region:
        qs = qs.filter(region_code__startswith=region)
    return qs


def member_type_param(request: Request) -> str:
    return choice_param(request, "type", MemberType.values, "党员类型")


__all__ = ["SEVERITIES"]
