"""Service categories as data (``categories.yaml`` beside this module, or the file named by the
setting ``DANGJIAN_SERVICE_CATEGORIES``).

Each category: ``code`` (lower-case letters, digits, ``_``), ``name``, ``group``, ``keywords``
(a list of words a resident might use), ``level`` (the default handling level: ``village`` or
``town``), ``response_hours`` (clock hours), ``resolution_days`` and ``workdays`` (whether the
resolution days are official working days, by the shared calendar :mod:`dangjian.core.workdays`).
An order copies its category's limits when it is submitted, so a later change of the file does not
move the deadlines of orders already in hand. :func:`validate` reports every problem at once, each
with its place, in Chinese.

For the Open311 GeoReport v2 interface (:mod:`dangjian.open311`) a category may also carry
``attributes`` (the questions its service definition asks: ``code``, ``description``,
``datatype`` one of :data:`DATATYPES`, ``required``, ``datatype_description``, ``values`` as a
mapping key → name for the list types; their ``order`` is their place in the list) and
``coarsen`` (how many decimals of a request's latitude and longitude are published, 0–6; absent:
published as given). Both are optional; a file without them is read as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

DEFAULT_FILE = Path(__file__).with_name("categories.yaml")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
LEVELS = ("village", "town")
#: the attribute datatypes of GeoReport v2
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
_LIST_TYPES = ("singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Attribute:
    """One question of a category's Open311 service definition."""

    code: str
    description: str
    datatype: str
    required: bool
    order: int
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    keywords: tuple[str, ...]
    level: str
    response_hours: int
    resolution_days: int
    workdays: bool
    attributes: tuple[Attribute, ...] = ()
    coarsen: int | None = None


class CategoryFileError(ValueError):
    """The categories file is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("服务类别文件有误：" + "；".join(problems))
        self.problems = problems


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate(data: Any) -> tuple[list[Category], list[str]]:
    """(the categories, every problem found with its place)."""
    problems: list[str] = []
    items = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return [], ["缺少 categories 列表"]
    found: list[Category] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        where = f"第 {n} 个类别"
        if not isinstance(item, dict):
            problems.append(f"{where}应为键值对")
            continue
        code = str(item.get("code", ""))
        where = f"第 {n} 个类别（{code or '无代码'}）"
        before = len(problems)
        if not _CODE.match(code):
            problems.append(f"{where}的代码应为小写字母开头的字母、数字或下划线")
        elif code in seen:
            problems.append(f"{where}的代码重复")
        seen.add(code)
        for key in ("name", "group"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(f"{where}缺少 {key}")
        keywords = item.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            problems.append(f"{where}的 keywords 应为词语列表")
        if item.get("level") not in LEVELS:
            problems.append(f"{where}的 level 应为 village 或 town")
        for key in ("response_hours", "resolution_days"):
            if not _positive_int(item.get(key)):
                problems.append(f"{where}的 {key} 应为正整数")
        if not isinstance(item.get("workdays", True), bool):
            problems.append(f"{where}的 workdays 应为 true 或 false")
        attributes = _attributes(item.get("attributes", []), where, problems)
        coarsen = item.get("coarsen")
        if coarsen is not None and not (
            isinstance(coarsen, int) and not isinstance(coarsen, bool) and 0 <= coarsen <= 6
        ):
            problems.append(f"{where}的 coarsen 应为 0 到 6 的整数（公开的经纬度保留的小数位数）")
        if len(problems) == before:
            found.append(
                Category(
                    code=code,
                    name=item["name"].strip(),
                    group=item["group"].strip(),
                    keywords=tuple(keywords),
                    level=item["level"],
                    response_hours=item["response_hours"],
                    resolution_days=item["resolution_days"],
                    workdays=item.get("workdays", True),
                    attributes=attributes,
                    coarsen=coarsen,
                )
            )
    return found, problems


def _attributes(items: Any, where: str, problems: list[str]) -> tuple[Attribute, ...]:
    """The Open311 attributes of one category (problems appended to ``problems``)."""
    if not isinstance(items, list):
        problems.append(f"{where}的 attributes 应为列表")
        return ()
    found: list[Attribute] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        place = f"{where}的第 {n} 个属性"
        if not isinstance(item, dict):
            problems.append(f"{place}应为键值对")
            continue
        code = str(item.get("code", ""))
        before = len(problems)
        if not _CODE.match(code) or code in seen:
            problems.append(f"{place}的代码应为小写字母开头且不重复")
        seen.add(code)
        if not isinstance(item.get("description"), str) or not item["description"].strip():
            problems.append(f"{place}缺少 description")
        datatype = item.get("datatype")
        if datatype not in DATATYPES:
            problems.append(f"{place}的 datatype 应为 {'、'.join(DATATYPES)} 之一")
        if not isinstance(item.get("required", False), bool):
            problems.append(f"{place}的 required 应为 true 或 false")
        values = item.get("values", {})
        if not isinstance(values, dict) or not all(
            isinstance(v, str) and v.strip() for v in values.values()
        ):
            problems.append(f"{place}的 values 应为“键: 名称”的映射")
            values = {}
        if datatype in _LIST_TYPES and not values:
            problems.append(f"{place}是列表类型，须给出 values")
        if len(problems) == before:
            found.append(
                Attribute(
                    code=code,
                    description=item["description"].strip(),
                    datatype=str(datatype),
                    required=item.get("required", False),
                    order=n,
                    datatype_description=str(item.get("datatype_description", "") or ""),
                    values=tuple((str(k), v.strip()) for k, v in values.items()),
                )
            )
    return tuple(found)


def load(path: str | Path) -> dict[str, Category]:
    """The categories of the file at ``path`` by code; :class:`CategoryFileError` if malformed."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CategoryFileError([f"无法读取 {path}：{exc}"]) from None
    found, problems = validate(data)
    if problems:
        raise CategoryFileError(problems)
    return {c.code: c for c in found}


@lru_cache(maxsize=4)
def _cached(path: str) -> dict[str, Category]:
    return load(path)


def categories() -> dict[str, Category]:
    """The categories in force, by code, in the file's order."""
    return _cached(str(getattr(settings, "DANGJIAN_SERVICE_CATEGORIES", "") or DEFAULT_FILE))


def category(code: str) -> Category | None:
    return categories().get(code)


def choices() -> list[tuple[str, str]]:
    return [(c.code, f"{c.group}·{c.name}") for c in categories().values()]
