"""Inspection checklists as data: the YAML format and its loader.

A checklist is one YAML file in ``dangjian/inspection/checklists/``. Example (every key shown;
other keys are refused)::

    key: dangjian-ducha            # stable identifier: letters, digits, - and _
    name: 基层党建工作督查清单
    version: "2026.1"
    items:
      - code: "D1"                 # unique in the checklist
        title: 支部委员会每月召开，记录完整
        rule: LIFE-COMMITTEE-MONTHLY        # a rule id of dangjian.rules …
      - code: "D8"
        title: 班子团结，议事规则健全
        standard: wuhao/1          # … or an item of an assessment standard: <key>/<item id>

Each item names what it concerns (a rule or a standard item, at least one), so a finding made on
it says which rule or standard item it concerns. :func:`parse_checklist` reports every problem at
once, each with its place, in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DIRECTORY = Path(__file__).parent / "checklists"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP = {"key", "name", "version", "items"}
_ITEM = {"code", "title", "rule", "standard"}


class ChecklistError(ValueError):
    """A checklist file that cannot be used; ``problems`` lists every problem in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: str
    rule: str = ""
    standard: str = ""

    @property
    def concerns(self) -> str:
        """What the item concerns, in Chinese (the rule's title or the standard item's)."""
        if self.rule:
            from dangjian.rules.registry import rule_title

            return rule_title(self.rule)
        return standard_item_title(self.standard)


@dataclass(frozen=True)
class Checklist:
    key: str
    name: str
    version: str
    items: tuple[ChecklistItem, ...]

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)


@cache
def standard_item_title(ref: str) -> str:
    """``wuhao/1`` → "五好党支部创建考核标准 · 支部班子坚强" (the reference itself if unknown).
    Kept for the process: the standards are files read once (a list of findings asks per row)."""
    from dangjian.assess.standard import get_standard

    key, _, item_id = ref.partition("/")
    try:
        std = get_standard(key)
    except Exception:  # an unknown key: reported by the validator
        return ref
    items = list(std.items) + [i for s in std.sector_sets for i in s.items]
    for item in items:
        if item.id == item_id:
            return f"{std.name} · {item.title}"
    return std.name


def _standard_known(ref: str) -> bool:
    return standard_item_title(ref) != ref


def parse_checklist(text: str, *, path: str = "") -> Checklist:
    """The checklist of ``text`` (YAML), or :class:`ChecklistError` with every problem."""
    from dangjian.rules.registry import rule_titles

    where = f"{path}：" if path else ""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChecklistError([f"{where}不是有效的 YAML（{str(exc)[:100]}）"]) from None
    if not isinstance(data, dict):
        raise ChecklistError([f"{where}清单应为键值结构（key、name、version、items）"])
    problems: list[str] = []
    for extra in sorted(set(map(str, data)) - _TOP):
        problems.append(f"{where}不认识的键“{extra}”")
    key = str(data.get("key") or "")
    if not _KEY.match(key):
        problems.append(f"{where}key 须为字母、数字、- 或 _")
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(f"{where}缺少清单名称（name）")
    version = str(data.get("version") or "").strip()
    if not version:
        problems.append(f"{where}缺少版本（version）")
    rules = rule_titles()
    items: list[ChecklistItem] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(f"{where}清单至少要有一项（items）")
        raw_items = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_items, start=1):
        place = f"{where}第 {n} 项"
        if not isinstance(raw, dict):
            problems.append(f"{place}应为键值结构")
            continue
        for extra in sorted(set(map(str, raw)) - _ITEM):
            problems.append(f"{place}不认识的键“{extra}”")
        code = str(raw.get("code") or "").strip()
        title = str(raw.get("title") or "").strip()
        rule = str(raw.get("rule") or "").strip()
        standard = str(raw.get("standard") or "").strip()
        if not code:
            problems.append(f"{place}缺少编号（code）")
        elif code in seen:
            problems.append(f"{place}编号“{code}”重复")
        seen.add(code)
        if not title:
            problems.append(f"{place}缺少检查内容（title）")
        if not rule and not standard:
            problems.append(f"{place}须写明涉及的规则（rule）或考核标准条目（standard）")
        if rule and rule not in rules:
            problems.append(f"{place}规则“{rule}”不存在")
        if standard and not _standard_known(standard):
            problems.append(f"{place}考核标准条目“{standard}”不存在（写作 标准/条目，如 wuhao/1）")
        items.append(ChecklistItem(code, title, rule, standard))
    if problems:
        raise ChecklistError(problems)
    return Checklist(key, name, version, tuple(items))


@cache
def available_checklists() -> dict[str, Checklist]:
    """The shipped checklists by key."""
    found: dict[str, Checklist] = {}
    for file in sorted(DIRECTORY.glob("*.yaml")):
        checklist = parse_checklist(file.read_text(encoding="utf-8"), path=file.name)
        found[checklist.key] = checklist
    return found


def get_checklist(key: str) -> Checklist:
    """The checklist ``key``; ``KeyError`` if there is none."""
    return available_checklists()[key]
