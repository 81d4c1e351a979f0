"""Findings of the recruitment checker in the words a secretary reads: the rule's Chinese title
beside its id, the source as the regulation's name and article, and the evidence as Chinese
lines ("第 15 步“支部大会讨论”：2024-08-20", "期限：2024-11-20") instead of its keys.

Used by the case page, the dashboard and the exported record; the JSON of the command and the
API keep the keys (formats.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dangjian.rules.base import Finding

from .checker import INTRODUCER_STATUSES, PUBLICITY, STEPS, VOTES, all_specs

SEVERITY_LABELS = {"error": "错误", "warning": "提醒", "due": "待办"}

#: the short names of the sources in the rule specs → the regulation's name
_SOURCES = {
    "细则": "《中国共产党发展党员工作细则》",
    "党章": "《中国共产党章程》",
    "local practice": "地方惯例",
    "12371 Q&A": "共产党员网（12371）问答",
    "seed 004": "天津市基层党建工作材料",
}
_ARTICLE = re.compile(r"^(?P<name>.+?)\s+art\.\s*(?P<first>\d+)(?:\s*[–-]\s*(?P<last>\d+))?$")
_STEP = re.compile(r"^(?P<name>.+?)\s*\(step (?P<step>\d+)\)$")
_DIGITS = "零一二三四五六七八九"

#: evidence key → Chinese label (``step_N`` keys are named after the step)
EVIDENCE_LABELS: dict[str, str] = {
    "deadline": "期限",
    "earliest": "最早日期",
    "birth_date": "出生日期",
    "turns_18": "年满十八周岁",
    "contacts": "培养联系人人数",
    "contact_statuses": "培养联系人",
    "introducers": "入党介绍人",
    "political_review": "政治审查结论",
    "training_hours": "集中培训学时",
    "notice": "公示类别",
    "first_day": "公示首日",
    "last_day": "公示末日",
    "workdays": "公示工作日数",
    "vote": "表决",
    "entitled": "应到会有表决权人数",
    "present": "实到人数",
    "yes": "赞成票",
    "approver": "审批组织",
    "approver_type": "审批组织类别",
    "approver_under_town": "隶属于乡镇/街道党委",
    "extension_months": "延长预备期（月）",
    "probation_extension_months": "延长预备期（月）",
    "probation_ends": "预备期满",
    "since": "上次考察或确定为积极分子",
    "review": "考察日期",
    "expected_leaving_on": "预计离开本单位",
    "at": "检查日期",
    "extended_months": "延长后的审批期限（月）",
    "extension_approved_on": "批准延长日期",
    "year": "年度",
    "quota": "计划数",
    "admitted": "已接收",
    "group": "重点群体",
}
_VALUES: dict[str, Mapping[str, str]] = {
    "political_review": {"pass": "合格", "fail": "不合格", "none": "未进行"},
    "notice": {key: f"{label}公示" for key, (label, _step) in PUBLICITY.items()},
    "vote": {key: label for key, (label, _step) in VOTES.items()},
}


def _chinese_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return text + (_DIGITS[ones] if ones else "")


def source_label(source: str) -> str:
    """``"细则 art. 32"`` → ``"《中国共产党发展党员工作细则》第三十二条"``; parts joined by "；"."""
    parts = []
    for raw in (p.strip() for p in source.replace("+", ";").split(";")):
        if not raw:
            continue
        step = _STEP.match(raw)
        if step:
            name = _SOURCES.get(step["name"], step["name"])
            parts.append(f"{name}（第 {step['step']} 步）")
            continue
        article = _ARTICLE.match(raw)
        if article:
            name = _SOURCES.get(article["name"], article["name"])
            text = f"第{_chinese_number(int(article['first']))}条"
            if article["last"]:
                text = f"第{_chinese_number(int(article['first']))}至"
                text += f"{_chinese_number(int(article['last']))}条"
            parts.append(name + text)
            continue
        parts.append(_SOURCES.get(raw, raw))
    return "；".join(parts)


def _value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if key in ("introducers", "contact_statuses") and isinstance(value, list):
        return "、".join(INTRODUCER_STATUSES.get(str(v), str(v)) for v in value) or "无"
    if key in _VALUES:
        return _VALUES[key].get(str(value), str(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def evidence_lines(evidence: Mapping[str, Any]) -> list[str]:
    """The evidence of a finding as Chinese lines, in the order recorded."""
    lines = []
    for key, value in evidence.items():
        if key.startswith("step_") and key[5:].isdigit() and int(key[5:]) in STEPS:
            number = int(key[5:])
            lines.append(f"第 {number} 步“{STEPS[number]}”：{_value(key, value)}")
        else:
            lines.append(f"{EVIDENCE_LABELS.get(key, '其他')}：{_value(key, value)}")
    return lines


@dataclass
class FindingView:
    """A finding as the pages show it."""

    rule: str
    title: str
    severity: str
    severity_label: str
    message: str
    source: str
    evidence: list[str] = field(default_factory=list)


def titles() -> dict[str, str]:
    return {s.id: s.title for s in all_specs()}


def finding_views(findings: Iterable[Finding]) -> list[FindingView]:
    names = titles()
    return [
        FindingView(
            rule=f.rule,
            title=names.get(f.rule, "发展党员程序"),
            severity=f.severity,
            severity_label=SEVERITY_LABELS.get(f.severity, "提醒"),
            message=f.message,
            source=source_label(f.source),
            evidence=evidence_lines(f.evidence or {}),
        )
        for f in findings
    ]
